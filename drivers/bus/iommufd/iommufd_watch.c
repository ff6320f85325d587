/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Primary process: the worker watch. Each secondary process that asked the
 * primary for something (iommufd_mp_server.c) is watched through a pidfd
 * (pidfd_open, Linux 5.3+) in one epoll thread, with no timeout: when the
 * process exits, every domain it owns is taken down in the safe order — the
 * driver's quiesce_domain(), PASID detached, IOAS unmapped and destroyed,
 * PASID freed — and the other workers are not touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <rte_common.h>

#include "private.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct worker {
	TAILQ_ENTRY(worker) next;
	pid_t pid;
	int pidfd;
};

static TAILQ_HEAD(, worker) workers = TAILQ_HEAD_INITIALIZER(workers);
static int epfd = -1;       /* pidfds and the stop eventfd */
static int stopfd = -1;
static pthread_t watcher;
static bool watcher_running;

/* The first domain of @d owned by @pid, or NULL. Lock held. */
static struct rte_iommufd_domain *
first_owned(struct iommufd_dev *d, pid_t pid)
{
	struct rte_iommufd_domain *dom;

	TAILQ_FOREACH(dom, &d->domains, next)
		if (dom->owner == pid)
			return dom;
	return NULL;
}

/* Take down every domain of @pid: quiesce (driver), detach, destroy. Lock held.
 * The list is searched again after each teardown: the driver's quiesce_domain
 * may call back into the bus (the lock is recursive) and change it, so no
 * "next" pointer is kept across the call (B7). A device being removed
 * (closing) is quiesced whole by its driver's remove: only the teardown runs.
 */
static void
worker_domains_destroy(pid_t pid)
{
	struct rte_iommufd_device *p;
	struct rte_iommufd_domain *dom;

	FOREACH_IOMMUFD_DEVICE(p) {
		struct iommufd_dev *d = IOMMUFD_DEV(p);

		while ((dom = first_owned(d, pid)) != NULL) {
			struct rte_iommufd_driver *drv = d->closing ? NULL : d->pub.driver;
			uint32_t pasid = dom->pasid, ioas = dom->ioas;
			int qret = 0, ret;

			if (drv != NULL && drv->quiesce_domain != NULL) {
				qret = drv->quiesce_domain(&d->pub, pasid);
				if (qret < 0)
					IOMMUFD_LOG(ERR, "%s: driver %s could not quiesce PASID %u "
						    "of exited process %d: %s; detaching it anyway",
						    d->pub.name, drv->driver.name, pasid, pid,
						    strerror(-qret));
				dom = first_owned(d, pid);
				if (dom == NULL || dom->pasid != pasid)
					continue; /* the driver destroyed it */
			}
			ret = iommufd_domain_teardown(dom);
			IOMMUFD_LOG(NOTICE, "%s: process %d exited: PASID %u %s, detached, IOAS %u "
				    "destroyed, PASID freed%s", d->pub.name, pid, pasid,
				    drv != NULL && drv->quiesce_domain != NULL ?
				    (qret == 0 ? "quiesced" : "not quiesced") :
				    d->closing ? "(device being removed)" : "(no quiesce op)",
				    ioas, ret < 0 ? " (with errors, see the log)" : "");
		}
	}
}

static void
worker_forget(struct worker *w)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->pidfd, NULL);
	close(w->pidfd);
	TAILQ_REMOVE(&workers, w, next);
	free(w);
}

static void *
watch_workers(void *arg __rte_unused)
{
	struct epoll_event ev[8];
	int i, n;

	for (;;) {
		n = epoll_wait(epfd, ev, RTE_DIM(ev), -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			IOMMUFD_LOG(ERR, "worker watch: epoll_wait failed: %s; exits of secondary "
				    "processes are no longer noticed", strerror(errno));
			return NULL;
		}
		for (i = 0; i < n; i++) {
			struct worker *w = ev[i].data.ptr;

			if (w == NULL) /* stopfd */
				return NULL;
			pthread_mutex_lock(&iommufd_lock);
			worker_domains_destroy(w->pid);
			worker_forget(w);
			pthread_mutex_unlock(&iommufd_lock);
		}
	}
	return NULL;
}

int
iommufd_watch_pid(pid_t pid, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct worker *w;
	int ret;

	TAILQ_FOREACH(w, &workers, next)
		if (w->pid == pid)
			return 0;
	if (!watcher_running) {
		ret = pthread_create(&watcher, NULL, watch_workers, NULL);
		if (ret != 0) {
			snprintf(err, errlen, "cannot start the worker watch thread: %s",
				 strerror(ret));
			return -ret;
		}
		pthread_setname_np(watcher, "iommufd-mp");
		watcher_running = true;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		snprintf(err, errlen, "out of memory watching process %d", pid);
		return -ENOMEM;
	}
	w->pid = pid;
	w->pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (w->pidfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open(%d) failed: %s%s", pid, strerror(errno),
			 errno == ENOSYS ? " (needs Linux 5.3+)" : "");
		free(w);
		return ret;
	}
	ev.data.ptr = w;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, w->pidfd, &ev) < 0) {
		ret = -errno;
		snprintf(err, errlen, "epoll_ctl of the pidfd of %d: %s", pid, strerror(errno));
		close(w->pidfd);
		free(w);
		return ret;
	}
	TAILQ_INSERT_TAIL(&workers, w, next);
	IOMMUFD_LOG(DEBUG, "watching secondary process %d", pid);
	return 0;
}

int
iommufd_watch_init(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	int ret;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	stopfd = iommufd_hook_eventfd(0, EFD_CLOEXEC);
	if (epfd < 0 || stopfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, stopfd, &ev) < 0) {
		ret = -errno;
		iommufd_watch_fini();
		return ret;
	}
	return 0;
}

void
iommufd_watch_fini(void)
{
	struct worker *w;
	uint64_t one = 1;

	if (watcher_running) {
		if (write(stopfd, &one, sizeof(one)) != sizeof(one))
			IOMMUFD_LOG(ERR, "cannot stop the worker watch thread: %s",
				    strerror(errno));
		else
			pthread_join(watcher, NULL);
		watcher_running = false;
	}
	pthread_mutex_lock(&iommufd_lock);
	while ((w = TAILQ_FIRST(&workers)) != NULL)
		worker_forget(w);
	pthread_mutex_unlock(&iommufd_lock);
	if (stopfd >= 0)
		close(stopfd);
	if (epfd >= 0)
		close(epfd);
	stopfd = epfd = -1;
}
