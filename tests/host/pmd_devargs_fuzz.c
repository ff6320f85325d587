/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd_devargs_fuzz: a seeded random-input loop over net_pasidnic's
 * driver-layer devargs parser (pnic_devargs_parse(), compiled alone).
 *
 * Inputs are strings made of devargs-like pieces (known and unknown keys,
 * bare keys, empty and huge values, duplicates, separators in odd places,
 * bad UTF-8, very long tokens) and of random bytes. For each input:
 *  - the parser returns 0 or -EINVAL, never crashes (the program is built
 *    with AddressSanitizer and UBSan when the compiler has them);
 *  - a rejection leaves a message in the error buffer and the defaults in
 *    the arguments;
 *  - an acceptance leaves the error buffer untouched, and agrees with an
 *    independent reading of the same string through rte_kvargs: only the
 *    keys "driver" and "backend", "backend" at most once and with the value
 *    loopback or netdev, which is the backend the parser chose.
 *
 * Environment: PMD_FUZZ_SEED (default: from the clock), PMD_FUZZ_N (inputs,
 * default 100000, or 1000000 with TEST_LONG=1). The seed is printed first so
 * that a failure can be replayed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_kvargs.h>

#include "pasidnic_devargs.h"
#include "pasidnic_regs.h"
#include "test_assert.h"
#include "test_fuzz.h"

#define MAX_INPUT 2048
#define ERR_LEN 256
#define ERR_FILL 0x5a

static struct test_rng rng;

static const char *const keys[] = {
	"backend", "driver", "Backend", "backend ", " backend", "bogus", "", "=",
	"backend\xff", "\xc3\x28", "\xe2\x82", "b\300\257ckend", "backend\x01",
};

static const char *const values[] = {
	"loopback", "netdev", "", "LOOPBACK", "netdev ", "loopback\xff", "tap",
	"net_pasidnic", "99999999999999999999999999999999", "-1", "0x", "18446744073709551616",
	"[loopback]", "[", "]", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80", "net\0dev",
};

static const char *const seps[] = { ",", ",", ",", ",,", "=", "==", "/", ";", " ", "[", "]" };

/* Append @s to @buf (length *@len), as far as it fits. */
static void
put(char *buf, size_t *len, const char *s, size_t n)
{
	while (n-- > 0 && *s != '\0' && *len < MAX_INPUT - 1)
		buf[(*len)++] = *s++;
	buf[*len] = '\0';
}

static void
put_str(char *buf, size_t *len, const char *s)
{
	put(buf, len, s, strlen(s));
}

/* A run of @n copies of a byte: huge values and keys. */
static void
put_run(char *buf, size_t *len, char c, size_t n)
{
	while (n-- > 0 && *len < MAX_INPUT - 1)
		buf[(*len)++] = c;
	buf[*len] = '\0';
}

/* One input made of devargs pieces. */
static void
gen_pieces(char *buf)
{
	unsigned int pairs = 1 + test_rng_pick(&rng, 6), i;
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < pairs; i++) {
		unsigned int shape = test_rng_pick(&rng, 10);

		if (i > 0)
			put_str(buf, &len, seps[test_rng_pick(&rng, TEST_DIM(seps))]);
		if (shape == 0) {                      /* a huge key */
			put_run(buf, &len, 'k', 1 + test_rng_pick(&rng, 1500));
		} else {
			put_str(buf, &len, keys[test_rng_pick(&rng, TEST_DIM(keys))]);
		}
		switch (shape) {
		case 1:                                /* a bare key */
			break;
		case 2:                                /* an empty value */
			put_str(buf, &len, "=");
			break;
		case 3:                                /* a huge number */
			put_str(buf, &len, "=");
			put_run(buf, &len, '9', 1 + test_rng_pick(&rng, 400));
			break;
		default:
			put_str(buf, &len, "=");
			put_str(buf, &len, values[test_rng_pick(&rng, TEST_DIM(values))]);
			break;
		}
	}
	if (test_rng_pick(&rng, 8) == 0)                              /* a trailing separator */
		put_str(buf, &len, seps[test_rng_pick(&rng, TEST_DIM(seps))]);
}

/* One input of random bytes (no NUL), biased toward the devargs alphabet. */
static void
gen_bytes(char *buf)
{
	static const char alphabet[] = "backendloopnetdv=,[]";
	size_t n = test_rng_pick(&rng, 64), i;

	for (i = 0; i < n; i++) {
		char c = test_rng_pick(&rng, 2) ?
			 alphabet[test_rng_pick(&rng, sizeof(alphabet) - 1)] :
			 (char)(1 + test_rng_pick(&rng, 255));

		buf[i] = c;
	}
	buf[n] = '\0';
}

