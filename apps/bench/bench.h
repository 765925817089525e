/*
 * The bench app's parts: one line per figure, "bench <name> <value> <unit>",
 * which tools/bench.py collects.
 */
#pragma once

#include <stdint.h>

/* Print total / ops as the figure `name`. */
void bench_report(const char *name, uint64_t total, uint64_t ops, const char *unit);

/* coro_bench.c */
void bench_coro(void);
void bench_coro_live(void);
