/*
 * bench: micro-benchmarks of the thread layer. Run by `make bench` under
 * QEMU -icount shift=0, where time_now() advances one nanosecond per guest
 * instruction, so each figure is guest instructions per operation. Prints
 * one line per figure: "bench <name> <value> <unit>".
 *
 * `bench=speedup` instead runs the same CPU-bound work on 1, 2 and 4
 * threads and reports wall-time ratios (run without -icount, with
 * multi-threaded TCG).
 */
#include "bench.h"
#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS 2000

void bench_report(const char *name, uint64_t total, uint64_t ops, const char *unit)
{
	printf("bench %s %llu %s\n", name, (unsigned long long)(ops ? total / ops : 0), unit);
}

void bench_report_reps(const char *name, const uint64_t *totals, unsigned reps, uint64_t ops,
		       const char *unit)
{
	uint64_t s[16];
	if (reps > 16)
		reps = 16;
	/* Insertion sort: a handful of values. */
	for (unsigned i = 0; i < reps; i++) {
		unsigned j = i;
		for (; j > 0 && s[j - 1] > totals[i]; j--)
			s[j] = s[j - 1];
		s[j] = totals[i];
	}
	printf("bench %s %llu %s ops=%llu reps=%u min=%llu max=%llu\n", name,
	       (unsigned long long)(s[reps / 2] / ops), unit, (unsigned long long)ops, reps,
	       (unsigned long long)(s[0] / ops), (unsigned long long)(s[reps - 1] / ops));
}

