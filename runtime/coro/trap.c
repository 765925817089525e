/*
 * The blocking-call trap and the runtime's counters.
 *
 * A coroutine is cooperative: while one step of it runs (from resume to its
 * next suspension), nothing else runs on its worker. In debug mode every
 * step that held its worker longer than the threshold is reported by name,
 * as asyncio reports a slow callback, and says which of the two usual
 * causes it was: a plain blocking kernel call (the worker thread was
 * switched out for most of the step) or a long computation.
 */
#include "coro_internal.h"
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/time.h>
#include <string.h>

static bool debug_on;
static uint64_t threshold = 100 * NS_PER_MS;
static struct coro_stats stats;
static struct spinlock stats_lock = SPINLOCK_INIT("coro stats");

void coro_debug(bool on, uint64_t threshold_ns)
{
	threshold = threshold_ns;
	__atomic_store_n(&debug_on, on, __ATOMIC_RELEASE);
}

void coro_trap_step(struct coro_worker *w, struct coro *c)
{
	if (!__atomic_load_n(&debug_on, __ATOMIC_ACQUIRE))
		return;
	uint64_t now = time_now(), held = now - w->step_start;
	if (held <= threshold)
		return;
	struct thread *t = w->thread;
	/* Its CPU time so far: what earlier stints added, and this one. */
	uint64_t ran = t->run_ns + (now - t->run_start) - w->step_run_start;
	bool blocked = t->switches != w->step_thread_switches && ran < held / 2;
	spin_lock(&stats_lock);
	stats.slow_steps++;
	memcpy(stats.last_slow, c->name, sizeof stats.last_slow);
	stats.last_slow_ns = held;
	stats.last_slow_blocked = blocked;
	spin_unlock(&stats_lock);
	kprintf("coro: '%s' held worker %u for %llu us: %s\n", c->name, w->index,
		(unsigned long long)(held / NS_PER_US),
		blocked ? "it blocked the worker thread in a plain blocking call "
			  "(use a coroutine-aware call or coro_to_thread())"
			: "it ran without suspending (yield in long computations)");
}

void coro_stats_count(int spawned, int ended, int steals)
{
	/* On every spawn and end: atomics, not the lock. */
	if (spawned)
		__atomic_fetch_add(&stats.spawned, (uint64_t)spawned, __ATOMIC_RELAXED);
	if (ended)
		__atomic_fetch_add(&stats.ended, (uint64_t)ended, __ATOMIC_RELAXED);
	if (steals)
		__atomic_fetch_add(&stats.steals, (uint64_t)steals, __ATOMIC_RELAXED);
}

void coro_get_stats(struct coro_stats *out)
{
	spin_lock(&stats_lock);
	*out = stats;
	spin_unlock(&stats_lock);
	out->alive = out->spawned - out->ended;
	out->control_block = sizeof(struct coro);
	coro_stack_stats(&out->stack_high_water, &out->pooled_bytes);
}
