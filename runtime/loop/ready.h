/*
 * The loop's schedule, pure logic (host-tested, tests/host/test_loop_ready.c):
 * the ready queue with its per-tick snapshot, and the timer heap (the
 * kernel's pairing heap, kernel/timerq.h, holding handles). Loop-owned:
 * no locks.
 *
 * A tick is the queue as it stood when the tick began: ready_tick_begin()
 * puts a mark at the tail, ready_tick_next() hands out handles up to the
 * mark. Handles queued during the tick land behind the mark and wait for
 * the next one; a cancelled handle simply leaves the queue.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/timerq.h>
#include <loop/loop.h>

struct loop_ready {
	struct list_node queue;		/* READY handles, and the mark during a tick */
	struct list_node mark;
	struct timerq timers;		/* TIMER handles, by deadline */
};

void ready_init(struct loop_ready *r);
/* h IDLE: queue it at the tail / in the timer heap. */
void ready_push(struct loop_ready *r, struct loop_handle *h);
void ready_add_timer(struct loop_ready *r, struct loop_handle *h, uint64_t deadline);
/* h READY or TIMER: take it out; it goes IDLE. */
void ready_remove(struct loop_ready *r, struct loop_handle *h);
/* Move the timers due at `now` to the tail (earliest first), then mark the
 * tail. Returns how many timers fired. */
unsigned ready_tick_begin(struct loop_ready *r, uint64_t now);
/* The next handle of this tick, now IDLE, or NULL at the mark (the tick is
 * over; the mark is gone). */
struct loop_handle *ready_tick_next(struct loop_ready *r);
/* Anything ready? */
static inline bool ready_any(const struct loop_ready *r) { return !list_empty(&r->queue); }
/* The earliest timer's deadline, or UINT64_MAX with none. */
uint64_t ready_next_deadline(const struct loop_ready *r);
