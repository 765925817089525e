/*
 * Backpressure (semaphore, bounded queue), the executor, and calling into
 * the loop from outside it. All waits go through loop_wait_await(), so in
 * a task they are await points.
 */
#include "loop_internal.h"
#include <errno.h>
#include <kernel/sched.h>
#include <loop/sync.h>
#include <stdlib.h>

void loop_sem_init(struct loop_sem *s, const char *name, unsigned count)
{
	sem_init(&s->sem, name, count);
}

int loop_sem_acquire(struct loop_sem *s, uint64_t deadline)
{
	struct loop_task *t = task_current();
	if (t && t->cancel_pending) {
		t->cancel_pending = false;
		return -ECANCELED;
	}
	spin_lock(&s->sem.wq.lock);
	if (s->sem.count > 0) {
		s->sem.count--;
		spin_unlock(&s->sem.wq.lock);
		return 0;
	}
	/* sem_post() hands the unit over with status 0; a timeout or a cancel
	 * takes the waiter off the queue first, so no unit is lost. */
	return loop_wait_await(&s->sem.wq, deadline, 0);
}

void loop_sem_release(struct loop_sem *s) { sem_post(&s->sem); }

/* --- the bounded queue ------------------------------------------------------------- */

enum { WANT_PUT = 1, WANT_GET = 2 };

int loop_queue_init(struct loop_queue *q, const char *name, unsigned cap)
{
	if (!cap)
		return -EINVAL;
	*q = (struct loop_queue){ .cap = cap };
	wait_queue_init(&q->wq, name);
	q->slots = calloc(cap, sizeof *q->slots);
	return q->slots ? 0 : -ENOMEM;
}

void loop_queue_destroy(struct loop_queue *q)
{
	free(q->slots);
	q->slots = NULL;
}

/* q->wq.lock held: wake the first waiter that wants `want`. */
static void wake_first(struct loop_queue *q, uintptr_t want)
{
	struct list_node *n;
	list_for_each(n, &q->wq.waiters) {
		struct waiter *w = list_entry(n, struct waiter, node);
		if (w->want == want) {
			wait_queue_wake(&q->wq, w, 0);
			return;
		}
	}
}

/* q->wq.lock held: -EAGAIN, -EPIPE or 0 with v queued. */
static int try_put(struct loop_queue *q, intptr_t v)
{
	if (q->closed)
		return -EPIPE;
	if (q->count == q->cap)
		return -EAGAIN;
	q->slots[(q->head + q->count++) % q->cap] = v;
	wake_first(q, WANT_GET);
	return 0;
}

static int try_get(struct loop_queue *q, intptr_t *v)
{
	if (!q->count)
		return q->closed ? -EPIPE : -EAGAIN;
	*v = q->slots[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	wake_first(q, WANT_PUT);
	return 0;
}

/* Try, and wait for a turn while the answer is -EAGAIN. */
static int queue_op(struct loop_queue *q, intptr_t *v, uintptr_t want, uint64_t deadline)
{
	struct loop_task *t = task_current();
	if (t && t->cancel_pending) {
		t->cancel_pending = false;
		return -ECANCELED;
	}
	spin_lock(&q->wq.lock);
	for (;;) {
		int err = want == WANT_PUT ? try_put(q, *v) : try_get(q, v);
		if (err != -EAGAIN) {
			spin_unlock(&q->wq.lock);
			return err;
		}
		if ((err = loop_wait_await(&q->wq, deadline, want)))
			return err;
		spin_lock(&q->wq.lock);
	}
}

int loop_queue_put(struct loop_queue *q, intptr_t v, uint64_t deadline)
{
	return queue_op(q, &v, WANT_PUT, deadline);
}

int loop_queue_get(struct loop_queue *q, intptr_t *v, uint64_t deadline)
{
	return queue_op(q, v, WANT_GET, deadline);
}

int loop_queue_put_nowait(struct loop_queue *q, intptr_t v)
{
	spin_lock(&q->wq.lock);
	int err = try_put(q, v);
	spin_unlock(&q->wq.lock);
	return err;
}

int loop_queue_get_nowait(struct loop_queue *q, intptr_t *v)
{
	spin_lock(&q->wq.lock);
	int err = try_get(q, v);
	spin_unlock(&q->wq.lock);
	return err;
}

void loop_queue_close(struct loop_queue *q)
{
	spin_lock(&q->wq.lock);
	q->closed = true;
	wait_queue_wake_all(&q->wq, 0);		/* each looks again and sees -EPIPE */
	spin_unlock(&q->wq.lock);
}

unsigned loop_queue_count(struct loop_queue *q) { return __atomic_load_n(&q->count, __ATOMIC_RELAXED); }

/* --- the executor -------------------------------------------------------------------- */

static void *work_run(void *arg)
{
	struct loop_work *w = arg;
	return (void *)w->fn(w->arg);
}

/* On the pool thread. */
static void work_done(struct coro_job *j)
{
	struct loop_work *w = container_of(j, struct loop_work, job);
	struct loop *l = w->loop;
	intptr_t r = (intptr_t)j->result;
	if (LOOP_IS_ERR(r))
		loop_future_set_error(&w->fut, (int)r);
	else
		loop_future_set_result(&w->fut, r);
	/* w may be gone now (its future was awaited); l is not: shutdown
	 * waits for this count. */
	__atomic_fetch_sub(&l->executor_jobs, 1, __ATOMIC_RELEASE);
	loop_wakeup(l);
}

int loop_run_in_executor(struct loop *l, struct loop_work *w, intptr_t (*fn)(void *arg), void *arg)
{
	*w = (struct loop_work){ .loop = l, .fn = fn, .arg = arg,
				 .job = { .fn = work_run, .arg = w, .done = work_done } };
	loop_future_init(&w->fut, l, "loop executor");
	__atomic_fetch_add(&l->executor_jobs, 1, __ATOMIC_RELAXED);
	int err = coro_pool_submit(&w->job);
	if (err)
		__atomic_fetch_sub(&l->executor_jobs, 1, __ATOMIC_RELAXED);
	return err;
}

/* --- calling into the loop from outside ------------------------------------------------ */

struct sync_call {
	struct loop_handle h;
	struct loop_future fut;
	intptr_t (*fn)(void *arg);
	void *arg;
};

static void sync_call_run(void *arg)
{
	struct sync_call *c = arg;
	intptr_t r = c->fn(c->arg);
	if (LOOP_IS_ERR(r))
		loop_future_set_error(&c->fut, (int)r);
	else
		loop_future_set_result(&c->fut, r);
}

int loop_call_sync(struct loop *l, intptr_t (*fn)(void *arg), void *arg, intptr_t *out)
{
	if (loop_current() == l)
		return -EDEADLK;	/* from the loop itself: just call fn */
	struct sync_call c = { .fn = fn, .arg = arg };
	loop_future_init(&c.fut, NULL, "loop call");
	loop_call_soon_threadsafe(l, &c.h, sync_call_run, &c);
	return loop_await(&c.fut, out);
}
