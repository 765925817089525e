/*
 * gil_bench: the big lock's figures, in the bench app's form ("bench <name>
 * <value> <unit>"). Run by `make bench` (tools/bench.py) under QEMU -icount
 * shift=0, where one nanosecond is one guest instruction.
 *
 *   app=gil_bench                    every figure below but the speed-up
 *   app=gil_bench bench=gil_speedup  wall-time speed-up, lock on and off
 *                                    (run without -icount, multi-threaded TCG)
 */
#include "../gil/gil_work.h"
#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/time.h>
#include <stdio.h>
#include <string.h>

#define CHECKS 100000
#define OVERHEAD_STEPS 4000000ul
#define HANDOFFS 40

static void report(const char *name, uint64_t value, const char *unit)
{
	printf("bench %s %llu %s\n", name, (unsigned long long)value, unit);
}

/* (a - b) / b in basis points, 0 when a is not slower. */
static uint64_t overhead_bp(uint64_t a, uint64_t b) { return a > b ? (a - b) * 10000 / b : 0; }

/* gil_check() by a lone holder, against the same loop without it. */
static void bench_check(struct gil *on)
{
	struct gil_member m;
	gil_enter(on, &m);
	uint64_t begin = time_now();
	for (int i = 0; i < CHECKS; i++) {
		gil_check();
		__asm__ volatile("" ::: "memory");	/* as the interpreter's code would */
	}
	uint64_t with = time_now() - begin;
	begin = time_now();
	for (int i = 0; i < CHECKS; i++)
		__asm__ volatile("" ::: "memory");
	uint64_t without = time_now() - begin;
	gil_leave();
	report("gil_check_no_waiter", (with - without) / CHECKS, "instructions");
}

/* One thread's count-down in a domain with the lock on, off, and as a plain
 * thread in no domain (no gil_check() at all). */
static uint64_t count_down_in(struct gil *g)
{
	struct gil_member m;
	if (g)
		gil_enter(g, &m);
	uint64_t begin = time_now();
	volatile unsigned long keep = gil_work_count_down(OVERHEAD_STEPS, g != NULL);
	(void)keep;
	uint64_t took = time_now() - begin;
	if (g)
		gil_leave();
	return took;
}

static void bench_overhead(struct gil *on, struct gil *off)
{
	count_down_in(NULL);	/* warm caches */
	uint64_t t_on = count_down_in(on), t_off = count_down_in(off), plain = count_down_in(NULL);
	report("gil_single_thread_on_vs_off", overhead_bp(t_on, t_off), "basis-points");
	report("gil_single_thread_on_vs_no_gil", overhead_bp(t_on, plain), "basis-points");
}

/* A holder spins in the count-down; another thread queues for the lock,
 * and measures from the drop request to its own first instruction holding
 * the lock; then hands it straight back. */
static volatile bool spin_stop;
static void *spinner(void *arg)
{
	while (!spin_stop)
		gil_work_count_down(GIL_WORK_CHECK_EVERY * 16, true);
	return NULL;
}

static void bench_handoff(struct gil *on)
{
	struct gil_member m;
	gil_set_interval(on, 200 * NS_PER_US);
	gil_enter(on, &m);
	spin_stop = false;
	struct thread *t;
	struct thread_attr attr = { .name = "spinner" };
	gil_thread_create(&t, on, &attr, spinner, NULL);
	uint64_t sum = 0;
	for (int i = 0; i < HANDOFFS; i++) {
		gil_release();
		thread_sleep(100 * NS_PER_US);	/* the spinner takes the lock */
		gil_acquire();			/* waits an interval, then asks */
		uint64_t now = time_now();
		struct gil_stats s;
		gil_stats_get(on, &s);
		sum += now - s.last_request_ns;
	}
	spin_stop = true;
	gil_leave();
	thread_join(t, NULL);
	gil_set_interval(on, GIL_INTERVAL_DEFAULT);
	report("gil_handoff_after_drop_request", sum / HANDOFFS, "instructions");
}

static void bench_io_rate(struct gil *on)
{
	uint64_t alone = gil_work_io_rate(on, 200, false);
	uint64_t contended = gil_work_io_rate(on, 200, true);
	report("gil_io_rate_alone", alone, "wakes/s");
	report("gil_io_rate_vs_cpu_bound", contended, "wakes/s");
	report("gil_io_rate_percent_of_alone", alone ? contended * 100 / alone : 0, "percent");
	/* Waiters that block at once: every hand-off is a wake-up. */
	gil_set_spin(on, 0);
	uint64_t no_spin = gil_work_io_rate(on, 200, true);
	gil_set_spin(on, GIL_SPIN_DEFAULT);
	report("gil_io_rate_percent_no_spin", alone ? no_spin * 100 / alone : 0, "percent");
	/* Under -icount QEMU runs the CPUs in index order, each until the
	 * next timer deadline: placed so the busy CPU comes after the I/O
	 * thread's, its interrupts are not held up behind it. */
	if (cpu_count() >= 2) {
		uint64_t placed = gil_work_io_rate_on(on, 200, 0, cpu_count() - 1);
		report("gil_io_rate_percent_busy_cpu_last", alone ? placed * 100 / alone : 0,
		       "percent");
	}
	/* The same two threads in no domain: what the scheduler alone gives. */
	report("gil_io_rate_vs_cpu_bound_no_gil", gil_work_io_rate(NULL, 200, true), "wakes/s");
}

static void bench_speedup(struct gil *on, struct gil *off)
{
	const unsigned long total = 80000000;
	gil_work_split(off, cpu_count() < 4 ? cpu_count() : 4, total / 8);	/* warm-up */
	struct gil *mode[2] = { on, off };
	for (unsigned k = 0; k < 2; k++) {
		uint64_t one = gil_work_split(mode[k], 1, total);
		for (unsigned n = 1; n <= 4 && n <= cpu_count(); n *= 2) {
			uint64_t took = n == 1 ? one : gil_work_split(mode[k], n, total);
			printf("bench gil_speedup_%s_%u_threads %llu.%02llu x (%llu us)\n",
			       k ? "off" : "on", n, (unsigned long long)(one / took),
			       (unsigned long long)(one * 100 / took % 100),
			       (unsigned long long)(took / 1000));
		}
	}
}

static int gil_bench_main(void)
{
	char which[24];
	const char *only = cmdline_get("bench", which, sizeof which);
	struct gil on, off;
	gil_init(&on, "bench-on", true);
	gil_init(&off, "bench-off", false);
	if (only && strcmp(only, "gil_speedup") == 0) {
		bench_speedup(&on, &off);
	} else if (only && strcmp(only, "gil_io_rate") == 0) {
		bench_io_rate(&on);
	} else {
		bench_check(&on);
		bench_overhead(&on, &off);
		if (cpu_count() >= 2)
			bench_handoff(&on);
		bench_io_rate(&on);
	}
	gil_dump(&on);
	gil_destroy(&on);
	gil_destroy(&off);
	return 0;
}
APP("gil_bench", gil_bench_main, "the big lock's benchmarks (make bench)");
