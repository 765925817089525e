/*
 * The event loop: ticks and handles, timers, the hand-over from other
 * CPUs and interrupt handlers, futures waited by every kind of waiter,
 * tasks (await, sleep, kernel waits, cancellation), gather, wait_for,
 * task groups, backpressure, the executor, shutdown and debug mode.
 * Each test makes its own loop and runs it on the test's thread.
 */
#include <coro/chan.h>
#include <coro/coro.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <loop/future.h>
#include <loop/loop.h>
#include <loop/sync.h>
#include <loop/task.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS (1000 * 1000ull)

static struct loop *new_loop(const char *name)
{
	struct loop *l = NULL;
	int err = loop_create(&l, name);
	if (err)
		test_fail(__FILE__, __LINE__, "loop_create: %d", err);
	return l;
}

static void close_loop(struct loop *l)
{
	int err = loop_close(l);
	if (err)
		test_fail(__FILE__, __LINE__, "loop_close: %d", err);
}

static struct loop_task *spawn(struct loop *l, const char *name, loop_task_fn *fn, void *arg)
{
	struct loop_task *t = NULL;
	struct loop_task_attr attr = { .name = name };
	int err = loop_task_spawn(&t, l, &attr, fn, arg);
	if (err)
		test_fail(__FILE__, __LINE__, "loop_task_spawn(%s): %d", name, err);
	return t;
}

/* Run l until t ends; t's result. */
static int run_task(struct loop *l, struct loop_task *t, intptr_t *out)
{
	return loop_run_until_complete(l, loop_task_future(t), out);
}

static struct thread *thread_on(unsigned cpu, void *(*fn)(void *), void *arg)
{
	struct thread *t = NULL;
	struct thread_attr attr = { .name = "loop-test", .affinity = 1ull << (cpu % cpu_online_count()) };
	if (thread_create(&t, &attr, fn, arg) != 0)
		test_fail(__FILE__, __LINE__, "thread_create");
	return t;
}

/* --- handles and ticks ----------------------------------------------------------- */

static char order[64];
static unsigned order_n;
static void note(void *arg) { order[order_n++] = (char)(uintptr_t)arg; }

TEST(loop_call_soon_runs_in_order)
{
	struct loop *l = new_loop("order");
	struct loop_handle h[5] = { 0 };
	order_n = 0;
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(loop_call_soon(l, &h[i], note, (void *)(uintptr_t)('a' + i)), 0);
	EXPECT_EQ(loop_call_soon(l, &h[2], note, (void *)'x'), -EBUSY);	/* pending */
	EXPECT(loop_handle_cancel(&h[3]));
	EXPECT(!loop_handle_cancel(&h[3]));
	loop_stop(l);
	loop_run_forever(l);	/* stopped before: one tick */
	order[order_n] = 0;
	EXPECT(strcmp(order, "abce") == 0);
	close_loop(l);
}

/* Each callback schedules the next: one per tick, never within a tick. */
static struct loop *chain_loop;
static uint64_t chain_ticks[8];
static unsigned chain_n;
static struct loop_handle chain_h;
static void chain(void *arg)
{
	struct loop_stats s;
	loop_get_stats(chain_loop, &s);
	chain_ticks[chain_n++] = s.ticks;
	if (chain_n < 8)
		loop_call_soon(chain_loop, &chain_h, chain, NULL);	/* reuses its own handle */
	else
		loop_stop(chain_loop);
}

TEST(loop_tick_runs_a_snapshot)
{
	struct loop *l = chain_loop = new_loop("snapshot");
	chain_n = 0;
	chain_h = (struct loop_handle){ 0 };
	loop_call_soon(l, &chain_h, chain, NULL);
	loop_run_forever(l);
	EXPECT_EQ(chain_n, 8);
	for (unsigned i = 1; i < 8; i++)
		EXPECT_EQ(chain_ticks[i], chain_ticks[i - 1] + 1);
	close_loop(l);
}

static uint64_t fired_at[6];
static uint64_t due_at[6];
static unsigned fired_n;
static struct loop *timer_loop;
static void timer_fired(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	fired_at[fired_n] = time_now();
	due_at[fired_n++] = i;
	if (fired_n == 5)
		loop_stop(timer_loop);
}

