/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-process: PASID-isolated workers (DPDK secondary processes).
 *
 * A vfio cdev can be bound by one file at a time, so a secondary process
 * never opens one: at probe it asks the primary, over rte_mp, for each
 * device it was given (one request per device), and receives the primary's
 * iommufd and the bound device fd (SCM_RIGHTS; DPDK 22.11 carries at most
 * RTE_MP_MAX_FD_NUM = 8 fds per message, hence one device per message).
 *
 * The primary owns the PASID allocator: a secondary's domain is created by
 * the primary on its behalf (PASID, IOAS, HWPT, attach), recorded with the
 * secondary's pid, and its IOAS id handed back; the secondary maps its own
 * memory into it through the shared iommufd (IOMMU_IOAS_MAP pins the
 * calling process's pages).
 *
 * The primary watches each secondary that asked for something through a
 * pidfd (pidfd_open, Linux 5.3+) in one epoll thread, with no timeout: when
 * the process exits, every domain it owns is taken down in the safe order —
 * the driver's quiesce_domain(), PASID detached, IOAS unmapped and
 * destroyed, PASID freed — and the other workers are not touched.
 *
 * When the primary is gone, a secondary's request gets no answer (the
 * channel's socket is closed) and fails at once with ESRCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/vfio.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

#define MP_ACTION "bus_iommufd_mp"
#define MP_TIMEOUT_S 5

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

enum mp_op {
	MP_DEV_FDS = 1,     /* the iommufd and the bound fd of a device */
	MP_DOMAIN_CREATE,   /* a PASID domain owned by the requester */
	MP_DOMAIN_DESTROY,  /* destroy one of the requester's domains */
};

/* Request and reply (the reply fills in what it knows). */
struct mp_param {
	uint32_t op;
	int32_t result;       /* reply: 0 or -errno */
	int32_t pid;          /* the requesting secondary */
	uint32_t pasid;
	uint32_t ioas;
	uint32_t devid;
	uint32_t rid_ioas;
	uint64_t cfg_offset;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint16_t vendor_id;
	uint16_t device_id;
	uint8_t pasid_log2;
	uint8_t pasid_mode;
	char name[RTE_DEV_NAME_MAX_LEN];
	char error[104];      /* reply: why, when result < 0 */
};

/* ---- primary: workers watched through pidfds ---- */

struct worker {
	TAILQ_ENTRY(worker) next;
	pid_t pid;
	int pidfd;
};

static TAILQ_HEAD(, worker) workers = TAILQ_HEAD_INITIALIZER(workers);
static bool serving;        /* the action is registered and answers */
static int epfd = -1;       /* pidfds and the stop eventfd */
static int stopfd = -1;
static pthread_t watcher;
static bool watcher_running;

/* Take down every domain of @pid: quiesce (driver), detach, destroy. Lock held. */
static void
worker_domains_destroy(pid_t pid)
{
	struct rte_iommufd_device *p;
	struct rte_iommufd_domain *dom, *tmp;

	FOREACH_IOMMUFD_DEVICE(p) {
		struct iommufd_dev *d = IOMMUFD_DEV(p);
		struct rte_iommufd_driver *drv = d->pub.driver;

		for (dom = TAILQ_FIRST(&d->domains); dom != NULL; dom = tmp) {
			uint32_t pasid = dom->pasid, ioas = dom->ioas;
			int qret = 0, ret;

			tmp = TAILQ_NEXT(dom, next);
			if (dom->owner != pid)
				continue;
			if (drv != NULL && drv->quiesce_domain != NULL) {
				qret = drv->quiesce_domain(&d->pub, pasid);
				if (qret < 0)
					IOMMUFD_LOG(ERR, "%s: driver %s could not quiesce PASID %u "
						    "of exited process %d: %s; detaching it anyway",
						    d->pub.name, drv->driver.name, pasid, pid,
						    strerror(-qret));
			}
			ret = iommufd_domain_teardown(dom);
			IOMMUFD_LOG(NOTICE, "%s: process %d exited: PASID %u %s, detached, IOAS %u "
				    "destroyed, PASID freed%s", d->pub.name, pid, pasid,
				    drv != NULL && drv->quiesce_domain != NULL ?
				    (qret == 0 ? "quiesced" : "not quiesced") : "(no quiesce op)",
				    ioas, ret < 0 ? " (with errors, see debug log)" : "");
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

/* Watch @pid (once). Lock held. 0 or -errno. */
static int
worker_watch(pid_t pid, char *err, size_t errlen)
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
	if (w == NULL)
		return -ENOMEM;
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

/* Fill the reply of a request on device @d. Lock held. */
static int
mp_serve(struct mp_param *r, struct iommufd_dev *d, struct rte_mp_msg *reply)
{
	struct rte_iommufd_domain *dom;
	int ret;

	ret = worker_watch(r->pid, r->error, sizeof(r->error));
	if (ret < 0)
		return ret;
	switch (r->op) {
	case MP_DEV_FDS:
		r->devid = d->pub.devid;
		r->rid_ioas = d->rid_ioas;
		r->cfg_offset = d->cfg_offset;
		r->num_regions = d->num_regions;
		r->num_irqs = d->num_irqs;
		r->vendor_id = d->pub.vendor_id;
		r->device_id = d->pub.device_id;
		r->pasid_log2 = d->pub.pasid_log2;
		r->pasid_mode = d->pasid_mode;
		reply->fds[0] = iommufd_bus_ctx.fd;
		reply->fds[1] = d->pub.fd;
		reply->num_fds = 2;
		return 0;
	case MP_DOMAIN_CREATE:
		dom = iommufd_domain_create_locked(d, r->pid);
		if (dom == NULL) {
			snprintf(r->error, sizeof(r->error), "%s", rte_errno == ENOSPC ?
				 "no free PASID (see the primary's log)" :
				 "the primary could not create it (see its log)");
			return -rte_errno;
		}
		r->pasid = dom->pasid;
		r->ioas = dom->ioas;
		return 0;
	case MP_DOMAIN_DESTROY:
		TAILQ_FOREACH(dom, &d->domains, next)
			if (dom->pasid == r->pasid && dom->owner == r->pid)
				break;
		if (dom == NULL) {
			snprintf(r->error, sizeof(r->error),
				 "process %d owns no domain of PASID %u", r->pid, r->pasid);
			return -ENOENT;
		}
		return iommufd_domain_teardown(dom);
	}
	snprintf(r->error, sizeof(r->error), "unknown request %u", r->op);
	return -EINVAL;
}

static int
mp_handle(const struct rte_mp_msg *msg, const void *peer)
{
	struct rte_mp_msg reply;
	struct mp_param *r = (struct mp_param *)reply.param;
	struct iommufd_dev *d;

	memset(&reply, 0, sizeof(reply));
	rte_strscpy(reply.name, MP_ACTION, sizeof(reply.name));
	reply.len_param = sizeof(*r);
	if (msg->len_param != sizeof(*r)) {
		r->result = -EINVAL;
		snprintf(r->error, sizeof(r->error), "request of %d bytes, expected %zu "
			 "(a different build of the bus?)", msg->len_param, sizeof(*r));
		return rte_mp_reply(&reply, peer);
	}
	memcpy(r, msg->param, sizeof(*r));
	r->name[sizeof(r->name) - 1] = '\0';
	r->error[0] = '\0';
	pthread_mutex_lock(&iommufd_lock);
	d = serving ? iommufd_dev_find(r->name) : NULL;
	if (!serving) {
		r->result = -ESRCH;
		snprintf(r->error, sizeof(r->error), "the primary process is exiting");
	} else if (d == NULL || d->pub.fd < 0) {
		r->result = -ENODEV;
		snprintf(r->error, sizeof(r->error), "%s is not bound in the primary process%s%s",
			 r->name, d && d->error[0] ? ": " : "", d ? d->error : "");
	} else {
		r->result = mp_serve(r, d, &reply);
	}
	pthread_mutex_unlock(&iommufd_lock);
	if (r->result < 0)
		IOMMUFD_LOG(INFO, "request %u of process %d on %s refused: %s", r->op, r->pid,
			    r->name, r->error[0] ? r->error : strerror(-r->result));
	return rte_mp_reply(&reply, peer);
}

int
iommufd_mp_primary_init(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	RTE_BUILD_BUG_ON(sizeof(struct mp_param) > RTE_MP_MAX_PARAM_LEN);
	if (serving)
		return 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	stopfd = eventfd(0, EFD_CLOEXEC);
	if (epfd < 0 || stopfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, stopfd, &ev) < 0)
		goto fail;
	if (rte_mp_action_register(MP_ACTION, mp_handle) < 0 && rte_errno != EEXIST) {
		/* ENOTSUP: multi-process is off (--in-memory, --no-shconf). */
		if (rte_errno == ENOTSUP)
			goto off;
		errno = rte_errno;
		goto fail;
	}
	pthread_mutex_lock(&iommufd_lock);
	serving = true;
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
fail:
	IOMMUFD_LOG(ERR, "cannot serve secondary processes: %s", strerror(errno));
off:
	if (stopfd >= 0)
		close(stopfd);
	if (epfd >= 0)
		close(epfd);
	stopfd = epfd = -1;
	return 0; /* single-process use still works */
}

void
iommufd_mp_primary_fini(void)
{
	struct worker *w;
	uint64_t one = 1;

	if (epfd < 0)
		return;
	pthread_mutex_lock(&iommufd_lock);
	serving = false; /* a request still in flight gets ESRCH */
	pthread_mutex_unlock(&iommufd_lock);
	rte_mp_action_unregister(MP_ACTION);
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
	close(stopfd);
	close(epfd);
	stopfd = epfd = -1;
}

/* ---- secondary ---- */

/* Send @r about @d to the primary; the reply into @r, its fds into @fds
 * (@nfds of them; the caller closes them). 0, or -errno with r->error set. */
static int
mp_request(struct iommufd_dev *d, struct mp_param *r, int *fds, int *nfds)
{
	struct timespec ts = { .tv_sec = MP_TIMEOUT_S };
	struct rte_mp_msg req;
	struct rte_mp_reply rep = { 0 };
	struct rte_mp_msg *m;
	int i, ret;

	*nfds = 0;
	memset(&req, 0, sizeof(req));
	rte_strscpy(req.name, MP_ACTION, sizeof(req.name));
	r->pid = getpid();
	rte_strscpy(r->name, d->pub.name, sizeof(r->name));
	r->error[0] = '\0';
	req.len_param = sizeof(*r);
	memcpy(req.param, r, sizeof(*r));
	if (rte_mp_request_sync(&req, &rep, &ts) < 0 || rep.nb_received != 1) {
		IOMMUFD_LOG(ERR, "%s: no answer from the primary process within %d s: it has "
			    "exited (or hangs); it owned the PASID allocator and this process's "
			    "domains; restart the workers under a new primary", d->pub.name,
			    MP_TIMEOUT_S);
		snprintf(r->error, sizeof(r->error), "the primary process has exited (no answer)");
		ret = -ESRCH;
		goto out;
	}
	m = &rep.msgs[0];
	if (m->len_param != sizeof(*r)) {
		snprintf(r->error, sizeof(r->error), "reply of %d bytes, expected %zu (the primary "
			 "runs another build of the bus)", m->len_param, sizeof(*r));
		ret = -EPROTO;
		goto out;
	}
	memcpy(r, m->param, sizeof(*r));
	r->error[sizeof(r->error) - 1] = '\0';
	ret = r->result;
	for (i = 0; i < m->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
		fds[(*nfds)++] = m->fds[i];
out:
	free(rep.msgs);
	return ret;
}

int
iommufd_mp_dev_attach(struct iommufd_dev *d)
{
	struct mp_param r = { .op = MP_DEV_FDS };
	int fds[RTE_MP_MAX_FD_NUM], nfds, i, ret;

	if (d->pub.fd >= 0)
		return 0;
	ret = mp_request(d, &r, fds, &nfds);
	if (ret == 0 && nfds != 2) {
		snprintf(r.error, sizeof(r.error), "the primary sent %d fds, expected 2", nfds);
		ret = -EPROTO;
	}
	if (ret < 0) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		snprintf(d->error, sizeof(d->error), "cannot get the device from the primary "
			 "process: %s", r.error[0] ? r.error : strerror(-ret));
		return ret;
	}
	iommufd_bus_ctx_adopt(fds[0]);
	d->pub.fd = fds[1];
	d->pub.devid = r.devid;
	d->pub.vendor_id = r.vendor_id;
	d->pub.device_id = r.device_id;
	d->pub.pasid_log2 = r.pasid_log2;
	d->pasid_mode = r.pasid_mode;
	d->rid_ioas = r.rid_ioas;
	d->cfg_offset = r.cfg_offset;
	d->num_regions = r.num_regions;
	d->num_irqs = r.num_irqs;
	ret = iommufd_intr_init(d);
	if (ret < 0) {
		snprintf(d->error, sizeof(d->error), "no interrupt handle: %s", strerror(-ret));
		close(d->pub.fd);
		d->pub.fd = -1;
		iommufd_bus_ctx_put();
		return ret;
	}
	IOMMUFD_LOG(INFO, "%s: received from the primary process (fd %d, dev id %u), PASID "
		    "width %u%s", d->pub.name, d->pub.fd, d->pub.devid, d->pub.pasid_log2,
		    d->pasid_mode ? ", PASID domains" : ", RID only");
	return 0;
}

struct rte_iommufd_domain *
iommufd_mp_domain_create(struct iommufd_dev *d)
{
	struct mp_param r = { .op = MP_DOMAIN_CREATE };
	struct rte_iommufd_domain *dom;
	int fds[RTE_MP_MAX_FD_NUM], nfds, i, ret;

	dom = calloc(1, sizeof(*dom));
	if (dom == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	ret = mp_request(d, &r, fds, &nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "%s: cannot create a PASID domain: %s", d->pub.name,
			    r.error[0] ? r.error : strerror(-ret));
		free(dom);
		rte_errno = -ret;
		return NULL;
	}
	dom->dev = d;
	dom->pasid = r.pasid;
	dom->ioas = r.ioas;
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_INSERT_TAIL(&d->domains, dom, next);
	pthread_mutex_unlock(&iommufd_lock);
	IOMMUFD_LOG(DEBUG, "%s: PASID %u on IOAS %u, from the primary process", d->pub.name,
		    dom->pasid, dom->ioas);
	return dom;
}

int
iommufd_mp_domain_destroy(struct rte_iommufd_domain *dom)
{
	struct iommufd_dev *d = dom->dev;
	struct mp_param r = { .op = MP_DOMAIN_DESTROY, .pasid = dom->pasid };
	int fds[RTE_MP_MAX_FD_NUM], nfds, i, ret;

	ret = mp_request(d, &r, fds, &nfds);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (ret < 0)
		IOMMUFD_LOG(ERR, "%s: destroy of the domain of PASID %u: %s", d->pub.name,
			    dom->pasid, r.error[0] ? r.error : strerror(-ret));
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_REMOVE(&d->domains, dom, next);
	pthread_mutex_unlock(&iommufd_lock);
	free(dom);
	return ret;
}

void
iommufd_mp_dev_detach(struct iommufd_dev *d)
{
	struct rte_iommufd_domain *dom;

	if (d->pub.fd < 0)
		return;
	while ((dom = TAILQ_FIRST(&d->domains)) != NULL)
		iommufd_mp_domain_destroy(dom);
	iommufd_intr_fini(d);
	iommufd_dev_release(d);
}
