/*
 * Counter ticks <-> nanoseconds. The factors are fixed-point (32 fractional
 * bits) and the products 128-bit, so no division runs on the hot path and
 * nothing overflows for centuries of uptime.
 */
#include <arch/cpu.h>
#include <kernel/time.h>

uint64_t time_ns_per_tick_fp;
static uint64_t ticks_per_ns_fp, resolution;

void time_init(void)
{
	uint64_t hz = arch_counter_hz();
	time_ns_per_tick_fp = (uint64_t)(((unsigned __int128)NS_PER_SEC << 32) / hz);
	ticks_per_ns_fp = (uint64_t)(((unsigned __int128)hz << 32) / NS_PER_SEC);
	resolution = (NS_PER_SEC + hz - 1) / hz;
}

uint64_t time_ns_to_ticks(uint64_t ns)
{
	/* Round up: a deadline converted to ticks must not come early. */
	unsigned __int128 t = (unsigned __int128)ns * ticks_per_ns_fp;
	return (uint64_t)(t >> 32) + ((uint64_t)t != 0);
}

uint64_t time_resolution_ns(void) { return resolution; }
