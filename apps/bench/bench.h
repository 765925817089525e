/*
 * The bench app's parts: one line per figure, "bench <name> <value> <unit>",
 * which tools/bench.py collects.
 */
#pragma once

#include <stdint.h>

/* Print total / ops as the figure `name`. */
void bench_report(const char *name, uint64_t total, uint64_t ops, const char *unit);

/* Run the benchmark `name` (NULL: the default set). 0, or 2 (and a line
 * saying so) for an unknown name. Thread context. */
int bench_run(const char *name);
/* The names, space-separated. */
const char *bench_names(void);

/* coro_bench.c */
void bench_coro(void);
void bench_coro_live(void);
