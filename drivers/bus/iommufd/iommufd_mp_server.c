/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Primary process: the server of secondary processes (PASID-isolated
 * workers), an rte_mp action.
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
 * calling process's pages). Every requester is watched (iommufd_watch.c):
 * its domains go when it exits. The other side is iommufd_secondary.c; the
 * whole picture is in doc/design.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

static bool serving;        /* the action is registered and answers */

/* The requester's domain number r->pasid (0, 1, ...) in PASID order into
 * r->pasid and r->ioas; -ENOENT past the last one. Lock held.
 */
static int
mp_list(struct iommufd_mp_param *r, struct iommufd_dev *d)
{
	struct rte_iommufd_domain *dom;
	uint32_t i = 0;

	TAILQ_FOREACH(dom, &d->domains, next) {
		if (dom->owner != r->pid)
			continue;
		if (i++ == r->pasid) {
			r->pasid = dom->pasid;
			r->ioas = dom->ioas;
			return 0;
		}
	}
	snprintf(r->error, sizeof(r->error), "process %d owns %u domains of %s", r->pid, i,
		 d->pub.name);
	return -ENOENT;
}

pid_t
iommufd_mp_peer_pid(const char *peer)
{
	const char *base, *p;
	char *end;
	long pid;

	if (peer == NULL)
		return -1;
	base = strrchr(peer, '/');
	base = base != NULL ? base + 1 : peer;
	if (strncmp(base, "mp_socket_", 10) != 0)
		return -1;
	p = base + 10;
	if (*p < '1' || *p > '9')
		return -1;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno != 0 || *end != '_' || pid <= 0 || pid > INT32_MAX)
		return -1;
	return (pid_t)pid;
}

/* Fill the reply of a request on device @d. Lock held. */
static int
mp_serve(struct iommufd_mp_param *r, struct iommufd_dev *d, struct rte_mp_msg *reply)
{
	struct rte_iommufd_domain *dom;
	int ret;

	ret = iommufd_watch_pid(r->pid, r->error, sizeof(r->error));
	if (ret < 0)
		return ret;
	switch (r->op) {
	case IOMMUFD_MP_DEV_FDS:
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
	case IOMMUFD_MP_DOMAIN_CREATE:
		/* A retry after a timeout (B3): the domain the first try made. */
		TAILQ_FOREACH(dom, &d->domains, next)
			if (r->req_id != 0 && dom->owner == r->pid && dom->req_id == r->req_id)
				break;
		if (dom != NULL) {
			IOMMUFD_LOG(INFO, "%s: request %#" PRIx64 " of process %d again: PASID %u, "
				    "created by its first try", d->pub.name, r->req_id, r->pid,
				    dom->pasid);
			r->pasid = dom->pasid;
			r->ioas = dom->ioas;
			return 0;
		}
		dom = iommufd_domain_create_locked(d, r->pid);
		if (dom == NULL) {
			snprintf(r->error, sizeof(r->error), "%s", rte_errno == ENOSPC ?
				 "no free PASID (see the primary's log)" :
				 "the primary could not create it (see its log)");
			return -rte_errno;
		}
		dom->req_id = r->req_id;
		r->pasid = dom->pasid;
		r->ioas = dom->ioas;
		return 0;
	case IOMMUFD_MP_DOMAIN_LIST:
		return mp_list(r, d);
	case IOMMUFD_MP_DOMAIN_DESTROY:
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
	struct iommufd_mp_param *r = (struct iommufd_mp_param *)reply.param;
	struct iommufd_dev *d;
	pid_t peer_pid;

	memset(&reply, 0, sizeof(reply));
	rte_strscpy(reply.name, IOMMUFD_MP_ACTION, sizeof(reply.name));
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
	/* The requester is who sent the message, not what it wrote (B4). */
	peer_pid = iommufd_mp_peer_pid(peer);
	if (peer_pid < 0 || peer_pid != r->pid) {
		r->result = -EPERM;
		snprintf(r->error, sizeof(r->error), "the request says pid %d but comes from "
			 "rte_mp peer %.40s", r->pid, (const char *)peer);
		IOMMUFD_LOG(ERR, "request %u on %s refused: %s", r->op, r->name, r->error);
		return rte_mp_reply(&reply, peer);
	}
	pthread_mutex_lock(&iommufd_lock);
	d = serving ? iommufd_dev_find(r->name) : NULL;
	if (!serving) {
		r->result = -ESRCH;
		snprintf(r->error, sizeof(r->error), "the primary process is exiting");
	} else if (d != NULL && d->closing) {
		r->result = -ENODEV;
		snprintf(r->error, sizeof(r->error), "%s is being removed (hot-unplug) in the "
			 "primary process", r->name);
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
	if (iommufd_hook_mp()) {
		/* As a lost reply: the requester times out and asks again. */
		IOMMUFD_LOG(ERR, "reply to request %u of process %d not sent (test hook)",
			    r->op, r->pid);
		return -1;
	}
	return rte_mp_reply(&reply, peer);
}

void
iommufd_mp_server_init(void)
{
	RTE_BUILD_BUG_ON(sizeof(struct iommufd_mp_param) > RTE_MP_MAX_PARAM_LEN);
	if (serving)
		return;
	errno = -iommufd_watch_init();
	if (errno != 0)
		goto fail;
	if (rte_mp_action_register(IOMMUFD_MP_ACTION, mp_handle) < 0 && rte_errno != EEXIST) {
		/* ENOTSUP: multi-process is off (--in-memory, --no-shconf). */
		if (rte_errno == ENOTSUP)
			goto off;
		errno = rte_errno;
		goto fail;
	}
	pthread_mutex_lock(&iommufd_lock);
	serving = true;
	pthread_mutex_unlock(&iommufd_lock);
	return;
fail:
	IOMMUFD_LOG(ERR, "cannot serve secondary processes: %s", strerror(errno));
off:
	iommufd_watch_fini(); /* single-process use still works */
}

void
iommufd_mp_server_fini(void)
{
	if (!serving)
		return;
	pthread_mutex_lock(&iommufd_lock);
	serving = false; /* a request still in flight gets ESRCH */
	pthread_mutex_unlock(&iommufd_lock);
	rte_mp_action_unregister(IOMMUFD_MP_ACTION);
	iommufd_watch_fini();
}
