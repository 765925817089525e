/*
 * The big lock's decisions, as pure logic over timestamps: who gets the
 * lock next, and when the holder should be asked to drop it. No locking,
 * no clock, no threads: runtime/gil/gil.c calls these under the domain's
 * spinlock with time_now(), and tests/host/test_gil.c calls them with
 * made-up times.
 *
 * Waiters are in two FIFO classes. A thread coming back from a blocking
 * call (I/O) is served before every CPU-bound waiter, and asks for the
 * lock at once; a CPU-bound waiter asks only once it has waited a full
 * switch interval, counted from when the present holder took the lock if
 * that was later (so every holder gets at least one interval unless I/O
 * cuts in). Within a class the longest waiter is served first.
 */
#pragma once

#include <kernel/list.h>
#include <stdbool.h>
#include <stdint.h>

struct gil_waiter {
	struct list_node node;
	uint64_t since;		/* when it began to wait */
	bool io;		/* returning from a blocking call */
};

struct gil_policy {
	struct list_node io, cpu;	/* waiting, oldest first */
	unsigned waiting;
	uint64_t interval_ns;		/* the switch interval */
	uint64_t hold_since;		/* when the holder took the lock */
	uint64_t requested_at;		/* a drop request is out since (0: none) */
};

void gil_policy_init(struct gil_policy *p, uint64_t interval_ns);
/* The lock was taken at now by a thread that did not wait (it was free). */
void gil_policy_taken(struct gil_policy *p, uint64_t now);
/* w starts waiting at now. */
void gil_policy_wait(struct gil_policy *p, struct gil_waiter *w, uint64_t now, bool io);
/* The holder lets go at now: the waiter that gets the lock (taken off its
 * queue; it holds from now), or NULL when none waits and the lock is free. */
struct gil_waiter *gil_policy_next(struct gil_policy *p, uint64_t now);
/* When the holder should be asked to drop: 0 when no one waits or a
 * request is already out. May be in the past (ask now). */
uint64_t gil_policy_drop_due(const struct gil_policy *p);
/* Should a drop request go out at now? If so it is recorded as out. */
bool gil_policy_request(struct gil_policy *p, uint64_t now);

/* Histograms of durations: bucket 0 counts < 1 us, bucket i >= 1 counts
 * [2^(i-1), 2^i) us, the last one everything longer. */
#define GIL_HIST_BUCKETS 24
unsigned gil_hist_bucket(uint64_t ns);
