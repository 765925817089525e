/*
 * Coroutines (green threads): stackful, cooperative, scheduled M:N over
 * worker kernel threads, one per CPU by default, with work stealing.
 *
 * A coroutine runs until it suspends: coro_yield(), coro_sleep(), a join,
 * a channel or wait-group wait, or any kernel wait (mutex, semaphore, event
 * flags, condition variable, thread join), which parks the coroutine and
 * lets its worker run the next one instead of blocking the worker. The
 * same object can be waited on by threads and coroutines at once.
 *
 * Cancellation (coro_cancel) is delivered at the next cancellation point:
 * coro_yield, coro_sleep, coro_join, channel operations and wg_wait. Kernel
 * waits (mutex, semaphore, ...) are not cancellation points, as in POSIX:
 * a cancelled coroutine blocked there is cancelled at its next cancellation
 * point. Delivery runs the cleanup handlers (coro_cleanup_push), newest
 * first, then the coroutine ends with the result CORO_CANCELED.
 *
 * errno and the rest of newlib's per-thread state belong to the worker
 * thread: coroutines on one worker share them. Read errno before the next
 * suspension point.
 *
 * Unless stated, functions may be called from a coroutine or a thread, not
 * from an interrupt handler, with no spinlock held.
 */
#pragma once

#include <kernel/wait.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* A coroutine's memory, its control block (128 bytes at most) included;
 * sizes round up to the pool's next class (512, 640, 768, 1024 bytes, then
 * powers of two). From 8 KiB up a stack also gets an unmapped guard page
 * (not counted); smaller ones are checked by a canary whenever the
 * coroutine suspends. */
#define CORO_STACK_DEFAULT 4096u
#define CORO_STACK_MIN 512u
#define CORO_STACK_MAX (1u << 20)
#define CORO_NAME_MAX 16
#define CORO_LOCALS_MAX 8		/* coroutine-local keys */
#define CORO_CANCELED ((void *)-1)	/* the result of a cancelled coroutine */
#define CORO_ANY_WORKER (-1)

struct coro;
struct coro_worker;

struct coro_attr {
	const char *name;	/* copied (cut to CORO_NAME_MAX - 1); NULL: "coro" */
	size_t stack_size;	/* bytes in all (see above); 0: CORO_STACK_DEFAULT */
	int worker;		/* start on this worker; CORO_ANY_WORKER: the
				 * caller's own worker, or the next one round robin */
	bool pinned;		/* never stolen by another worker */
	bool detached;		/* freed when it ends; cannot be joined */
	bool transfer;		/* created suspended, pinned to the caller's
				 * worker, run only by coro_transfer() */
};

/* Before any coroutine: start the default scheduler with `workers` worker
 * threads (0: one per online CPU), worker i pinned to CPU i % CPUs. Called
 * by the first coro_spawn() otherwise. -EBUSY if already started, -ENOMEM. */
int coro_sched_start(unsigned workers);
unsigned coro_worker_count(void);

/* Create a coroutine running fn(arg). 0 and the handle in *out (NULL for a
 * detached one), -EINVAL for a bad attribute, -ENOMEM for no memory. */
int coro_spawn(struct coro **out, const struct coro_attr *attr, void *(*fn)(void *), void *arg);

/*
 * Run fn(arg) as a coroutine on a single-threaded scheduler that lives on
 * the calling thread (the asyncio.run() shape): it and every coroutine it
 * spawns run only on this thread, and coro_run() returns fn's result once
 * all of them have ended. Thread context, not inside a coroutine.
 */
void *coro_run(void *(*fn)(void *), void *arg, size_t stack_size);

/* End the calling coroutine with a result for coro_join(). Returning from
 * fn does the same. Coroutine only. */
noreturn void coro_exit(void *result);
/* Wait for c to end, take its result (may be NULL) and free it. 0, or
 * -EINVAL (detached, or the caller itself), -ETIMEDOUT (timed form: c is
 * still running and still joinable), -ECANCELED (the caller was cancelled
 * while waiting; it does not return then if it is a coroutine). */
int coro_join(struct coro *c, void **result);
int coro_join_timeout(struct coro *c, void **result, uint64_t timeout_ns);
/* Free c when it ends (at once if it has). -EINVAL if already detached. */
int coro_detach(struct coro *c);
/* Ask c to end at its next cancellation point; wakes it if it is waiting at
 * one. 0, or -ESRCH if it has already ended. */
int coro_cancel(struct coro *c);

