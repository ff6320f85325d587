/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Assertions for the bus unit tests: a failure prints the expression, the
 * values seen and a REASON: line (the test runner's result reason), then
 * exits 1.
 */
#ifndef BUS_TEST_H
#define BUS_TEST_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, fmt, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: '%s' failed: " fmt "\n", __FILE__, __LINE__, #cond, \
			##__VA_ARGS__); \
		printf("REASON: %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
		exit(1); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	CHECK(g_ == w_, "%s is %lld, expected %lld", #got, g_, w_); \
} while (0)

#endif /* BUS_TEST_H */
