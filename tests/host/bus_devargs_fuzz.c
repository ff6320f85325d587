/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bus_devargs_fuzz [SEED [N]]: a seeded random-input loop over the iommufd
 * bus's devargs parser (iommufd_devargs_parse(), which both devargs forms
 * reach) and its device-name check. Inputs are built from the known keys,
 * unknown ones, bare keys, empty values, duplicates, huge and signed numbers,
 * numbers in other bases, bad UTF-8 and random bytes, joined by random
 * separators. Every input must be accepted with fields in range, or rejected
 * with -EINVAL and a message; nothing may crash. 100,000 inputs by default;
 * the seed is printed first (replay: bus_devargs_fuzz SEED [N], or
 * BUS_FUZZ_SEED / BUS_FUZZ_N in the environment; tests/lib/test_fuzz.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "test_assert.h"
#include "test_fuzz.h"

#define FUZZ_MAX_INPUT 1024

static struct test_rng rng;

static const char *const keys[] = {
	"pasid", "max_domains", "dpdk_mem", "name", "bus", "PASID", "pasid ", " pasid",
	"max_domain", "dpdk_mem\t", "", "x", "name.", "=",
};

static const char *const values[] = {
	"auto", "on", "off", "0", "1", "2", "010", "08", "0x10", "-1", "+1", " 1", "1 ",
	"4294967296", "18446744073709551615", "18446744073709551616",
	"99999999999999999999999999999999999999", "1048576", "1048577", "1e3", "",
	"iommufd", "pci", "pci-0000:00:03.0", "mdev-0b6d4f4e-8a3c-4c0e-9d4a-3f2b1c0d9e8f",
	"pci-0000:00:03.0x", "pci-ffff:ff:1f.7", "mdev-0b6d4f4e8a3c4c0e9d4a3f2b1c0d9e8f",
	"\xc3\x28", "\xe2\x82", "\xff\xfe", "\xf0\x9f\x92\xa9", "on\x80", "auto=on", "[1]",
};

/* Append @s to @buf (of FUZZ_MAX_INPUT bytes, used @len). */
static void
put(char *buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= FUZZ_MAX_INPUT)
		n = FUZZ_MAX_INPUT - 1 - *len;
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* Random bytes, no NUL (the parser takes C strings). */
static void
put_random(char *buf, size_t *len, unsigned int n)
{
	char s[64];
	unsigned int i;

	n %= sizeof(s);
	for (i = 0; i < n; i++)
		s[i] = (char)(1 + test_rng_pick(&rng, 255));
	s[n] = '\0';
	put(buf, len, s);
}

static void
put_number(char *buf, size_t *len)
{
	char s[48];

	switch (test_rng_pick(&rng, 4)) {
	case 0:
		snprintf(s, sizeof(s), "%" PRIu64, test_rng_next(&rng));
		break;
	case 1:
		snprintf(s, sizeof(s), "%u", test_rng_pick(&rng, 2000000));
		break;
	case 2:
		snprintf(s, sizeof(s), "-%u", test_rng_pick(&rng, 100));
		break;
	default:
		snprintf(s, sizeof(s), "%" PRIu64 "%" PRIu64, test_rng_next(&rng), test_rng_next(&rng));
		break;
	}
	put(buf, len, s);
}

/* One input: 0 to 7 items "key=value", bare keys, empty values, junk. */
static void
make_input(char *buf)
{
	unsigned int i, n = test_rng_pick(&rng, 8);
	size_t len = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(buf, &len, test_rng_pick(&rng, 10) == 0 ? ",," : ",");
		switch (test_rng_pick(&rng, 10)) {
		case 0: /* a bare key */
			put(buf, &len, keys[test_rng_pick(&rng, RTE_DIM(keys))]);
			break;
		case 1: /* random bytes */
			put_random(buf, &len, test_rng_pick(&rng, 40));
			break;
		case 2: /* a key with a number */
			put(buf, &len, keys[test_rng_pick(&rng, RTE_DIM(keys))]);
			put(buf, &len, "=");
			put_number(buf, &len);
			break;
		case 3: /* a key with random bytes */
			put(buf, &len, keys[test_rng_pick(&rng, RTE_DIM(keys))]);
			put(buf, &len, "=");
			put_random(buf, &len, test_rng_pick(&rng, 20));
			break;
		default:
			put(buf, &len, keys[test_rng_pick(&rng, RTE_DIM(keys))]);
			put(buf, &len, test_rng_pick(&rng, 20) == 0 ? "==" : "=");
			put(buf, &len, values[test_rng_pick(&rng, RTE_DIM(values))]);
			break;
		}
	}
	if (test_rng_pick(&rng, 50) == 0) /* a long run of one item: many duplicates */
		while (len < FUZZ_MAX_INPUT - 16)
			put(buf, &len, ",pasid=on");
}

static void
check_one(const char *in, unsigned long i)
{
	struct iommufd_devargs da;
	char err[256];
	int ret;

	memset(err, 'Z', sizeof(err));
	ret = iommufd_devargs_parse(in, &da, err, sizeof(err));
	if (ret == 0) {
		TEST_ASSERT_TRUE(da.pasid == IOMMUFD_PASID_AUTO || da.pasid == IOMMUFD_PASID_ON ||
				 da.pasid == IOMMUFD_PASID_OFF, "input %lu: pasid %d", i, da.pasid);
		TEST_ASSERT_LE(da.max_domains, 1u << 20, "input %lu accepted", i);
		TEST_ASSERT_TRUE(da.name[0] == '\0' || iommufd_name_valid(da.name),
				 "input %lu: name '%s' accepted", i, da.name);
		return;
	}
	TEST_ASSERT_EQ(ret, -EINVAL, "input %lu", i);
	TEST_ASSERT_TRUE(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0',
			 "input %lu rejected without a message", i);
}

int
main(int argc, char **argv)
{
	unsigned long n, i, accepted = 0;
	char in[FUZZ_MAX_INPUT];
	uint64_t seed, n64;

	test_fuzz_args("bus_devargs_fuzz", "BUS_FUZZ", argc > 1 ? argv[1] : NULL,
		       argc > 2 ? argv[2] : NULL, 100000, 0, &seed, &n64);
	n = (unsigned long)n64;
	test_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		struct iommufd_devargs da;
		char err[256];

		make_input(in);
		check_one(in, i);
		if (iommufd_devargs_parse(in, &da, err, sizeof(err)) == 0)
			accepted++;
		/* The name check alone, on the same bytes. */
		(void)iommufd_name_valid(in);
	}
	/* Fixed corner cases, whatever the seed. */
	check_one("pasid", n);
	check_one("pasid=", n);
	check_one("max_domains=", n);
	check_one("max_domains=99999999999999999999999", n);
	check_one("pasid=on,pasid=on", n);
	check_one(",", n);
	check_one("=", n);
	check_one("\xc3\x28=\xff", n);
	printf("ok: %lu inputs, %lu accepted, %lu rejected with a message, no crash\n", n,
	       accepted, n - accepted);
	return 0;
}
