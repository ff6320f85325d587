// SPDX-License-Identifier: GPL-2.0
/*
 * pasidnic: the engine threads.
 *
 * One kthread per queue pair, created when the device is opened, does all
 * the DMA of that queue pair (pasidnic_datapath.c), so a faulted, stuck or
 * busy queue pair delays no other. It reads the drivers' tail indexes from
 * the doorbell page, so the fast path needs no system call, and sleeps when
 * it finds nothing to do after announcing it in the doorbell page
 * (PNIC_DB_ENGINE(qp)); the driver then kicks it through the trapped
 * PNIC_REG_KICK register (a mask of queue pairs). Before it sleeps it polls
 * the doorbell page for engine_poll_us microseconds, as a device polls its
 * descriptor rings: a driver that is busy posts again within that time and
 * needs no kick (a system call for it, a wake-up for this thread).
 *
 * A DMA to user memory can block in a page fault that only a fatal signal
 * ends, so the threads accept SIGKILL: close, reset and detach send it to
 * interrupt a DMA in flight. After a signal the thread abandons its pass
 * (the descriptors in flight are retried) and flushes the signal; when the
 * device is closing it does no more DMA and waits for kthread_stop().
 */
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "pasidnic.h"

static unsigned int pnic_engine_poll_us = 500;
module_param_named(engine_poll_us, pnic_engine_poll_us, uint, 0644);
MODULE_PARM_DESC(engine_poll_us,
		 "How long an idle engine polls its queues before it sleeps, in microseconds (default 500; 0: sleep at once)");

/**
 * pnic_raise() - latch an interrupt cause; signal it when enabled.
 * @pdev: the device.
 * @cause: PNIC_IRQ_*.
 *
 * Context: @pdev->lock held.
 */
void pnic_raise(struct pnic_dev *pdev, u32 cause)
{
	lockdep_assert_held(&pdev->lock);
	pdev->irq_cause |= cause;
	if ((pdev->irq_mask & cause) && pnic_cfg_bus_master(pdev))
		pnic_irq_fire(pdev, PNIC_VEC_MISC);
}

/**
 * pnic_qp_lock_abort() - take a queue pair's lock, interrupting its engine.
 * @qpx: the queue pair.
 *
 * When the engine is in a pass it gets SIGKILL: a DMA blocked in a page
 * fault ends and the pass is abandoned (the descriptors are retried later).
 *
 * Context: a syscall path; sleeps killably.
 * Return: 0 with the lock held, or -EINTR.
 */
int pnic_qp_lock_abort(struct pnic_qp *qpx)
{
	struct pnic_dev *pdev = qpx->pdev;

	if (mutex_trylock(&qpx->lock))
		return 0;
	spin_lock(&pdev->as_lock);
	if (qpx->task)
		send_sig(SIGKILL, qpx->task, 1);
	spin_unlock(&pdev->as_lock);
	return mutex_lock_killable(&qpx->lock);
}

static void pnic_engine_state(struct pnic_qp *qpx, u32 state)
{
	pnic_db_set(qpx->pdev, PNIC_DB_ENGINE(qpx->qp), state);
	/* engine-state store before the tail loads that follow */
	smp_mb();
}

/*
 * Poll the queue pair for new work for engine_poll_us before sleeping;
 * false when none came or something else needs the CPU or the thread.
 * local_clock() because it is cheap everywhere (ktime_get() reads the
 * HPET in a VM without a TSC clocksource).
 */
static bool pnic_engine_poll(struct pnic_qp *qpx)
{
	u64 budget = (u64)READ_ONCE(pnic_engine_poll_us) * NSEC_PER_USEC;
	u64 end = local_clock() + budget;

	while (budget) {
		if (pnic_qp_has_work(qpx))
			return true;
		if (need_resched() || signal_pending(current) ||
		    kthread_should_stop() || READ_ONCE(qpx->dying) ||
		    local_clock() >= end)
			return false;
		cpu_relax();
	}
	return false;
}

