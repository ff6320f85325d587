/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The end of PASID domains (iommufd_domain.c creates them): teardown in the
 * order detach, unmap, destroy HWPT, destroy IOAS, free the PASID; destroy
 * by handle, by PASID (a restarted process finds the PASIDs it owns with
 * rte_iommufd_dev_owned_domains() and destroys them without a handle), and
 * every domain of a device at its close. The primary also destroys the
 * domains of secondary processes (iommufd_mp_server.c, iommufd_watch.c);
 * a secondary's requests go to the primary through iommufd_proc
 * (iommufd_secondary.c). And what drivers ask before they free a dead
 * owner's resources: whether a process still runs.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_errno.h>

#include "private.h"

/* Detach, unmap, destroy: the device cannot reach the memory any more
 * before it is unpinned. When the detach fails, the PASID may still be
 * attached: its number stays allocated (quarantined, logged) so that no later
 * domain silently replaces it, and the IOAS, still in use, is left to the
 * kernel (it goes with the iommufd) (B5).
 */
static int
domain_release(struct rte_iommufd_domain *dom)
{
	struct iommufd_dev *d = dom->dev;
	int ret, first = 0;

	TAILQ_REMOVE(&d->domains, dom, next);
	ret = iommufd_detach(d, dom->pasid);
	if (ret < 0 && ret != -ENOENT) {
		IOMMUFD_LOG(ERR, "%s: detach of PASID %u failed: %s; the PASID stays reserved "
			    "and IOAS %u is left to the kernel (freed when the iommufd closes)",
			    d->pub.name, dom->pasid, strerror(-ret), dom->ioas);
		return ret;
	}
	iommufd_ioas_unmap(dom->ioas, 0, UINT64_MAX);
	if (dom->hwpt) {
		ret = iommufd_destroy(dom->hwpt);
		if (ret < 0 && first == 0)
			first = ret;
	}
	ret = iommufd_destroy(dom->ioas);
	if (ret < 0 && first == 0)
		first = ret;
	iommufd_pasid_free(&d->pasids, dom->pasid);
	return first;
}

int
iommufd_domain_teardown(struct rte_iommufd_domain *dom)
{
	int ret = domain_release(dom);

	free(dom);
	return ret;
}

int
iommufd_domain_teardown_keep(struct rte_iommufd_domain *dom)
{
	int ret;

	if (dom->owner != 0)
		return iommufd_domain_teardown(dom);
	ret = domain_release(dom);
	dom->dead = true;
	return ret;
}

int
iommufd_domain_destroy(struct rte_iommufd_domain *dom)
{
	int ret;

	pthread_mutex_lock(&iommufd_lock);
	if (dom->dead) {
		/* Torn down with its device already: only the handle is left. */
		free(dom);
		ret = -ENODEV;
	} else {
		ret = iommufd_domain_teardown(dom);
	}
	pthread_mutex_unlock(&iommufd_lock);
	return ret;
}

int
rte_iommufd_domain_destroy(struct rte_iommufd_domain *dom)
{
	if (dom == NULL) {
		rte_errno = EINVAL;
		return -1;
	}
	return iommufd_ret(iommufd_proc->domain_destroy(dom));
}

int
iommufd_domains_owned(struct iommufd_dev *d, struct rte_iommufd_domain_info *info,
		      unsigned int n)
{
	struct rte_iommufd_domain *dom;
	unsigned int i = 0;

	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dom, &d->domains, next) {
		if (dom->owner != 0)
			continue;
		if (i < n) {
			info[i].pasid = dom->pasid;
			info[i].ioas = dom->ioas;
			info[i].owner = getpid();
		}
		i++;
	}
	pthread_mutex_unlock(&iommufd_lock);
	return (int)i;
}

int
iommufd_domain_destroy_pasid(struct iommufd_dev *d, uint32_t pasid)
{
	struct rte_iommufd_domain *dom;
	int ret = -ENOENT;

	pthread_mutex_lock(&iommufd_lock);
	TAILQ_FOREACH(dom, &d->domains, next)
		if (dom->owner == 0 && dom->pasid == pasid)
			break;
	if (dom != NULL)
		ret = iommufd_domain_teardown_keep(dom); /* the handle: dead, not freed */
	pthread_mutex_unlock(&iommufd_lock);
	return ret;
}

int
rte_iommufd_dev_owned_domains(const struct rte_device *dev, struct rte_iommufd_domain_info *info,
			      unsigned int n)
{
	struct iommufd_dev *d = iommufd_bound_dev((struct rte_device *)(uintptr_t)dev);
	int ret;

	if (d == NULL || (n > 0 && info == NULL)) {
		rte_errno = EINVAL;
		return -1;
	}
	ret = iommufd_proc->owned(d, info, n);
	if (ret < 0) {
		rte_errno = -ret;
		return -1;
	}
	return ret;
}

int
rte_iommufd_dev_domain_destroy_pasid(struct rte_device *dev, uint32_t pasid)
{
	struct iommufd_dev *d = iommufd_bound_dev(dev);

	if (d == NULL || pasid == 0) {
		rte_errno = EINVAL;
		return -1;
	}
	return iommufd_ret(iommufd_proc->destroy_pasid(d, pasid));
}

void
iommufd_domains_destroy(struct iommufd_dev *d)
{
	struct rte_iommufd_domain *dom;

	pthread_mutex_lock(&iommufd_lock);
	while ((dom = TAILQ_FIRST(&d->domains)) != NULL) {
		IOMMUFD_LOG(DEBUG, "%s: destroying the domain of PASID %u", d->pub.name,
			    dom->pasid);
		iommufd_domain_teardown_keep(dom);
	}
	pthread_mutex_unlock(&iommufd_lock);
}

/* ---- whether the owner of a domain, or of what a driver holds for it, runs ---- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int
rte_iommufd_process_alive(int pid)
{
	struct pollfd pfd = { .events = POLLIN };
	int n;

	if (pid <= 0) {
		rte_errno = EINVAL;
		return -1;
	}
	if (pid == getpid())
		return 1;
	/* As the worker watcher (iommufd_watch.c): the pidfd polls readable at exit. */
	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0) {
		if (errno == ESRCH)
			return 0;       /* exited and reaped */
		rte_errno = errno;
		return -1;
	}
	n = poll(&pfd, 1, 0);
	close(pfd.fd);
	if (n < 0) {
		rte_errno = errno;
		return -1;
	}
	return n == 0;
}
