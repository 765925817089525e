/*
 * loop_bench: the event loop's figures, in the bench app's form ("bench
 * <name> <value> <unit>"), run by `make bench` (tools/bench.py) under QEMU
 * -icount shift=0, where one nanosecond is one guest instruction.
 *
 *   loop_call_soon     a callback queued with call_soon and run, in a batch
 *   loop_tick_chain    a callback that re-queues itself: one per tick
 *   loop_timer         a timer armed (due at once) and fired, in a batch
 *   loop_threadsafe    call_soon_threadsafe and its run, from the loop thread's
 *                      point of view (the lock and hand-over, no wake-up)
 *   loop_task_step     a future settled -> the task awaiting it resumed
 *                      (two tasks, ping-pong)
 */
#include "bench.h"
#include <kernel/app.h>
#include <kernel/time.h>
#include <loop/future.h>
#include <loop/loop.h>
#include <loop/task.h>
#include <stdio.h>
#include <stdlib.h>

#define BATCH 1000
#define CHAIN 2000
#define ROUNDS 2000

static struct loop *l;
static struct loop_handle handles[BATCH], driver;
static unsigned ran;
static uint64_t batch_start, batch_end;

/* The batch's callbacks; the last one notes the time. */
static void count(void *arg)
{
	if (++ran == BATCH) {
		batch_end = time_now();
		loop_stop(l);
	}
}

/* In loop context, as a program would: queue the batch one way or another. */
static void queue_soon(void *arg)
{
	batch_start = time_now();
	for (unsigned i = 0; i < BATCH; i++)
		loop_call_soon(l, &handles[i], count, NULL);
}

static void queue_timers(void *arg)
{
	batch_start = time_now();
	for (unsigned i = 0; i < BATCH; i++)
		loop_call_at(l, &handles[i], batch_start + i, count, NULL);	/* all due by the next tick */
}

static void queue_threadsafe(void *arg)
{
	batch_start = time_now();
	for (unsigned i = 0; i < BATCH; i++)
		loop_call_soon_threadsafe(l, &handles[i], count, NULL);
}

static void run_batch(const char *name, loop_fn *queue, const char *unit)
{
	ran = 0;
	loop_call_soon_named(l, &driver, queue, NULL, name);
	loop_run_forever(l);
	bench_report(name, batch_end - batch_start, BATCH, unit);
}

static struct loop_handle chain_h;
static unsigned chain_left;
static uint64_t chain_start;
static void chain(void *arg)
{
	if (chain_left == CHAIN)
		chain_start = time_now();
	if (--chain_left)
		loop_call_soon(l, &chain_h, chain, NULL);
	else
		loop_stop(l);
}

static void bench_chain(void)
{
	chain_left = CHAIN;
	loop_call_soon(l, &chain_h, chain, NULL);
	loop_run_forever(l);
	bench_report("loop_tick_chain", time_now() - chain_start, CHAIN - 1, "instructions/tick");
}

/* Two tasks pass the turn through futures: each round one settle and
 * one resume of the task awaiting it. */
static struct loop_future turn[2];
static uint64_t pp_start, pp_end;

static intptr_t player(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	for (unsigned i = 0; i < ROUNDS; i++) {
		if (me == 0 && i == 0)
			pp_start = time_now();
		if (me == 1 || i > 0) {	/* the first turn is player 0's */
			loop_await(&turn[me], NULL);
			loop_future_init(&turn[me], l, "turn");
		}
		loop_future_set_result(&turn[!me], 0);
	}
	if (me == 1)
		pp_end = time_now();
	return 0;
}

static void bench_task_step(void)
{
	loop_future_init(&turn[0], l, "turn");
	loop_future_init(&turn[1], l, "turn");
	struct loop_task *a, *b;
	loop_task_spawn(&a, l, NULL, player, (void *)0);
	loop_task_spawn(&b, l, NULL, player, (void *)1);
	loop_run_until_complete(l, loop_task_future(b), NULL);
	loop_run_until_complete(l, loop_task_future(a), NULL);
	bench_report("loop_task_step", pp_end - pp_start, 2 * ROUNDS, "instructions/resume");
	loop_task_free(a);
	loop_task_free(b);
}

static int loop_bench_main(void)
{
	if (loop_create(&l, "bench") != 0) {
		printf("loop_bench: no memory for a loop\n");
		return 1;
	}
	run_batch("loop_call_soon", queue_soon, "instructions/callback");
	bench_chain();
	run_batch("loop_timer", queue_timers, "instructions/timer");
	run_batch("loop_threadsafe", queue_threadsafe, "instructions/callback");
	bench_task_step();
	return loop_close(l) ? 1 : 0;
}

APP("loop_bench", loop_bench_main, "the event loop's benchmarks (make bench)");
