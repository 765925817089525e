/*
 * Wait queues (see kernel/wait.h).
 *
 * A thread waiter lives on its thread's stack for the duration of the wait.
 * A timeout is the thread's own timer; it takes the queue lock and removes
 * the waiter only if no waker got there first, so exactly one of them
 * decides the status. The thread cancels the timer (waiting out a running
 * timer function) before its waiter goes out of scope.
 */
#include <errno.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/wait.h>

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT(name);
	list_init(&wq->waiters);
	wq->count = 0;
}

/* After the last waiter at least as urgent: searched from the tail, so
 * the usual case (all equal) is one step however long the queue is. */
static void insert_by_prio(struct wait_queue *wq, struct waiter *w)
{
	struct list_node *n = wq->waiters.prev;
	while (n != &wq->waiters && list_entry(n, struct waiter, node)->prio < w->prio)
		n = n->prev;
	list_insert_before(n->next, &w->node);
}

void wait_queue_add(struct wait_queue *wq, struct waiter *w)
{
	insert_by_prio(wq, w);
	wq->count++;
}

bool wait_queue_remove(struct wait_queue *wq, struct waiter *w)
{
	if (!list_linked(&w->node))
		return false;
	list_remove(&w->node);
	wq->count--;
	return true;
}

void wait_queue_wake(struct wait_queue *wq, struct waiter *w, int status)
{
	wait_queue_remove(wq, w);
	w->status = status;
	if (w->ops)
		w->ops->wake(w);
	else
		sched_wake(w->thread);
}

unsigned wait_queue_wake_all(struct wait_queue *wq, int status)
{
	unsigned n = 0;
	struct waiter *w;
	while ((w = wait_queue_first(wq))) {
		wait_queue_wake(wq, w, status);
		n++;
	}
	return n;
}

void wait_queue_reorder(struct wait_queue *wq, struct waiter *w, unsigned prio)
{
	w->prio = prio;
	if (!list_linked(&w->node))
		return;
	list_remove(&w->node);
	insert_by_prio(wq, w);
}

static void wait_timed_out(struct timer *tm)
{
	struct thread *t = container_of(tm, struct thread, timer);
	struct wait_queue *wq = __atomic_load_n(&t->waiting_on, __ATOMIC_ACQUIRE);
	spin_lock(&wq->lock);
	struct waiter *w = t->waiting;
	if (w && wait_queue_remove(wq, w)) {
		w->status = -ETIMEDOUT;
		sched_wake(t);
	}
	spin_unlock(&wq->lock);
}

/* The bodies of wait_queue_block()'s two steps, inline in it: a blocking
 * call is on every hand-off between threads. */
static inline void enqueue_self(struct wait_queue *wq, struct waiter *w, uintptr_t want,
				bool thread_only)
{
	struct thread *t = thread_current();
	if (!spin_held(&wq->lock))
		panic("wait_queue: '%s' lock not held by the caller", wq->lock.name);
	*w = (struct waiter){ .thread = t, .prio = t->prio, .status = 0, .want = want };
	list_init(&w->node);
	wait_queue_add(wq, w);
	if (t->ctx && !thread_only) {
		/* A coroutine waits, not the thread: the thread's own wait
		 * state (timeouts, priority inheritance) stays out of it. */
		w->ctx = t->ctx;
		w->ops = &t->ctx->ops->waiter;
		return;
	}
	t->waiting = w;
	t->waiting_on = wq;
}

static inline int sleep_on(struct wait_queue *wq, struct waiter *w, uint64_t deadline)
{
	if (w->ctx)
		return w->ctx->ops->park(wq, w, deadline);
	struct thread *t = thread_current();
	struct thread_block_hook *hook = t->block_hook;	/* the one place a thread blocks */
	if (hook)
		hook->before(hook);
	if (deadline != WAIT_FOREVER)
		timer_arm(&t->timer, deadline, wait_timed_out);
	t->state = THREAD_BLOCKED;
	sched_block(&wq->lock);
	if (deadline != WAIT_FOREVER)
		timer_cancel(&t->timer);
	t->waiting = NULL;
	t->waiting_on = NULL;
	if (hook)
		hook->after(hook);	/* the wait is over: it may block again */
	return w->status;
}

void wait_queue_enqueue_self(struct wait_queue *wq, struct waiter *w, uintptr_t want)
{
	enqueue_self(wq, w, want, false);
}

int wait_queue_sleep(struct wait_queue *wq, struct waiter *w, uint64_t deadline)
{
	return sleep_on(wq, w, deadline);
}

int wait_queue_block(struct wait_queue *wq, uint64_t deadline, uintptr_t want)
{
	struct waiter w;
	enqueue_self(wq, &w, want, false);
	return sleep_on(wq, &w, deadline);
}

int wait_queue_block_thread(struct wait_queue *wq, uint64_t deadline, uintptr_t want)
{
	struct waiter w;
	enqueue_self(wq, &w, want, true);
	return sleep_on(wq, &w, deadline);
}
