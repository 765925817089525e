/*
 * Scheduling trace: a ring of fixed-size events per CPU (context switches,
 * wake-ups, interrupts, big-lock hand-offs, coroutine resumes and
 * suspensions, event-loop ticks), compiled in always. While tracing is off
 * each hook costs one load and one predictable branch: the flag lives in
 * struct cpu, which the hot paths already hold in a register.
 *
 * Each CPU writes only its own ring, with interrupts off, so recording takes
 * no lock. A full ring overwrites its oldest events and counts them.
 * trace_dump() writes the rings to the console as framed, checksummed lines
 * that tools/trace.py turns into Chrome/Perfetto JSON and a timeline.
 */
#pragma once

#include <kernel/cpu.h>
#include <stdbool.h>
#include <stdint.h>

enum trace_type {
	TRACE_SWITCH = 1,	/* a: prev thread, b: next thread, arg: prev's state */
	TRACE_WAKE,		/* a: woken thread, arg: the CPU it goes to */
	TRACE_IRQ_ENTER,
	TRACE_IRQ_EXIT,
	TRACE_GIL_HANDOFF,	/* a: the domain, b: the member thread it goes to */
	TRACE_CORO_RESUME,	/* a: coroutine, b: its worker thread */
	TRACE_CORO_SUSPEND,	/* a: coroutine, arg: its state after (runtime/coro) */
	TRACE_LOOP_TICK,	/* a: the loop, arg: callbacks run this tick */
	TRACE_NAME,		/* a: thread/coroutine, b: 8 bytes of its name,
				 * arg: which 8 (0, 1, 2), kind in bits 8+ */
	TRACE_MARK,		/* a, b, arg: the caller's */
};

#define TRACE_NAME_THREAD 0u
#define TRACE_NAME_CORO 1u

struct trace_event {
	uint64_t ts;		/* time_now() */
	uint32_t type;		/* enum trace_type */
	uint32_t arg;
	uint64_t a, b;
};

/* Thread context, no spinlock held: allocate the rings (events per CPU,
 * 0: the default or the command line's trace_events=) and start recording
 * on every CPU. -ENOMEM, or 0. Restarting clears the rings. */
int trace_start(unsigned events_per_cpu);
/* Any context: stop recording (the rings keep what they hold). */
void trace_stop(void);
bool trace_running(void);
/* Thread context: write every ring to the console as lines
 * "@TRACE ..." (see tools/trace.py for the format), oldest first. Tracing
 * is stopped while it runs. -ENOENT when nothing was ever recorded. */
int trace_dump(void);
/* Boot CPU, after the app ends (app.c): with trace=on on the command line,
 * recording started before the app; dump now. */
void trace_boot_start(void);
/* Events recorded on CPU cpu since the last trace_start() (overwritten
 * ones included). Any context. */
uint64_t trace_recorded(unsigned cpu);
void trace_boot_finish(void);

/* Any context: record one event on this CPU (the hooks below call it). */
void trace_record(uint32_t type, uint32_t arg, uint64_t a, uint64_t b);
/* Record the name of a thread or coroutine (kind TRACE_NAME_*), so the
 * dump can label it even after it is gone. */
void trace_name(unsigned kind, const void *obj, const char *name);

/* The hooks, for hot paths: c is the calling CPU (or any CPU: the flag is
 * set on all of them together). */
static inline bool trace_on(const struct cpu *c) { return __builtin_expect(c->trace_on, 0); }
#define TRACE_HOOK(c, type, arg, a, b)                                          \
	do {                                                                    \
		if (trace_on(c))                                                \
			trace_record((type), (arg), (uint64_t)(uintptr_t)(a),   \
				     (uint64_t)(uintptr_t)(b));                 \
	} while (0)

/* For an event loop: one tick ran `ran` callbacks. Any context. */
static inline void trace_loop_tick(const void *loop, unsigned ran)
{
	TRACE_HOOK(this_cpu(), TRACE_LOOP_TICK, ran, loop, 0);
}
