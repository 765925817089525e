/*
 * The observability layer in the image: the trace records on every CPU and
 * stops when told, the shell's dispatcher answers bad input with an error,
 * and coro_for_each() sees parked coroutines. `debug_parked_coroutines`
 * (manual) parks coroutines and waits forever, for the gdb script's test
 * (tests/shell/observe_test.py) to find them.
 */
#include "on_all_cpus.h"
#include <coro/coro.h>
#include <coro/wg.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <shell/shell.h>
#include <string.h>

static void sleep_a_little(void *arg) { thread_sleep(2 * NS_PER_MS); }

TEST(trace_records_on_every_cpu_and_stops)
{
	EXPECT_EQ(trace_start(64), 0);	/* a small ring: it wraps */
	EXPECT(trace_running());
	on_all_cpus(sleep_a_little, NULL);
	trace_stop();
	EXPECT(!trace_running());
	uint64_t seen[MAX_CPUS];
	for (unsigned i = 0; i < cpu_count(); i++) {
		seen[i] = trace_recorded(i);
		if (cpu_get(i)->online && !seen[i])
			test_fail(__FILE__, __LINE__, "no event recorded on cpu %u", i);
	}
	on_all_cpus(sleep_a_little, NULL);	/* stopped: nothing more */
	for (unsigned i = 0; i < cpu_count(); i++)
		EXPECT_EQ(trace_recorded(i), seen[i]);
}

TEST(shell_answers_bad_input_with_an_error)
{
	EXPECT_EQ(shell_exec("help"), 0);
	EXPECT_EQ(shell_exec(""), 0);
	EXPECT_EQ(shell_exec("no-such-command"), -ENOENT);
	EXPECT(shell_exec("ps extra") != 0);
	EXPECT(shell_exec("top 0") != 0);
	EXPECT(shell_exec("top 1 5") != 0);	/* below the 10 ms interval floor */
	EXPECT(shell_exec("trace sideways") != 0);
	EXPECT(shell_exec("bench") != 0);
	EXPECT(shell_exec("a b c d e f g h i j") != 0);
	EXPECT_EQ(shell_exec("top 1 10"), 0);
}

static struct wg gate;

static void *park_at_gate(void *arg)
{
	wg_wait(&gate);
	return NULL;
}

static void spawn_parked(struct coro **out, unsigned n, const char *name)
{
	wg_init(&gate, "observe gate");
	wg_add(&gate, 1);
	struct coro_attr attr = { .name = name, .worker = CORO_ANY_WORKER };
	for (unsigned i = 0; i < n; i++)
		EXPECT_EQ(coro_spawn(&out[i], &attr, park_at_gate, NULL), 0);
	thread_sleep(10 * NS_PER_MS);	/* let them run to the gate */
}

static void count_parked(const struct coro_info *c, void *arg)
{
	if (strcmp(c->name, "walk-parked") == 0 && strcmp(c->state, "parked") == 0 && c->stack_used)
		(*(unsigned *)arg)++;
}

TEST(coro_for_each_sees_parked_coroutines)
{
	struct coro *c[3];
	spawn_parked(c, 3, "walk-parked");
	unsigned n = 0;
	coro_for_each(count_parked, &n);
	EXPECT_EQ(n, 3);
	wg_done(&gate);
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ(coro_join(c[i], NULL), 0);
	n = 0;
	coro_for_each(count_parked, &n);
	EXPECT_EQ(n, 0);	/* joined: back in the pool, not listed */
}

MANUAL_TEST(debug_parked_coroutines)
{
	struct coro *c[2];
	spawn_parked(c, 2, "gdb-parked");
	kprintf("parked for the debugger\n");
	for (;;)
		thread_sleep(NS_PER_SEC);
}
