/*
 * Coroutines as waiters on the kernel's wait queue: the kernel's view of a
 * coroutine (struct exec_ctx) and how it parks.
 *
 * wait_queue_block() called in a coroutine queues a waiter for it and calls
 * coro_park() instead of blocking the worker thread: the coroutine
 * suspends, its worker releases the wait queue's lock once off the
 * coroutine's stack, and a waker (any CPU, any kind of caller, an interrupt
 * handler included) queues it on its worker again through coro_wake().
 * A deadline is a timer on the coroutine's stack, as for threads.
 */
#include "coro_internal.h"
#include <errno.h>
#include <kernel/timer.h>

static void coro_wake(struct waiter *w)
{
	struct coro *c = (struct coro *)w->ctx;
	coro_make_ready(c->worker, c);
}

struct park_timeout {
	struct timer timer;
	struct wait_queue *wq;
	struct waiter *w;
};

static void park_timed_out(struct timer *t)
{
	struct park_timeout *pt = container_of(t, struct park_timeout, timer);
	spin_lock(&pt->wq->lock);
	if (wait_queue_remove(pt->wq, pt->w)) {
		pt->w->status = -ETIMEDOUT;
		coro_wake(pt->w);
	}
	spin_unlock(&pt->wq->lock);
}

/* A park with a deadline: the timer lives in this frame, apart from the
 * untimed park, which keeps small stacks small. */
static __attribute__((noinline)) void park_until(struct wait_queue *wq, struct waiter *w,
						 uint64_t deadline)
{
	struct park_timeout pt = { .wq = wq, .w = w };
	timer_arm(&pt.timer, deadline, park_timed_out);
	coro_suspend(CORO_PARKED, &wq->lock);
	timer_cancel(&pt.timer);
}

static int coro_park(struct wait_queue *wq, struct waiter *w, uint64_t deadline)
{
	struct coro *c = (struct coro *)w->ctx;
	if (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CF_CANCELLABLE) {
		c->waiting = w;
		__atomic_store_n(&c->waiting_on, wq, __ATOMIC_RELAXED);
		/* Pairs with the fence in coro_cancel(). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CF_CANCEL) {
			wait_queue_remove(wq, w);
			spin_unlock(&wq->lock);
			return -ECANCELED;
		}
	}
	if (deadline == WAIT_FOREVER)
		coro_suspend(CORO_PARKED, &wq->lock);
	else
		park_until(wq, w, deadline);
	return w->status;
}

static const char *coro_ctx_name(const struct exec_ctx *x) { return ((const struct coro *)x)->name; }

static bool coro_in_guard(const struct exec_ctx *x, uintptr_t addr)
{
	return coro_stack_in_guard((const struct coro *)x, addr);
}

const struct exec_ctx_ops coro_ctx_ops = {
	.waiter = { .wake = coro_wake },
	.park = coro_park,
	.name = coro_ctx_name,
	.in_guard = coro_in_guard,
};
