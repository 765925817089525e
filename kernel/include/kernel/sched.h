/*
 * The scheduler's interface to the rest of kernel/ (threads, wait queues,
 * timers, interrupt exit). Applications use kernel/thread.h instead.
 *
 * Locking: each CPU's run queue has its own spinlock; no code holds two run
 * queue locks at once. A wait queue's lock may be held while a run queue
 * lock is taken (wait queue -> run queue), never the reverse. A wake-up
 * takes no run queue lock at all: it pushes the thread on the target CPU's
 * lock-free wake list.
 */
#pragma once

#include <kernel/cpu.h>
#include <kernel/runq.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>

struct cpu;

/* One CPU's run queue and scheduling state. */
struct runq_cpu {
	struct spinlock lock;
	struct runq q;			/* ready threads, by priority */
	struct thread *wakes;		/* woken, not yet in q: pushed without the
					 * lock, newest first (see sched.c) */
	struct thread *idle;
	uint64_t slice_end;		/* ns: when the running thread's slice ends */
	uint64_t switch_time;		/* ns: when the last switch began */
	bool need_resched;		/* run the scheduler at the next chance */
	uint64_t idle_ns, idle_since;	/* statistics */
	struct list_node zombies;	/* detached threads that exited here */
};

/* The scheduling policy: how ready threads are ordered, picked and stolen.
 * Called with the run queue's lock held. */
struct sched_policy {
	const char *name;
	void (*enqueue)(struct runq_cpu *rq, struct thread *t, bool at_front);
	void (*dequeue)(struct runq_cpu *rq, struct thread *t);
	struct thread *(*pick)(struct runq_cpu *rq);
	/* A ready thread that may move to CPU thief, removed; or NULL. */
	struct thread *(*steal)(struct runq_cpu *victim, struct cpu *thief);
	/* Should woken preempt cur (both on this queue's CPU)? */
	bool (*preempts)(const struct thread *woken, const struct thread *cur);
	/* Would t, just woken, be picked before every thread now queued? (Then
	 * it runs without being queued; always true when none are.) */
	bool (*picks_first)(struct runq_cpu *rq, const struct thread *t);
	/* Is there a ready thread that shares cur's time slice rotation? */
	bool (*rotation_pending)(struct runq_cpu *rq, const struct thread *cur);
};
extern const struct sched_policy sched_priority_policy;

static inline struct runq_cpu *sched_rq(struct cpu *c) { return c->runq; }

/* Boot CPU, once, after mem_init(): the boot context becomes the thread
 * "main" and every CPU gets an idle thread. */
void sched_init(void);
/* A secondary CPU, from kmain_secondary(): become this CPU's idle thread
 * and schedule forever. */
noreturn void sched_run_secondary(void);

/*
 * Blocking. The caller sets its own state to THREAD_BLOCKED while holding
 * the lock that wakers take (so no wake-up is lost), then calls
 * sched_block(), which releases that lock and runs something else until
 * sched_wake() makes the thread ready again. Interrupts must be off on entry
 * (taking the lock did that); they are as before the lock on return.
 */
void sched_block(struct spinlock *held);
/* Any context. Make t ready if it is blocked; returns false if it was not
 * (already woken). Picks a CPU, queues t there and preempts or wakes that
 * CPU as needed. */
bool sched_wake(struct thread *t);

/* Re-read t's priority after a change (inheritance or thread_set_priority)
 * and re-queue it; any context. */
void sched_prio_changed(struct thread *t);

/* Move t if its new affinity excludes the CPU it is queued or running on. */
void sched_affinity_changed(struct thread *t);
/* Thread context, interrupts on: free detached threads that exited on this
 * CPU (the idle thread does it too). */
void sched_reap(void);

/* Any context: is c idle and known to be (where wake-ups and stealing look
 * for an idle CPU)? For thread_dump(). */
bool sched_idle_visible(const struct cpu *c);

/* Any context: are other threads ready on this CPU, waiting behind the
 * running one? (A look without the lock: a moment stale at worst.) */
static inline bool sched_others_ready(void)
{
	struct runq_cpu *rq = sched_rq(this_cpu());
	return __atomic_load_n(&rq->q.count, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&rq->wakes, __ATOMIC_RELAXED);
}

/* Thread context with interrupts enabled: switch if a wake-up asked for it. */
void sched_preempt_now(void);
static inline void sched_preempt_check(void)
{
	/* A first look without disabling interrupts: moving to another CPU
	 * in between only means the flag is seen at that CPU's next
	 * interrupt exit instead, and a stale "yes" is checked again. */
	if (__atomic_load_n(&sched_rq(this_cpu())->need_resched, __ATOMIC_RELAXED))
		sched_preempt_now();
}
/* Interrupts off, thread context or irq_exit(): give up the CPU now. */
void sched_switch(void);
/* From the timer interrupt: end the time slice if it is over. */
void sched_tick(uint64_t now);
