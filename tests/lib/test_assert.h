/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Assertions of the C test programs (tests/host, tests/vm).
 *
 * A failed assertion prints to stderr where it failed, the expression, the
 * values of both sides, errno and (in programs built with DPDK) rte_errno,
 * then one "REASON: ..." line to stdout (the line the test harness reports,
 * tests/vm/run.sh and devtools/test.sh), and exits 1.
 *
 *   TEST_ASSERT_EQ(got, want [, fmt, ...])   also _NE, _LT, _LE, _GT, _GE
 *   TEST_ASSERT_TRUE(cond [, fmt, ...])
 *   TEST_ASSERT_NOT_NULL(ptr [, fmt, ...])
 *   TEST_FAIL(fmt, ...)                      fail unconditionally
 *
 * The optional message (a printf format and its arguments) becomes the
 * REASON; without one the REASON is the expression and the values seen.
 * The comparisons are for integers (enums and bit-fields too): both sides
 * are evaluated once, converted to the type of (lhs) + (rhs) as C does for
 * "lhs op rhs", compared, and printed as 64-bit integers (signed and hex).
 * Compare pointers with TEST_ASSERT_TRUE() or TEST_ASSERT_NOT_NULL().
 *
 * rte_errno is printed when <rte_errno.h> is on the include path (a program
 * built with the DPDK dependency); a program built without DPDK does not
 * depend on it. Define TEST_ASSERT_NO_DPDK to leave it out anyway.
 */
#ifndef TEST_ASSERT_H
#define TEST_ASSERT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(TEST_ASSERT_NO_DPDK) && defined(__has_include)
#if __has_include("rte_errno.h")
#include <rte_errno.h>
#define TEST_ASSERT_HAVE_RTE_ERRNO 1
#endif
#endif
#ifndef TEST_ASSERT_HAVE_RTE_ERRNO
#define TEST_ASSERT_HAVE_RTE_ERRNO 0
#endif

/** The number of elements of array @a. */
#define TEST_DIM(a) (sizeof(a) / sizeof((a)[0]))

/**
 * test_reason_v() - print one "REASON: <fmt...>" line, the harness's reason
 * for a failed or skipped test, and flush stdout. The caller then exits.
 */
static inline void
test_reason_v(const char *fmt, va_list ap)
{
	printf("REASON: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

/**
 * test_assert_fail() - report a failed assertion and exit 1 (the macros' back end).
 * @file, @line: where; @expr: the expression as written;
 * @values: "<lhs> <op> <rhs>" as observed, or NULL; @fmt: " " followed by
 * the REASON format, or " " alone (then the REASON is @expr and @values).
 * (The leading blank keeps the format non-empty for -Wformat-zero-length.)
 * The macros check the format and its arguments with TEST_ASSERT_FORMAT_().
 */
static inline _Noreturn void
test_assert_fail(const char *file, int line, const char *expr, const char *values,
		 const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: assertion failed\n  Expression: %s\n", file, line, expr);
	if (values != NULL)
		fprintf(stderr, "  Observed: %s\n", values);
	fprintf(stderr, "  errno: %d (%s)\n", err, strerror(err));
#if TEST_ASSERT_HAVE_RTE_ERRNO
	fprintf(stderr, "  rte_errno: %d (%s)\n", rte_errno, rte_strerror(rte_errno));
#endif
	printf("REASON: ");
	if (fmt[0] != '\0' && fmt[1] != '\0') {
		va_start(ap, fmt);
		vprintf(fmt + 1, ap);
		va_end(ap);
	} else {
		printf("%s:%d: %s", file, line, expr);
		if (values != NULL)
			printf(" (%s)", values);
	}
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* Have the compiler check a REASON format and its arguments (never runs). */
#define TEST_ASSERT_FORMAT_(...) do { \
	if (0) \
		printf(" " __VA_ARGS__); \
} while (0)

#define TEST_ASSERT_OP_(lhs, op, rhs, ...) do { \
	__typeof__((lhs) + (rhs)) tal_ = (lhs), tar_ = (rhs); \
	if (!(tal_ op tar_)) { \
		char tav_[96]; \
		snprintf(tav_, sizeof(tav_), "%lld (%#llx) %s %lld (%#llx)", \
			 (long long)tal_, (unsigned long long)tal_, #op, \
			 (long long)tar_, (unsigned long long)tar_); \
		TEST_ASSERT_FORMAT_(__VA_ARGS__); \
		test_assert_fail(__FILE__, __LINE__, #lhs " " #op " " #rhs, tav_, \
				 " " __VA_ARGS__); \
	} \
} while (0)

#define TEST_ASSERT_EQ(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, ==, rhs, ##__VA_ARGS__)
#define TEST_ASSERT_NE(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, !=, rhs, ##__VA_ARGS__)
#define TEST_ASSERT_LT(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, <, rhs, ##__VA_ARGS__)
#define TEST_ASSERT_LE(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, <=, rhs, ##__VA_ARGS__)
#define TEST_ASSERT_GT(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, >, rhs, ##__VA_ARGS__)
#define TEST_ASSERT_GE(lhs, rhs, ...) TEST_ASSERT_OP_(lhs, >=, rhs, ##__VA_ARGS__)

#define TEST_ASSERT_TRUE(cond, ...) do { \
	if (!(cond)) { \
		TEST_ASSERT_FORMAT_(__VA_ARGS__); \
		test_assert_fail(__FILE__, __LINE__, #cond, NULL, " " __VA_ARGS__); \
	} \
} while (0)

#define TEST_ASSERT_NOT_NULL(ptr, ...) do { \
	if ((ptr) == NULL) { \
		TEST_ASSERT_FORMAT_(__VA_ARGS__); \
		test_assert_fail(__FILE__, __LINE__, #ptr " != NULL", NULL, " " __VA_ARGS__); \
	} \
} while (0)

#define TEST_FAIL(fmt, ...) do { \
	TEST_ASSERT_FORMAT_(fmt, ##__VA_ARGS__); \
	test_assert_fail(__FILE__, __LINE__, "TEST_FAIL", NULL, " " fmt, ##__VA_ARGS__); \
} while (0)

#endif /* TEST_ASSERT_H */
