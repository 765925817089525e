/*
 * The wait queue: the one blocking primitive. Mutexes, semaphores, condition
 * variables, event flags, joins, and later futures, channels and sockets
 * all park their waiters here.
 *
 * A waiter is one of three kinds, told apart by `ops`:
 *  - a kernel thread (ops NULL): it blocks and the scheduler runs another;
 *  - a coroutine or a loop task (ops set by those layers, through struct
 *    exec_ctx below): the wake function queues it on its worker or loop;
 *  - a loop callback (struct loop_waiter, runtime/include/loop/loop.h):
 *    the wake function queues a handle on its loop's ready queue, so the
 *    callback runs on the loop's thread on its next tick.
 * A thread that is running another layer's context (a coroutine: see
 * struct exec_ctx) gets a waiter of that context's kind from
 * wait_queue_block(), so every object built on the queue parks coroutines
 * without knowing about them.
 * A waker hands each waiter a status (0, -ETIMEDOUT, -ECANCELED, or an
 * object-specific value) and never needs to know which kind it woke.
 *
 * Waiters are kept in priority order (higher first), FIFO among equals.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stdint.h>

struct thread;
struct waiter;
struct wait_queue;

struct waiter_ops {
	/* Called with the queue's lock held, the waiter already removed and
	 * its status set. Must not block. */
	void (*wake)(struct waiter *w);
};

/*
 * A context that runs on a thread without being one (a coroutine). The
 * layer that runs it points thread->ctx at it while it runs; waits then
 * park it instead of blocking the thread, and fault reports name it.
 */
struct exec_ctx {
	const struct exec_ctx_ops *ops;
};

struct exec_ctx_ops {
	struct waiter_ops waiter;	/* how its waiters are woken */
	/* wq->lock held (the caller's only spinlock), w queued for the
	 * running context: suspend it until woken or the deadline passes
	 * (-ETIMEDOUT), releasing wq->lock. Returns w->status. */
	int (*park)(struct wait_queue *wq, struct waiter *w, uint64_t deadline);
	const char *(*name)(const struct exec_ctx *x);
	/* For fault reports: does addr lie in x's stack guard page? */
	bool (*in_guard)(const struct exec_ctx *x, uintptr_t addr);
};

struct waiter {
	struct list_node node;
	const struct waiter_ops *ops;	/* NULL: a kernel thread */
	struct thread *thread;		/* for thread waiters */
	struct exec_ctx *ctx;		/* the context that waits, or NULL */
	unsigned prio;			/* queue order */
	int status;			/* what the waker handed over */
	uintptr_t want;			/* object-specific (event bits, ...) */
};

struct wait_queue {
	struct spinlock lock;
	struct list_node waiters;
	unsigned count;
};

#define WAIT_QUEUE_INIT(wq, n) { .lock = SPINLOCK_INIT(n), .waiters = LIST_INIT((wq).waiters), .count = 0 }
void wait_queue_init(struct wait_queue *wq, const char *name);

/* Deadlines are time_now() values; WAIT_FOREVER never times out. */
#define WAIT_FOREVER UINT64_MAX

/*
 * Thread context, wq->lock held (taken by the caller, who has checked the
 * condition it waits for under that lock). Queue the calling thread, release
 * wq->lock and block until a waker hands over a status or the deadline
 * passes (-ETIMEDOUT). Returns with wq->lock released.
 */
int wait_queue_block(struct wait_queue *wq, uint64_t deadline, uintptr_t want);
/* The same, but the calling thread itself blocks even while it runs a
 * coroutine: for the thread-level calls (thread_sleep). */
int wait_queue_block_thread(struct wait_queue *wq, uint64_t deadline, uintptr_t want);

/* wait_queue_block() in two steps, for objects that must act between
 * queueing and sleeping (a mutex lends its priority to the owner then).
 * w lives on the caller's stack; wq->lock is held for both calls, and
 * wait_queue_sleep() releases it. */
void wait_queue_enqueue_self(struct wait_queue *wq, struct waiter *w, uintptr_t want);
int wait_queue_sleep(struct wait_queue *wq, struct waiter *w, uint64_t deadline);

/* Queue a waiter of another kind (coroutine, callback). wq->lock held. */
void wait_queue_add(struct wait_queue *wq, struct waiter *w);
/* wq->lock held: remove w if it is still queued; returns whether it was. */
bool wait_queue_remove(struct wait_queue *wq, struct waiter *w);

/* wq->lock held. The first waiter, or NULL. */
static inline struct waiter *wait_queue_first(struct wait_queue *wq)
{
	return list_empty(&wq->waiters) ? NULL : list_entry(wq->waiters.next, struct waiter, node);
}
/* wq->lock held. Remove w, give it status and wake it. */
void wait_queue_wake(struct wait_queue *wq, struct waiter *w, int status);
/* wq->lock held. Wake the first waiter / all of them; returns how many. */
static inline unsigned wait_queue_wake_one(struct wait_queue *wq, int status)
{
	struct waiter *w = wait_queue_first(wq);
	if (!w)
		return 0;
	wait_queue_wake(wq, w, status);
	return 1;
}
unsigned wait_queue_wake_all(struct wait_queue *wq, int status);
/* wq->lock held: move w to its place for a new priority. */
void wait_queue_reorder(struct wait_queue *wq, struct waiter *w, unsigned prio);
