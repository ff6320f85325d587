/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault-injection test hook (iommufd_hook.h): the state, armed from
 * DPDK_PASID_HOOK_FAIL before main(), and the slow path that counts calls.
 * Also compiled into lib/pasid_mem (see the header for why that is one state).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "iommufd_hook.h"

#define HOOK_ENV "DPDK_PASID_HOOK_FAIL"

static const char *const hook_names[] = {
	[IOMMUFD_HOOK_OPEN] = "open",
	[IOMMUFD_HOOK_IOCTL] = "ioctl",
	[IOMMUFD_HOOK_MMAP] = "mmap",
	[IOMMUFD_HOOK_EVENTFD] = "eventfd",
	[IOMMUFD_HOOK_MEMFD] = "memfd_create",
	[IOMMUFD_HOOK_MP] = "mp",
	[IOMMUFD_HOOK_ANY] = "any",
};

/* Default visibility on purpose: one definition wins in the process. */
int iommufd_hook_armed;
struct iommufd_hook_state {
	enum iommufd_hook_call call; /* the kind that counts */
	unsigned long target;        /* fail the target-th call; 0: none */
	unsigned long count;         /* calls counted since the arming */
	bool fired;
	enum iommufd_hook_call fired_call; /* the kind and site of the failed call */
	const char *fired_site;
} iommufd_hook_state;

int
iommufd_hook_check(enum iommufd_hook_call call, const char *site)
{
	struct iommufd_hook_state *s = &iommufd_hook_state;
	unsigned long n;

	if (s->target == 0 || (s->call != IOMMUFD_HOOK_ANY && s->call != call))
		return 0;
	n = __atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
	if (n != s->target)
		return 0;
	s->fired_call = call;
	s->fired_site = site;
	s->fired = true;
	fprintf(stderr, "test hook (" HOOK_ENV "): failing %s call #%lu at %s with EIO\n",
		hook_names[call], n, site);
	errno = EIO;
	return -1;
}

int
iommufd_hook_arm(enum iommufd_hook_call call, unsigned long n)
{
	struct iommufd_hook_state *s = &iommufd_hook_state;

	if (!iommufd_hook_armed) {
		errno = EPERM;
		return -1;
	}
	if ((unsigned int)call > IOMMUFD_HOOK_ANY) {
		errno = EINVAL;
		return -1;
	}
	s->target = 0;
	__atomic_store_n(&s->count, 0, __ATOMIC_RELAXED);
	s->fired = false;
	s->fired_site = NULL;
	s->call = call;
	__atomic_store_n(&s->target, n, __ATOMIC_RELEASE);
	return 0;
}

unsigned long
iommufd_hook_count(bool *fired)
{
	if (fired != NULL)
		*fired = iommufd_hook_state.fired;
	return __atomic_load_n(&iommufd_hook_state.count, __ATOMIC_RELAXED);
}

const char *
iommufd_hook_fired_at(void)
{
	static char where[256];
	const struct iommufd_hook_state *s = &iommufd_hook_state;

	if (!s->fired || s->fired_site == NULL)
		return NULL;
	snprintf(where, sizeof(where), "%s at %s", hook_names[s->fired_call], s->fired_site);
	return where;
}

/* "<call>:<N>", checked whole: a typo is reported and arms nothing. */
__attribute__((constructor)) static void
hook_init(void)
{
	const char *spec = getenv(HOOK_ENV);
	const char *colon;
	unsigned long n;
	unsigned int i;
	char *end;

	if (spec == NULL || iommufd_hook_armed)
		return;
	colon = strchr(spec, ':');
	for (i = 0; colon != NULL && i < RTE_DIM(hook_names); i++)
		if (strlen(hook_names[i]) == (size_t)(colon - spec) &&
		    strncmp(spec, hook_names[i], colon - spec) == 0)
			break;
	errno = 0;
	n = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
	if (colon == NULL || i == RTE_DIM(hook_names) ||
	    colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0) {
		fprintf(stderr, HOOK_ENV "=%s ignored: expected <call>:<N>, <call> one of "
			"open, ioctl, mmap, eventfd, memfd_create, mp, any\n", spec);
		return;
	}
	iommufd_hook_armed = 1;
	iommufd_hook_state.call = (enum iommufd_hook_call)i;
	iommufd_hook_state.target = n;
	fprintf(stderr, "test hook armed (" HOOK_ENV "=%s)\n", spec);
}
