/*
 * The Linux peer's operation figures, each the Linux way a user would write
 * it: sched_yield() between two threads, POSIX semaphores (futexes) for the
 * ping-pong, pthread mutexes, pthread_create/join, a hand-written coroutine
 * switch and swapcontext(), a channel on a mutex and a condition variable.
 * Every figure warms up first, subtracts its measuring loop's own cost
 * where the loop is a bare counted loop, and is measured REPS times: the
 * median is the figure, min and max its spread. Names match threadbare's
 * bench app where the operation is the same.
 */
#define _GNU_SOURCE
#include "peer.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define ROUNDS 2000
#define SWITCHES 20000
#define WARM_UP 100
#define REPS 5

/* The cost of a bare counted loop of n turns, to subtract. */
static uint64_t empty_loop(unsigned n)
{
	uint64_t start = peer_now();
	for (unsigned i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	return peer_now() - start;
}

static uint64_t minus_loop(uint64_t took, unsigned n)
{
	uint64_t loop = empty_loop(n);
	return took > loop ? took - loop : 0;
}

static pthread_t spawn_on(int cpu, void *(*fn)(void *), void *arg)
{
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof set, &set);
	}
	if (pthread_create(&t, &attr, fn, arg) != 0) {
		printf("peer: cannot create a thread on cpu %d\n", cpu);
		exit(1);
	}
	pthread_attr_destroy(&attr);
	return t;
}

/* --- sched_yield between two threads on one CPU ------------------------------ */

static atomic_bool yield_go;
static _Atomic uint64_t yield_start;

static void *yielder(void *arg)
{
	while (!yield_go)
		sched_yield();
	for (int i = 0; i < WARM_UP; i++)
		sched_yield();
	uint64_t zero = 0, now = peer_now();
	atomic_compare_exchange_strong(&yield_start, &zero, now);
	for (int i = 0; i < ROUNDS; i++)
		sched_yield();
	return NULL;
}

static void bench_yield(void)
{
	uint64_t took[REPS];
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2)
		peer_pin_self(1);	/* off CPU 0, where the two yield */
	for (int r = 0; r < REPS; r++) {
		yield_go = false;
		yield_start = 0;
		pthread_t a = spawn_on(0, yielder, NULL), b = spawn_on(0, yielder, NULL);
		yield_go = true;
		pthread_join(a, NULL);
		uint64_t end = peer_now();
		pthread_join(b, NULL);
		took[r] = minus_loop(end - yield_start, 2 * ROUNDS);
	}
	peer_pin_self(-1);
	peer_report("thread_yield_switch", took, REPS, 2 * ROUNDS, "instructions/switch");
}

/* --- semaphore (futex) ping-pong, and the wake latency ------------------------- */

static sem_t ping, pong;

