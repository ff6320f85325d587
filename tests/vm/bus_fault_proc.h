/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fault-injection test program (bus_fault.c) watches in its own
 * process. Test code: a failure of these ends the process (TEST_FAIL).
 */
#ifndef BUS_FAULT_PROC_H
#define BUS_FAULT_PROC_H

#include <rte_common.h>

/**
 * Open DIR/<who>.report: from then on every bf_say() line also goes there,
 * written by this process itself, so a reader sees it complete as soon as
 * the process has written a later file or exited.
 */
void bf_report_open(const char *dir, const char *who);

/** One line "[pid] <fmt...>" on stdout, and the line in the report. */
void bf_say(const char *fmt, ...) __rte_format_printf(1, 2);

/** Record where the program is, for a death report. */
void bf_at(const char *fmt, ...) __rte_format_printf(1, 2);

/**
 * Report a death: a fatal signal (SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE,
 * SIGPIPE), then the default action; or exit() before bf_finished() (a
 * failed assertion, rte_exit()). The report says where (bf_at()) with a
 * backtrace, on stderr and in the report. Call first in main().
 */
void bf_death_watch(void);

/** main() got to its end: no death report from now on; the report closed. */
void bf_finished(void);

/**
 * Take the baseline of the open files, read on EAL's interrupt thread (see
 * bus_fault_proc.c for why). @return the number of open fds.
 */
int bf_fd_baseline(void);

/**
 * The open files must be those of the baseline (what they are, whatever
 * their numbers): else the fds that differ are said, naming @who and @when,
 * and the process fails.
 */
void bf_fd_check(const char *who, const char *when);

#endif /* BUS_FAULT_PROC_H */
