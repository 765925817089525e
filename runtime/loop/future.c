/*
 * Futures on the kernel wait queue (see loop/future.h).
 *
 * Settling a future wakes every waiter on its queue, whatever its kind: a
 * thread is made runnable, a coroutine or a task is queued on its worker
 * or loop, a done callback's handle on its loop. All of that is a
 * spinlock and a hand-over, so any context may settle a future.
 */
#include "loop_internal.h"
#include <errno.h>

void loop_future_init(struct loop_future *f, struct loop *l, const char *name)
{
	*f = (struct loop_future){ .loop = l };
	wait_queue_init(&f->wq, name ? name : "loop future");
}

static int settle(struct loop_future *f, uint8_t state, intptr_t result, int error)
{
	spin_lock(&f->wq.lock);
	if (f->state != LOOP_FUTURE_PENDING) {
		spin_unlock(&f->wq.lock);
		return -EINVAL;
	}
	f->result = result;
	f->error = error;
	__atomic_store_n(&f->state, state, __ATOMIC_RELEASE);
	wait_queue_wake_all(&f->wq, 0);
	spin_unlock(&f->wq.lock);
	return 0;
}

int loop_future_set_result(struct loop_future *f, intptr_t result)
{
	return settle(f, LOOP_FUTURE_DONE, result, 0);
}

int loop_future_set_error(struct loop_future *f, int error)
{
	if (error >= 0 || error < -LOOP_ERR_MAX)
		return -EINVAL;		/* not a negative errno: f stays as it is */
	if (error == -ECANCELED)
		return settle(f, LOOP_FUTURE_CANCELLED, 0, -ECANCELED);
	return settle(f, LOOP_FUTURE_DONE, 0, error);
}

bool loop_future_cancel(struct loop_future *f)
{
	if (f->task)
		return loop_task_cancel(f->task) == 0;
	return settle(f, LOOP_FUTURE_CANCELLED, 0, -ECANCELED) == 0;
}

bool loop_future_done(const struct loop_future *f)
{
	return __atomic_load_n(&f->state, __ATOMIC_ACQUIRE) != LOOP_FUTURE_PENDING;
}

int loop_future_result(struct loop_future *f, intptr_t *out)
{
	switch (__atomic_load_n(&f->state, __ATOMIC_ACQUIRE)) {
	case LOOP_FUTURE_PENDING:
		return -EAGAIN;
	case LOOP_FUTURE_CANCELLED:
		f->retrieved = true;
		return -ECANCELED;
	default:
		f->retrieved = true;
		if (f->error)
			return f->error;
		if (out)
			*out = f->result;
		return 0;
	}
}

int loop_await_until(struct loop_future *f, uint64_t deadline, intptr_t *out)
{
	spin_lock(&f->wq.lock);
	if (f->state == LOOP_FUTURE_PENDING && !task_current() && loop_current()) {
		/* A plain callback of a loop: blocking its thread would stop
		 * the loop that is to settle the future. */
		spin_unlock(&f->wq.lock);
		return -EDEADLK;
	}
	while (f->state == LOOP_FUTURE_PENDING) {
		int status = loop_wait_await(&f->wq, deadline, 0);
		if (status)
			return status;		/* -ETIMEDOUT, -ECANCELED: the lock is released */
		spin_lock(&f->wq.lock);
	}
	spin_unlock(&f->wq.lock);
	return loop_future_result(f, out);
}

/* --- done callbacks ----------------------------------------------------------- */

static void done_run(void *arg)
{
	struct loop_done_cb *cb = arg;
	cb->fn(cb->fut, cb->arg);
}

int loop_future_add_done(struct loop_future *f, struct loop_done_cb *cb,
			 void (*fn)(struct loop_future *f, void *arg), void *arg)
{
	if (!f->loop || !fn)
		return -EINVAL;
	future_add_done_on(f, f->loop, cb, fn, arg);
	return 0;
}

void future_add_done_on(struct loop_future *f, struct loop *l, struct loop_done_cb *cb,
			void (*fn)(struct loop_future *f, void *arg), void *arg)
{
	cb->fut = f;
	cb->fn = fn;
	cb->arg = arg;
	spin_lock(&f->wq.lock);
	loop_waiter_add(&f->wq, &cb->lw, l, done_run, cb, 0);
	cb->lw.handle.name = "done callback";
	if (f->state != LOOP_FUTURE_PENDING)
		wait_queue_wake(&f->wq, &cb->lw.waiter, 0);	/* done already: next tick */
	spin_unlock(&f->wq.lock);
}

bool loop_future_remove_done(struct loop_future *f, struct loop_done_cb *cb)
{
	return loop_waiter_cancel(&f->wq, &cb->lw);
}
