/*
 * Kernel threads: preemptive, scheduled on every CPU by priority, with
 * round-robin time slices among equals.
 *
 * Priorities run from THREAD_PRIO_MIN to THREAD_PRIO_MAX, higher is more
 * urgent; 0 belongs to each CPU's idle thread. An affinity mask has bit n set
 * for each CPU index n the thread may run on.
 *
 * Unless stated, functions may block and must be called from a thread (not
 * an interrupt handler) with no spinlock held.
 */
#pragma once

#include <arch/cpu.h>
#include <kernel/list.h>
#include <kernel/timer.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define THREAD_PRIO_IDLE 0
#define THREAD_PRIO_MIN 1
#define THREAD_PRIO_DEFAULT 16
#define THREAD_PRIO_MAX 31
#define THREAD_STACK_DEFAULT (16 * 1024)
#define THREAD_STACK_MIN (4 * 1024)
#define THREAD_NAME_MAX 24
#define CPU_MASK_ALL (~(uint64_t)0)

struct thread_attr {
	const char *name;	/* copied; NULL: "thread" */
	unsigned prio;		/* 0: THREAD_PRIO_DEFAULT */
	size_t stack_size;	/* 0: THREAD_STACK_DEFAULT; rounded up to pages */
	uint64_t affinity;	/* 0: CPU_MASK_ALL */
	bool detached;		/* freed at exit; cannot be joined */
};

enum thread_state {
	THREAD_READY,		/* on a run queue */
	THREAD_RUNNING,
	THREAD_BLOCKED,		/* waiting on a wait queue or a timer */
	THREAD_EXITED,		/* waiting to be joined or reaped */
};

struct wait_queue;
struct waiter;
struct mutex;
struct _reent;
struct cpu;

/*
 * A runtime layer's hook around blocking (the big lock, runtime/gil/, lets
 * go of its lock while its thread sleeps). Every blocking call of a thread
 * (sleep, join, mutex, semaphore, condvar, event: all wait on a wait queue)
 * runs before() just before the thread blocks and after() once it has woken
 * and its wait is over. before() may run with a spinlock held and
 * interrupts off and must not block; after() runs with no spinlock held
 * and may block (a block inside it runs the hook again). At thread_exit()
 * before() runs once more and the hook is removed.
 */
struct thread_block_hook {
	void (*before)(struct thread_block_hook *h);
	void (*after)(struct thread_block_hook *h);
};

/* Read-only outside kernel/: a handle for the functions below. */
struct thread {
	uintptr_t sp;			/* saved context (arch_context_switch) */
	uintptr_t irq_sp;		/* non-zero: where IRQ frames go (arch/context.h) */
	struct list_node run_node;	/* on a run queue */
	struct runq_cpu *rq;		/* the run queue it is on, or NULL */
	struct thread *wake_next;	/* on a CPU's wake list (kernel/sched.c) */
	struct cpu *cpu;		/* running on, or last ran on */
	volatile bool on_cpu;		/* its registers are live on some CPU */
	enum thread_state state;
	unsigned prio;			/* effective: base, or inherited */
	unsigned base_prio;
	uint64_t affinity;
	bool detached, idle, migrate;
	char name[THREAD_NAME_MAX];

	void *(*entry)(void *);
	void *arg;
	void *result;

	/* Memory: guard page, then the stack, from the page allocator. */
	uintptr_t stack_base;		/* lowest usable byte */
	size_t stack_size;
	uintptr_t alloc_base;		/* the guard page */
	size_t alloc_pages;

	/* Waiting. */
	struct waiter *waiting;		/* the waiter it is blocked in, if any */
	struct wait_queue *waiting_on;
	struct timer timer;		/* sleeps and wait timeouts */
	struct wait_queue *exit_wq;	/* joiners */
	struct thread_block_hook *block_hook;	/* NULL: none (thread_set_block_hook) */

	/* Priority inheritance: contended mutexes this thread owns. */
	struct list_node pi_held;
	struct mutex *blocked_on;

	/* Statistics. */
	uint64_t switches;
	uint64_t run_ns, run_start;

