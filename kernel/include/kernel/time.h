/*
 * Monotonic time in nanoseconds since reset, from arch_counter().
 */
#pragma once

#include <stdint.h>

#define NS_PER_US 1000ull
#define NS_PER_MS 1000000ull
#define NS_PER_SEC 1000000000ull

/* Boot CPU, once, after arch_early_init(): precompute the conversions. */
void time_init(void);
/* Any context. */
uint64_t time_now(void);
uint64_t time_ticks_to_ns(uint64_t ticks);
uint64_t time_ns_to_ticks(uint64_t ns);
/* One counter tick in ns, rounded up: the best a timer can resolve. */
uint64_t time_resolution_ns(void);
