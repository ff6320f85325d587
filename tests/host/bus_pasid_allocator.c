/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus_pasid_allocator: the per-device PASID allocator. PASIDs are validated
 * against the width (1 <= pasid < 2^width), 0 is never handed out, freed
 * PASIDs are reused (lowest first), max_domains caps the table.
 */
#include <errno.h>

#include "private.h"
#include "test_assert.h"

int
main(void)
{
	struct iommufd_pasid_table t;
	uint32_t p;
	int i, got;

	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 0, 0), -EINVAL);
	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 21, 0), -EINVAL);

	/* Width 3: PASIDs 1..7. */
	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 3, 0), 0);
	TEST_ASSERT_TRUE(!iommufd_pasid_valid(&t, 0), "PASID 0 is the RID");
	TEST_ASSERT_TRUE(iommufd_pasid_valid(&t, 7), "7 fits 3 bits");
	TEST_ASSERT_TRUE(!iommufd_pasid_valid(&t, 8), "8 does not fit 3 bits");
	for (i = 1; i <= 7; i++)
		TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), i);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), -ENOSPC);
	TEST_ASSERT_EQ(t.nb_used, 7);
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 3), 0);
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 3), -EINVAL); /* not in use any more */
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 0), -EINVAL);
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 8), -EINVAL);
	TEST_ASSERT_TRUE(!iommufd_pasid_in_use(&t, 3), "3 was freed");
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), 3);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), -ENOSPC);
	iommufd_pasid_table_fini(&t);
	printf("ok: width 3 gives PASIDs 1..7, reuses freed ones\n");

	/* Across bitmap words: width 7, PASIDs 1..127. */
	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 7, 0), 0);
	for (i = 1; i <= 127; i++)
		TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), i);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), -ENOSPC);
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 64), 0);
	TEST_ASSERT_EQ(iommufd_pasid_free(&t, 127), 0);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), 64);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), 127);
	iommufd_pasid_table_fini(&t);
	printf("ok: width 7 across bitmap words\n");

	/* max_domains caps the table below the width. */
	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 20, 4), 0);
	for (i = 1; i <= 4; i++)
		TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), i);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), -ENOSPC);
	TEST_ASSERT_TRUE(!iommufd_pasid_valid(&t, 5), "5 is beyond max_domains 4");
	iommufd_pasid_table_fini(&t);
	printf("ok: max_domains caps the allocator\n");

	/* A wide table: many distinct PASIDs, all in range, none 0. */
	TEST_ASSERT_EQ(iommufd_pasid_table_init(&t, 20, 0), 0);
	for (i = 0; i < 5000; i++) {
		got = iommufd_pasid_alloc(&t);
		TEST_ASSERT_TRUE(got >= 1 && got < (1 << 20), "PASID %d out of range", got);
	}
	for (p = 1; p <= 5000; p += 2)
		TEST_ASSERT_EQ(iommufd_pasid_free(&t, p), 0);
	TEST_ASSERT_EQ(t.nb_used, 2500);
	TEST_ASSERT_EQ(iommufd_pasid_alloc(&t), 1);
	iommufd_pasid_table_fini(&t);
	printf("ok: width 20\n");
	return 0;
}
