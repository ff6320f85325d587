/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-pasid-workers: worker processes that share one pasidnic port, each
 * with its own queue pair in its own PCI PASID and I/O address space
 * (doc/multi_process.md).
 *
 *   dpdk-pasid-workers [EAL] -- primary --workers N [--interval S] [--duration S]
 *                      [--stop-wait S] [--ready FILE] [--stats]
 *   dpdk-pasid-workers --proc-type=secondary [EAL] -- worker --id K [--window W]
 *                      [--duration S] [--ready FILE]
 *
 * Both roles take the same --file-prefix and -a iommufd:... options. This file
 * parses the command line, initialises the EAL, installs the signal handlers
 * and runs the role: primary.c, worker.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_iommufd.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "pw_app.h"
#include "pw_state.h"

volatile sig_atomic_t pw_quit;
volatile sig_atomic_t pw_port_stop;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		pw_port_stop = 1;
	else
		pw_quit = 1;
}

void
pw_touch(const char *path)
{
	FILE *f;

	if (path == NULL)
		return;
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return;
	}
	fclose(f);
}

static void
print_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- primary --workers N [--interval S] [--duration S] "
		"[--stop-wait S] [--ready FILE] [--stats]\n"
		"       %s --proc-type=secondary [EAL options] -- worker --id K [--window W] "
		"[--duration S] [--ready FILE]\n"
		"  N <= %d and <= the port's queue pairs; K < N; W frames in flight (default 64);\n"
		"  --stop-wait: seconds the workers have to leave when the primary stops (default "
		"10)\n"
		"  --stats: every interval a line per worker: PASID, IOAS, state, rx/tx pps, "
		"faults\n"
		"  the primary: SIGINT/SIGTERM stop it, SIGUSR1 tries a port stop (refused while "
		"workers own queue pairs)\n",
		prog, prog, PW_MAX_WORKERS);
}

/* A number in [min, max], or -1. */
static double
number(const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	return end != s && *end == '\0' && v >= min && v <= max ? v : -1;
}

/* Parse the role's options into @o. Return 0, or -1 after a message. */
static int
parse(int argc, char **argv, int primary, struct pw_opts *o)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "id", required_argument, NULL, 'k' },
		{ "window", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ready", required_argument, NULL, 'r' },
		{ "stop-wait", required_argument, NULL, 's' },
		{ "stats", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = primary ? "nist" : "kw";
	int opt, li = 0, have_n = 0, have_k = 0;
	double v;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, &li)) != -1) {
		v = 0;
		if (opt == '?')
			return -1;
		if (strchr("nikwst", opt) != NULL && strchr(only, opt) == NULL) {
			fprintf(stderr, "%s: --%s is not an option of this role\n", argv[0],
				opts[li].name);
			return -1;
		}
		switch (opt) {
		case 'n':
			v = number(optarg, 1, PW_MAX_WORKERS);
			o->workers = (unsigned int)v;
			have_n = 1;
			break;
		case 'k':
			v = number(optarg, 0, PW_MAX_WORKERS - 1);
			o->id = (unsigned int)v;
			have_k = 1;
			break;
		case 'w':
			v = number(optarg, 1, 1024);
			o->window = (unsigned int)v;
			break;
		case 'i':
			v = number(optarg, 0.1, 3600);
			o->interval = v;
			break;
		case 'd':
			v = number(optarg, 0, 1e6);
			o->duration = v;
			break;
		case 's':
			v = number(optarg, 0, 3600);
			o->stop_wait = v;
			break;
		case 'r':
			o->ready = optarg;
			break;
		case 't':
			o->stats = 1;
			break;
		}
		if (v < 0) {
			fprintf(stderr, "%s: bad value '%s' for --%s\n", argv[0], optarg,
				opts[li].name);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	if (primary && !have_n) {
		fprintf(stderr, "primary: --workers N is required (1..%d)\n", PW_MAX_WORKERS);
		return -1;
	}
	if (!primary && !have_k) {
		fprintf(stderr, "worker: --id K is required\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct pw_opts o = { .window = 64, .interval = 1.0, .stop_wait = 10.0 };
	struct sigaction sa;
	const char *prog = argv[0];
	int n, primary;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (rte_iommufd_eal_args(&argc, &argv) < 0) /* --bus iommufd */
		return 2;
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= n + 1;
	argv += n + 1;
	if (argc < 1 || (strcmp(argv[0], "primary") != 0 && strcmp(argv[0], "worker") != 0)) {
		print_usage(prog);
		rte_eal_cleanup();
		return 2;
	}
	primary = strcmp(argv[0], "primary") == 0;
	if (parse(argc, argv, primary, &o) != 0) {
		print_usage(prog);
		rte_eal_cleanup();
		return 2;
	}
	if (primary != (rte_eal_process_type() == RTE_PROC_PRIMARY)) {
		fprintf(stderr, primary ?
			"primary: this process is not the DPDK primary (another primary runs with "
			"this --file-prefix?)\n" :
			"worker: start workers with --proc-type=secondary and the primary's "
			"--file-prefix\n");
		rte_eal_cleanup();
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;      /* no SA_RESTART: epoll_wait returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (primary)
		sigaction(SIGUSR1, &sa, NULL);

	return primary ? pw_primary(&o) : pw_worker(&o);
}