static int pnic_engine_fn(void *data)
{
	struct pnic_qp *qpx = data;
	struct pnic_dev *pdev = qpx->pdev;
	struct sk_buff_head to_stack;
	bool done;

	allow_signal(SIGKILL);
	__skb_queue_head_init(&to_stack);
	while (!kthread_should_stop()) {
		if (READ_ONCE(qpx->dying)) {
			/* closing: no more DMA; kthread_stop() wakes us */
			wait_event_idle(qpx->wq, kthread_should_stop());
			break;
		}
		if (signal_pending(current))
			flush_signals(current);
		mutex_lock(&qpx->lock);
		done = pnic_qp_pass(qpx, &to_stack);
		mutex_unlock(&qpx->lock);
		/* the network stack only after every lock is dropped */
		pnic_netdev_rx(pdev, &to_stack);
		if (done) {
			cond_resched();
			continue;
		}
		/* an address space was being replaced: wait for the end */
		if (pnic_as_wait_change(qpx))
			continue;
		if (pnic_qp_has_work(qpx) || pnic_engine_poll(qpx)) {
			cond_resched();
			continue;
		}
		/* Announce the sleep, then look again (pairs with the
		 * driver's tail store, barrier, engine-state load).
		 */
		pnic_engine_state(qpx, PNIC_ENGINE_SLEEPING);
		if (pnic_qp_has_work(qpx)) {
			pnic_engine_state(qpx, PNIC_ENGINE_RUNNING);
			continue;
		}
		wait_event_idle(qpx->wq, atomic_xchg(&qpx->kicked, 0) ||
				kthread_should_stop() || READ_ONCE(qpx->dying));
		pnic_engine_state(qpx, PNIC_ENGINE_RUNNING);
		atomic_inc(&qpx->wakeups);
	}
	return 0;
}

/**
 * pnic_engine_stop() - stop the engine threads (device close).
 * @pdev: the device.
 *
 * A DMA blocked in a page fault is ended with SIGKILL first, so this never
 * waits for a fault.
 *
 * Context: no device lock held.
 */
void pnic_engine_stop(struct pnic_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < pdev->nqp; i++) {
		struct pnic_qp *qpx = &pdev->qps[i];

		if (!qpx->task)
			continue;
		WRITE_ONCE(qpx->dying, true);
		send_sig(SIGKILL, qpx->task, 1);
		wake_up(&qpx->wq);
	}
	for (i = 0; i < pdev->nqp; i++) {
		struct pnic_qp *qpx = &pdev->qps[i];
		struct task_struct *t = qpx->task;

		if (!t)
			continue;
		kthread_stop(t);
		pnic_as_engine_gone(qpx);
		put_task_struct(t);
		kfree(qpx->buf);
		qpx->buf = NULL;
	}
	skb_queue_purge(&pdev->netdev_rxq);
}

/**
 * pnic_engine_start() - start one engine thread per queue pair (open).
 * @pdev: the device.
 *
 * Every thread's buffer is allocated before it runs and a reference to its
 * task is held until pnic_engine_stop(): a thread never exits on its own
 * before kthread_stop().
 *
 * Return: 0 or -errno (then no thread runs).
 */
int pnic_engine_start(struct pnic_dev *pdev)
{
	struct task_struct *t;
	unsigned int i;
	int rc;

	for (i = 0; i < pdev->nqp; i++) {
		struct pnic_qp *qpx = &pdev->qps[i];

		atomic_set(&qpx->kicked, 0);
		qpx->dying = false;
		pnic_db_set(pdev, PNIC_DB_ENGINE(i), PNIC_ENGINE_RUNNING);
		qpx->buf = kmalloc(PNIC_MAX_PKT, GFP_KERNEL);
		if (!qpx->buf) {
			rc = -ENOMEM;
			goto err;
		}
		t = kthread_create(pnic_engine_fn, qpx, "pasidnic/%s/%u",
				   dev_name(pdev->vdev.dev), i);
		if (IS_ERR(t)) {
			rc = PTR_ERR(t);
			kfree(qpx->buf);
			qpx->buf = NULL;
			goto err;
		}
		get_task_struct(t);
		spin_lock(&pdev->as_lock);
		qpx->task = t;
		spin_unlock(&pdev->as_lock);
		wake_up_process(t);
	}
	return 0;

err:
	pnic_engine_stop(pdev);
	return rc;
}