TEST(loop_timers_fire_in_deadline_order_not_early)
{
	struct loop *l = timer_loop = new_loop("timers");
	static const unsigned delay_ms[6] = { 30, 10, 50, 20, 40, 25 };
	struct loop_handle h[6] = { 0 };
	uint64_t start = time_now();
	fired_n = 0;
	for (uintptr_t i = 0; i < 6; i++)
		loop_call_at(l, &h[i], start + delay_ms[i] * MS, timer_fired, (void *)i);
	EXPECT(loop_handle_cancel(&h[5]));	/* 25 ms: never fires */
	loop_run_forever(l);
	EXPECT_EQ(fired_n, 5);
	static const unsigned want[5] = { 1, 3, 0, 4, 2 };
	for (unsigned k = 0; k < 5; k++) {
		EXPECT_EQ(due_at[k], want[k]);
		EXPECT(fired_at[k] >= start + delay_ms[want[k]] * MS);
	}
	struct loop_stats s;
	loop_get_stats(l, &s);
	EXPECT(s.sleeps >= 1);		/* it slept between timers, not spun */
	EXPECT(s.ticks < 50);
	close_loop(l);
}

/* --- from other CPUs and interrupt handlers --------------------------------------- */

#define REMOTE_CALLS 200
static struct loop *remote_loop;
static volatile unsigned remote_ran;
static struct loop_handle remote_h[REMOTE_CALLS];
static void remote_cb(void *arg)
{
	EXPECT(loop_current() == remote_loop);
	if (++remote_ran == REMOTE_CALLS)
		loop_stop(remote_loop);
}

static void *remote_caller(void *arg)
{
	for (unsigned i = 0; i < REMOTE_CALLS; i++) {
		EXPECT(loop_current() == NULL);
		EXPECT_EQ(loop_call_soon_threadsafe(remote_loop, &remote_h[i], remote_cb, NULL), 0);
		if (i % 16 == 0)
			thread_sleep(MS / 4);	/* lets the loop fall asleep now and then */
	}
	return NULL;
}

TEST(loop_call_soon_threadsafe_from_another_cpu)
{
	struct loop *l = remote_loop = new_loop("remote");
	memset(remote_h, 0, sizeof remote_h);
	remote_ran = 0;
	struct thread *t = thread_on(this_cpu()->index + 1, remote_caller, NULL);
	loop_run_forever(l);
	thread_join(t, NULL);
	EXPECT_EQ(remote_ran, REMOTE_CALLS);
	struct loop_stats s;
	loop_get_stats(l, &s);
	EXPECT_EQ(s.threadsafe_calls, REMOTE_CALLS);
	close_loop(l);
}

static struct loop_handle irq_h;
static struct loop_source irq_src;
static volatile unsigned irq_depth_seen;
static struct loop *irq_loop;
static void irq_cb(void *arg)
{
	EXPECT_EQ(this_cpu()->irq_depth, 0);	/* loop context, not the handler's */
	loop_stop(irq_loop);
}

static void from_timer_irq(struct timer *t)
{
	irq_depth_seen = this_cpu()->irq_depth;
	EXPECT_EQ(loop_call_soon_threadsafe(irq_loop, &irq_h, irq_cb, NULL), 0);
	EXPECT_EQ(loop_call_soon_threadsafe(irq_loop, &irq_h, irq_cb, NULL), -EBUSY);
}

TEST(loop_call_soon_threadsafe_from_an_interrupt_wakes_the_idle_loop)
{
	struct loop *l = irq_loop = new_loop("irq");
	irq_h = (struct loop_handle){ 0 };
	static struct timer tm;
	tm = (struct timer){ 0 };
	uint64_t start = time_now();
	timer_arm(&tm, start + 20 * MS, from_timer_irq);
	loop_run_forever(l);	/* nothing else to do: it sleeps until the interrupt */
	EXPECT(time_now() >= start + 20 * MS);
	EXPECT(irq_depth_seen > 0);
	struct loop_stats s;
	loop_get_stats(l, &s);
	EXPECT(s.sleeps >= 1);
	EXPECT(s.ticks <= 3);	/* woken by the hand-over, not by polling */
	close_loop(l);
}

static void source_cb(struct loop_source *src)
{
	unsigned *runs = src->arg;
	if (++*runs == 2)
		loop_stop(src->loop);
}

static void source_irq(struct timer *t)
{
	/* Three signals while pending are one run; the second run comes from
	 * the signal the first run sends itself (see below). */
	for (int i = 0; i < 3; i++)
		loop_source_signal(&irq_src);
}

static void resignal(void *arg) { loop_source_signal(&irq_src); }

