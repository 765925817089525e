/*
 * The seeds' GIL experiments as functions, shared by the `gil` demo app and
 * the gil benchmarks (apps/bench/gil_bench.c). Thread context; they create
 * and join their own threads.
 */
#pragma once

#include <gil/gil.h>
#include <stdint.h>

/* Count-down iterations between two gil_check() calls in the CPU-bound
 * loop: the "check period" (a few hundred instructions, about what an
 * interpreter runs between two looks at its eval breaker). */
#define GIL_WORK_CHECK_EVERY 64

/* CPU-bound: count down n, calling gil_check() every GIL_WORK_CHECK_EVERY
 * steps when check is set. Returns a value to keep the loop alive. */
unsigned long gil_work_count_down(unsigned long n, bool check);

/* Split `total` count-down steps over nthreads threads of domain g (NULL:
 * plain threads in no domain, no gil_check()). Wall time in ns. */
uint64_t gil_work_split(struct gil *g, unsigned nthreads, unsigned long total);

/* The same on n threads, thread i in domain doms[i]. */
uint64_t gil_work_domains(struct gil *const *doms, unsigned n, unsigned long total);

/* I/O-bound: nthreads threads of g, each sleeping `sleeps` times for
 * sleep_ns (holding the lock between sleeps). Wall time in ns. */
uint64_t gil_work_sleepers(struct gil *g, unsigned nthreads, unsigned sleeps, uint64_t sleep_ns);

/* I/O responsiveness: one thread of g that sleeps 1 ms, `wakes` times, with
 * (competitor set) or without one CPU-bound thread of g running all along.
 * Its achieved rate in wakes per second, from its first sleep to the end of
 * its last (not counting its start, which waits for the lock like any). */
uint64_t gil_work_io_rate(struct gil *g, unsigned wakes, bool competitor);
/* The same against a competitor, the I/O thread on CPU io_cpu and the
 * CPU-bound one on hog_cpu (both online). */
uint64_t gil_work_io_rate_on(struct gil *g, unsigned wakes, unsigned io_cpu, unsigned hog_cpu);
