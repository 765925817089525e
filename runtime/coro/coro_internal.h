/*
 * Coroutine internals shared by the files of runtime/coro/.
 *
 * Memory: a coroutine is one chunk from the stack pool (stack.c): the
 * stack, then its control block at the top. Below the stack's lowest word
 * is a canary, checked whenever the coroutine suspends; stacks of a page or
 * more also have an unmapped guard page below them.
 *
 * Locking: each worker's run queue has a spinlock; no code holds two of
 * them. A wait queue's lock may be held while a run queue lock is taken
 * (wake-ups), never the reverse.
 */
#pragma once

#include <arch/context.h>
#include <coro/coro.h>
#include <kernel/panic.h>
#include <kernel/list.h>
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <kernel/wait.h>

enum coro_state {
	CORO_READY,		/* on a worker's run queue */
	CORO_RUNNING,
	CORO_PARKED,		/* waiting on a wait queue (or a timer) */
	CORO_SUSPENDED,		/* waiting for coro_transfer() */
	CORO_EXITING,		/* ended, still on its stack */
	CORO_DONE,		/* off its stack: joinable, or freed */
};

enum coro_flag {
	CF_PINNED = 1 << 0,
	CF_DETACHED = 1 << 1,
	CF_CANCEL = 1 << 2,	/* cancellation asked for */
	CF_CANCELLABLE = 1 << 3,/* parked at a cancellation point */
	CF_GUARD = 1 << 4,	/* its stack has a guard page */
};

struct coro {
	struct exec_ctx ctx;		/* first: the kernel's view of it */
	uintptr_t sp;			/* saved context (arch_context_switch) */
	struct list_node node;		/* on a run queue */
	struct coro_worker *worker;	/* runs on, or last ran on */
	void *(*fn)(void *);
	void *arg;			/* then the result */
	struct waiter *waiting;		/* the waiter it is parked in */
	struct wait_queue *waiting_on;
	struct coro_cleanup *cleanup;
	void **locals;			/* CORO_LOCALS_MAX slots, or NULL */
	struct coro *parent;		/* a transfer coroutine's creator: resumed
					 * when it ends */
	uint32_t stack_size;		/* the stack lies just below the record */
	uint8_t state;			/* enum coro_state */
	uint8_t flags;			/* enum coro_flag */
	uint8_t size_class;		/* the pool's */
	char name[CORO_NAME_MAX];
};
_Static_assert(sizeof(struct coro) <= 128, "the control block is at most 128 bytes");

struct coro_sched;

/* Ready coroutines, FIFO; the operations are in runq.h. */
struct coro_runq {
	struct list_node head;
	unsigned count;
};

struct coro_worker {
	struct spinlock lock;		/* guards runq */
	struct coro_runq runq;
	struct coro_sched *sched;
	unsigned index;
	struct thread *thread;
	struct coro *current;		/* running coroutine, or NULL */
	uintptr_t sched_sp;		/* the worker's own context */
	struct spinlock *unlock_after;	/* released once off the coroutine's stack */
	bool idle;			/* waiting on `wake` for work */
	struct sem wake;
	uint64_t step_start;		/* when the current step began */
	uint64_t step_run_start;	/* the worker thread's run time then */
	uint64_t step_thread_switches;	/* and its switch count */
	uint64_t switches;
};

struct coro_sched {
	struct coro_worker *workers;
	unsigned nworkers;
	unsigned next_worker;		/* round robin for spawns from threads */
	unsigned long live;		/* coroutines not yet DONE */
	bool single;			/* coro_run(): ends when live reaches 0 */
	unsigned idle_workers;
};

extern const struct exec_ctx_ops coro_ctx_ops;

/* The coroutine running on the calling thread, or NULL. */
static inline struct coro *coro_current(void)
{
	struct exec_ctx *x = thread_current()->ctx;
	return x && x->ops == &coro_ctx_ops ? (struct coro *)x : NULL;
}

/* sched.c */
void worker_init(struct coro_worker *w, struct coro_sched *s, unsigned index);
/* The worker's scheduling loop, on its own thread; returns when a
 * single-threaded scheduler has no coroutine left. */
void worker_loop(struct coro_worker *w);
/* c READY: queue it on w and make w notice. Any context; no run queue lock
 * held. */
void coro_make_ready(struct coro_worker *w, struct coro *c);
/* The worker for a new coroutine. */
struct coro_worker *coro_place(struct coro_sched *s, const struct coro_attr *attr);
struct coro_sched *coro_default_sched(void);
/* A worker's context ends a coroutine: free it or wake its joiners. */
void coro_finish(struct coro *c);

/* Coroutine only: switch to the worker's context in state `state`,
 * releasing `held` (a spinlock of this CPU, or NULL) once off this stack.
 * Returns when resumed. Inline: every frame on a small stack counts. */
static inline void coro_suspend(enum coro_state state, struct spinlock *held)
{
	struct coro *c = coro_current();
	if (!c)
		panic("coro_suspend: thread '%s' is not running a coroutine", thread_current()->name);
	struct coro_worker *w = c->worker;
	c->state = state;
	w->unlock_after = held;
	arch_context_switch(&c->sp, w->sched_sp);
}

/* stack.c; coro_stack_init() once, before the first allocation. */
void coro_stack_init(void);
struct coro *coro_stack_alloc(size_t stack_size);
void coro_stack_free(struct coro *c);
static inline uintptr_t coro_stack_base(const struct coro *c)
{
	return (uintptr_t)c - c->stack_size;
}
/* The word below the stack, written at carving, checked at suspensions. */
#define CORO_CANARY 0x6b1d0c0a5c0ffee5ull
noreturn void coro_stack_overrun(const struct coro *c);
/* Panics, naming c, if c has overrun its stack. Inline: on every switch. */
static inline void coro_stack_check(const struct coro *c)
{
	if (__builtin_expect(*(const uint64_t *)(coro_stack_base(c) - sizeof(uint64_t)) != CORO_CANARY, 0))
		coro_stack_overrun(c);
}
size_t coro_stack_used(const struct coro *c);
/* For fault reports: does addr lie in c's guard page? */
bool coro_stack_in_guard(const struct coro *c, uintptr_t addr);
void coro_stack_stats(size_t *high_water, size_t *pooled);

/* trap.c: the blocking-call trap, after each step of c on w. */
void coro_trap_step(struct coro_worker *w, struct coro *c);
void coro_stats_count(int spawned, int ended, int steals);

/* coro.c: delivery of a pending cancellation (does not return if due);
 * the join buckets and the stack pool, before any coroutine. */
void coro_cancel_point(void);
void coro_init_once(void);
/*
 * wq->lock held: wait_queue_block() at a cancellation point. coro_cancel()
 * can end the wait with -ECANCELED; the caller cleans up, then calls
 * coro_cancel_point(), which does not return. A thread just waits.
 */
int coro_wait_cancellable(struct wait_queue *wq, uint64_t deadline, uintptr_t want);
