/*
 * Monotonic time in nanoseconds since reset, from arch_counter().
 */
#pragma once

#include <arch/cpu.h>
#include <stdint.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_SEC 1000000000ull

/* Boot CPU, once, after arch_early_init(): precompute the conversions. */
void time_init(void);
/* Any context. Inline: every context switch reads the clock. */
extern uint64_t time_ns_per_tick_fp;	/* fixed point, 32 fractional bits (time.c) */
static inline uint64_t time_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * time_ns_per_tick_fp) >> 32);
}
static inline uint64_t time_now(void) { return time_ticks_to_ns(arch_counter()); }
uint64_t time_ns_to_ticks(uint64_t ns);
/* One counter tick in ns, rounded up: the best a timer can resolve. */
uint64_t time_resolution_ns(void);
