/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-pasid-workers: the options main.c parses and the two roles it runs.
 */
#ifndef PW_APP_H
#define PW_APP_H

#include <signal.h>

/** Command line of either role (after the EAL options and "--"). */
struct pw_opts {
	unsigned int workers;   /**< primary: queue pairs / worker slots */
	unsigned int id;        /**< worker: its slot and queue pair */
	unsigned int window;    /**< worker: frames injected and kept in flight */
	double interval;        /**< primary: seconds between table lines */
	double duration;        /**< seconds to run (0: until a signal) */
	double stop_wait;       /**< primary: seconds the workers have to leave at exit */
	const char *ready;      /**< file created once running, or NULL */
	int stats;              /**< primary: the live view, a line per worker per interval */
};

/** Set by SIGINT and SIGTERM. */
extern volatile sig_atomic_t pw_quit;

/** Set by SIGUSR1: the primary tries rte_eth_dev_stop() on the port (and starts it again). */
extern volatile sig_atomic_t pw_port_stop;

/**
 * Run the primary: configure the port, share the state, watch the workers.
 * @return the process exit status (0: clean, 1: a worker lost frames, a PASID
 *   stayed attached or a worker did not leave within --stop-wait, 2: bad usage
 *   or set-up failure).
 */
int pw_primary(const struct pw_opts *o);

/**
 * Run a worker on slot and queue pair o->id.
 * @return the process exit status (0: clean, 1: frames lost or foreign, or a
 *   failure, 2: no primary or bad usage, 3: the primary exited, or closed or
 *   removed the port, under it).
 */
int pw_worker(const struct pw_opts *o);

/**
 * Create (or truncate) @path to tell a script that the role is running.
 * A NULL @path does nothing. Failure is reported on stderr and not fatal.
 */
void pw_touch(const char *path);

#endif /* PW_APP_H */
