/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * physical-pasid CDEV WIDTH PORT: PASID attach on a pasidnic_pci function
 * through vfio-pci and iommufd's HWPTs (test physical_pasid_attach).
 *
 * PORT is the function's DMA port (/sys/kernel/debug/pasidnic_pci/fn<N>/dma):
 * each DMA it makes is translated by the module's IOMMU driver through the
 * domain the PASID (or the RID) is attached to (doc/pasidnic.md §13).
 *
 * The RID on a PASID-capable HWPT; NPASID PASIDs (among them the widest,
 * 2^WIDTH - 1) attached by HWPT id, alternately to the HWPTs of IOAS A and
 * IOAS B, which map different memory at the same IOVA: each PASID's DMA
 * lands in its own IOAS's memory and nowhere else, and reads come from it;
 * the RID's DMA lands in the RID's IOAS. Replace moves a PASID to the other
 * HWPT without a detach; a detached PASID (and a detached RID) DMAs nothing
 * (ENXIO) while the others still work; an IOVA not mapped faults (ENOENT).
 * Refused as the kernel documents: an IOAS id for a PASID (EINVAL: an
 * automatic domain is not PASID-compatible, iommufd_hwpt_pasid_compat()),
 * a PASID of 2^WIDTH (EINVAL).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "physical_port.h"
#include "vfio_util.h"

#define IOVA 0x200000ull
#define LEN (64u << 10)
#define NPASID 8
#define SLOT 64u /* bytes of each PASID's DMA, at IOVA + index * SLOT */

static const char *port_path;

static void
step(const char *what)
{
	printf("ok: %s\n", what);
	fflush(stdout);
}

/* One DMA through the port: 0 or -errno. @pasid < 0: the RID. */
static int
port_dma(char op, int pasid, uint64_t iova, unsigned int len, unsigned int byte, void *out)
{
	return phys_port_dma(port_path, op, pasid, iova, len, byte, out);
}

/* Every byte of @b is 0 except [@off, @off + SLOT), which is @byte. */
static void
expect(const uint8_t *b, const char *name, unsigned int off, unsigned int byte)
{
	unsigned int i;

	for (i = 0; i < LEN; i++) {
		unsigned int want = (i >= off && i < off + SLOT) ? byte : 0;

		TEST_ASSERT_EQ(b[i], want, "%s byte %u", name, i);
	}
}

