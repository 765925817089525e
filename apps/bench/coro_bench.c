/*
 * Coroutine benchmarks for the bench app (bench.c runs them): the switch
 * (the arch switch alone, and coro_transfer() around it),
 * a yield through the scheduler, spawn+join, channel ping-pong, the memory
 * a coroutine costs, and how many fit alive in the guest at once. Each runs
 * on a single-threaded scheduler (coro_run) on the bench thread, so nothing
 * else runs between the operations measured.
 */
#include "bench.h"
#include <arch/context.h>
#include <coro/chan.h>
#include <coro/coro.h>
#include <coro/wg.h>
#include <errno.h>
#include <kernel/cmdline.h>
#include <stdlib.h>
#include <kernel/page.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>

#define SWITCHES 20000
#define ROUNDS 2000
#define WARM_UP BENCH_WARM_UP

/* --- the switch: two coroutines transferring to each other ------------------ */

static struct coro *main_coro, *bouncer;
static volatile bool bounce_stop;

static void *bounce(void *arg)
{
	while (!bounce_stop)
		coro_transfer(main_coro);
	return NULL;	/* main_coro, its creator, is resumed */
}

static void *switch_main(void *arg)
{
	main_coro = coro_self();
	bounce_stop = false;
	struct coro_attr attr = { .name = "bouncer", .transfer = true, .worker = CORO_ANY_WORKER };
	if (coro_spawn(&bouncer, &attr, bounce, NULL) != 0)
		return NULL;
	for (unsigned i = 0; i < WARM_UP; i++)
		coro_transfer(bouncer);
	uint64_t took[BENCH_REPS];
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		uint64_t start = time_now();
		for (unsigned i = 0; i < SWITCHES; i++)
			coro_transfer(bouncer);
		took[r] = bench_minus_loop(time_now() - start, SWITCHES);
	}
	bounce_stop = true;
	coro_transfer(bouncer);
	coro_join(bouncer, NULL);
	bench_report_reps("coro_switch", took, BENCH_REPS, 2 * SWITCHES, "instructions/switch");
	return NULL;
}

/* --- the arch switch alone, between two coroutine stacks -------------------- */

static uintptr_t raw_main_sp, raw_other_sp;
static _Alignas(16) uint8_t raw_stack[4096];

static void raw_bounce(void *arg)
{
	for (;;)
		arch_context_switch(&raw_other_sp, raw_main_sp);
}

static void *raw_switch_main(void *arg)
{
	raw_other_sp = arch_context_init((uintptr_t)raw_stack + sizeof raw_stack, raw_bounce, NULL);
	for (unsigned i = 0; i < WARM_UP; i++)
		arch_context_switch(&raw_main_sp, raw_other_sp);
	uint64_t took[BENCH_REPS];
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		uint64_t start = time_now();
		for (unsigned i = 0; i < SWITCHES; i++)
			arch_context_switch(&raw_main_sp, raw_other_sp);
		took[r] = bench_minus_loop(time_now() - start, SWITCHES);
	}
	bench_report_reps("coro_arch_switch", took, BENCH_REPS, 2 * SWITCHES, "instructions/switch");
	return NULL;	/* raw_bounce's stack is simply dropped */
}

/* --- a yield through the scheduler ------------------------------------------ */

static volatile uint64_t yield_start;

static void *yielder(void *arg)
{
	for (unsigned i = 0; i < WARM_UP; i++)
		coro_yield();
	if (!yield_start)
		yield_start = time_now();
	for (unsigned i = 0; i < ROUNDS; i++)
		coro_yield();
	return NULL;
}

static void *yield_main(void *arg)
{
	uint64_t took[BENCH_REPS];
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		yield_start = 0;
		struct coro *a, *b;
		coro_spawn(&a, NULL, yielder, NULL);
		coro_spawn(&b, NULL, yielder, NULL);
		coro_join(a, NULL);
		uint64_t end = time_now();
		coro_join(b, NULL);
		took[r] = bench_minus_loop(end - yield_start, 2 * ROUNDS);
	}
	bench_report_reps("coro_yield_switch", took, BENCH_REPS, 2 * ROUNDS, "instructions/switch");
	return NULL;
}

/* --- spawn + run + exit + join ------------------------------------------------ */

static void *nothing(void *arg) { return arg; }

