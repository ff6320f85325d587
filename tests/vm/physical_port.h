/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DMA port of a pasidnic_pci function (doc/pasidnic.md §13): one DMA of
 * the function, tagged with a PASID or the RID, translated by the module's
 * IOMMU driver through the domain it is attached to.
 */
#ifndef PHYSICAL_PORT_H
#define PHYSICAL_PORT_H

#include <stddef.h>
#include <stdint.h>

/**
 * phys_port_dma() - one DMA through @port (/sys/kernel/debug/pasidnic_pci/fn<N>/dma).
 * @op: 'w' fills @len bytes at @iova with @byte; 'r' reads them into @out.
 * @pasid: the PASID, or -1 for the RID.
 * Return: 0, or -errno of the DMA (ENXIO nothing attached, ENOENT not mapped,
 * EPERM no permission, EIO bus mastering off). Exits when @port cannot be opened.
 */
int phys_port_dma(const char *port, char op, int pasid, uint64_t iova, unsigned int len,
		  unsigned int byte, void *out);

/** phys_buffer() - @len bytes of zeroed anonymous memory (DMA targets). Exits on failure. */
uint8_t *phys_buffer(size_t len);

#endif /* PHYSICAL_PORT_H */
