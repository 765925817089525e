/*
 * Big-lock interpreter mode: a global interpreter lock (GIL) per domain.
 *
 * A domain (struct gil) is one lock and the threads that belong to it. A
 * thread of the domain runs its code only while it holds the lock, so code
 * written for one thread (an interpreter's core) can run on many. Threads of
 * different domains run in parallel; values cross between domains by copy
 * (gil/msgq.h). A domain is created with big-lock mode on or off; off, the
 * same program runs with every call below a no-op (the free-threaded mode).
 *
 * What the lock guarantees:
 *  - mutual exclusion: at most one thread of a domain holds its lock;
 *  - release on blocking: a holder that blocks in the kernel (sleep, join,
 *    mutex, semaphore, condvar, event, anything on a wait queue) lets go of
 *    the lock before it sleeps and takes it back before the call returns,
 *    with no change to the caller's code; gil_blocking_begin()/end() do the
 *    same around any other blocking;
 *  - a drop request: once a CPU-bound waiter has waited a full switch
 *    interval (default GIL_INTERVAL_DEFAULT, counted from the later of its
 *    arrival and the holder's acquisition), the holder is asked to drop,
 *    and does so at its next gil_check(); a thread coming back from a
 *    blocking call asks at once;
 *  - hand-off: a holder that lets go while others wait hands the lock
 *    directly to one of them (the longest-waiting I/O-returning thread,
 *    else the longest-waiting CPU-bound one) and cannot take it back first:
 *    a thread that dropped on request queues behind every other waiter.
 *    A waiter spins for a while (gil_set_spin()) before it blocks.
 * What it does not guarantee:
 *  - any bound on hold time: a holder that does not call gil_check() (or
 *    block) keeps the lock; the drop lands one check period late at best;
 *  - protection from other domains or from threads outside any domain;
 *  - thread priorities: waiters are served by class and arrival, not by
 *    kernel priority (a high-priority thread waits its turn);
 *  - fairness against I/O: a thread that blocks very often cuts in every
 *    time it comes back, and can take most of the lock time;
 *  - atomicity across a blocking call: the lock is given up inside it, so
 *    state it protects may change there (as with CPython's GIL).
 *
 * Unless stated, functions are for thread context (never an interrupt
 * handler), may block, and are called with no spinlock held.
 */
#pragma once

#include <kernel/thread.h>
#include <kernel/wait.h>
#include <stdbool.h>
#include <stdint.h>
#include <gil/policy.h>

#define GIL_INTERVAL_DEFAULT (5 * 1000 * 1000ull)	/* ns, as CPython's */
/* How long a waiter spins for the hand-off before it blocks, on 2+ CPUs. */
#define GIL_SPIN_DEFAULT (50 * 1000ull)			/* ns */

/* Per domain. Counters are updated by the holder or under the domain's
 * lock; a copy taken while the domain runs may be a moment stale. */
struct gil_stats {
	uint64_t acquisitions;		/* times the lock was taken */
	uint64_t contended;		/* ... of those, after waiting */
	uint64_t handoffs;		/* given straight to a waiter */
	uint64_t io_handoffs;		/* ... to one back from blocking */
	uint64_t spin_handoffs;		/* ... to one still spinning, not asleep */
	uint64_t spin_timeouts;		/* spins that ran out before a hand-off */
	uint64_t drop_requests;		/* holders asked to drop */
	uint64_t forced_drops;		/* ... that dropped at gil_check() */
	uint64_t hold_ns, wait_ns, drop_latency_ns;	/* totals */
	uint64_t hold_max_ns, wait_max_ns, drop_latency_max_ns;
	uint64_t last_request_ns;	/* when the last drop request went out */
	uint64_t hold_hist[GIL_HIST_BUCKETS];	/* see gil_hist_bucket() */
	uint64_t wait_hist[GIL_HIST_BUCKETS];
	uint64_t drop_latency_hist[GIL_HIST_BUCKETS];	/* request -> drop */
};

/* A domain. Fields are private to runtime/gil/. */
struct gil {
	uintptr_t owner;		/* holder's gil_member, | 1 when some wait */
	bool enabled;			/* big-lock mode */
	unsigned members;
	const char *name;
	struct wait_queue wq;		/* waiters block here; its lock guards the rest */
	struct gil_policy policy;
	struct timer timer;		/* fires when a drop request is due */
	bool timer_armed;
	uint64_t spin_ns;		/* see gil_set_spin() */
	struct gil_stats stats;
	struct list_node all_node;	/* every domain, for gil_dump(NULL) */
};

