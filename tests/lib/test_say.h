/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Progress lines of the multi-process C test programs (tests/vm): each line
 * is "[pid] message", flushed at once, since the test script reads the log
 * while the process runs.
 */
#ifndef TEST_SAY_H
#define TEST_SAY_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Print one progress line from a format and its va_list. */
static inline void
test_vsay(const char *fmt, va_list ap)
{
	printf("[%d] ", (int)getpid());
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

#endif /* TEST_SAY_H */
