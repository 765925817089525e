/*
 * Event flags: 32 bits that threads set and wait on, for any or all of a
 * set of bits, optionally consuming the bits that satisfied them. set and
 * clear may be called from interrupt handlers; waits block (thread context).
 */
#pragma once

#include <kernel/wait.h>
#include <stdint.h>

#define EVENT_ANY 0u		/* wake when any wanted bit is set */
#define EVENT_ALL 1u		/* wake when every wanted bit is set */
#define EVENT_CONSUME 2u	/* clear the bits that woke the waiter */

struct event {
	uint32_t bits;
	struct wait_queue wq;
};

#define EVENT_INIT(e, n) { .bits = 0, .wq = WAIT_QUEUE_INIT((e).wq, n) }
void event_init(struct event *e, const char *name);
/* Set bits, waking every waiter they satisfy (in priority order, so with
 * EVENT_CONSUME the most urgent waiter gets them). */
void event_set(struct event *e, uint32_t bits);
void event_clear(struct event *e, uint32_t bits);
uint32_t event_peek(const struct event *e);
/* Wait for want (mode EVENT_ANY or EVENT_ALL, or'd with EVENT_CONSUME).
 * Returns the bits that satisfied the wait (> 0), or -ETIMEDOUT, or
 * -EINVAL for want == 0. */
long event_wait_until(struct event *e, uint32_t want, unsigned mode, uint64_t deadline);
long event_wait(struct event *e, uint32_t want, unsigned mode);
long event_wait_timeout(struct event *e, uint32_t want, unsigned mode, uint64_t timeout_ns);