int
main(int argc, char **argv)
{
	uint32_t ioas_r, ioas_a, ioas_b, h_r, h_a, h_b;
	uint8_t *mem_r, *mem_a, *mem_b, got[SLOT];
	int pasids[NPASID], i, width;
	struct vu_device d;

	if (argc != 4) {
		fprintf(stderr, "usage: %s /dev/vfio/devices/vfioN PASID-WIDTH DMA-PORT\n", argv[0]);
		return 2;
	}
	width = atoi(argv[2]);
	port_path = argv[3];
	for (i = 0; i < NPASID - 1; i++)
		pasids[i] = i + 1;
	pasids[NPASID - 1] = (1 << width) - 1;

	vu_open(&d, argv[1], -1);
	vu_bus_master(&d);
	ioas_r = vu_ioas_alloc(d.iommufd);
	ioas_a = vu_ioas_alloc(d.iommufd);
	ioas_b = vu_ioas_alloc(d.iommufd);
	mem_r = phys_buffer(LEN);
	mem_a = phys_buffer(LEN);
	mem_b = phys_buffer(LEN);
	vu_map(d.iommufd, ioas_r, mem_r, LEN, IOVA);
	vu_map(d.iommufd, ioas_a, mem_a, LEN, IOVA);
	vu_map(d.iommufd, ioas_b, mem_b, LEN, IOVA);
	h_r = vu_hwpt_alloc(&d, ioas_r, IOMMU_HWPT_ALLOC_PASID);
	h_a = vu_hwpt_alloc(&d, ioas_a, IOMMU_HWPT_ALLOC_PASID);
	h_b = vu_hwpt_alloc(&d, ioas_b, IOMMU_HWPT_ALLOC_PASID);

	TEST_ASSERT_EQ(port_dma('w', -1, IOVA, SLOT, 0x11, NULL), -ENXIO);
	vu_attach(&d, h_r, -1);
	TEST_ASSERT_EQ(port_dma('w', -1, IOVA, SLOT, 0xee, NULL), 0);
	expect(mem_r, "RID IOAS", 0, 0xee);
	step("RID on a PASID-capable HWPT: its DMA lands in the RID's IOAS (blocked before)");

	for (i = 0; i < NPASID; i++)
		vu_attach(&d, i % 2 ? h_b : h_a, pasids[i]);
	for (i = 0; i < NPASID; i++) {
		uint8_t *mine = i % 2 ? mem_b : mem_a;

		TEST_ASSERT_EQ(port_dma('w', pasids[i], IOVA + i * SLOT, SLOT, 0x40 + i, NULL), 0,
			       "DMA of PASID %d", pasids[i]);
		TEST_ASSERT_EQ(mine[i * SLOT], 0x40 + i);
		TEST_ASSERT_EQ(port_dma('r', pasids[i], IOVA + i * SLOT, SLOT, 0, got), 0);
		TEST_ASSERT_EQ(memcmp(got, mine + i * SLOT, SLOT), 0, "PASID %d read", pasids[i]);
	}
	for (i = 0; i < NPASID; i++) {
		uint8_t *other = i % 2 ? mem_a : mem_b;

		TEST_ASSERT_EQ(other[i * SLOT], 0, "PASID %d's DMA reached the other IOAS",
			       pasids[i]);
	}
	expect(mem_r, "RID IOAS", 0, 0xee);
	step("8 PASIDs attached by HWPT id (up to 2^width - 1): each DMA in its own IOAS only");

	memset(mem_a, 0, LEN);
	memset(mem_b, 0, LEN);
	vu_attach(&d, h_b, pasids[0]);
	TEST_ASSERT_EQ(port_dma('w', pasids[0], IOVA, SLOT, 0x77, NULL), 0);
	expect(mem_b, "IOAS B", 0, 0x77);
	expect(mem_a, "IOAS A", 0, 0);
	step("replace: PASID moved to the other HWPT without a detach");

	TEST_ASSERT_EQ(__vu_detach(&d, pasids[0]), 0);
	memset(mem_b, 0, LEN);
	TEST_ASSERT_EQ(port_dma('w', pasids[0], IOVA, SLOT, 0x99, NULL), -ENXIO);
	TEST_ASSERT_EQ(port_dma('r', pasids[0], IOVA, SLOT, 0, got), -ENXIO);
	TEST_ASSERT_EQ(port_dma('w', pasids[1], IOVA, SLOT, 0x55, NULL), 0);
	expect(mem_a, "IOAS A", 0, 0);
	expect(mem_b, "IOAS B", 0, 0x55);
	step("detach blocks the PASID's DMA (ENXIO); the other PASIDs still work");

	TEST_ASSERT_EQ(port_dma('w', pasids[1], IOVA + LEN, SLOT, 0x55, NULL), -ENOENT);
	TEST_ASSERT_EQ(port_dma('w', pasids[1], IOVA + LEN - SLOT / 2, SLOT, 0x66, NULL), -ENOENT);
	for (i = LEN - SLOT / 2; i < (int)LEN; i++)
		TEST_ASSERT_EQ(mem_b[i], 0, "a DMA that faulted wrote its mapped part");
	step("an IOVA not mapped faults (ENOENT) and a partly mapped DMA writes nothing");

	TEST_ASSERT_EQ(__vu_attach(&d, ioas_a, pasids[0]), -EINVAL);
	TEST_ASSERT_EQ(__vu_attach(&d, h_a, 1 << width), -EINVAL);
	TEST_ASSERT_EQ(port_dma('w', pasids[0], IOVA, SLOT, 0x99, NULL), -ENXIO);
	step("refused: an IOAS id for a PASID, a PASID of 2^width (EINVAL)");

	TEST_ASSERT_EQ(__vu_detach(&d, -1), 0);
	TEST_ASSERT_EQ(port_dma('w', -1, IOVA, SLOT, 0x11, NULL), -ENXIO);
	for (i = 1; i < NPASID; i++)
		TEST_ASSERT_EQ(__vu_detach(&d, pasids[i]), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, h_r), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, h_a), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, h_b), 0);
	vu_unmap(d.iommufd, ioas_r, IOVA, LEN);
	vu_unmap(d.iommufd, ioas_a, IOVA, LEN);
	vu_unmap(d.iommufd, ioas_b, IOVA, LEN);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, ioas_r), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, ioas_a), 0);
	TEST_ASSERT_EQ(__vu_destroy(d.iommufd, ioas_b), 0);
	vu_close(&d);
	step("RID and PASIDs detached (RID DMA blocked), HWPTs and IOASes destroyed");
	return 0;
}
