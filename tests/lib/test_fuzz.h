/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the seeded random-input tests share (tests/host: bus_devargs_fuzz.c,
 * pmd_devargs_fuzz.c): a small generator that gives the same sequence for
 * the same seed on every machine, and the seed and the number of inputs of
 * a run, printed first so that a failure can be replayed.
 *
 *   struct test_rng rng;
 *   uint64_t seed, n;
 *
 *   test_fuzz_args("pmd_devargs_fuzz", "PMD_FUZZ", NULL, NULL, 100000, 1000000, &seed, &n);
 *   test_rng_seed(&rng, seed);
 *   ... test_rng_pick(&rng, 10) ...
 */
#ifndef TEST_FUZZ_H
#define TEST_FUZZ_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_assert.h"

/** A xorshift64* generator; test_rng_seed() starts it. */
struct test_rng {
	uint64_t state;
};

/**
 * test_rng_seed() - start @r's sequence for @seed (any value: distinct seeds
 * give distinct sequences).
 */
static inline void
test_rng_seed(struct test_rng *r, uint64_t seed)
{
	r->state = seed * 2 + 1; /* never 0, the one state xorshift cannot leave */
}

/** test_rng_next() - the next 64 random bits of @r. */
static inline uint64_t
test_rng_next(struct test_rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return r->state * UINT64_C(2685821657736338717);
}

/** test_rng_pick() - a random number in [0, @n) from @r; @n > 0. */
static inline unsigned int
test_rng_pick(struct test_rng *r, unsigned int n)
{
	return (unsigned int)(test_rng_next(r) % n);
}

/**
 * test_fuzz_number() - @s (named @what in the message) as a number of any C
 * base. Fails the test (exit 1, "REASON: ...") unless @s is a whole number.
 */
static inline uint64_t
test_fuzz_number(const char *what, const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		TEST_FAIL("%s is '%s': give a whole number (decimal, or 0x... hex)", what, s);
	return v;
}

/**
 * test_fuzz_args() - the seed and the number of inputs of fuzz test @name,
 * printed first: "<name>: seed S, N inputs (replay: <env>_SEED=S <env>_N=N)".
 * @env: the prefix of the test's environment variables <env>_SEED, <env>_N.
 * @seed_arg, @n_arg: the same from the command line, or NULL; they come
 * before the environment.
 * @n_default: the number of inputs when none is given; @n_long: the same
 * with TEST_LONG=1 (0: @n_default).
 * @seed, @n: where the results go. Without a seed, one is taken from the clock.
 *
 * Fails the test (exit 1, "REASON: ...") on a seed or a count that is not a
 * number.
 */
static inline void
test_fuzz_args(const char *name, const char *env, const char *seed_arg, const char *n_arg,
	       uint64_t n_default, uint64_t n_long, uint64_t *seed, uint64_t *n)
{
	const char *test_long = getenv("TEST_LONG");
	char seed_var[64], n_var[64];
	struct timespec ts;

	snprintf(seed_var, sizeof(seed_var), "%s_SEED", env);
	snprintf(n_var, sizeof(n_var), "%s_N", env);
	if (seed_arg == NULL)
		seed_arg = getenv(seed_var);
	if (n_arg == NULL)
		n_arg = getenv(n_var);
	if (seed_arg != NULL) {
		*seed = test_fuzz_number(seed_var, seed_arg);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		*seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	if (n_arg != NULL)
		*n = test_fuzz_number(n_var, n_arg);
	else if (n_long != 0 && test_long != NULL && strcmp(test_long, "1") == 0)
		*n = n_long;
	else
		*n = n_default;
	printf("%s: seed %" PRIu64 ", %" PRIu64 " inputs (replay: %s=%" PRIu64 " %s=%" PRIu64
	       ")\n", name, *seed, *n, seed_var, *seed, n_var, *n);
	fflush(stdout);
}

#endif /* TEST_FUZZ_H */
