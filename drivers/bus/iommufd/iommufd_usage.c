/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a process has mapped into its PASID domains, for the primary's
 * telemetry (iommufd_telemetry.c, /iommufd/domains,<device>).
 *
 * The bus counts the bytes mapped with rte_iommufd_domain_dma_map(); memory
 * an application maps with the iommufd directly (a lib/pasid_mem heap) is
 * reported by the application with rte_iommufd_domain_usage_set(). The
 * values live in the domain's record in the primary. A secondary process
 * pushes a change, and only a change, to the primary as one one-way rte_mp
 * message (action IOMMUFD_USAGE_ACTION): the primary never waits on a worker
 * to serve telemetry, and a worker never waits on the primary. The primary
 * takes a message only from the process that owns the domain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

#define IOMMUFD_USAGE_ACTION "bus_iommufd_usage"

/* One change of a domain's usage, secondary to primary. */
struct iommufd_usage_msg {
	char name[RTE_DEV_NAME_MAX_LEN];    /* the device */
	int32_t pid;                        /* the owner (checked against the peer) */
	uint32_t pasid;
	uint64_t bytes;                     /* bytes mapped: the bus's API and the label's */
	char heap[RTE_IOMMUFD_USAGE_NAMESIZE];
};

static bool usage_serving;

/* Primary: store a change from the owner of the domain. */
static int
usage_handle(const struct rte_mp_msg *msg, const void *peer)
{
	struct iommufd_usage_msg m;
	struct rte_iommufd_domain *dom = NULL;
	struct iommufd_dev *d;
	pid_t peer_pid = iommufd_mp_peer_pid(peer);

	if (msg->len_param != sizeof(m)) {
		IOMMUFD_LOG(ERR, "usage message of %d bytes, expected %zu (a different build "
			    "of the bus?)", msg->len_param, sizeof(m));
		return 0;
	}
	memcpy(&m, msg->param, sizeof(m));
	m.name[sizeof(m.name) - 1] = '\0';
	m.heap[sizeof(m.heap) - 1] = '\0';
	pthread_mutex_lock(&iommufd_lock);
	d = usage_serving && peer_pid > 0 && peer_pid == m.pid ? iommufd_dev_find(m.name) : NULL;
	if (d != NULL)
		TAILQ_FOREACH(dom, &d->domains, next)
			if (dom->pasid == m.pasid && dom->owner == peer_pid && !dom->dead)
				break;
	if (dom != NULL) {
		dom->usage_bytes = m.bytes;
		memcpy(dom->usage_heap, m.heap, sizeof(dom->usage_heap));
	}
	pthread_mutex_unlock(&iommufd_lock);
	if (dom == NULL)
		IOMMUFD_LOG(DEBUG, "usage of PASID %u of %s from peer %d (says %d) dropped: no "
			    "such domain of that process", m.pasid, m.name, peer_pid, m.pid);
	return 0;
}

void
iommufd_usage_server_init(void)
{
	RTE_BUILD_BUG_ON(sizeof(struct iommufd_usage_msg) > RTE_MP_MAX_PARAM_LEN);
	if (usage_serving)
		return;
	if (rte_mp_action_register(IOMMUFD_USAGE_ACTION, usage_handle) < 0 &&
	    rte_errno != EEXIST) {
		if (rte_errno != ENOTSUP) /* ENOTSUP: multi-process is off */
			IOMMUFD_LOG(ERR, "telemetry will not show the secondary processes' "
				    "mappings: %s", rte_strerror(rte_errno));
		return;
	}
	pthread_mutex_lock(&iommufd_lock);
	usage_serving = true;
	pthread_mutex_unlock(&iommufd_lock);
}

void
iommufd_usage_server_fini(void)
{
	if (!usage_serving)
		return;
	pthread_mutex_lock(&iommufd_lock);
	usage_serving = false;
	pthread_mutex_unlock(&iommufd_lock);
	rte_mp_action_unregister(IOMMUFD_USAGE_ACTION);
}

/* Secondary: send @dom's usage to the primary when it changed. Lock held
 * on entry, dropped for the send (rte_mp_sendmsg() does not wait for the
 * primary, but it is a system call).
 */
static int
usage_push_unlock(struct rte_iommufd_domain *dom)
{
	struct rte_mp_msg msg;
	struct iommufd_usage_msg *m = (struct iommufd_usage_msg *)msg.param;
	int ret;

	if (rte_eal_process_type() == RTE_PROC_PRIMARY || !dom->usage_dirty) {
		pthread_mutex_unlock(&iommufd_lock);
		return 0;
	}
	memset(&msg, 0, sizeof(msg));
	rte_strscpy(msg.name, IOMMUFD_USAGE_ACTION, sizeof(msg.name));
	msg.len_param = sizeof(*m);
	rte_strscpy(m->name, dom->dev->pub.name, sizeof(m->name));
	m->pid = getpid();
	m->pasid = dom->pasid;
	m->bytes = dom->usage_bytes + dom->api_bytes;
	memcpy(m->heap, dom->usage_heap, sizeof(m->heap));
	dom->usage_dirty = false;
	pthread_mutex_unlock(&iommufd_lock);
	/* Not a call of the test hook: a lost report changes nothing but the
	 * telemetry, so failing it could not fail the bring-up it is part of.
	 */
	ret = rte_mp_sendmsg(&msg);
	if (ret < 0) {
		IOMMUFD_LOG(DEBUG, "%s: PASID %u: usage not sent to the primary: %s",
			    dom->dev->pub.name, dom->pasid, rte_strerror(rte_errno));
		pthread_mutex_lock(&iommufd_lock);
		dom->usage_dirty = true; /* sent with the next change */
		pthread_mutex_unlock(&iommufd_lock);
	}
	return ret;
}

int
iommufd_usage_api_add(struct rte_iommufd_domain *dom, int64_t delta)
{
	pthread_mutex_lock(&iommufd_lock);
	dom->api_bytes += (uint64_t)delta;
	dom->usage_dirty = true;
	return usage_push_unlock(dom);
}

int
rte_iommufd_domain_usage_set(struct rte_iommufd_domain *dom, const char *heap, uint64_t bytes)
{
	const char *label = heap != NULL ? heap : "";

	if (dom == NULL || strlen(label) >= RTE_IOMMUFD_USAGE_NAMESIZE) {
		if (dom != NULL)
			IOMMUFD_LOG(ERR, "%s: PASID %u: usage label \"%.40s\" is longer than %d "
				    "characters", dom->dev->pub.name, dom->pasid, label,
				    RTE_IOMMUFD_USAGE_NAMESIZE - 1);
		rte_errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&iommufd_lock);
	if (dom->dead) {
		pthread_mutex_unlock(&iommufd_lock);
		rte_errno = ENODEV;
		return -1;
	}
	if (dom->usage_bytes != bytes || strcmp(dom->usage_heap, label) != 0) {
		dom->usage_bytes = bytes;
		rte_strscpy(dom->usage_heap, label, sizeof(dom->usage_heap));
		dom->usage_dirty = true;
	}
	return usage_push_unlock(dom);
}