	struct list_node all_node;	/* every thread, for thread_dump() */
	struct _reent *reent;		/* newlib: errno, stdio, strtok (beside the record) */
	struct exec_ctx *ctx;		/* a coroutine running on it, or NULL (wait.h) */
	uintptr_t owner_id;		/* thread_owner_self(): kept beside ctx */
};

/* Create a thread running entry(arg). Returns 0 and the handle in *out, or
 * -ENOMEM (no memory for its stack or record) or -EINVAL (bad priority,
 * stack size or an affinity with no online CPU). */
int thread_create(struct thread **out, const struct thread_attr *attr,
		  void *(*entry)(void *), void *arg);
/* End the calling thread with a result for thread_join(). Returning from
 * entry does the same. */
noreturn void thread_exit(void *result);
/* Wait for t to exit, take its result (value may be NULL) and free it.
 * -EINVAL: t is detached or the caller; -ETIMEDOUT for the timed form. */
int thread_join(struct thread *t, void **result);
int thread_join_timeout(struct thread *t, void **result, uint64_t timeout_ns);
/* Free t when it exits (at once if it has). -EINVAL if already detached. */
int thread_detach(struct thread *t);

/* Sleep at least ns nanoseconds / until time_now() >= deadline. The
 * thread sleeps, even when called from a coroutine (which then holds its
 * worker: coro_sleep() is the coroutine's call). */
void thread_sleep(uint64_t ns);
void thread_sleep_until(uint64_t deadline);
/* Let another ready thread of the same or higher priority run. */
void thread_yield(void);

/* Any context (an interrupt handler gets the thread it interrupted). */
static inline struct thread *thread_current(void) { return arch_current_thread(); }
static inline const char *thread_name(const struct thread *t) { return t->name; }

/* Any context: who is running, as a lock records its owner: the thread, or
 * the coroutine it runs (tagged with bit 1, so the two never compare
 * equal). One load: it is on every mutex fast path. */
#define THREAD_OWNER_CTX ((uintptr_t)2)
static inline uintptr_t thread_owner_self(void) { return thread_current()->owner_id; }
/* The layer that runs contexts on t (coroutines) says which one runs now
 * (NULL: none, the thread itself). Only t itself calls it. */
static inline void thread_set_ctx(struct thread *t, struct exec_ctx *ctx)
{
	t->ctx = ctx;
	t->owner_id = ctx ? (uintptr_t)ctx | THREAD_OWNER_CTX : (uintptr_t)t;
}

/* Change base priority or affinity; takes effect at once (the thread is
 * moved or preempted as needed). -EINVAL for an out-of-range value. */
int thread_set_priority(struct thread *t, unsigned prio);
int thread_set_affinity(struct thread *t, uint64_t mask);

/* Print every thread (state, CPU, priority, switches, run time, stack
 * high-water mark) and every CPU's idle time. Any thread. */
void thread_dump(void);
/* Call fn on every thread, with the thread list's spinlock held (fn must
 * not block or sleep; printing with kprintf is fine). Any thread. */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
/* "ready", "running", "blocked", "exited". */
const char *thread_state_name(enum thread_state s);
/* One CPU's scheduling figures, for the shell and tools. Any thread. */
struct thread_cpu_stats {
	uint64_t idle_ns;		/* time in its idle thread since boot */
	unsigned ready;			/* threads on its run queue */
	bool running_idle;
	char current[THREAD_NAME_MAX];	/* the thread it runs */
};
void thread_cpu_stats(struct cpu *c, struct thread_cpu_stats *out);
/* Bytes of t's stack ever used (found by the fill pattern). */
size_t thread_stack_high_water(const struct thread *t);
/* The calling thread's block hook (NULL: none), owned by one runtime layer
 * at a time; returns the one it replaces. */
static inline struct thread_block_hook *thread_set_block_hook(struct thread_block_hook *h)
{
	struct thread *t = thread_current();
	struct thread_block_hook *old = t->block_hook;
	t->block_hook = h;
	return old;
}
/* Time slice for round-robin among equal priorities (default 10 ms). */
void thread_set_time_slice(uint64_t ns);
