/*
 * One-shot kernel timers on per-CPU queues. A timer is armed on the CPU
 * that arms it and its function runs there, from the timer interrupt
 * (interrupts off, no locks held): it must not block.
 */
#pragma once

#include <kernel/cpu.h>
#include <kernel/timerq.h>
#include <stdbool.h>

struct cpu;
struct timer;

typedef void timer_fn(struct timer *t);

/* Start zeroed. */
struct timer {
	struct timerq_entry entry;
	timer_fn *fn;
	struct cpu *cpu;	/* the queue it is armed on */
	unsigned runs;		/* runs of fn in progress (any CPU) */
};

/* Per-CPU timer queues; boot CPU, before any timer is armed. */
void timer_init(void);
/* Any context. Arm t (not armed) to run fn at deadline_ns (time_now() clock). */
void timer_arm(struct timer *t, uint64_t deadline_ns, timer_fn *fn);
/* Any context but t's own function. Disarm t; if its function is running on
 * another CPU, wait until it returns (and disarm again if it re-armed t).
 * Returns true if t was still pending. */
bool timer_cancel(struct timer *t);
/* Any context, even with a lock t's function takes: disarm t if it is
 * still pending, without waiting for a run of its function that has
 * already begun. Returns true if t was pending (then it will not run). */
bool timer_try_cancel(struct timer *t);
/* Scheduler: re-program this CPU's hardware timer for the earlier of its
 * queue's head and extra_deadline (0: none). Interrupts off. */
void timer_reprogram(uint64_t extra_deadline);

/* timer_reprogram(), skipped in the common case of a context switch: the
 * hardware already fires no later than asked. (The armed time is never
 * later than the queue's head, since timer_arm() re-programs for an
 * earlier entry.) Interrupts off. */
static inline void timer_program(uint64_t extra_deadline)
{
	uint64_t armed = this_cpu()->timer_armed;
	if (extra_deadline && armed && armed <= extra_deadline)
		return;
	timer_reprogram(extra_deadline);
}