/*
 * The oracle: is @s acceptable, and with which backend? Read through
 * rte_kvargs independently of the parser. Returns 1 (accept, *@backend set),
 * 0 (reject).
 */
static int
oracle(const char *s, uint32_t *backend)
{
	struct rte_kvargs *kv;
	unsigned int i, nb_backend = 0;
	int ok = 1;

	*backend = PNIC_BACKEND_LOOPBACK;
	if (s[0] == '\0')
		return 1;
	kv = rte_kvargs_parse(s, NULL);
	if (kv == NULL)
		return 0;
	for (i = 0; i < kv->count && ok; i++) {
		const struct rte_kvargs_pair *kp = &kv->pairs[i];

		if (strcmp(kp->key, "driver") == 0)
			continue;
		if (strcmp(kp->key, "backend") != 0 || kp->value == NULL || ++nb_backend > 1)
			ok = 0;
		else if (strcmp(kp->value, "netdev") == 0)
			*backend = PNIC_BACKEND_NETDEV;
		else if (strcmp(kp->value, "loopback") != 0)
			ok = 0;
	}
	rte_kvargs_free(kv);
	if (!ok)
		*backend = PNIC_BACKEND_LOOPBACK;
	return ok;
}

/* Printable form of @s for a failure message. */
static const char *
shown(const char *s)
{
	static char out[4 * MAX_INPUT + 1];
	size_t o = 0;

	for (; *s != '\0' && o < sizeof(out) - 5; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 5, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

int
main(void)
{
	uint64_t seed, n, i, accepted = 0, rejected = 0;
	static char input[MAX_INPUT];
	struct timespec t0, t1;

	test_fuzz_args("pmd_devargs_fuzz", "PMD_FUZZ", NULL, NULL, 100000, 1000000, &seed, &n);
	test_rng_seed(&rng, seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (i = 0; i < n; i++) {
		struct pnic_args a;
		char err[ERR_LEN];
		uint32_t want;
		int ret, ok;

		if (test_rng_pick(&rng, 4) == 0)
			gen_bytes(input);
		else
			gen_pieces(input);
		memset(err, ERR_FILL, sizeof(err));
		memset(&a, 0xa5, sizeof(a));
		ret = pnic_devargs_parse(input, &a, err, sizeof(err));
		ok = oracle(input, &want);
		TEST_ASSERT_TRUE(ret == 0 || ret == -EINVAL,
				 "input %" PRIu64 " '%s': returned %d, not 0 or -EINVAL", i,
				 shown(input), ret);
		if (ret == 0) {
			accepted++;
			TEST_ASSERT_TRUE(ok, "input %" PRIu64 " '%s' accepted, but it has a key "
					 "other than driver/backend, a repeated or bare backend or "
					 "a bad value", i, shown(input));
			TEST_ASSERT_EQ(a.backend, want, "input %" PRIu64 " '%s': backend %u, "
				       "expected %u", i, shown(input), a.backend, want);
			TEST_ASSERT_EQ((unsigned char)err[0], ERR_FILL,
				       "input %" PRIu64 " '%s' accepted but a message was written",
				       i, shown(input));
		} else {
			rejected++;
			TEST_ASSERT_TRUE(!ok, "input %" PRIu64 " '%s' rejected (%.*s), but it is "
					 "valid", i, shown(input), ERR_LEN - 1, err);
			TEST_ASSERT_TRUE(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0',
					 "input %" PRIu64 " '%s' rejected without a message", i,
					 shown(input));
			TEST_ASSERT_EQ(a.backend, PNIC_BACKEND_LOOPBACK,
				       "input %" PRIu64 " '%s' rejected but the defaults were not "
				       "left", i, shown(input));
		}
		if (i < 8 || (ret < 0 && rejected <= 4))
			printf("  %s '%s'%s%s\n", ret == 0 ? "accepted" : "rejected",
			       shown(input), ret == 0 ? "" : ": ", ret == 0 ? "" : err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("ok: %" PRIu64 " inputs, %" PRIu64 " accepted, %" PRIu64 " rejected with a "
	       "message, no crash (%.2f s, seed %" PRIu64 ")\n", n, accepted, rejected,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, seed);
	/* Both outcomes must have been reached, or the generator is broken. */
	TEST_ASSERT_TRUE(n < 1000 || (accepted > 0 && rejected > 0),
			 "the generator produced only %s inputs",
			 accepted == 0 ? "rejected" : "accepted");
	return 0;
}
