/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Secondary process: its side of the iommufd bus (struct iommufd_proc_ops,
 * chosen once by iommufd_bus.c).
 *
 * A secondary never opens a vfio cdev: it asks the primary
 * (iommufd_mp_server.c) for the primary's iommufd and the bound device fd,
 * and for PASID domains, which the primary allocates and owns on its behalf
 * and destroys when it exits. Closing a device drops the received fds only:
 * the device belongs to the primary.
 *
 * When the primary is gone, a request gets no answer (the channel's socket
 * is closed) and fails at once with ESRCH. When it is alive but does not
 * answer in time (it serialises requests behind the bus lock, which a worker
 * teardown holds), the request is sent again with the same request id, so a
 * domain created by the first try is the one handed back (B3).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

#define MP_TIMEOUT_S 5
#define MP_TRIES 3     /* of a request the primary is alive but slow to answer */

/* Close the fds of every message of @rep and free it. */
static void
reply_free(struct rte_mp_reply *rep)
{
	int i, j;

	for (i = 0; i < rep->nb_received; i++)
		for (j = 0; j < rep->msgs[i].num_fds && j < RTE_MP_MAX_FD_NUM; j++)
			close(rep->msgs[i].fds[j]);
	free(rep->msgs);
	rep->msgs = NULL;
}

/* Send @r about @d to the primary; the reply into @r, its fds into @fds
 * (@nfds of them; the caller closes them). 0, or -errno with r->error set:
 * ESRCH when the primary has exited, ETIMEDOUT when it is alive but did not
 * answer in time (a slow primary is not a dead one, B3).
 */
