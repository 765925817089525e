/*
 * Mutexes: sleeping locks with an owner, optional recursion and priority
 * inheritance (a thread blocked on a mutex lends its priority to the owner,
 * through chains of up to MUTEX_PI_DEPTH mutexes).
 *
 * Unlock hands the mutex straight to the most urgent waiter (FIFO among
 * equals), so a waiter is never overtaken by a late-comer.
 *
 * All functions: thread context, not from interrupt handlers. Lock may
 * block; unlock never does.
 */
#pragma once

#include <kernel/wait.h>
#include <stdbool.h>
#include <stdint.h>

#define MUTEX_PI_DEPTH 8

struct mutex {
	uintptr_t owner;	/* struct thread *, bit 0 set while there are waiters */
	unsigned depth;		/* recursion count */
	bool recursive;
	struct wait_queue wq;
	struct list_node pi_node;	/* on the owner's pi_held list while contended */
};

#define MUTEX_INIT(m, n) { .owner = 0, .depth = 0, .recursive = false, .wq = WAIT_QUEUE_INIT((m).wq, n), .pi_node = LIST_INIT((m).pi_node) }
void mutex_init(struct mutex *m, const char *name, bool recursive);

/* Take m. Locking a non-recursive mutex the caller holds panics. */
void mutex_lock(struct mutex *m);
/* 0, or -ETIMEDOUT once time_now() passes deadline. */
int mutex_lock_until(struct mutex *m, uint64_t deadline);
int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns);
/* true with m held, false at once otherwise. */
bool mutex_trylock(struct mutex *m);
/* Release m, held by the caller (else panic). */
void mutex_unlock(struct mutex *m);
bool mutex_held(const struct mutex *m);

/* Recompute t's effective priority from its base and the waiters of the
 * mutexes it holds. (thread.c, on a base priority change) */
void thread_pi_recompute(struct thread *t);