TEST(loop_source_signal_from_an_interrupt_runs_once_per_pending)
{
	struct loop *l = irq_loop = new_loop("source");
	unsigned runs = 0;
	loop_source_init(&irq_src, l, source_cb, &runs);
	static struct timer tm;
	tm = (struct timer){ 0 };
	timer_arm(&tm, time_now() + 5 * MS, source_irq);
	struct loop_handle later = { 0 };
	loop_call_later(l, &later, 30 * MS, resignal, NULL);
	loop_run_forever(l);
	EXPECT_EQ(runs, 2);
	EXPECT_EQ(irq_src.signals, 4);
	EXPECT_EQ(irq_src.runs, 2);
	loop_source_remove(&irq_src);
	close_loop(l);
}

/* --- futures ---------------------------------------------------------------------- */

static struct loop_future shared_fut;
static volatile int waiters_done;

static void *thread_waiter(void *arg)
{
	intptr_t r = 0;
	EXPECT_EQ(loop_await(&shared_fut, &r), 0);
	EXPECT_EQ(r, 42);
	__atomic_fetch_add(&waiters_done, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *coro_waiter(void *arg)
{
	intptr_t r = 0;
	EXPECT(coro_self() != NULL);
	EXPECT_EQ(loop_await(&shared_fut, &r), 0);
	EXPECT_EQ(r, 42);
	__atomic_fetch_add(&waiters_done, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void done_cb(struct loop_future *f, void *arg)
{
	intptr_t r = 0;
	EXPECT_EQ(loop_future_result(f, &r), 0);
	EXPECT_EQ(r, 42);
	__atomic_fetch_add(&waiters_done, 1, __ATOMIC_RELAXED);
}

static intptr_t task_waiter(void *arg)
{
	intptr_t r = 0;
	EXPECT_EQ(loop_await(&shared_fut, &r), 0);
	__atomic_fetch_add(&waiters_done, 1, __ATOMIC_RELAXED);
	return r + 1;
}

static void settle_from_irq(struct timer *t) { EXPECT_EQ(loop_future_set_result(&shared_fut, 42), 0); }

TEST(loop_future_waited_by_thread_coroutine_task_and_callback)
{
	struct loop *l = new_loop("future");
	loop_future_init(&shared_fut, l, "shared");
	waiters_done = 0;
	struct thread *th = thread_on(this_cpu()->index + 1, thread_waiter, NULL);
	struct coro *c;
	EXPECT_EQ(coro_spawn(&c, NULL, coro_waiter, NULL), 0);
	struct loop_done_cb cb;
	EXPECT_EQ(loop_future_add_done(&shared_fut, &cb, done_cb, NULL), 0);
	struct loop_task *t = spawn(l, "waiter", task_waiter, NULL);
	thread_sleep(5 * MS);	/* let the thread and the coroutine park */
	EXPECT(!loop_future_done(&shared_fut));
	EXPECT_EQ(loop_future_result(&shared_fut, NULL), -EAGAIN);
	static struct timer tm;
	tm = (struct timer){ 0 };
	timer_arm(&tm, time_now() + 10 * MS, settle_from_irq);	/* settled by an interrupt */
	intptr_t r = 0;
	EXPECT_EQ(run_task(l, t, &r), 0);
	EXPECT_EQ(r, 43);
	thread_join(th, NULL);
	coro_join(c, NULL);
	/* The done callback runs on a tick after the settle: run one more. */
	loop_stop(l);
	loop_run_forever(l);
	EXPECT_EQ(waiters_done, 4);
	EXPECT_EQ(loop_future_set_result(&shared_fut, 1), -EINVAL);	/* once */
	close_loop(l);
}

TEST(loop_future_errors_and_cancellation)
{
	struct loop_future f;
	loop_future_init(&f, NULL, "f");
	EXPECT(loop_future_cancel(&f));
	EXPECT(!loop_future_cancel(&f));
	EXPECT_EQ(loop_future_result(&f, NULL), -ECANCELED);
	intptr_t r = 7;
	EXPECT_EQ(loop_await(&f, &r), -ECANCELED);
	loop_future_init(&f, NULL, "f");
	EXPECT_EQ(loop_future_set_error(&f, 5), -EINVAL);	/* not an errno */
	EXPECT(!loop_future_done(&f));
	EXPECT_EQ(loop_future_set_error(&f, -EIO), 0);
	EXPECT_EQ(loop_await(&f, &r), -EIO);
	EXPECT_EQ(r, 7);
	loop_future_init(&f, NULL, "f");
	EXPECT_EQ(loop_await_until(&f, time_now() + MS, &r), -ETIMEDOUT);	/* a thread waits */
	struct loop_done_cb cb;
	EXPECT_EQ(loop_future_add_done(&f, &cb, done_cb, NULL), -EINVAL);	/* no loop */
}

/* --- tasks -------------------------------------------------------------------------- */

static intptr_t sleeper(void *arg)
{
	uint64_t start = time_now();
	EXPECT_EQ(loop_sleep((uintptr_t)arg * MS), 0);
	EXPECT(time_now() >= start + (uintptr_t)arg * MS);
	order[order_n++] = (char)('0' + (uintptr_t)arg);
	return (intptr_t)arg;
}

TEST(loop_tasks_sleep_concurrently)
{
	struct loop *l = new_loop("sleepers");
	order_n = 0;
	struct loop_task *t[3];
	t[0] = spawn(l, "s3", sleeper, (void *)3);
	t[1] = spawn(l, "s1", sleeper, (void *)1);
	t[2] = spawn(l, "s2", sleeper, (void *)2);
	uint64_t start = time_now();
	intptr_t r = 0;
	EXPECT_EQ(run_task(l, t[0], &r), 0);
	EXPECT_EQ(r, 3);
	EXPECT(time_now() - start >= 3 * MS);
	order[order_n] = 0;
	/* Together, not one after another: spawned 3, 1, 2, they end by
	 * deadline. */
	EXPECT(strcmp(order, "123") == 0);
	for (int i = 0; i < 3; i++)
		loop_task_free(t[i]);
	close_loop(l);
}

/* Blocking on a kernel mutex suspends the task, not the loop. */
static struct mutex task_mutex = MUTEX_INIT(task_mutex, "loop test");
static volatile bool other_ran;
static intptr_t locker(void *arg)
{
	mutex_lock(&task_mutex);	/* held by the test thread: parks */
	EXPECT(other_ran);
	mutex_unlock(&task_mutex);
	return 0;
}
static intptr_t other(void *arg)
{
	other_ran = true;
	return 0;
}
static void *unlock_later(void *arg)
{
	thread_sleep(10 * MS);
	mutex_unlock(&task_mutex);
	return NULL;
}
static void *lock_then_unlock_later(void *arg)
{
	mutex_lock(&task_mutex);
	sem_post(arg);
	return unlock_later(NULL);
}

TEST(loop_task_blocking_on_a_kernel_mutex_suspends)
{
	struct loop *l = new_loop("mutex");
	other_ran = false;
	struct sem locked;
	sem_init(&locked, "locked", 0);
	struct thread *th = thread_on(this_cpu()->index + 1, lock_then_unlock_later, &locked);
	sem_wait(&locked);
	struct loop_task *a = spawn(l, "locker", locker, NULL);
	spawn(l, "other", other, NULL);
	EXPECT_EQ(run_task(l, a, NULL), 0);
	thread_join(th, NULL);
	EXPECT(other_ran);
	close_loop(l);
}

/* A kernel semaphore and a coroutine channel, filled by a thread on
 * another CPU: the task parks in each, and the loop keeps ticking. */
static struct sem k_sem;
static struct chan k_chan;
static volatile unsigned beats;
static intptr_t kernel_waiter(void *arg)
{
	sem_wait(&k_sem);
	int v = 0;
	EXPECT_EQ(chan_recv(&k_chan, &v), 0);
	return v;
}
static intptr_t heartbeat(void *arg)
{
	while (loop_sleep(MS) == 0)
		beats++;
	return 0;
}
static void *feeder(void *arg)
{
	thread_sleep(10 * MS);
	sem_post(&k_sem);
	thread_sleep(10 * MS);
	int v = 9;
	chan_send(&k_chan, &v);
	return NULL;
}

TEST(loop_task_blocking_on_a_semaphore_and_channel_suspends)
{
	struct loop *l = new_loop("kernel waits");
	sem_init(&k_sem, "k_sem", 0);
	EXPECT_EQ(chan_init(&k_chan, "k_chan", sizeof(int), 0, NULL), 0);
	beats = 0;
	struct loop_task *hb = spawn(l, "heartbeat", heartbeat, NULL);
	struct loop_task *w = spawn(l, "waiter", kernel_waiter, NULL);
	struct thread *th = thread_on(this_cpu()->index + 1, feeder, NULL);
	intptr_t r = 0;
	EXPECT_EQ(run_task(l, w, &r), 0);
	EXPECT_EQ(r, 9);
	EXPECT(beats >= 5);	/* the loop ran other tasks while it waited */
	thread_join(th, NULL);
	loop_task_cancel(hb);
	EXPECT_EQ(run_task(l, hb, NULL), 0);
	chan_destroy(&k_chan);
	close_loop(l);
}

static struct loop_future never;
static intptr_t await_never(void *arg)
{
	intptr_t r;
	int err = loop_await(&never, &r);
	EXPECT_EQ(err, -ECANCELED);
	if ((uintptr_t)arg)
		return 5;	/* catches it and ends normally */
	return err;
}
static intptr_t canceller(void *arg)
{
	EXPECT_EQ(loop_sleep(2 * MS), 0);
	EXPECT_EQ(loop_task_cancel(arg), 0);
	return 0;
}
static intptr_t never_runs(void *arg)
{
	test_fail(__FILE__, __LINE__, "a task cancelled before its first step ran");
	return 0;
}

TEST(loop_task_cancel_delivers_ecanceled_at_the_await)
{
	struct loop *l = new_loop("cancel");
	loop_future_init(&never, l, "never");
	struct loop_task *a = spawn(l, "a", await_never, (void *)0);
	struct loop_task *b = spawn(l, "b", await_never, (void *)1);
	spawn(l, "cancel a", canceller, a);
	spawn(l, "cancel b", canceller, b);
	struct loop_task *c = spawn(l, "c", never_runs, NULL);
	EXPECT_EQ(loop_task_cancel(c), 0);
	EXPECT_EQ(run_task(l, a, NULL), -ECANCELED);
	intptr_t r = 0;
	EXPECT_EQ(run_task(l, b, &r), 0);
	EXPECT_EQ(r, 5);
	EXPECT_EQ(run_task(l, c, NULL), -ECANCELED);
	EXPECT_EQ(loop_task_cancel(a), -ESRCH);
	close_loop(l);
}

/* --- gather, wait_for, groups ---------------------------------------------------------- */

static intptr_t sleep_then(void *arg)
{
	intptr_t v = (intptr_t)arg;
	int err = loop_sleep((v < 0 ? -v : v) * MS);
	if (err)
		return err;
	return v < 0 ? -EIO : v;
}

static struct loop *gather_loop;
static intptr_t gatherer(void *arg)
{
	struct loop *l = gather_loop;
	struct loop_task *t[3] = { spawn(l, "g30", sleep_then, (void *)30),
				   spawn(l, "g10", sleep_then, (void *)10),
				   spawn(l, "g20", sleep_then, (void *)20) };
	struct loop_future *fs[3] = { loop_task_future(t[0]), loop_task_future(t[1]),
				      loop_task_future(t[2]) };
	intptr_t res[3];
	uint64_t start = time_now();
	EXPECT_EQ(loop_gather(fs, 3, LOOP_GATHER_FIRST_ERROR, res), 0);
	EXPECT(time_now() - start < 60 * MS * 10);
	EXPECT_EQ(res[0], 30);	/* in order, not in finishing order */
	EXPECT_EQ(res[1], 10);
	EXPECT_EQ(res[2], 20);
	/* First error: returned as it happens, while a slower one still runs. */
	struct loop_task *u[3] = { spawn(l, "slow", sleep_then, (void *)200),
				   spawn(l, "fails", sleep_then, (void *)-5),
				   spawn(l, "ok", sleep_then, (void *)1) };
	struct loop_future *gs[3] = { loop_task_future(u[0]), loop_task_future(u[1]),
				      loop_task_future(u[2]) };
	EXPECT_EQ(loop_gather(gs, 3, LOOP_GATHER_FIRST_ERROR, NULL), -EIO);
	EXPECT(!loop_future_done(gs[0]));
	/* All settled: every outcome, in order. */
	EXPECT_EQ(loop_gather(gs, 3, LOOP_GATHER_SETTLE, res), 0);
	EXPECT_EQ(res[0], 200);
	EXPECT_EQ(loop_future_result(gs[1], NULL), -EIO);
	EXPECT_EQ(res[2], 1);
	return 0;
}

TEST(loop_gather_in_order_first_error_and_settle)
{
	struct loop *l = gather_loop = new_loop("gather");
	EXPECT_EQ(run_task(l, spawn(l, "gatherer", gatherer, NULL), NULL), 0);
	close_loop(l);
}

static intptr_t wait_for_main(void *arg)
{
	struct loop *l = arg;
	struct loop_task *slow = spawn(l, "slow", sleep_then, (void *)500);
	intptr_t r = 0;
	uint64_t start = time_now();
	EXPECT_EQ(loop_wait_for(loop_task_future(slow), 10 * MS, &r), -ETIMEDOUT);
	EXPECT(time_now() - start >= 10 * MS);
	EXPECT(time_now() - start < 400 * MS);
	EXPECT(loop_future_done(loop_task_future(slow)));	/* cancelled, and waited for */
	EXPECT_EQ(loop_future_result(loop_task_future(slow), NULL), -ECANCELED);
	struct loop_task *quick = spawn(l, "quick", sleep_then, (void *)2);
	EXPECT_EQ(loop_wait_for(loop_task_future(quick), 100 * MS, &r), 0);
	EXPECT_EQ(r, 2);
	/* A plain future times out and is cancelled. */
	struct loop_future f;
	loop_future_init(&f, l, "plain");
	EXPECT_EQ(loop_wait_for(&f, MS, &r), -ETIMEDOUT);
	EXPECT_EQ(loop_future_result(&f, NULL), -ECANCELED);
	return 0;
}

TEST(loop_wait_for_cancels_the_inner_on_timeout)
{
	struct loop *l = new_loop("wait_for");
	EXPECT_EQ(run_task(l, spawn(l, "main", wait_for_main, l), NULL), 0);
	close_loop(l);
}

static volatile unsigned siblings_cancelled;
static intptr_t sibling(void *arg)
{
	int err = loop_sleep(1000 * MS);
	if (err == -ECANCELED)
		__atomic_fetch_add(&siblings_cancelled, 1, __ATOMIC_RELAXED);
	return err;
}

static intptr_t group_main(void *arg)
{
	struct loop *l = arg;
	struct loop_group g;
	loop_group_init(&g, l);
	siblings_cancelled = 0;
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(loop_group_spawn(&g, NULL, NULL, sibling, NULL), 0);
	EXPECT_EQ(loop_group_spawn(&g, NULL, NULL, sleep_then, (void *)-5), 0);
	uint64_t start = time_now();
	EXPECT_EQ(loop_group_wait(&g), -EIO);
	EXPECT(time_now() - start < 500 * MS);
	EXPECT_EQ(siblings_cancelled, 3);
	/* A group that all goes well. */
	for (int i = 1; i <= 3; i++)
		EXPECT_EQ(loop_group_spawn(&g, NULL, NULL, sleep_then, (void *)(intptr_t)i), 0);
	EXPECT_EQ(loop_group_wait(&g), 0);
	EXPECT_EQ(g.live, 0);
	return 0;
}

TEST(loop_task_group_failure_cancels_siblings)
{
	struct loop *l = new_loop("group");
	EXPECT_EQ(run_task(l, spawn(l, "main", group_main, l), NULL), 0);
	close_loop(l);
}

/* --- backpressure ------------------------------------------------------------------------ */

static struct loop_sem gate;
static volatile unsigned inside, most_inside;
static intptr_t limited(void *arg)
{
	EXPECT_EQ(loop_sem_acquire(&gate, WAIT_FOREVER), 0);
	unsigned n = ++inside;
	if (n > most_inside)
		most_inside = n;
	loop_sleep(2 * MS);
	inside--;
	loop_sem_release(&gate);
	return 0;
}

static struct loop_queue bq;
static volatile unsigned max_count;
static intptr_t producer(void *arg)
{
	for (intptr_t i = 0; i < 20; i++) {
		EXPECT_EQ(loop_queue_put(&bq, i, WAIT_FOREVER), 0);
		if (loop_queue_count(&bq) > max_count)
			max_count = loop_queue_count(&bq);
	}
	loop_queue_close(&bq);
	EXPECT_EQ(loop_queue_put(&bq, 99, WAIT_FOREVER), -EPIPE);
	return 0;
}
static intptr_t consumer(void *arg)
{
	intptr_t v, sum = 0, want = 0;
	int err;
	while ((err = loop_queue_get(&bq, &v, WAIT_FOREVER)) == 0) {
		EXPECT_EQ(v, want++);
		sum += v;
		loop_sleep(MS / 2);	/* slower than the producer */
	}
	EXPECT_EQ(err, -EPIPE);
	return sum;
}
static intptr_t get_times_out(void *arg)
{
	intptr_t v;
	return loop_queue_get(arg, &v, time_now() + 2 * MS);
}

TEST(loop_semaphore_and_queue_apply_backpressure)
{
	struct loop *l = new_loop("backpressure");
	loop_sem_init(&gate, "gate", 2);
	inside = most_inside = 0;
	struct loop_task *t[6];
	for (int i = 0; i < 6; i++)
		t[i] = spawn(l, "limited", limited, NULL);
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(run_task(l, t[i], NULL), 0);
	EXPECT_EQ(most_inside, 2);
	EXPECT_EQ(loop_queue_init(&bq, "bq", 3), 0);
	max_count = 0;
	spawn(l, "producer", producer, NULL);
	intptr_t sum = 0;
	EXPECT_EQ(run_task(l, spawn(l, "consumer", consumer, NULL), &sum), 0);
	EXPECT_EQ(sum, 190);
	EXPECT(max_count <= 3);
	loop_queue_destroy(&bq);
	struct loop_queue empty;
	EXPECT_EQ(loop_queue_init(&empty, "empty", 1), 0);
	EXPECT_EQ(run_task(l, spawn(l, "times out", get_times_out, &empty), NULL), -ETIMEDOUT);
	intptr_t v;
	EXPECT_EQ(loop_queue_get_nowait(&empty, &v), -EAGAIN);
	EXPECT_EQ(loop_queue_put_nowait(&empty, 1), 0);
	EXPECT_EQ(loop_queue_put_nowait(&empty, 2), -EAGAIN);
	loop_queue_destroy(&empty);
	EXPECT_EQ(loop_queue_init(&empty, "bad", 0), -EINVAL);
	close_loop(l);
}

/* --- executor and calls into the loop ------------------------------------------------------ */

static intptr_t blocking_work(void *arg)
{
	EXPECT(loop_current() == NULL);	/* a pool thread */
	thread_sleep(5 * MS);		/* blocks its thread, not the loop */
	return (intptr_t)arg * 10;
}

static volatile unsigned ticks_meanwhile;
static intptr_t ticker(void *arg)
{
	for (int i = 0; i < 5; i++) {
		loop_sleep(MS / 2);
		ticks_meanwhile++;
	}
	return 0;
}

static intptr_t executor_main(void *arg)
{
	struct loop *l = arg;
	struct loop_work w[3];
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(loop_run_in_executor(l, &w[i], blocking_work, (void *)(intptr_t)(i + 1)), 0);
	struct loop_task *tk = spawn(l, "ticker", ticker, NULL);
	intptr_t r = 0;
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(loop_await(&w[i].fut, &r), 0);
		EXPECT_EQ(r, (i + 1) * 10);
	}
	unsigned seen = ticks_meanwhile;	/* while the pool worked */
	EXPECT_EQ(loop_await(loop_task_future(tk), NULL), 0);
	return seen;
}

static intptr_t on_loop(void *arg)
{
	EXPECT(loop_current() == arg);
	return 77;
}

static void *outside(void *arg)
{
	intptr_t r = 0;
	EXPECT_EQ(loop_call_sync(arg, on_loop, arg, &r), 0);
	EXPECT_EQ(r, 77);
	loop_stop(arg);
	return NULL;
}

TEST(loop_executor_and_call_sync)
{
	struct loop *l = new_loop("executor");
	ticks_meanwhile = 0;
	intptr_t seen = 0;
	EXPECT_EQ(run_task(l, spawn(l, "main", executor_main, l), &seen), 0);
	EXPECT(seen >= 1);	/* the loop ran other tasks while the pool worked */
	struct thread *th = thread_on(this_cpu()->index + 1, outside, l);
	loop_run_forever(l);
	thread_join(th, NULL);
	close_loop(l);
}

/* --- shutdown and debug mode ----------------------------------------------------------------- */

static char warned[4][160];
static unsigned warned_n;
static void capture(struct loop *l, const char *text, void *arg)
{
	if (warned_n < 4)
		snprintf(warned[warned_n], sizeof warned[0], "%s", text);
	warned_n++;
}
static volatile unsigned cleaned;
/* A task that parks until cancelled, then needs a step or two more to
 * clean up: shutdown must wait for it. */
static intptr_t slow_to_cancel(void *arg)
{
	int err = loop_sleep(10 * 1000 * MS);
	EXPECT_EQ(err, -ECANCELED);
	loop_sleep(MS);		/* cleans up for a step or two */
	cleaned++;
	return err;
}

TEST(loop_shutdown_cancels_and_drains)
{
	struct loop *l = new_loop("shutdown");
	cleaned = 0;
	for (int i = 0; i < 4; i++)
		spawn(l, "slow_to_cancel", slow_to_cancel, NULL);
	loop_stop(l);
	loop_run_forever(l);	/* one tick: they start and park */
	loop_set_warn(l, capture, NULL);
	warned_n = 0;
	EXPECT_EQ(loop_close(l), -EBUSY);	/* tasks pending, each named */
	EXPECT_EQ(warned_n, 4);
	EXPECT_EQ(loop_shutdown(l, 1000 * MS), 0);
	EXPECT_EQ(cleaned, 4);
	close_loop(l);
}

static void hog(void *arg)
{
	uint64_t until = time_now() + 30 * MS;
	while (time_now() < until)
		;
}
static intptr_t hog_task(void *arg)
{
	hog(NULL);
	return -EIO;
}

TEST(loop_debug_mode_names_slow_callbacks_and_unretrieved_tasks)
{
	struct loop *l = new_loop("debug");
	loop_set_debug(l, true, 10 * MS);
	loop_set_warn(l, capture, NULL);
	warned_n = 0;
	struct loop_handle h = { 0 };
	loop_call_soon(l, &h, hog, NULL);
	spawn(l, "hogger", hog_task, NULL);
	loop_stop(l);
	loop_run_forever(l);
	loop_stop(l);
	loop_run_forever(l);
	EXPECT_EQ(warned_n, 2);
	EXPECT(strstr(warned[0], "'hog'") != NULL);
	EXPECT(strstr(warned[1], "'hogger'") != NULL);
	struct loop_stats s;
	loop_get_stats(l, &s);
	EXPECT_EQ(s.slow_callbacks, 2);
	close_loop(l);	/* the task's error was never retrieved */
	EXPECT_EQ(warned_n, 3);
	EXPECT(strstr(warned[2], "hogger") && strstr(warned[2], "never retrieved"));
}

/* --- stress: tasks and threads on other CPUs hand values back and forth ------------ */

#define STRESS_ITEMS 2000
static struct loop_queue to_loop, from_loop;

static void *stress_producer(void *arg)
{
	for (intptr_t i = 1; i <= STRESS_ITEMS; i++)
		EXPECT_EQ(loop_queue_put(&to_loop, i, WAIT_FOREVER), 0);	/* a thread blocks */
	return NULL;
}

static void *stress_consumer(void *arg)
{
	intptr_t v, sum = 0;
	while (loop_queue_get(&from_loop, &v, WAIT_FOREVER) == 0)
		sum += v;
	return (void *)sum;
}

/* Several tasks move values from one queue to the other, each get with a
 * short deadline so timeouts race with wake-ups from the other CPUs. */
static volatile unsigned moved, timeouts;
static intptr_t mover(void *arg)
{
	for (;;) {
		intptr_t v;
		int err = loop_queue_get(&to_loop, &v, time_now() + MS / 4);
		if (err == -ETIMEDOUT) {
			timeouts++;
			if (moved == STRESS_ITEMS)
				return 0;
			continue;
		}
		EXPECT_EQ(err, 0);
		EXPECT_EQ(loop_queue_put(&from_loop, v, WAIT_FOREVER), 0);
		moved++;
	}
}

TEST(loop_stress_tasks_and_threads_across_cpus)
{
	struct loop *l = new_loop("stress");
	moved = timeouts = 0;
	EXPECT_EQ(loop_queue_init(&to_loop, "to loop", 4), 0);
	EXPECT_EQ(loop_queue_init(&from_loop, "from loop", 4), 0);
	struct thread *p = thread_on(this_cpu()->index + 1, stress_producer, NULL);
	struct thread *c = thread_on(this_cpu()->index + 2, stress_consumer, NULL);
	struct loop_task *m[4];
	for (int i = 0; i < 4; i++)
		m[i] = spawn(l, "mover", mover, NULL);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(run_task(l, m[i], NULL), 0);
	thread_join(p, NULL);
	loop_queue_close(&from_loop);
	void *sum = NULL;
	thread_join(c, &sum);
	EXPECT_EQ(moved, STRESS_ITEMS);
	EXPECT_EQ((intptr_t)sum, (intptr_t)STRESS_ITEMS * (STRESS_ITEMS + 1) / 2);
	loop_queue_destroy(&to_loop);
	loop_queue_destroy(&from_loop);
	close_loop(l);
}
