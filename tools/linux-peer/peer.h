/*
 * The Linux peer (make bench-linux): one static program that runs as /init
 * in an initramfs under the distribution's own kernel, in the same QEMU
 * machine as threadbare's bench, and measures the same operations the
 * Linux way. Figures print as threadbare's bench app prints them, so one
 * parser (tools/bench.py) reads both:
 *
 *	bench <name> <value> <unit> [ops=<n> reps=<r> min=<a> max=<b>]
 */
#pragma once

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC: guest instructions under -icount shift=0. */
uint64_t peer_now(void);

/* Print the median of reps totals, each over ops operations, as the figure
 * `name`, with the per-operation min and max as its spread. */
void peer_report(const char *name, const uint64_t *totals, unsigned reps, uint64_t ops,
		 const char *unit);

/* Pin the calling thread to one CPU, or to every CPU when cpu < 0. */
void peer_pin_self(int cpu);

/* ops.c: the thread, lock and coroutine figures (under -icount). */
void peer_bench_ops(void);
/* ops.c: CPU-bound work on 1, 2, 4 threads, wall-time ratios (no -icount). */
void peer_bench_speedup(void);

/* net.c: load the virtio-net driver, configure eth0 (QEMU user networking:
 * 10.0.2.15/24) and serve UDP echo on port 7 and HTTP on port 80 until a
 * UDP datagram "quit" arrives. 0 after a clean stop, -1 on a setup error. */
int peer_net_serve(void);

/* The coroutine switch (switch_<arch>.S). */
void peer_switch(void **save_sp, void *new_sp);
void peer_switch_start(void);
