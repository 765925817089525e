/*
 * Condition variables, used with a mutex the caller holds. Waits may wake
 * spuriously only through timeouts; re-check the condition in a loop as
 * usual. Thread context only.
 */
#pragma once

#include <kernel/mutex.h>

struct condvar {
	struct wait_queue wq;
};

#define CONDVAR_INIT(c, n) { .wq = WAIT_QUEUE_INIT((c).wq, n) }
void condvar_init(struct condvar *cv, const char *name);
/* Release m, wait for a signal, take m again. */
void condvar_wait(struct condvar *cv, struct mutex *m);
/* 0, or -ETIMEDOUT (m is held again either way). */
int condvar_wait_until(struct condvar *cv, struct mutex *m, uint64_t deadline);
int condvar_wait_timeout(struct condvar *cv, struct mutex *m, uint64_t timeout_ns);
/* Wake one waiter / all waiters. Any context. */
void condvar_signal(struct condvar *cv);
void condvar_broadcast(struct condvar *cv);