/* The calling coroutine, or NULL in a plain thread. Any context. */
struct coro *coro_self(void);
const char *coro_name(const struct coro *c);
/* Let the other ready coroutines of this worker run; a cancellation point.
 * In a plain thread: thread_yield(). */
void coro_yield(void);
/* Suspend for at least ns; a cancellation point. 0, or -ECANCELED (a
 * thread caller only: a coroutine does not return). In a plain thread:
 * the thread sleeps. */
int coro_sleep(uint64_t ns);
int coro_sleep_until(uint64_t deadline);

/*
 * Symmetric transfer (greenlet's switch()): suspend the caller and resume
 * target at once, on this worker, without the run queue. target was
 * created with attr.transfer on this worker, or suspended itself with
 * coro_transfer(). When a transfer coroutine ends, its creator is resumed
 * if it is suspended in a transfer. Coroutine only; panics on a target in
 * another state.
 */
void coro_transfer(struct coro *target);

/* Cleanup handlers, run newest first when the coroutine is cancelled (not
 * when it exits normally). The record lives in the caller's frame, and the
 * pop must happen in the same function as its push. */
struct coro_cleanup {
	void (*fn)(void *arg);
	void *arg;
	struct coro_cleanup *next;
};
void coro_cleanup_push(struct coro_cleanup *rec, void (*fn)(void *), void *arg);
/* Remove the newest handler; run it too if run is true. */
void coro_cleanup_pop(bool run);

/* Coroutine-local storage: up to CORO_LOCALS_MAX keys, each with an
 * optional destructor run at the coroutine's end for a non-NULL value. */
typedef unsigned coro_key_t;
/* 0 and a key, or -EAGAIN when every key is taken. */
int coro_key_create(coro_key_t *key, void (*destructor)(void *));
/* Coroutine only. 0, -EINVAL (bad key), -ENOMEM (first use allocates). */
int coro_local_set(coro_key_t key, void *value);
void *coro_local_get(coro_key_t key);	/* NULL when unset */

/*
 * Run fn(arg) on a kernel thread of the blocking-work pool (started on
 * first use with min(32, CPUs + 4) threads, or coro_pool_size()) while the
 * calling coroutine waits; returns fn's result. For blocking calls that
 * would otherwise hold a worker. From a thread it waits as a thread. If
 * not even one pool thread can be created (no memory), fn runs in the
 * caller, and a line on the console says so.
 */
void *coro_to_thread(void *(*fn)(void *), void *arg);
/* Before the first coro_to_thread(): -EBUSY once the pool runs. */
int coro_pool_size(unsigned threads);

/*
 * Debug mode, the blocking-call trap: after every coroutine step (resume to
 * suspension), a step that held its worker longer than the threshold is
 * reported by name on the console, saying whether it blocked the worker
 * thread (a plain blocking call) or kept the CPU busy.
 */
void coro_debug(bool on, uint64_t threshold_ns);

/* Counters over the whole runtime. */
struct coro_stats {
	uint64_t spawned, ended, alive;
	uint64_t steals;		/* coroutines moved by an idle worker */
	uint64_t slow_steps;		/* steps the trap reported */
	char last_slow[CORO_NAME_MAX];	/* the last one reported */
	uint64_t last_slow_ns;
	bool last_slow_blocked;		/* it blocked its worker thread */
	size_t stack_high_water;	/* most stack any ended coroutine used */
	size_t pooled_bytes;		/* stack memory held by the pool */
	size_t control_block;		/* bytes of a coroutine's control block */
};
void coro_get_stats(struct coro_stats *out);
/* Bytes of c's stack used so far (by the fill pattern). */
size_t coro_stack_high_water(const struct coro *c);
/* One coroutine as coro_for_each() saw it. */
struct coro_info {
	const struct coro *c;
	char name[CORO_NAME_MAX];
	const char *state;	/* "ready", "running", "parked", "suspended", ... */
	unsigned worker;	/* the worker it runs or last ran on */
	size_t stack_used, stack_size;
};
/* Call fn for every coroutine not yet freed (joinable ones that ended are
 * "done"). A snapshot taken without locks, for the shell and debugging:
 * a coroutine may change state, or end, while it is read; the memory read
 * always belongs to the stack pool. Thread or coroutine context. */
void coro_for_each(void (*fn)(const struct coro_info *info, void *arg), void *arg);
/* The worker c last ran on (its index), for tests and tools. */
unsigned coro_worker_of(const struct coro *c);
