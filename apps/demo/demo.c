/*
 * demo: what `make run` boots. A short tour of the seeds' experiments, then
 * the status page on the network and the shell on the console:
 *
 *   1. a thread switch against a coroutine switch (the seeds: OS threads
 *      cost kernel work per switch, green threads a few instructions);
 *   2. CPU-bound count-down on 1 and 4 threads with the big lock on (no
 *      speed-up, as in CPython) and off (free-threaded: near the CPU count);
 *   3. an asyncio-style gather of three timers (30, 20 and 10 ms): they
 *      overlap, so it takes about 30 ms, not 60;
 *   4. http://localhost:8080/ (make run forwards it) and the shell; Ctrl-A X
 *      leaves QEMU.
 *
 * Times are wall time under QEMU's emulation: they show the shape (who is
 * cheaper, what speeds up), not what a board would measure. `make bench`
 * has the instruction counts.
 */
#include "../gil/gil_work.h"
#include "../httpd/httpd.h"
#include <coro/coro.h>
#include <kernel/app.h>
#include <kernel/cpu.h>
#include <kernel/sem.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <loop/task.h>
#include <net/net.h>
#include <shell/shell.h>
#include <stdio.h>

#define SWITCHES 2000

/* --- 1. thread switch vs coroutine switch ------------------------------------- */

static struct sem ping, pong;

static void *ponger(void *arg)
{
	for (int i = 0; i < SWITCHES; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

static uint64_t thread_switch_ns(void)
{
	sem_init(&ping, "demo ping", 0);
	sem_init(&pong, "demo pong", 0);
	/* Both on this CPU: a switch, not a wake-up of another CPU. */
	uint64_t mask = 1ull << this_cpu()->index;
	struct thread *self = thread_current(), *t;
	uint64_t was = self->affinity;
	thread_set_affinity(self, mask);
	struct thread_attr attr = { .name = "demo-pong", .affinity = mask };
	if (thread_create(&t, &attr, ponger, NULL)) {
		thread_set_affinity(self, was);
		return 0;
	}
	uint64_t begin = time_now();
	for (int i = 0; i < SWITCHES; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	uint64_t took = time_now() - begin;
	thread_join(t, NULL);
	thread_set_affinity(self, was);
	return took / (2 * SWITCHES);
}

/* Two coroutines on one worker yield to each other; the first times the
 * run from its first yield to its last (spawning is not a switch). */
static void *yielder(void *arg)
{
	coro_yield();		/* both are running from here on */
	uint64_t begin = time_now();
	for (int i = 0; i < SWITCHES; i++)
		coro_yield();
	return (void *)(uintptr_t)(time_now() - begin);
}

static uint64_t coro_switch_ns(void)
{
	struct coro_attr attr = { .name = "demo-yield", .worker = 0, .pinned = true };
	struct coro *a, *b;
	if (coro_spawn(&a, &attr, yielder, NULL))
		return 0;
	if (coro_spawn(&b, &attr, yielder, NULL)) {
		coro_join(a, NULL);
		return 0;
	}
	void *took;
	coro_join(a, &took);
	coro_join(b, NULL);
	return (uint64_t)(uintptr_t)took / (2 * SWITCHES);
}

/* --- 2. the big lock on and off ------------------------------------------------ */

static void gil_tour(void)
{
	static struct gil on, off;
	gil_init(&on, "demo-on", true);
	gil_init(&off, "demo-off", false);
	const unsigned long work = 20000000;
	unsigned n = cpu_online_count() < 4 ? cpu_online_count() : 4;
	uint64_t on1 = gil_work_split(&on, 1, work), onn = gil_work_split(&on, n, work);
	uint64_t off1 = gil_work_split(&off, 1, work), offn = gil_work_split(&off, n, work);
	printf("  the same count-down on 1 and %u threads:\n", n);
	printf("    big lock on : %4llu ms -> %4llu ms  (speed-up %.2fx: one thread runs at a time)\n",
	       (unsigned long long)(on1 / NS_PER_MS), (unsigned long long)(onn / NS_PER_MS),
	       onn ? (double)on1 / (double)onn : 0.0);
	printf("    big lock off: %4llu ms -> %4llu ms  (speed-up %.2fx: free-threaded)\n",
	       (unsigned long long)(off1 / NS_PER_MS), (unsigned long long)(offn / NS_PER_MS),
	       offn ? (double)off1 / (double)offn : 0.0);
}

/* --- 3. gather of timers, then serve ------------------------------------------- */

static intptr_t sleeper(void *arg)
{
	loop_sleep((uint64_t)(uintptr_t)arg * NS_PER_MS);
	printf("    timer of %lu ms done\n", (unsigned long)(uintptr_t)arg);
	return (intptr_t)(uintptr_t)arg;
}

static intptr_t demo_task(void *arg)
{
	printf("3. asyncio-style gather of three timers (30, 20, 10 ms) on the event loop:\n");
	static const unsigned ms[3] = { 30, 20, 10 };
	struct loop_future *fs[3];
	uint64_t begin = loop_time();
	for (int i = 0; i < 3; i++) {
		struct loop_task *t;
		struct loop_task_attr attr = { .name = "timer" };
		if (loop_task_spawn(&t, loop_current(), &attr, sleeper, (void *)(uintptr_t)ms[i]))
			return -1;
		fs[i] = loop_task_future(t);
	}
	intptr_t results[3];
	loop_gather(fs, 3, LOOP_GATHER_SETTLE, results);
	printf("    gathered [%ld, %ld, %ld] in %llu ms (they overlap: not 60)\n", (long)results[0],
	       (long)results[1], (long)results[2],
	       (unsigned long long)((loop_time() - begin) / NS_PER_MS));

	printf("4. the network and the shell\n");
	int err = net_wait_up(30 * NS_PER_SEC);
	if (err)
		printf("    no address yet (%d): the status page waits for DHCP\n", err);
	struct loop_task *httpd;
	if ((err = httpd_serve(&httpd)))
		return err;
	printf("    the shell is on this console: type help (Ctrl-A X leaves QEMU)\n");
	struct thread *shell;
	if ((err = shell_start(&shell)))
		printf("    no shell: %d\n", err);
	return loop_await(loop_task_future(httpd), NULL);
}

static int demo_main(void)
{
	printf("\nthreadbare demo: %u CPUs; threads, coroutines, a big lock and an event loop\n\n",
	       cpu_online_count());
	printf("1. a switch between two threads against one between two coroutines (same CPU):\n");
	uint64_t t = thread_switch_ns(), c = coro_switch_ns();
	printf("    thread: %llu ns, coroutine: %llu ns (%.1fx cheaper)\n", (unsigned long long)t,
	       (unsigned long long)c, c ? (double)t / (double)c : 0.0);
	printf("2. CPU-bound threads under the big lock, and with it off:\n");
	gil_tour();
	return net_run("demo", demo_task, NULL);
}
APP("demo", demo_main, "the tour: switch costs, the big lock on and off, a gather; then HTTP and the shell");
