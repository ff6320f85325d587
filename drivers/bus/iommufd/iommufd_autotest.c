/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * iommufd_bus_autotest, registered into dpdk-test when the bus plugin is
 * loaded there with -d (PASID_REGISTER_AUTOTEST, pasid_dpdk_compat.h).
 *
 * Checks that the bus is registered, that every device it found is bound,
 * that rte_malloc() memory lands in the default IOAS through the memory
 * events (a second map of the same IOVA must fail with EEXIST), the PASID
 * allocator and the kernel feature detection.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "pasid_dpdk_compat.h"
#include "private.h"

/* true when @cond holds, else false after printing where and why. */
#define EXPECT(cond, fmt, ...) ((cond) ? true : \
	(printf("iommufd_bus_autotest: %s:%d: '%s' failed: " fmt "\n", \
		__FILE__, __LINE__, #cond, ##__VA_ARGS__), false))

static int
check_memory(struct iommufd_dev *d)
{
	const size_t len = 4u << 20;
	uint8_t *buf = rte_malloc("iommufd_autotest", len, 0);
	uint64_t iova;
	int ret;

	if (!EXPECT(buf != NULL, "rte_malloc of %zu bytes failed", len))
		return -1;
	iova = rte_malloc_virt2iova(buf);
	if (!EXPECT(iova == (uintptr_t)buf, "IOVA %#" PRIx64 " != VA %p: not in IOVA-as-VA mode",
		    iova, buf))
		return -1;
	/* Mapped by the memory events: mapping the page again must collide. */
	ret = iommufd_ioas_map(d->rid_ioas, RTE_PTR_ALIGN_FLOOR(buf, 4096),
			       RTE_ALIGN_FLOOR(iova, 4096), 4096);
	rte_free(buf);
	if (!EXPECT(ret == -EEXIST, "re-mapping rte_malloc memory gave %d, not -EEXIST: the default "
		    "IOAS does not hold DPDK memory", ret))
		return -1;
	return 0;
}

static int
check_pasids(void)
{
	struct iommufd_pasid_table t;
	int a, b;

	if (!EXPECT(iommufd_pasid_table_init(&t, 2, 0) == 0, "init of a 2-bit table"))
		return -1;
	a = iommufd_pasid_alloc(&t);
	b = iommufd_pasid_alloc(&t);
	if (!EXPECT(a == 1 && b == 2, "got PASIDs %d and %d, expected 1 and 2", a, b))
		return -1;
	if (!EXPECT(iommufd_pasid_alloc(&t) == 3 && iommufd_pasid_alloc(&t) == -ENOSPC,
		    "a 2-bit table holds PASIDs 1..3 only"))
		return -1;
	if (!EXPECT(iommufd_pasid_free(&t, 2) == 0 && iommufd_pasid_alloc(&t) == 2,
		    "a freed PASID is reused"))
		return -1;
	iommufd_pasid_table_fini(&t);
	return 0;
}

static int
iommufd_bus_autotest(void)
{
	struct rte_iommufd_device *p;
	unsigned int n = 0, bound = 0;

	if (!EXPECT(rte_bus_find_by_name(RTE_BUS_IOMMUFD_NAME) == &iommufd_bus.bus,
		    "the iommufd bus is not registered"))
		return -1;
	if (check_pasids() < 0)
		return -1;
	FOREACH_IOMMUFD_DEVICE(p) {
		struct iommufd_dev *d = IOMMUFD_DEV(p);

		n++;
		printf("%s: %s %s %s PASID width %u\n", __func__, p->name, p->cdev,
		       p->fd >= 0 ? "bound" : "not bound", p->pasid_log2);
		if (p->fd < 0)
			continue;
		bound++;
		if (d->args.dpdk_mem && check_memory(d) < 0)
			return -1;
	}
	printf("%s: %u devices, %u bound\n", __func__, n, bound);
	return 0;
}

PASID_REGISTER_AUTOTEST(iommufd_bus_autotest, iommufd_bus_autotest);