static int
mp_request(struct iommufd_dev *d, struct iommufd_mp_param *r, int *fds, int *nfds)
{
	struct timespec ts = { .tv_sec = MP_TIMEOUT_S };
	struct rte_mp_msg req;
	struct rte_mp_reply rep = { 0 };
	struct rte_mp_msg *m;
	int i, ret;

	*nfds = 0;
	memset(&req, 0, sizeof(req));
	rte_strscpy(req.name, IOMMUFD_MP_ACTION, sizeof(req.name));
	r->pid = getpid();
	rte_strscpy(r->name, d->pub.name, sizeof(r->name));
	r->error[0] = '\0';
	req.len_param = sizeof(*r);
	memcpy(req.param, r, sizeof(*r));
	if (iommufd_hook_mp()) {
		snprintf(r->error, sizeof(r->error), "sending the request to the primary "
			 "failed: %s", strerror(EIO));
		return -EIO;
	}
	if (rte_mp_request_sync(&req, &rep, &ts) < 0 || rep.nb_received != 1) {
		reply_free(&rep);
		if (rte_eal_primary_proc_alive(NULL)) {
			snprintf(r->error, sizeof(r->error), "the primary process is alive but "
				 "did not answer within %d s (busy?)", MP_TIMEOUT_S);
			return -ETIMEDOUT;
		}
		IOMMUFD_LOG(ERR, "%s: the primary process has exited; it owned the PASID "
			    "allocator and this process's domains; restart the workers under a "
			    "new primary", d->pub.name);
		snprintf(r->error, sizeof(r->error), "the primary process has exited (no answer)");
		return -ESRCH;
	}
	m = &rep.msgs[0];
	if (m->len_param != sizeof(*r)) {
		snprintf(r->error, sizeof(r->error), "reply of %d bytes, expected %zu (the primary "
			 "runs another build of the bus)", m->len_param, sizeof(*r));
		reply_free(&rep); /* its fds too (B6) */
		return -EPROTO;
	}
	memcpy(r, m->param, sizeof(*r));
	r->error[sizeof(r->error) - 1] = '\0';
	ret = r->result;
	for (i = 0; i < m->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
		fds[(*nfds)++] = m->fds[i];
	free(rep.msgs);
	return ret;
}

/* mp_request() without fds, tried again while the primary is alive but slow:
 * for requests that give the same result when repeated (a create carries its
 * request id).
 */
static int
mp_request_retry(struct iommufd_dev *d, struct iommufd_mp_param *r)
{
	struct iommufd_mp_param q = *r;
	int fds[RTE_MP_MAX_FD_NUM], nfds, i, try, ret;

	for (try = 1;; try++) {
		*r = q;
		ret = mp_request(d, r, fds, &nfds);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (ret != -ETIMEDOUT || try == MP_TRIES)
			return ret;
		IOMMUFD_LOG(WARNING, "%s: %s; asking again (%d/%d)", d->pub.name, r->error,
			    try + 1, MP_TRIES);
	}
}

int
iommufd_secondary_dev_open(struct iommufd_dev *d)
{
	struct iommufd_mp_param r = { .op = IOMMUFD_MP_DEV_FDS };
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
iommufd_secondary_domain_create(struct iommufd_dev *d)
{
	static uint32_t seq;
	struct iommufd_mp_param r = { .op = IOMMUFD_MP_DOMAIN_CREATE };
	struct rte_iommufd_domain *dom;
	int ret;

	dom = calloc(1, sizeof(*dom));
	if (dom == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* Unique in this process; a retry carries the same one (B3). */
	r.req_id = (uint64_t)getpid() << 32 | __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	ret = mp_request_retry(d, &r);
	if (ret < 0) {
		IOMMUFD_LOG(ERR, "%s: cannot create a PASID domain: %s%s", d->pub.name,
			    r.error[0] ? r.error : strerror(-ret), ret == -ETIMEDOUT ?
			    "; the primary may still create it: rte_iommufd_dev_owned_domains() "
			    "lists it, rte_iommufd_dev_domain_destroy_pasid() destroys it" : "");
		free(dom);
		rte_errno = -ret;
		return NULL;
	}
	dom->dev = d;
	dom->pasid = r.pasid;
	dom->ioas = r.ioas;
	pthread_mutex_lock(&iommufd_lock);
	iommufd_domain_link(d, dom);
	pthread_mutex_unlock(&iommufd_lock);
	IOMMUFD_LOG(DEBUG, "%s: PASID %u on IOAS %u, from the primary process", d->pub.name,
		    dom->pasid, dom->ioas);
	return dom;
}

/* Ask the primary to destroy this process's domain of @pasid. A retry that
 * finds it gone (the first try did it) is a success.
 */
static int
destroy_pasid(struct iommufd_dev *d, uint32_t pasid)
{
	struct iommufd_mp_param r;
	int fds[RTE_MP_MAX_FD_NUM], nfds, i, try, ret;

	for (try = 1;; try++) {
		memset(&r, 0, sizeof(r));
		r.op = IOMMUFD_MP_DOMAIN_DESTROY;
		r.pasid = pasid;
		ret = mp_request(d, &r, fds, &nfds);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (ret == -ENOENT && try > 1)
			return 0;
		if (ret != -ETIMEDOUT || try == MP_TRIES)
			break;
	}
	if (ret < 0)
		IOMMUFD_LOG(ERR, "%s: destroy of the domain of PASID %u: %s", d->pub.name, pasid,
			    r.error[0] ? r.error : strerror(-ret));
	return ret;
}

int
iommufd_secondary_domain_destroy(struct rte_iommufd_domain *dom)
{
	struct iommufd_dev *d = dom->dev;
	uint32_t pasid;

	/* Unlinked first, under the lock: a concurrent close of the device
	 * (the primary's hot-unplug reaching this process) no longer sees it.
	 */
	pthread_mutex_lock(&iommufd_lock);
	if (dom->dead) {
		pthread_mutex_unlock(&iommufd_lock);
		free(dom);
		return -ENODEV;
	}
	TAILQ_REMOVE(&d->domains, dom, next);
	pasid = dom->pasid;
	pthread_mutex_unlock(&iommufd_lock);
	free(dom);
	return destroy_pasid(d, pasid);
}

int
iommufd_secondary_owned(struct iommufd_dev *d, struct rte_iommufd_domain_info *info,
			unsigned int n)
{
	struct iommufd_mp_param r;
	uint32_t i;
	int ret;

	for (i = 0;; i++) {
		memset(&r, 0, sizeof(r));
		r.op = IOMMUFD_MP_DOMAIN_LIST;
		r.pasid = i;
		ret = mp_request_retry(d, &r);
		if (ret == -ENOENT)
			return (int)i;
		if (ret < 0) {
			IOMMUFD_LOG(ERR, "%s: listing this process's domains: %s", d->pub.name,
				    r.error[0] ? r.error : strerror(-ret));
			return ret;
		}
		if (i < n) {
			info[i].pasid = r.pasid;
			info[i].ioas = r.ioas;
			info[i].owner = getpid();
		}
	}
}

int
iommufd_secondary_destroy_pasid(struct iommufd_dev *d, uint32_t pasid)
{
	struct rte_iommufd_domain *dom;
	int ret;

	ret = destroy_pasid(d, pasid);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dom, &d->domains, next)
		if (dom->pasid == pasid)
			break;
	if (dom != NULL) {
		/* The application's handle, if it kept one, is dead from now on. */
		TAILQ_REMOVE(&d->domains, dom, next);
		dom->dead = true;
	}
	pthread_mutex_unlock(&iommufd_lock);
	return 0;
}

void
iommufd_secondary_dev_close(struct iommufd_dev *d)
{
	struct rte_iommufd_domain *dom;
	uint32_t pasid;

	if (d->pub.fd < 0)
		return;
	/* The application may still hold handles of these domains: they are
	 * marked dead (freed by its rte_iommufd_domain_destroy()), not freed.
	 */
	for (;;) {
		pthread_mutex_lock(&iommufd_lock);
		dom = TAILQ_FIRST(&d->domains);
		if (dom == NULL) {
			pthread_mutex_unlock(&iommufd_lock);
			break;
		}
		TAILQ_REMOVE(&d->domains, dom, next);
		pasid = dom->pasid;
		dom->dead = true;
		pthread_mutex_unlock(&iommufd_lock);
		destroy_pasid(d, pasid);
	}
	iommufd_intr_fini(d);
	iommufd_dev_release(d);
}