static void *spawn_main(void *arg)
{
	struct coro *c;
	for (unsigned i = 0; i < WARM_UP; i++) {
		coro_spawn(&c, NULL, nothing, NULL);
		coro_join(c, NULL);
	}
	uint64_t took[BENCH_REPS];
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		uint64_t start = time_now();
		for (unsigned i = 0; i < ROUNDS; i++) {
			coro_spawn(&c, NULL, nothing, NULL);
			coro_join(c, NULL);
		}
		took[r] = bench_minus_loop(time_now() - start, ROUNDS);
	}
	bench_report_reps("coro_spawn_join", took, BENCH_REPS, ROUNDS, "instructions/pair");
	return NULL;
}

/* --- channel ping-pong ---------------------------------------------------------- */

static struct chan ping, pong;

static void *ponger(void *arg)
{
	int v;
	while (chan_recv(&ping, &v) == 0)
		chan_send(&pong, &v);
	return NULL;
}

static void *chan_main(void *arg)
{
	chan_init(&ping, "ping", sizeof(int), 0, NULL);
	chan_init(&pong, "pong", sizeof(int), 0, NULL);
	struct coro *p;
	coro_spawn(&p, NULL, ponger, NULL);
	int v = 0;
	for (unsigned i = 0; i < WARM_UP; i++) {
		chan_send(&ping, &v);
		chan_recv(&pong, &v);
	}
	uint64_t took[BENCH_REPS];
	for (unsigned r = 0; r < BENCH_REPS; r++) {
		uint64_t start = time_now();
		for (unsigned i = 0; i < ROUNDS; i++) {
			chan_send(&ping, &v);
			chan_recv(&pong, &v);
		}
		took[r] = bench_minus_loop(time_now() - start, ROUNDS);
	}
	bench_report_reps("coro_chan_pingpong", took, BENCH_REPS, ROUNDS, "instructions/round-trip");
	chan_close(&ping);
	coro_join(p, NULL);
	chan_destroy(&ping);
	chan_destroy(&pong);
	return NULL;
}

void bench_coro(void)
{
	coro_run(raw_switch_main, NULL, 0);
	coro_run(switch_main, NULL, 0);
	coro_run(yield_main, NULL, 0);
	coro_run(spawn_main, NULL, 0);
	coro_run(chan_main, NULL, 0);
	struct coro_stats s;
	coro_get_stats(&s);
	printf("bench coro_control_block %lu bytes\n", (unsigned long)s.control_block);
	printf("bench coro_default_memory %u bytes\n", CORO_STACK_DEFAULT);
}

/* --- how many fit: spawn until the memory runs out ------------------------------- */

#define LIVE_STACK 640		/* the smallest class that parks with room to spare */
#define LIVE_CAP 2000000		/* or live=<n> on the command line */

static struct wg live_gate;

static void *park_at_gate(void *arg)
{
	wg_wait(&live_gate);
	return NULL;
}

void bench_coro_live(void)
{
	wg_init(&live_gate, "live");
	wg_add(&live_gate, 1);
	struct coro_attr attr = { .name = "live", .stack_size = LIVE_STACK, .detached = true,
				  .worker = CORO_ANY_WORKER };
	char buf[16];
	const char *cap_arg = cmdline_get("live", buf, sizeof buf);
	unsigned long cap = cap_arg ? strtoul(cap_arg, NULL, 10) : LIVE_CAP;
	unsigned long n = 0;
	int err = 0;
	uint64_t start = time_now();
	while (n < cap && (err = coro_spawn(NULL, &attr, park_at_gate, NULL)) == 0)
		n++;
	/* Every one has run up to the gate and is parked there. */
	uint64_t give_up = time_now() + 600 * NS_PER_SEC;
	while (__atomic_load_n(&live_gate.wq.count, __ATOMIC_RELAXED) < n && time_now() < give_up)
		thread_sleep(10 * NS_PER_MS);
	unsigned long parked = __atomic_load_n(&live_gate.wq.count, __ATOMIC_RELAXED);
	printf("bench: spawned and parked in %llu ms\n", (unsigned long long)((time_now() - start) / NS_PER_MS));
	printf("bench coro_live_max %lu coroutines\n", parked);
	printf("bench: %lu spawned of %u bytes each, stopped by %s, %lu MiB of pages in all\n", n,
	       LIVE_STACK, err == -ENOMEM ? "ENOMEM" : "the cap",
	       (unsigned long)((uint64_t)page_total_count() * PAGE_SIZE >> 20));
	struct coro_stats s;
	coro_get_stats(&s);
	uint64_t alive = s.alive;
	wg_done(&live_gate);
	while (s.alive > alive - n && time_now() < give_up) {
		thread_sleep(10 * NS_PER_MS);
		coro_get_stats(&s);
	}
	printf("bench coro_live_stack_used %lu bytes\n", (unsigned long)s.stack_high_water);
}
