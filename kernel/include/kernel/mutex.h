/*
 * Mutexes: sleeping locks with an owner, optional recursion and priority
 * inheritance (a thread blocked on a mutex lends its priority to the owner,
 * through chains of up to MUTEX_PI_DEPTH mutexes).
 *
 * Unlock hands the mutex straight to the most urgent waiter (FIFO among
 * equals), so a waiter is never overtaken by a late-comer.
 *
 * Coroutines: a mutex taken in a coroutine is owned by the coroutine (it
 * may be released on another worker after a migration), and a coroutine
 * that waits for one parks, leaving its worker free. Priority inheritance
 * applies between threads only: a coroutine owner borrows no priority.
 *
 * All functions: thread or coroutine context, not from interrupt handlers.
 * Lock may block; unlock never does.
 */
#pragma once

#include <kernel/thread.h>
#include <kernel/wait.h>
#include <stdbool.h>
#include <stdint.h>

#define MUTEX_PI_DEPTH 8

struct mutex {
	uintptr_t owner;	/* thread_owner_self() of the holder, bit 0 set
				 * while there are waiters */
	unsigned depth;		/* recursion count */
	bool recursive;
	struct wait_queue wq;
	struct list_node pi_node;	/* on the owner's pi_held list while contended */
};

#define MUTEX_INIT(m, n) { .owner = 0, .depth = 0, .recursive = false, .wq = WAIT_QUEUE_INIT((m).wq, n), .pi_node = LIST_INIT((m).pi_node) }
void mutex_init(struct mutex *m, const char *name, bool recursive);

/* 0, or -ETIMEDOUT once time_now() passes deadline. */
int mutex_lock_until(struct mutex *m, uint64_t deadline);
int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns);
/* true with m held, false at once otherwise. */
bool mutex_trylock(struct mutex *m);
bool mutex_held(const struct mutex *m);
/* The contended halves of mutex_lock() and mutex_unlock(). */
void mutex_unlock_slow(struct mutex *m);

/* Take m. Locking a non-recursive mutex the caller holds panics. The
 * uncontended case is one compare-and-swap, inline. */
static inline void mutex_lock(struct mutex *m)
{
	uintptr_t free = 0;
	if (__atomic_compare_exchange_n(&m->owner, &free, thread_owner_self(), false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		m->depth = 1;
		return;
	}
	mutex_lock_until(m, WAIT_FOREVER);
}

/* Release m, held by the caller (else panic). Inline when nobody waits and
 * it is not held recursively. */
static inline void mutex_unlock(struct mutex *m)
{
	if (m->depth == 1) {
		uintptr_t mine = thread_owner_self();
		m->depth = 0;
		if (__atomic_compare_exchange_n(&m->owner, &mine, 0, false, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED))
			return;
		m->depth = 1;	/* waiters, or not ours: the slow path sorts it out */
	}
	mutex_unlock_slow(m);
}

/* Recompute t's effective priority from its base and the waiters of the
 * mutexes it holds. (thread.c, on a base priority change) */
void thread_pi_recompute(struct thread *t);
