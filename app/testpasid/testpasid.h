/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-testpasid: one program, several subcommands. Each subcommand is
 * int NAME(int argc, char **argv) with argv[0] the subcommand's name and
 * runs after rte_eal_init(); it returns the process exit status.
 */
#ifndef TESTPASID_H
#define TESTPASID_H

/* testpasid_list.c: list [--json] [--domains N] */
int testpasid_list(int argc, char **argv);
/* testpasid_list.c: print @s as a JSON string (quoted, escaped) */
void json_str(const char *s);
/* conformance.c: conformance [-a DEV] [--json] [--domains N] */
int testpasid_conformance(int argc, char **argv);

/* bench_mem.c (lib/pasid_mem's benchmark): bench mem [...] */
int bench_mem(int argc, char **argv);
/* bench_pmd.c: bench pmd [--seconds N] */
int bench_pmd(int argc, char **argv);
/* bench_workers.c: bench workers [--domains N,..] [--heap-mb MB] [--rounds N] */
int bench_workers(int argc, char **argv);
/* bench_workers_mp.c: bench workers-child HEAP_MB (a secondary of bench workers) */
int bench_workers_child(int argc, char **argv);

/* doctor.c: doctor [--json] [--verbose] (runs without EAL) */
int testpasid_doctor(int argc, char **argv);

#endif /* TESTPASID_H */
