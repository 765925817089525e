/*
 * The event loop: asyncio's loop on one kernel thread (docs/loop.md).
 *
 * A loop runs callbacks (handles), timers, interrupt sources and tasks
 * (coroutines bound to it, loop/task.h) on the one thread that called
 * loop_run_forever(). Each tick runs the ready queue as it stood when the
 * tick began: what a callback schedules runs on the next tick. With
 * nothing ready the loop thread sleeps on a semaphore until the next timer
 * deadline or until another context hands it work: no polling.
 *
 * Calling contexts, used on every prototype below:
 *  - "loop context": a callback or task step of this loop, on its thread
 *    (or the loop's owner thread while it is not running). Loop-owned state
 *    is touched without locks there.
 *  - "any context": any thread, coroutine, task or interrupt handler, on
 *    any CPU, spinlocks held or not.
 *
 * Handles are the caller's memory (as kernel timers are): a handle is
 * pending from scheduling until its callback starts, and may be scheduled
 * again from then on, its own callback included.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/timerq.h>
#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_future;

typedef void loop_fn(void *arg);

enum loop_handle_state {
	LOOP_HANDLE_IDLE,	/* not scheduled (zeroed) */
	LOOP_HANDLE_READY,	/* on the ready queue */
	LOOP_HANDLE_TIMER,	/* in the timer heap */
	LOOP_HANDLE_INCOMING,	/* handed over by another context, not yet taken */
};

/* Start zeroed. */
struct loop_handle {
	struct list_node node;		/* ready or incoming queue */
	struct timerq_entry timer;	/* in the timer heap: deadline */
	loop_fn *fn;
	void *arg;
	const char *name;		/* the callback's C name, for debug mode */
	struct loop *loop;
	uint8_t state;			/* enum loop_handle_state */
};

/* Thread context. Make a loop (not yet running): 0, -ENOMEM. */
int loop_create(struct loop **out, const char *name);
/* Thread context, the loop not running: free it. -EBUSY (and a warning
 * naming them) while any task of it has not ended or executor work for it
 * is outstanding; in debug mode, warns of
 * every ended task whose result was never retrieved. */
int loop_close(struct loop *l);

/* Thread context (not a coroutine, not a task): run ticks on the calling
 * thread until loop_stop(). -EBUSY if the loop already runs. */
int loop_run_forever(struct loop *l);
/* Thread context: run l until f is done (asyncio's run_until_complete).
 * f's result as loop_future_result() gives it; -EAGAIN if the loop was
 * stopped first; -EBUSY. */
int loop_run_until_complete(struct loop *l, struct loop_future *f, intptr_t *out);
/* Any context: the running loop finishes its tick, then run_forever
 * returns. Before run_forever: its first tick is also its last. */
void loop_stop(struct loop *l);
bool loop_is_running(const struct loop *l);
/* Any context: the loop whose thread, or task, is running here (an
 * interrupt handler gets the loop of the thread it interrupted), or NULL. */
struct loop *loop_current(void);
const char *loop_name(const struct loop *l);
/* Any context. The loop's clock: time_now(). */
uint64_t loop_time(void);

/*
 * Loop context. Schedule fn(arg) on h: next tick (soon), at a deadline
 * (at, time_now() clock), or after delay_ns (later). Timers never fire
 * early; timers with the same deadline fire in an unspecified order. The
 * macros record the callback's C name for debug mode.
 * -EBUSY: h is pending already.
 */
int loop_call_soon_named(struct loop *l, struct loop_handle *h, loop_fn *fn, void *arg,
			 const char *name);
int loop_call_at_named(struct loop *l, struct loop_handle *h, uint64_t deadline, loop_fn *fn,
		       void *arg, const char *name);
