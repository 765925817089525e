/*
 * Futures: a result (intptr_t), an error (a negative errno) or a
 * cancellation, set once. A future is built on one kernel wait queue, so
 * threads (block), coroutines (suspend), tasks (suspend) and loop
 * callbacks (done callbacks) wait on the same future at once, on any CPU.
 *
 * Where each call may be made:
 *  - set_result, set_error, cancel (of a plain future), done, result,
 *    add_done: any context, an interrupt handler included (a spinlock and
 *    wake-ups, never a block);
 *  - loop_await*: a thread, a coroutine or a task (not an interrupt
 *    handler, not a plain loop callback, no spinlock held);
 *  - remove_done, and cancel of a task's future: loop context.
 */
#pragma once

#include <loop/loop.h>
#include <kernel/wait.h>
#include <stdbool.h>
#include <stdint.h>

struct loop_task;

/* A task's return value or a result that is an error: -4095..-1, the
 * kernel's error-pointer convention. */
#define LOOP_ERR_MAX 4095
#define LOOP_IS_ERR(v) ((uintptr_t)(intptr_t)(v) >= (uintptr_t)-LOOP_ERR_MAX)

enum loop_future_state {
	LOOP_FUTURE_PENDING,
	LOOP_FUTURE_DONE,		/* a result or an error */
	LOOP_FUTURE_CANCELLED,
};

struct loop_future {
	struct wait_queue wq;		/* its lock guards the fields below */
	struct loop *loop;		/* where done callbacks run */
	struct loop_task *task;		/* a task's own future: cancel cancels it */
	intptr_t result;
	int error;
	uint8_t state;			/* enum loop_future_state */
	bool retrieved;			/* result() or an await has read it */
};

/* Any context. l: where its done callbacks run (NULL: none allowed). */
void loop_future_init(struct loop_future *f, struct loop *l, const char *name);
/* Any context. 0, or -EINVAL when f is already done (nothing changes). */
int loop_future_set_result(struct loop_future *f, intptr_t result);
/* error: a negative errno (-4095..-1), else -EINVAL. */
int loop_future_set_error(struct loop_future *f, int error);
/* Any context for a plain future (true if it was pending); loop context
 * for a task's future, where it asks the task to cancel (loop_task_cancel). */
bool loop_future_cancel(struct loop_future *f);
bool loop_future_done(const struct loop_future *f);
/* Any context. 0 and *out (if out) for a result; the error; -ECANCELED;
 * -EAGAIN while pending. */
int loop_future_result(struct loop_future *f, intptr_t *out);

/*
 * A thread blocks, a coroutine or a task suspends, until f is done or the
 * deadline (time_now() clock) passes. 0 and *out, f's error, -ECANCELED (f
 * was cancelled, or the awaiting task was: see loop_task_cancel), or
 * -ETIMEDOUT (f is still pending).
 */
int loop_await_until(struct loop_future *f, uint64_t deadline, intptr_t *out);
static inline int loop_await(struct loop_future *f, intptr_t *out)
{
	return loop_await_until(f, WAIT_FOREVER, out);
}

/* Done callbacks: fn(f, arg) on f's loop with call_soon semantics once f
 * is done (at once, next tick, if it already is), in the order added. */
struct loop_done_cb {
	struct loop_waiter lw;
	struct loop_future *fut;
	void (*fn)(struct loop_future *f, void *arg);
	void *arg;
};
/* Any context. -EINVAL if f has no loop. */
int loop_future_add_done(struct loop_future *f, struct loop_done_cb *cb,
			 void (*fn)(struct loop_future *f, void *arg), void *arg);
/* Loop context: cb will not run; true if it had not run yet. */
bool loop_future_remove_done(struct loop_future *f, struct loop_done_cb *cb);
