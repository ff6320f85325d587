/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault-injection test hook: fail the Nth system call of a kind that our
 * own code issues (the bus, lib/pasid_mem, net_pasidnic), to prove that every
 * error path unwinds (tests/vm/bus_fault_injection.sh; doc/testing.md,
 * "Test hooks").
 *
 * Compiled in always; armed only by the environment variable
 *   DPDK_PASID_HOOK_FAIL=<call>:<N>
 * read once, before main(). <call> is one of open, ioctl, mmap, eventfd,
 * memfd_create, mp (our rte_mp_request_sync() and rte_mp_reply() calls: the
 * sendmsg/recvmsg under them are EAL's) or any; the Nth such call from then
 * on fails with EIO (N = 0: armed, nothing fails until a test program calls
 * iommufd_hook_arm()). Unarmed, each wrapped call costs one branch on a
 * variable that is written only at start-up.
 *
 * The state is one set of global symbols with default visibility. The
 * sources are compiled into the bus and into lib/pasid_mem (which does not
 * link the bus); in a process that has both, the dynamic linker binds every
 * reference to one definition (the executable's, else the first library's),
 * so they count together.
 *
 * A test-only internal API: its functions are __rte_internal (callers build
 * with ALLOW_INTERNAL_API); librte_bus_iommufd.so and librte_pasid_mem.so
 * export them and the flag in their INTERNAL version node (version.map).
 */
#ifndef IOMMUFD_HOOK_H
#define IOMMUFD_HOOK_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of call the hook can fail. */
enum iommufd_hook_call {
	IOMMUFD_HOOK_OPEN,
	IOMMUFD_HOOK_IOCTL,
	IOMMUFD_HOOK_MMAP,
	IOMMUFD_HOOK_EVENTFD,
	IOMMUFD_HOOK_MEMFD,
	IOMMUFD_HOOK_MP,
	IOMMUFD_HOOK_ANY,  /* in a spec: every kind counts */
};

/** Non-zero when DPDK_PASID_HOOK_FAIL was set at start-up (never changes after). */
extern int iommufd_hook_armed;

/**
 * The slow path: count a call of kind @call issued at @site and decide.
 * @return 0 to go on, or -1 with errno EIO when this is the call to fail
 *         (logged with @site, so the test can name the failed step).
 */
__rte_internal
int iommufd_hook_check(enum iommufd_hook_call call, const char *site);

/**
 * Test programs only: fail the @n-th call of kind @call from now on (the
 * count starts again at 0; @n = 0 fails nothing). Works only in a process
 * armed by DPDK_PASID_HOOK_FAIL: nothing can arm the hook without it.
 * @return 0, or -1 with errno EPERM when the process is not armed, EINVAL
 *         for a bad @call.
 */
__rte_internal
int iommufd_hook_arm(enum iommufd_hook_call call, unsigned long n);

/**
 * Test programs only: the number of calls counted since the last arming,
 * and whether the armed failure has happened (*@fired).
 */
__rte_internal
unsigned long iommufd_hook_count(bool *fired);

/**
 * Test programs only: where the armed failure happened since the last
 * arming ("<kind> at <file>:<line>", a static string), or NULL if it has not.
 */
__rte_internal
const char *iommufd_hook_fired_at(void);

/** One branch when unarmed: should the call at @site fail? */
static inline bool
iommufd_hook_fails(enum iommufd_hook_call call, const char *site)
{
	return __builtin_expect(iommufd_hook_armed, 0) && iommufd_hook_check(call, site) < 0;
}

#define IOMMUFD_HOOK_SITE __FILE__ ":" IOMMUFD_HOOK_STR(__LINE__)
#define IOMMUFD_HOOK_STR_(x) #x
#define IOMMUFD_HOOK_STR(x) IOMMUFD_HOOK_STR_(x)

/** open(2) through the hook. */
#define iommufd_hook_open(path, flags, ...) \
	(iommufd_hook_fails(IOMMUFD_HOOK_OPEN, IOMMUFD_HOOK_SITE) ? -1 : \
	 open(path, flags, ##__VA_ARGS__))
/** ioctl(2) through the hook. */
#define iommufd_hook_ioctl(fd, req, arg) \
	(iommufd_hook_fails(IOMMUFD_HOOK_IOCTL, IOMMUFD_HOOK_SITE) ? -1 : ioctl(fd, req, arg))
/** mmap(2) through the hook. */
#define iommufd_hook_mmap(addr, len, prot, flags, fd, off) \
	(iommufd_hook_fails(IOMMUFD_HOOK_MMAP, IOMMUFD_HOOK_SITE) ? MAP_FAILED : \
	 mmap(addr, len, prot, flags, fd, off))
/** eventfd(2) through the hook. */
#define iommufd_hook_eventfd(init, flags) \
	(iommufd_hook_fails(IOMMUFD_HOOK_EVENTFD, IOMMUFD_HOOK_SITE) ? -1 : eventfd(init, flags))
/** memfd_create(2) through the hook. */
#define iommufd_hook_memfd_create(name, flags) \
	(iommufd_hook_fails(IOMMUFD_HOOK_MEMFD, IOMMUFD_HOOK_SITE) ? -1 : \
	 memfd_create(name, flags))
/** Before our rte_mp_request_sync()/rte_mp_reply(): true when it must fail. */
#define iommufd_hook_mp() iommufd_hook_fails(IOMMUFD_HOOK_MP, IOMMUFD_HOOK_SITE)

#ifdef __cplusplus
}
#endif

#endif /* IOMMUFD_HOOK_H */
