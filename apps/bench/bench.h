/*
 * The bench app's parts: one line per figure, "bench <name> <value> <unit>",
 * or "bench <name> <median> <unit> ops=<n> reps=<r> min=<a> max=<b>" for a
 * figure measured several times, which tools/bench.py collects (and which
 * the Linux peer, tools/linux-peer/, prints the same way).
 */
#pragma once

#include <stdint.h>

/* How many times each repeated figure is measured, after a warm-up. */
#define BENCH_REPS 5
#define BENCH_WARM_UP 100

/* Print total / ops as the figure `name`. Any context. */
void bench_report(const char *name, uint64_t total, uint64_t ops, const char *unit);

/* Run the benchmark `name` (NULL: the default set). 0, or 2 (and a line
 * saying so) for an unknown name. Thread context. */
int bench_run(const char *name);
/* The names, space-separated. */
const char *bench_names(void);

/* Print the median of reps totals (each over ops operations) per operation
 * as the figure `name`, with the per-operation min and max. reps <= 16. */
void bench_report_reps(const char *name, const uint64_t *totals, unsigned reps, uint64_t ops,
		       const char *unit);

/* took less the cost of a bare counted loop of n turns (the measuring
 * loop's own cost), never below zero. Thread context. */
uint64_t bench_minus_loop(uint64_t took, unsigned n);

/* coro_bench.c */
void bench_coro(void);
void bench_coro_live(void);
