/*
 * Backpressure for tasks (asyncio.Semaphore, asyncio.Queue) and the
 * executor (loop_run_in_executor). The semaphore and the queue are built
 * on kernel wait queues: tasks suspend in them (await points), threads and
 * coroutines block or suspend, and release/put_nowait work from any
 * context.
 */
#pragma once

#include <coro/pool.h>
#include <kernel/sem.h>
#include <loop/future.h>
#include <stdint.h>

/* asyncio.Semaphore over a kernel semaphore: a released unit is handed to
 * the first waiter. */
struct loop_sem {
	struct sem sem;
};
void loop_sem_init(struct loop_sem *s, const char *name, unsigned count);
/* Task, coroutine or thread. 0 (acquired), -ETIMEDOUT, -ECANCELED (not
 * acquired). */
int loop_sem_acquire(struct loop_sem *s, uint64_t deadline);
/* Any context. */
void loop_sem_release(struct loop_sem *s);

/* A bounded FIFO of intptr_t (asyncio.Queue(maxsize)): put waits while
 * full, get while empty. */
struct loop_queue {
	struct wait_queue wq;		/* its lock guards the fields; want: PUT or GET */
	intptr_t *slots;
	unsigned cap, head, count;
	bool closed;
};
/* Thread or loop context. 0, -EINVAL (cap 0), -ENOMEM. */
int loop_queue_init(struct loop_queue *q, const char *name, unsigned cap);
void loop_queue_destroy(struct loop_queue *q);	/* no waiters left */
/* Task, coroutine or thread. 0, -ETIMEDOUT, -ECANCELED, -EPIPE (closed:
 * put always; get once drained). */
int loop_queue_put(struct loop_queue *q, intptr_t v, uint64_t deadline);
int loop_queue_get(struct loop_queue *q, intptr_t *v, uint64_t deadline);
/* Any context: -EAGAIN (full / empty), -EPIPE. */
int loop_queue_put_nowait(struct loop_queue *q, intptr_t v);
int loop_queue_get_nowait(struct loop_queue *q, intptr_t *v);
/* Any context: wake every waiter; puts fail from now on. */
void loop_queue_close(struct loop_queue *q);
unsigned loop_queue_count(struct loop_queue *q);

/*
 * The executor: fn(arg) on a kernel thread of the blocking-work pool
 * (coro/pool.h), its return value (LOOP_IS_ERR: an error) settling
 * w->fut, whose done callbacks run on l. Loop context or a thread.
 * 0, or -ENOMEM (no pool thread).
 */
struct loop_work {
	struct coro_job job;
	struct loop_future fut;
	struct loop *loop;
	intptr_t (*fn)(void *arg);
	void *arg;
};
int loop_run_in_executor(struct loop *l, struct loop_work *w, intptr_t (*fn)(void *arg), void *arg);

/*
 * Thread context (not the loop's thread): run fn(arg) in loop context on
 * l's next tick and wait for its return value (LOOP_IS_ERR: an error):
 * how code outside the loop calls loop-owned code (lwIP).
 */
int loop_call_sync(struct loop *l, intptr_t (*fn)(void *arg), void *arg, intptr_t *out);
