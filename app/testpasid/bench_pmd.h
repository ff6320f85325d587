/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parts of 'bench pmd' (bench_pmd.c) that its two-tenant run
 * (bench_tenant.c) shares.
 */
#ifndef BENCH_PMD_H
#define BENCH_PMD_H

#include <stdint.h>

#include <rte_mempool.h>

/**
 * bench_seed() - put frames on TX queue @queue of @port (the loopback device
 * circulates them). Return: 0, or -ENOMEM when @mp runs out.
 */
int bench_seed(uint16_t port, uint16_t queue, struct rte_mempool *mp);

/**
 * bench_forward() - io forwarding @a -> @b and @b -> @a (one direction when
 * @a == @b) on queues 0..@nq-1 of both, on the calling core, for @seconds.
 * Return: frames received per second.
 */
double bench_forward(uint16_t a, uint16_t b, uint16_t nq, unsigned int seconds);

/**
 * bench_tenants() - the two-tenant run (bench_tenant.c) on the stopped
 * pasidnic @port (2 queue pairs or more; it is closed afterwards): tenant 0's
 * loopback rate alone (*@solo) and beside tenant 1 stuck in a page fault
 * (*@beside), @seconds each.
 * Return: 0, or a negative errno (the set-up failed, or tenant 1 never
 * faulted: -ETIMEDOUT, with both rates measured).
 */
int bench_tenants(uint16_t port, unsigned int seconds, double *solo, double *beside);

#endif /* BENCH_PMD_H */