#define loop_call_soon(l, h, fn, arg) loop_call_soon_named(l, h, fn, arg, #fn)
#define loop_call_at(l, h, deadline, fn, arg) loop_call_at_named(l, h, deadline, fn, arg, #fn)
#define loop_call_later(l, h, delay_ns, fn, arg)                                               \
	loop_call_at_named(l, h, loop_time() + (delay_ns), fn, arg, #fn)
/* Loop context (of h's loop). Unschedule h; true if it was pending. */
bool loop_handle_cancel(struct loop_handle *h);
static inline bool loop_handle_pending(const struct loop_handle *h)
{
	return __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) != LOOP_HANDLE_IDLE;
}

/*
 * Any context, an interrupt handler included: schedule fn(arg) on h for
 * the loop's next tick, waking the loop if it sleeps. -EBUSY: h is pending
 * already (nothing changes: a second request while the first waits is the
 * same request).
 */
int loop_call_soon_threadsafe_named(struct loop *l, struct loop_handle *h, loop_fn *fn, void *arg,
				    const char *name);
#define loop_call_soon_threadsafe(l, h, fn, arg) loop_call_soon_threadsafe_named(l, h, fn, arg, #fn)

/*
 * Interrupt sources. A device's interrupt handler calls loop_source_signal()
 * (one atomic exchange while already pending); the loop runs fn(src) on
 * its next tick, in loop context. A signal that arrives while fn runs
 * makes it run once more. virtio-net: the handler masks the queue and
 * calls netdev->notify -> loop_source_signal; fn drains the ring,
 * re-enables the queue interrupt and checks the ring once more.
 */
struct loop_source {
	struct loop_handle handle;
	void (*fn)(struct loop_source *src);
	void *arg;			/* the owner's */
	struct loop *loop;
	bool pending;
	uint64_t signals, runs;		/* counted: signal calls, callback runs */
};
/* Thread or loop context: attach src to l with its callback. */
void loop_source_init(struct loop_source *src, struct loop *l, void (*fn)(struct loop_source *src),
		      void *arg);
/* Any context, an interrupt handler included. */
void loop_source_signal(struct loop_source *src);
/* Loop context: detach src (its interrupt already disabled); a pending
 * run is dropped. */
void loop_source_remove(struct loop_source *src);

/*
 * Debug mode (asyncio's): a warning naming any callback or task step that
 * holds the loop longer than slow_ns (0: 100 ms), and at loop_close() one
 * for every task whose result was never retrieved. Warnings go to the
 * console, or to warn(l, text, arg) if set. Thread or loop context.
 */
void loop_set_debug(struct loop *l, bool on, uint64_t slow_ns);
void loop_set_warn(struct loop *l, void (*warn)(struct loop *l, const char *text, void *arg),
		   void *arg);

struct loop_stats {
	uint64_t ticks, callbacks, timers_fired, threadsafe_calls, sleeps;
	uint64_t slow_callbacks;	/* debug mode reports */
	uint64_t tasks_spawned, tasks_ended;
};
/* Loop context, or any thread for a glance (not locked). */
void loop_get_stats(const struct loop *l, struct loop_stats *out);

/*
 * The third kind of waiter on the kernel's wait queue (kernel/wait.h): a
 * loop callback. When a waker hands it a status (any context, any CPU),
 * fn(arg) is scheduled on l's next tick, lw->waiter.status holding what the
 * waker handed over. Futures' done callbacks are built on it; any object on
 * a wait queue whose wake needs no caller identity (a semaphore unit, an
 * event) can be waited on by a callback the same way.
 */
#include <kernel/wait.h>

struct loop_waiter {
	struct waiter waiter;
	struct loop_handle handle;
};
/* wq->lock held; lw not queued or pending. */
void loop_waiter_add(struct wait_queue *wq, struct loop_waiter *lw, struct loop *l, loop_fn *fn,
		     void *arg, uintptr_t want);
/* Loop context, wq->lock not held: take lw back whether it is still queued
 * or already woken; true if its callback had not run yet. */
bool loop_waiter_cancel(struct wait_queue *wq, struct loop_waiter *lw);
