/*
 * Wait groups (Go's sync.WaitGroup): wait until a count of outstanding
 * pieces of work drops to zero. Threads and coroutines alike; wg_add and
 * wg_done also from interrupt handlers, wg_wait not.
 */
#pragma once

#include <kernel/wait.h>

struct wg {
	long count;
	struct wait_queue wq;
};

#define WG_INIT(g, n) { .count = 0, .wq = WAIT_QUEUE_INIT((g).wq, n) }
void wg_init(struct wg *g, const char *name);
/* Add n (may be negative) to the count; at zero every waiter is woken. A
 * count that would go below zero panics: it is a bookkeeping bug. */
void wg_add(struct wg *g, long n);
void wg_done(struct wg *g);
/* Wait for the count to reach zero: 0, -ETIMEDOUT (deadline, a time_now()
 * value, passed). A cancellation point for coroutines. */
int wg_wait(struct wg *g);
int wg_wait_until(struct wg *g, uint64_t deadline);