/* A thread's membership of a domain, in storage the thread provides (its
 * stack will do) from gil_enter() to gil_leave(). Private to runtime/gil/. */
struct gil_member {
	struct thread_block_hook hook;	/* first: the thread's block hook is this */
	bool drop;			/* the holder is asked to drop */
	bool released_on_block;		/* take the lock back when the block ends */
	struct gil *gil;
	struct thread *thread;
	struct gil_waiter wait;
	struct waiter *kwaiter;		/* while blocked waiting for the lock */
	uint64_t hold_ns;		/* lock time, for gil_member_hold_ns() */
};

/* Create domain g (storage from the caller), big-lock mode on or off. */
void gil_init(struct gil *g, const char *name, bool enabled);
/* g has no members left. */
void gil_destroy(struct gil *g);
/* Turn big-lock mode on or off: -EBUSY while g has members. */
int gil_set_enabled(struct gil *g, bool enabled);
/* The switch interval; any thread, any time (applies from the next
 * decision). 0 is taken as 1 ns. */
void gil_set_interval(struct gil *g, uint64_t ns);
uint64_t gil_interval(const struct gil *g);
/* How long a waiter spins for the hand-off before it blocks (default
 * GIL_SPIN_DEFAULT; 0: block at once). Never on one CPU, nor while other
 * threads are ready on the waiter's CPU (the holder may be one of them). A
 * waiter still spinning when the lock is handed to it takes it without a
 * wake-up, so neither CPU is interrupted: the short turns of an I/O thread
 * and the holder's way to its next gil_check() cost a few hundred
 * instructions, not two inter-processor interrupts. The price is the
 * spinning CPU, which runs nothing else for that long. Any thread, any
 * time. */
void gil_set_spin(struct gil *g, uint64_t ns);

/* Join g with membership m and take its lock. The caller is in no domain
 * and owns no other block hook. */
void gil_enter(struct gil *g, struct gil_member *m);
/* Let go of the lock if held and leave the domain. */
void gil_leave(void);
/* A thread that runs entry(arg) inside g (entered before, left after);
 * otherwise as thread_create(). */
int gil_thread_create(struct thread **out, struct gil *g, const struct thread_attr *attr,
		      void *(*entry)(void *), void *arg);

/* Take / let go of the caller's domain lock (the caller is a member; it must
 * not / must hold it). No-ops in a domain with big-lock mode off. */
void gil_acquire(void);
void gil_release(void);
/* Does the caller hold its domain's lock? (Always true in a domain with
 * the mode off; false outside any domain.) */
bool gil_held(void);

/* The interpreter's periodic yield point, for the holder (or any thread: it
 * does nothing for one that is asked nothing). Drops the lock if asked and
 * takes it back after the threads it was handed to. Cheap when nobody
 * waits: a few loads and a branch. */
void gil_check_slow(struct gil_member *m);
static inline void gil_check(void)
{
	struct gil_member *m = (struct gil_member *)thread_current()->block_hook;
	if (__builtin_expect(m && __atomic_load_n(&m->drop, __ATOMIC_RELAXED), 0))
		gil_check_slow(m);
}

/* Around blocking the kernel does not see (a device polled, a spin): let go
 * of the lock, and take it back ahead of CPU-bound waiters. Paired, holding
 * the lock at begin. */
void gil_blocking_begin(void);
void gil_blocking_end(void);

/* The domain the caller belongs to, or NULL. */
struct gil *gil_current(void);
/* The lock time m's thread has had so far. Any thread. */
uint64_t gil_member_hold_ns(const struct gil_member *m);

/* A copy of g's statistics / reset them. Any thread. */
void gil_stats_get(struct gil *g, struct gil_stats *out);
void gil_stats_reset(struct gil *g);
/* Print g's statistics and histograms (NULL: every domain; that must
 * not race gil_destroy()). Any thread. */
void gil_dump(struct gil *g);
/* Domains that exist now. Any thread. */
unsigned gil_domain_count(void);