static void *ponger(void *arg)
{
	for (int i = 0; i < WARM_UP + ROUNDS; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

static void *pinger(void *arg)
{
	for (int i = 0; i < WARM_UP; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	uint64_t start = peer_now();
	for (int i = 0; i < ROUNDS; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	*(uint64_t *)arg = minus_loop(peer_now() - start, ROUNDS);
	return NULL;
}

static void bench_pingpong(const char *name, int cpu_a, int cpu_b)
{
	uint64_t took[REPS];
	for (int r = 0; r < REPS; r++) {
		pthread_t b = spawn_on(cpu_b, ponger, NULL), a = spawn_on(cpu_a, pinger, &took[r]);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
	}
	peer_report(name, took, REPS, ROUNDS, "instructions/round-trip");
}

static _Atomic uint64_t posted_at, latency_sum;

static void *wakee(void *arg)
{
	for (int i = 0; i < ROUNDS / 10; i++) {
		sem_wait(&ping);
		latency_sum += peer_now() - posted_at;
		sem_post(&pong);
	}
	return NULL;
}

static void *waker(void *arg)
{
	struct timespec idle = { 0, 20000 };	/* let the wakee's CPU go idle */
	for (int i = 0; i < ROUNDS / 10; i++) {
		nanosleep(&idle, NULL);
		posted_at = peer_now();
		sem_post(&ping);
		sem_wait(&pong);
	}
	return NULL;
}

static void bench_wake_latency(void)
{
	uint64_t took[REPS];
	for (int r = 0; r < REPS; r++) {
		latency_sum = 0;
		pthread_t b = spawn_on(1, wakee, NULL), a = spawn_on(0, waker, NULL);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
		took[r] = latency_sum;
	}
	peer_report("wake_latency_cross_cpu", took, REPS, ROUNDS / 10, "instructions");
}

/* --- pthread mutex, create + join ----------------------------------------------- */

static void bench_mutex(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	uint64_t took[REPS];
	for (int r = -1; r < REPS; r++) {	/* r = -1: the warm-up */
		uint64_t start = peer_now();
		for (int i = 0; i < 10 * ROUNDS; i++) {
			pthread_mutex_lock(&m);
			pthread_mutex_unlock(&m);
		}
		uint64_t t = minus_loop(peer_now() - start, 10 * ROUNDS);
		if (r >= 0)
			took[r] = t;
	}
	peer_report("mutex_lock_unlock_uncontended", took, REPS, 10 * ROUNDS, "instructions/pair");
}

static void *nothing(void *arg) { return arg; }

static void bench_create_join(void)
{
	uint64_t took[REPS];
	for (int r = -1; r < REPS; r++) {
		uint64_t start = peer_now();
		for (int i = 0; i < ROUNDS / 10; i++) {
			pthread_t t;
			pthread_create(&t, NULL, nothing, NULL);
			pthread_join(t, NULL);
		}
		uint64_t t = minus_loop(peer_now() - start, ROUNDS / 10);
		if (r >= 0)
			took[r] = t;
	}
	peer_report("thread_create_join", took, REPS, ROUNDS / 10, "instructions/pair");
}

/* --- coroutine switches: hand-written, and swapcontext ------------------------- */

static void *main_sp, *other_sp;

static void bounce(void *arg)
{
	for (;;)
		peer_switch(&other_sp, main_sp);
}

/* A new context's first frame, as switch_<arch>.S pops it. */
static void *peer_context_init(uint8_t *stack, size_t size, void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
#if defined(__x86_64__)
	uint64_t *f = (uint64_t *)(top - 64);
	memset(f, 0, 64);
	f[0] = 0x1f80 | (uint64_t)0x037f << 32;	/* MXCSR, x87 control word: the defaults */
	f[3] = (uintptr_t)arg;			/* r13 */
	f[4] = (uintptr_t)entry;		/* r12 */
	f[7] = (uintptr_t)peer_switch_start;	/* the return address */
#elif defined(__aarch64__)
	uint64_t *f = (uint64_t *)(top - 176);
	memset(f, 0, 176);
	f[0] = (uintptr_t)entry;		/* x19 */
	f[1] = (uintptr_t)arg;			/* x20 */
	f[11] = (uintptr_t)peer_switch_start;	/* x30 */
#endif
	return f;
}

static void bench_switch(void)
{
	static uint8_t stack[16384] __attribute__((aligned(16)));
	other_sp = peer_context_init(stack, sizeof stack, bounce, NULL);
	uint64_t took[REPS];
	for (int i = 0; i < WARM_UP; i++)
		peer_switch(&main_sp, other_sp);
	for (int r = 0; r < REPS; r++) {
		uint64_t start = peer_now();
		for (int i = 0; i < SWITCHES; i++)
			peer_switch(&main_sp, other_sp);
		took[r] = minus_loop(peer_now() - start, SWITCHES);
	}
	peer_report("coro_arch_switch", took, REPS, 2 * SWITCHES, "instructions/switch");
}

static ucontext_t uc_main, uc_other;

static void uc_bounce(void)
{
	for (;;)
		swapcontext(&uc_other, &uc_main);
}

static void bench_swapcontext(void)
{
	static uint8_t stack[16384] __attribute__((aligned(16)));
	getcontext(&uc_other);
	uc_other.uc_stack.ss_sp = stack;
	uc_other.uc_stack.ss_size = sizeof stack;
	uc_other.uc_link = NULL;
	makecontext(&uc_other, uc_bounce, 0);
	uint64_t took[REPS];
	for (int i = 0; i < WARM_UP; i++)
		swapcontext(&uc_main, &uc_other);
	for (int r = 0; r < REPS; r++) {
		uint64_t start = peer_now();
		for (int i = 0; i < SWITCHES / 10; i++)
			swapcontext(&uc_main, &uc_other);
		took[r] = minus_loop(peer_now() - start, SWITCHES / 10);
	}
	peer_report("swapcontext_switch", took, REPS, 2 * (SWITCHES / 10), "instructions/switch");
}

/* --- a channel on a mutex and a condition variable ------------------------------ */

/* One slot: send waits for it to be empty, receive for it to be full. */
struct chan {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int full, value;
};

static struct chan ch_ping = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 },
		   ch_pong = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void chan_send(struct chan *c, int v)
{
	pthread_mutex_lock(&c->lock);
	while (c->full)
		pthread_cond_wait(&c->changed, &c->lock);
	c->value = v;
	c->full = 1;
	pthread_cond_signal(&c->changed);
	pthread_mutex_unlock(&c->lock);
}

static int chan_recv(struct chan *c)
{
	pthread_mutex_lock(&c->lock);
	while (!c->full)
		pthread_cond_wait(&c->changed, &c->lock);
	int v = c->value;
	c->full = 0;
	pthread_cond_signal(&c->changed);
	pthread_mutex_unlock(&c->lock);
	return v;
}

static void *chan_ponger(void *arg)
{
	for (int i = 0; i < WARM_UP + ROUNDS; i++)
		chan_send(&ch_pong, chan_recv(&ch_ping));
	return NULL;
}

static void *chan_pinger(void *arg)
{
	for (int i = 0; i < WARM_UP; i++) {
		chan_send(&ch_ping, i);
		chan_recv(&ch_pong);
	}
	uint64_t start = peer_now();
	for (int i = 0; i < ROUNDS; i++) {
		chan_send(&ch_ping, i);
		chan_recv(&ch_pong);
	}
	*(uint64_t *)arg = minus_loop(peer_now() - start, ROUNDS);
	return NULL;
}

static void bench_chan(const char *name, int cpu_a, int cpu_b)
{
	uint64_t took[REPS];
	for (int r = 0; r < REPS; r++) {
		pthread_t b = spawn_on(cpu_b, chan_ponger, NULL);
		pthread_t a = spawn_on(cpu_a, chan_pinger, &took[r]);
		pthread_join(a, NULL);
		pthread_join(b, NULL);
	}
	peer_report(name, took, REPS, ROUNDS, "instructions/round-trip");
}

void peer_bench_ops(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	bench_yield();
	bench_mutex();
	bench_pingpong("sem_pingpong_same_cpu", 0, 0);
	if (cpus >= 2) {
		bench_pingpong("sem_pingpong_cross_cpu", 0, 1);
		bench_wake_latency();
	}
	bench_create_join();
	bench_switch();
	bench_swapcontext();
	bench_chan("chan_pingpong_same_cpu", 0, 0);
	if (cpus >= 2)
		bench_chan("chan_pingpong_cross_cpu", 0, 1);
}

/* --- parallel speed-up (wall time, no -icount) ----------------------------------- */

static volatile unsigned long sink;

/* The same loop as threadbare's bench=speedup. */
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
	pthread_t t[4];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t start = peer_now();
	for (unsigned i = 0; i < nthreads; i++)
		t[i] = spawn_on((int)(i % cpus), count_down, (void *)(total / nthreads));
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return peer_now() - start;
}

void peer_bench_speedup(void)
{
	const unsigned long total = 160000000;
	unsigned cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	split_work(cpus < 4 ? cpus : 4, total / 8);	/* warm-up, as threadbare's */
	uint64_t one = split_work(1, total);
	for (unsigned n = 1; n <= 4 && n <= cpus; n *= 2) {
		uint64_t took = n == 1 ? one : split_work(n, total);
		printf("bench speedup_%u_threads %llu.%02llu x (%llu us)\n", n,
		       (unsigned long long)(one / took), (unsigned long long)(one * 100 / took % 100),
		       (unsigned long long)(took / 1000));
	}
}
