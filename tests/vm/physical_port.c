/* SPDX-License-Identifier: BSD-3-Clause */
/* The DMA port of a pasidnic_pci function: see physical_port.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "physical_port.h"
#include "test_assert.h"

int
phys_port_dma(const char *port, char op, int pasid, uint64_t iova, unsigned int len,
	      unsigned int byte, void *out)
{
	char cmd[80];
	int fd, n, ret = 0;

	fd = open(port, O_RDWR | O_CLOEXEC);
	TEST_ASSERT_TRUE(fd >= 0, "cannot open the DMA port %s", port);
	if (op == 'w')
		n = snprintf(cmd, sizeof(cmd), "w %d %llx %u %x", pasid, (unsigned long long)iova,
			     len, byte);
	else
		n = snprintf(cmd, sizeof(cmd), "%c %d %llx %u", op, pasid,
			     (unsigned long long)iova, len);
	if (write(fd, cmd, n) != n)
		ret = -errno;
	else if (out != NULL)
		TEST_ASSERT_EQ(read(fd, out, len), (ssize_t)len);
	close(fd);
	return ret;
}

uint8_t *
phys_buffer(size_t len)
{
	void *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT_TRUE(b != MAP_FAILED, "mmap of %zu bytes failed", len);
	memset(b, 0, len);
	return b;
}