uint64_t bench_minus_loop(uint64_t took, unsigned n)
{
	uint64_t start = time_now();
	for (unsigned i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	uint64_t loop = time_now() - start;
	return took > loop ? took - loop : 0;
}

static struct thread *spawn_on(unsigned cpu, unsigned prio, void *(*fn)(void *), void *arg)
{
	struct thread *t = NULL;
	struct thread_attr attr = { .name = "bench", .prio = prio, .affinity = 1ull << cpu };
	if (thread_create(&t, &attr, fn, arg) != 0)
		printf("bench: cannot create a thread on cpu %u\n", cpu);
	return t;
}

/* --- yield --------------------------------------------------------------- */

/* Two threads of the top priority pinned to CPU 0 (the main thread kept
 * off it) wait at a gate, then yield to each other ROUNDS times each: every
 * yield is a real switch. */
static volatile bool yield_go;
static volatile uint64_t yield_start;

static void *yielder(void *arg)
{
	while (!yield_go)
		thread_yield();
	for (int i = 0; i < BENCH_WARM_UP; i++)
		thread_yield();
	if (!yield_start)
		yield_start = time_now();
	for (int i = 0; i < ROUNDS; i++)
		thread_yield();
	return NULL;
}

static void bench_yield(void)
{
	uint64_t took[BENCH_REPS];
	thread_set_affinity(thread_current(), 1ull << 1);
	for (int r = 0; r < BENCH_REPS; r++) {
		yield_go = false;
		yield_start = 0;
		struct thread *a = spawn_on(0, THREAD_PRIO_MAX, yielder, NULL);
		struct thread *b = spawn_on(0, THREAD_PRIO_MAX, yielder, NULL);
		yield_go = true;
		thread_join(a, NULL);
		uint64_t end = time_now();
		thread_join(b, NULL);
		took[r] = bench_minus_loop(end - yield_start, 2 * ROUNDS);
	}
	thread_set_affinity(thread_current(), CPU_MASK_ALL);
	bench_report_reps("thread_yield_switch", took, BENCH_REPS, 2 * ROUNDS, "instructions/switch");
}

/* --- semaphore ping-pong ---------------------------------------------------- */

static struct sem ping = SEM_INIT(ping, "ping", 0), pong = SEM_INIT(pong, "pong", 0);

static void *ponger(void *arg)
{
	for (int i = 0; i < BENCH_WARM_UP + ROUNDS; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

static void *pinger(void *arg)
{
	for (int i = 0; i < BENCH_WARM_UP; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	uint64_t start = time_now();
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	*(uint64_t *)arg = bench_minus_loop(time_now() - start, ROUNDS);
	return NULL;
}

static void bench_pingpong(const char *name, unsigned cpu_a, unsigned cpu_b)
{
	uint64_t took[BENCH_REPS];
	/* The main thread off both CPUs, as for the yield: left ready on one,
	 * it would sit in the run queue every switch looks at. */
	unsigned spare = (cpu_a > cpu_b ? cpu_a : cpu_b) + 1;
	if (spare < cpu_count())
		thread_set_affinity(thread_current(), 1ull << spare);
	for (int r = 0; r < BENCH_REPS; r++) {
		struct thread *b = spawn_on(cpu_b, THREAD_PRIO_MAX, ponger, NULL);
		struct thread *a = spawn_on(cpu_a, THREAD_PRIO_MAX, pinger, &took[r]);
		thread_join(a, NULL);
		thread_join(b, NULL);
	}
	thread_set_affinity(thread_current(), CPU_MASK_ALL);
	bench_report_reps(name, took, BENCH_REPS, ROUNDS, "instructions/round-trip");
}

/* --- wake latency across CPUs ------------------------------------------------ */

static volatile uint64_t posted_at, latency_sum;

static void *wakee(void *arg)
{
	for (int i = 0; i < ROUNDS / 10; i++) {
		sem_wait(&ping);
		latency_sum += time_now() - posted_at;
		sem_post(&pong);
	}
	return NULL;
}

static void *waker(void *arg)
{
	for (int i = 0; i < ROUNDS / 10; i++) {
		thread_sleep(20 * NS_PER_US);	/* let the wakee go idle */
		posted_at = time_now();
		sem_post(&ping);
		sem_wait(&pong);
	}
	return NULL;
}

static void bench_wake_latency(void)
{
	uint64_t took[BENCH_REPS];
	for (int r = 0; r < BENCH_REPS; r++) {
		latency_sum = 0;
		struct thread *b = spawn_on(1, THREAD_PRIO_MAX, wakee, NULL);
		struct thread *a = spawn_on(0, THREAD_PRIO_MAX, waker, NULL);
		thread_join(a, NULL);
		thread_join(b, NULL);
		took[r] = latency_sum;
	}
	bench_report_reps("wake_latency_cross_cpu", took, BENCH_REPS, ROUNDS / 10, "instructions");
}

/* --- mutex, create+join ---------------------------------------------------- */

static void bench_mutex(void)
{
	struct mutex m;
	mutex_init(&m, "bench", false);
	uint64_t took[BENCH_REPS];
	for (int r = -1; r < BENCH_REPS; r++) {	/* r = -1: the warm-up */
		uint64_t start = time_now();
		for (int i = 0; i < 10 * ROUNDS; i++) {
			mutex_lock(&m);
			mutex_unlock(&m);
		}
		uint64_t t = bench_minus_loop(time_now() - start, 10 * ROUNDS);
		if (r >= 0)
			took[r] = t;
	}
	bench_report_reps("mutex_lock_unlock_uncontended", took, BENCH_REPS, 10 * ROUNDS,
			  "instructions/pair");
}

static void *nothing(void *arg) { return arg; }

static void bench_create_join(void)
{
	uint64_t took[BENCH_REPS];
	for (int r = -1; r < BENCH_REPS; r++) {	/* r = -1: the warm-up */
		uint64_t start = time_now();
		for (int i = 0; i < ROUNDS / 10; i++) {
			struct thread *t;
			thread_create(&t, NULL, nothing, NULL);
			thread_join(t, NULL);
		}
		uint64_t t = bench_minus_loop(time_now() - start, ROUNDS / 10);
		if (r >= 0)
			took[r] = t;
	}
	bench_report_reps("thread_create_join", took, BENCH_REPS, ROUNDS / 10, "instructions/pair");
}

/* --- parallel speed-up (wall time, no -icount) ------------------------------ */

static volatile unsigned long sink;

static void *count_down(void *arg)
{
	unsigned long n = (unsigned long)arg, acc = 0;
	while (n--)
		acc += n ^ (acc >> 3);
	sink += acc;
	return NULL;
}

static uint64_t split_work(unsigned nthreads, unsigned long total)
{
	struct thread *t[4];
	uint64_t start = time_now();
	for (unsigned i = 0; i < nthreads; i++)
		t[i] = spawn_on(i % cpu_count(), THREAD_PRIO_DEFAULT, count_down,
				(void *)(total / nthreads));
	for (unsigned i = 0; i < nthreads; i++)
		thread_join(t[i], NULL);
	return time_now() - start;
}

static void bench_speedup(void)
{
	const unsigned long total = 160000000;
	/* Warm-up: the first run also pays for QEMU translating the loop, which
	 * would flatter every ratio measured against it. */
	split_work(cpu_count() < 4 ? cpu_count() : 4, total / 8);
	uint64_t one = split_work(1, total);
	for (unsigned n = 1; n <= 4 && n <= cpu_count(); n *= 2) {
		uint64_t took = n == 1 ? one : split_work(n, total);
		printf("bench speedup_%u_threads %llu.%02llu x (%llu us)\n", n,
		       (unsigned long long)(one / took), (unsigned long long)(one * 100 / took % 100),
		       (unsigned long long)(took / 1000));
	}
}

static void pingpong_same(void) { bench_pingpong("sem_pingpong_same_cpu", 0, 0); }
static void pingpong_cross(void) { bench_pingpong("sem_pingpong_cross_cpu", 0, 1); }

static const struct {
	const char *name;
	void (*run)(void);
	unsigned min_cpus;
} benches[] = {
	{ "yield", bench_yield, 2 },
	{ "mutex", bench_mutex, 1 },
	{ "pingpong", pingpong_same, 1 },
	{ "pingpong_cross", pingpong_cross, 2 },
	{ "wake_latency", bench_wake_latency, 2 },
	{ "create_join", bench_create_join, 1 },
	{ "speedup", bench_speedup, 1 },
	{ "coro", bench_coro, 1 },
	{ "coro_live", bench_coro_live, 1 },
};

/* One benchmark by name (see the table); NULL runs all but the speed-up,
 * which wants a run without -icount, and coro_live, which wants a guest of
 * its own (it fills memory). */
int bench_run(const char *only)
{
	bool found = false;
	for (unsigned i = 0; i < sizeof benches / sizeof benches[0]; i++) {
		bool alone = benches[i].run == bench_speedup || benches[i].run == bench_coro_live;
		if (only ? strcmp(only, benches[i].name) != 0 : alone)
			continue;
		found = true;
		if (cpu_count() < benches[i].min_cpus)
			printf("bench: %s needs %u cpus\n", benches[i].name, benches[i].min_cpus);
		else
			benches[i].run();
	}
	if (!found) {
		printf("bench: no benchmark named '%s' (names: %s)\n", only, bench_names());
		return 2;
	}
	return 0;
}

const char *bench_names(void)
{
	static char names[160];
	if (!names[0])
		for (unsigned i = 0; i < sizeof benches / sizeof benches[0]; i++)
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
				 i ? " " : "", benches[i].name);
	return names;
}

/* bench=<name> runs one; none runs the default set. */
static int bench_main(void)
{
	/* The first line of the application, for the boot figure (time_now()
	 * counts from reset): comparable with the Linux peer's /init. */
	printf("bench boot_to_app_first_line %llu instructions\n", (unsigned long long)time_now());
	char which[24];
	return bench_run(cmdline_get("bench", which, sizeof which));
}
APP("bench", bench_main, "micro-benchmarks (make bench)");
