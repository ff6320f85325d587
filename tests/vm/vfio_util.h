/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small vfio cdev + iommufd helpers for the VM test programs.
 *
 * Each operation comes in two forms, as in the kernel's vfio selftest library:
 * __name() returns 0 or -errno for negative tests, name() exits the program
 * with a message naming the call, its arguments and errno when it fails.
 */
#ifndef VFIO_UTIL_H
#define VFIO_UTIL_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "test_assert.h"

/** Deprecated: the old name of TEST_ASSERT_TRUE() (tests/lib/test_assert.h). */
#define VU_ASSERT(cond, ...) TEST_ASSERT_TRUE(cond, __VA_ARGS__)

/** A vfio device cdev bound to an iommufd. */
struct vu_device {
	int iommufd;            /**< /dev/iommu */
	int fd;                 /**< the vfio device cdev */
	uint32_t devid;         /**< iommufd device (or access) object id */
	uint64_t cfg_offset;    /**< file offset of the PCI config region */
	uint32_t num_irqs;      /**< VFIO_DEVICE_GET_INFO num_irqs */
};

/** A mapped BAR. */
struct vu_bar {
	volatile uint8_t *va;
	size_t size;
};

/**
 * __vu_open() - open /dev/iommu (when @iommufd < 0) and @cdev, bind them.
 * Return: 0, or -errno of the first failing step (@d holds no fd then).
 */
int __vu_open(struct vu_device *d, const char *cdev, int iommufd);
void vu_open(struct vu_device *d, const char *cdev, int iommufd);
/** vu_close() - close the device and the iommufd. */
void vu_close(struct vu_device *d);

/** __vu_ioas_alloc() - IOMMU_IOAS_ALLOC. Return: 0 and *@ioas, or -errno. */
int __vu_ioas_alloc(int iommufd, uint32_t *ioas);
uint32_t vu_ioas_alloc(int iommufd);
/**
 * __vu_hwpt_alloc() - IOMMU_HWPT_ALLOC of a paging HWPT for the device on @ioas
 * with @flags (e.g. IOMMU_HWPT_ALLOC_PASID). Return: 0 and *@hwpt, or -errno.
 */
int __vu_hwpt_alloc(struct vu_device *d, uint32_t ioas, uint32_t flags, uint32_t *hwpt);
uint32_t vu_hwpt_alloc(struct vu_device *d, uint32_t ioas, uint32_t flags);
/** __vu_destroy() - IOMMU_DESTROY of any object. Return: 0 or -errno. */
int __vu_destroy(int iommufd, uint32_t id);

/**
 * __vu_attach() - VFIO_DEVICE_ATTACH_IOMMUFD_PT of the RID (@pasid < 0) or of
 * a PASID to @pt_id. Return: 0 or -errno.
 */
int __vu_attach(struct vu_device *d, uint32_t pt_id, int pasid);
void vu_attach(struct vu_device *d, uint32_t pt_id, int pasid);
/** __vu_detach() - VFIO_DEVICE_DETACH_IOMMUFD_PT of the RID or a PASID. */
int __vu_detach(struct vu_device *d, int pasid);

/**
 * __vu_map() - IOMMU_IOAS_MAP of @len bytes at @va to the fixed @iova
 * (readable and writable by the device). Return: 0 or -errno.
 */
int __vu_map(int iommufd, uint32_t ioas, void *va, uint64_t len, uint64_t iova);
void vu_map(int iommufd, uint32_t ioas, void *va, uint64_t len, uint64_t iova);
/** __vu_unmap() - IOMMU_IOAS_UNMAP of [@iova, @iova + @len). Return: 0 or -errno. */
int __vu_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len);
void vu_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len);

/** vu_cfg_read()/vu_cfg_write() - access PCI config space through the config region. */
uint32_t vu_cfg_read(struct vu_device *d, unsigned int off, unsigned int size);
void vu_cfg_write(struct vu_device *d, unsigned int off, unsigned int size, uint32_t val);
/** vu_bus_master() - set PCI_COMMAND memory + bus master (vfio-pci leaves them off). */
void vu_bus_master(struct vu_device *d);
/** vu_bar_map() - mmap BAR @index whole. Exits when the BAR cannot be mapped. */
void vu_bar_map(struct vu_device *d, unsigned int index, struct vu_bar *bar);

/**
 * vu_irq_eventfd() - route interrupt @index (VFIO_PCI_MSI_IRQ_INDEX, ...)
 * vector 0 to a new eventfd. Return: the eventfd.
 */
int vu_irq_eventfd(struct vu_device *d, unsigned int index);
/**
 * vu_eventfd_wait() - wait up to @timeout_ms for @efd to fire.
 * Return: the eventfd counter read (> 0), or 0 on timeout.
 */
uint64_t vu_eventfd_wait(int efd, int timeout_ms);

/**
 * vu_hugepage_alloc() - @len bytes of prefaulted 2 MiB hugepages (MAP_HUGETLB).
 * Exits with a message naming the hugepage reservation when none are free.
 */
void *vu_hugepage_alloc(size_t len);

/* QEMU's edu device (hw/misc/edu.c): a 4 KiB buffer at BAR0 + 0x40000 and a DMA engine. */
#define EDU_BUF 0x40000u
#define EDU_CMD_TO_RAM 0x2u   /* direction: edu buffer -> RAM (else RAM -> buffer) */
#define EDU_CMD_IRQ 0x4u      /* raise interrupt 0x100 when done */
#define EDU_IRQ_DMA 0x100u

/**
 * edu_dma() - run one DMA: @cmd EDU_CMD_* flags, @src/@dst bus addresses
 * (IOVAs on the RAM side, EDU_BUF + n on the device side), @len < 4096.
 * Return: 0 when the engine finished, -ETIMEDOUT otherwise.
 */
int edu_dma(struct vu_bar *bar, uint64_t src, uint64_t dst, uint32_t len, uint32_t cmd);
/** edu_irq_ack() - acknowledge the edu interrupt status bits @mask. */
void edu_irq_ack(struct vu_bar *bar, uint32_t mask);

#endif /* VFIO_UTIL_H */
