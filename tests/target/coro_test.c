/*
 * Coroutines: lifecycle (join, cancel, locals, transfer), the M:N
 * scheduler (stealing, the single-threaded scheduler), waits shared with
 * threads, and the blocking-call trap.
 */
#include <coro/chan.h>
#include <coro/coro.h>
#include <coro/wg.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/event.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct coro *spawn(const char *name, size_t stack, void *(*fn)(void *), void *arg)
{
	struct coro *c = NULL;
	struct coro_attr attr = { .name = name, .stack_size = stack, .worker = CORO_ANY_WORKER };
	int err = coro_spawn(&c, &attr, fn, arg);
	if (err)
		test_fail(__FILE__, __LINE__, "coro_spawn(%s): %d", name, err);
	return c;
}

static void *twice(void *arg) { return (void *)((uintptr_t)arg * 2); }

TEST(coro_join_returns_results)
{
	enum { N = 200 };
	struct coro *c[N];
	for (unsigned i = 0; i < N; i++)
		c[i] = spawn("twice", 0, twice, (void *)(uintptr_t)i);
	uintptr_t sum = 0;
	for (unsigned i = 0; i < N; i++) {
		void *r = NULL;
		EXPECT_EQ(coro_join(c[i], &r), 0);
		sum += (uintptr_t)r;
	}
	EXPECT_EQ(sum, (uintptr_t)N * (N - 1));
}

TEST(coro_bad_arguments_are_refused)
{
	struct coro *c;
	struct coro_attr big = { .stack_size = CORO_STACK_MAX + 1, .worker = CORO_ANY_WORKER };
	struct coro_attr small = { .stack_size = CORO_STACK_MIN - 1, .worker = CORO_ANY_WORKER };
	struct coro_attr worker = { .worker = 1000 };
	struct coro_attr transfer = { .transfer = true, .worker = CORO_ANY_WORKER };
	EXPECT_EQ(coro_spawn(&c, &big, twice, NULL), -EINVAL);
	EXPECT_EQ(coro_spawn(&c, &small, twice, NULL), -EINVAL);
	EXPECT_EQ(coro_spawn(&c, &worker, twice, NULL), -EINVAL);
	EXPECT_EQ(coro_spawn(&c, NULL, NULL, NULL), -EINVAL);
	EXPECT_EQ(coro_spawn(&c, &transfer, twice, NULL), -EINVAL);	/* not from a thread */
}

/* --- 100,000 alive at once, ping-pong through channels --------------------- */

enum { PAIRS = 50000, ROUNDS = 10 };

struct pair {
	struct chan ch;
	struct wg *gate;
	unsigned long *total;
};

static void *pair_sender(void *arg)
{
	struct pair *p = arg;
	wg_wait(p->gate);
	for (unsigned long v = 1; v <= ROUNDS; v++)
		chan_send(&p->ch, &v);
	return NULL;
}

static void *pair_receiver(void *arg)
{
	struct pair *p = arg;
	wg_wait(p->gate);
	unsigned long sum = 0, v;
	for (unsigned i = 0; i < ROUNDS; i++)
		if (chan_recv(&p->ch, &v) == 0)
			sum += v;
	__atomic_fetch_add(p->total, sum, __ATOMIC_RELAXED);
	return NULL;
}

TEST(coro_100000_alive_ping_pong_through_channels)
{
	struct pair *pairs = calloc(PAIRS, sizeof *pairs);	/* not .bss: boot zeroes that */
	EXPECT(pairs != NULL);
	if (!pairs)
		return;
	struct wg gate, done;
	wg_init(&gate, "gate");
	wg_init(&done, "done");
	wg_add(&gate, 1);
	unsigned long total = 0;
	struct coro_stats before, during;
	coro_get_stats(&before);
	unsigned spawned = 0;
	for (unsigned i = 0; i < PAIRS; i++) {
		pairs[i].gate = &gate;
		pairs[i].total = &total;
		EXPECT_EQ(chan_init(&pairs[i].ch, "pair", sizeof(unsigned long), 0, NULL), 0);
		struct coro_attr attr = { .name = "pair", .stack_size = 1024, .detached = true,
					  .worker = CORO_ANY_WORKER };
		spawned += coro_spawn(NULL, &attr, pair_sender, &pairs[i]) == 0;
		spawned += coro_spawn(NULL, &attr, pair_receiver, &pairs[i]) == 0;
	}
	EXPECT_EQ(spawned, 2 * PAIRS);
	coro_get_stats(&during);
	/* Every one is alive (waiting at the gate) before any may finish. */
	EXPECT(during.alive - before.alive >= 2 * PAIRS);
	wg_done(&gate);
	struct coro_stats after;
	uint64_t give_up = time_now() + 60 * NS_PER_SEC;
	do {
		thread_sleep(10 * NS_PER_MS);
		coro_get_stats(&after);
	} while (after.alive > before.alive && time_now() < give_up);
	EXPECT_EQ(after.alive, before.alive);
	EXPECT_EQ(total, (unsigned long)PAIRS * ROUNDS * (ROUNDS + 1) / 2);
	/* Interrupt frames go to the worker's stack: 1 KiB is plenty. */
	EXPECT(after.stack_high_water > 0);
	EXPECT(after.stack_high_water < 1024 - 136);
	for (unsigned i = 0; i < PAIRS; i++)
		chan_destroy(&pairs[i].ch);
	free(pairs);
}

/* --- work stealing --------------------------------------------------------- */

static uint64_t ran_on_mask;

static void *busy_then_note(void *arg)
{
	uint64_t until = time_now() + 2 * NS_PER_MS;
	while (time_now() < until)
		;
	__atomic_fetch_or(&ran_on_mask, 1ull << coro_worker_of(coro_self()), __ATOMIC_RELAXED);
	return NULL;
}

static void *burst_parent(void *arg)
{
	enum { BURST = 64 };
	struct coro *c[BURST];
	for (unsigned i = 0; i < BURST; i++)
		c[i] = spawn("burst", 0, busy_then_note, NULL);
	for (unsigned i = 0; i < BURST; i++)
		coro_join(c[i], NULL);
	return NULL;
}

TEST(coro_work_stealing_spreads_a_burst)
{
	/* All 64 are spawned onto the parent's worker; the others must steal. */
	ran_on_mask = 0;
	struct coro_attr attr = { .name = "parent", .worker = 0 };
	struct coro *p;
	EXPECT_EQ(coro_spawn(&p, &attr, burst_parent, NULL), 0);
	coro_join(p, NULL);
	unsigned workers = coro_worker_count();
	EXPECT_EQ(ran_on_mask, (workers >= 64 ? ~0ull : (1ull << workers) - 1));
}

/* --- MPMC channel ----------------------------------------------------------- */

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 5000 };
static struct chan mpmc;
static uint8_t seen[PRODUCERS * PER_PRODUCER];
static unsigned long duplicates, received;

static void *producer(void *arg)
{
	unsigned base = (unsigned)(uintptr_t)arg * PER_PRODUCER;
	for (unsigned i = 0; i < PER_PRODUCER; i++) {
		unsigned v = base + i;
		if (chan_send(&mpmc, &v) != 0)
			return (void *)1;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	unsigned v;
	while (chan_recv(&mpmc, &v) == 0) {
		if (__atomic_fetch_add(&seen[v], 1, __ATOMIC_RELAXED))
			__atomic_fetch_add(&duplicates, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&received, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(coro_mpmc_channel_delivers_each_value_once)
{
	EXPECT_EQ(chan_init(&mpmc, "mpmc", sizeof(unsigned), 16, NULL), 0);
	memset(seen, 0, sizeof seen);
	duplicates = received = 0;
	struct coro *p[PRODUCERS], *c[CONSUMERS];
	for (unsigned i = 0; i < CONSUMERS; i++)
		c[i] = spawn("consumer", 0, consumer, NULL);
	for (unsigned i = 0; i < PRODUCERS; i++)
		p[i] = spawn("producer", 0, producer, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < PRODUCERS; i++) {
		void *r;
		coro_join(p[i], &r);
		EXPECT(r == NULL);
	}
	EXPECT_EQ(chan_close(&mpmc), 0);
	EXPECT_EQ(chan_close(&mpmc), -EPIPE);
	for (unsigned i = 0; i < CONSUMERS; i++)
		coro_join(c[i], NULL);
	EXPECT_EQ(received, PRODUCERS * PER_PRODUCER);
	EXPECT_EQ(duplicates, 0);
	unsigned missing = 0;
	for (unsigned i = 0; i < PRODUCERS * PER_PRODUCER; i++)
		missing += seen[i] == 0;
	EXPECT_EQ(missing, 0);
	chan_destroy(&mpmc);
}

static struct chan closing;

static void *recv_until_closed(void *arg)
{
	int v;
	return (void *)(intptr_t)chan_recv(&closing, &v);
}

TEST(coro_close_wakes_every_waiter)
{
	enum { N = 8 };
	EXPECT_EQ(chan_init(&closing, "closing", sizeof(int), 0, NULL), 0);
	struct coro *c[N];
	for (unsigned i = 0; i < N; i++)
		c[i] = spawn("waiter", 0, recv_until_closed, NULL);
	thread_sleep(5 * NS_PER_MS);
	int v = 1;
	EXPECT_EQ(chan_send_until(&closing, &v, 0) == 0, true);	/* one waiter takes it */
	chan_close(&closing);
	EXPECT_EQ(chan_send(&closing, &v), -EPIPE);
	unsigned ok = 0, pipe = 0;
	for (unsigned i = 0; i < N; i++) {
		void *r;
		coro_join(c[i], &r);
		ok += (intptr_t)r == 0;
		pipe += (intptr_t)r == -EPIPE;
	}
	EXPECT_EQ(ok, 1);
	EXPECT_EQ(pipe, N - 1);
	chan_destroy(&closing);
}

TEST(coro_buffered_channel_drains_after_close)
{
	struct chan ch;
	int buf[4];
	EXPECT_EQ(chan_init(&ch, "drain", sizeof(int), 4, buf), 0);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(chan_send(&ch, &i), 0);
	int v = 9;
	EXPECT_EQ(chan_send_until(&ch, &v, 0), -ETIMEDOUT);	/* full: only tries */
	chan_close(&ch);
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(chan_recv(&ch, &v), 0);
		EXPECT_EQ(v, i);
	}
	EXPECT_EQ(chan_recv(&ch, &v), -EPIPE);
	chan_destroy(&ch);
}

/* --- select ------------------------------------------------------------------ */

static struct chan sel_a, sel_b;

static void *send_b_later(void *arg)
{
	coro_sleep(3 * NS_PER_MS);
	int v = 42;
	chan_send(&sel_b, &v);
	return NULL;
}

TEST(coro_select_times_out_and_picks_the_ready_case)
{
	EXPECT_EQ(chan_init(&sel_a, "a", sizeof(int), 0, NULL), 0);
	EXPECT_EQ(chan_init(&sel_b, "b", sizeof(int), 0, NULL), 0);
	int va = 0, vb = 0;
	struct chan_case cases[2] = {
		{ .ch = &sel_a, .value = &va },
		{ .ch = &sel_b, .value = &vb },
	};
	uint64_t start = time_now();
	EXPECT_EQ(chan_select(cases, 2, start + 5 * NS_PER_MS), -ETIMEDOUT);
	EXPECT(time_now() - start >= 5 * NS_PER_MS);
	struct coro *s = spawn("sender", 0, send_b_later, NULL);
	EXPECT_EQ(chan_select(cases, 2, WAIT_FOREVER), 1);
	EXPECT_EQ(cases[1].status, 0);
	EXPECT_EQ(vb, 42);
	EXPECT_EQ(va, 0);
	coro_join(s, NULL);
	EXPECT_EQ(chan_select(cases, 0, 0), -EINVAL);
	chan_destroy(&sel_a);
	chan_destroy(&sel_b);
}

/* --- waits shared with threads --------------------------------------------- */

enum { SHARED_ROUNDS = 2000, SHARED_THREADS = 4, SHARED_COROS = 16 };
static struct mutex shared_mutex = MUTEX_INIT(shared_mutex, "shared");
static struct sem shared_sem = SEM_INIT(shared_sem, "shared", 1);
static volatile unsigned long mutex_count, sem_count;

static void *bump_both(void *arg)
{
	for (unsigned i = 0; i < SHARED_ROUNDS; i++) {
		mutex_lock(&shared_mutex);
		unsigned long v = mutex_count;
		if (i % 64 == 0)
			coro_yield();	/* suspend while holding it: others must park */
		mutex_count = v + 1;
		mutex_unlock(&shared_mutex);
		sem_wait(&shared_sem);
		v = sem_count;
		if (i % 64 == 32)
			coro_yield();
		sem_count = v + 1;
		sem_post(&shared_sem);
	}
	return NULL;
}

TEST(coro_mutex_and_semaphore_shared_with_threads_stay_exact)
{
	mutex_count = sem_count = 0;
	struct thread *t[SHARED_THREADS];
	struct coro *c[SHARED_COROS];
	for (unsigned i = 0; i < SHARED_COROS; i++)
		c[i] = spawn("bump", 0, bump_both, NULL);
	for (unsigned i = 0; i < SHARED_THREADS; i++) {
		struct thread_attr attr = { .name = "bump" };
		EXPECT_EQ(thread_create(&t[i], &attr, bump_both, NULL), 0);
	}
	for (unsigned i = 0; i < SHARED_THREADS; i++)
		thread_join(t[i], NULL);
	for (unsigned i = 0; i < SHARED_COROS; i++)
		coro_join(c[i], NULL);
	unsigned long want = (unsigned long)(SHARED_THREADS + SHARED_COROS) * SHARED_ROUNDS;
	EXPECT_EQ(mutex_count, want);
	EXPECT_EQ(sem_count, want);
}

/* One thread runs them all: a wait that blocked the thread would deadlock. */
static struct sem ping, pong;
static struct event flags;

static void *ponger(void *arg)
{
	for (int i = 0; i < 100; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	event_set(&flags, 1);
	return (void *)thread_current();
}

static void *single_main(void *arg)
{
	struct coro *p = spawn("ponger", 0, ponger, NULL);
	for (int i = 0; i < 100; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	long got = event_wait(&flags, 1, EVENT_ANY);
	void *ponger_thread;
	coro_join(p, &ponger_thread);
	return got == 1 && ponger_thread == thread_current() ? (void *)thread_current() : NULL;
}

TEST(coro_run_parks_coroutines_not_its_thread)
{
	sem_init(&ping, "ping", 0);
	sem_init(&pong, "pong", 0);
	event_init(&flags, "flags");
	EXPECT(coro_run(single_main, NULL, 0) == thread_current());
}

/* --- cancellation ------------------------------------------------------------ */

static void note_cleanup(void *flag) { *(volatile int *)flag += 1; }

static void *sleep_forever(void *flag)
{
	struct coro_cleanup rec;
	coro_cleanup_push(&rec, note_cleanup, flag);
	coro_sleep(100 * NS_PER_SEC);
	coro_cleanup_pop(false);
	return NULL;
}

static struct chan never;

static void *recv_forever(void *flag)
{
	struct coro_cleanup rec;
	coro_cleanup_push(&rec, note_cleanup, flag);
	int v;
	chan_recv(&never, &v);
	coro_cleanup_pop(false);
	return NULL;
}

TEST(coro_cancel_runs_cleanup_and_frees_the_stack)
{
	volatile int cleaned = 0;
	struct coro_stats before, after;
	coro_get_stats(&before);
	struct coro *c = spawn("sleeper", 0, sleep_forever, (void *)&cleaned);
	thread_sleep(2 * NS_PER_MS);
	uint64_t start = time_now();
	EXPECT_EQ(coro_cancel(c), 0);
	void *r = NULL;
	EXPECT_EQ(coro_join(c, &r), 0);
	EXPECT(r == CORO_CANCELED);
	EXPECT_EQ(cleaned, 1);
	EXPECT(time_now() - start < NS_PER_SEC);
	coro_get_stats(&after);
	EXPECT_EQ(after.alive, before.alive);
	/* The stack went back to the pool: the next of its size reuses it. */
	struct coro *again = spawn("again", 0, twice, NULL);
	EXPECT(again == c);
	coro_join(again, NULL);

	EXPECT_EQ(chan_init(&never, "never", sizeof(int), 0, NULL), 0);
	c = spawn("receiver", 0, recv_forever, (void *)&cleaned);
	thread_sleep(2 * NS_PER_MS);
	coro_cancel(c);
	coro_join(c, &r);
	EXPECT(r == CORO_CANCELED);
	EXPECT_EQ(cleaned, 2);
	chan_destroy(&never);	/* panics if the cancelled receiver were still queued */
	EXPECT_EQ(coro_cancel(c), -ESRCH);
}

/* Yields until cancelled: however late the cancel comes (the worker may
 * run it a long while before the spawning thread gets to coro_cancel), it
 * finds the coroutine at a yield. Ending on its own means the cancel was
 * never delivered. */
static void *count_to(void *arg)
{
	for (long i = 0; i < (1l << 30); i++)
		coro_yield();
	return arg;
}

TEST(coro_cancel_is_delivered_at_a_yield)
{
	struct coro *c = spawn("yielder", 0, count_to, (void *)7);
	coro_cancel(c);
	void *r;
	coro_join(c, &r);
	EXPECT(r == CORO_CANCELED);
}

/* --- locals, transfer, sleep ------------------------------------------------- */

static coro_key_t key;
static volatile int destroyed;
static void count_destroyed(void *v) { __atomic_fetch_add(&destroyed, (int)(uintptr_t)v, __ATOMIC_RELAXED); }

static void *use_local(void *arg)
{
	if (coro_local_set(key, arg) != 0)
		return NULL;
	for (int i = 0; i < 10; i++)
		coro_yield();
	return coro_local_get(key);
}

TEST(coro_locals_are_per_coroutine)
{
	static bool made;
	if (!made)
		EXPECT_EQ(coro_key_create(&key, count_destroyed), 0);
	made = true;
	destroyed = 0;
	struct coro *a = spawn("local-a", 0, use_local, (void *)1);
	struct coro *b = spawn("local-b", 0, use_local, (void *)2);
	void *ra, *rb;
	coro_join(a, &ra);
	coro_join(b, &rb);
	EXPECT(ra == (void *)1);
	EXPECT(rb == (void *)2);
	EXPECT_EQ(destroyed, 3);	/* both destructors ran */
	EXPECT(coro_local_get(key) == NULL);	/* a thread has none */
	EXPECT_EQ(coro_local_set(key, NULL), -EINVAL);
}

static struct coro *gen, *consumer_coro;
static volatile int produced;

static void *generator(void *arg)
{
	for (int i = 1; i <= 5; i++) {
		produced = i;
		coro_transfer(consumer_coro);
	}
	produced = -1;
	return NULL;	/* its creator is resumed */
}

static void *consume_generated(void *arg)
{
	consumer_coro = coro_self();
	struct coro_attr attr = { .name = "generator", .transfer = true, .worker = CORO_ANY_WORKER };
	if (coro_spawn(&gen, &attr, generator, NULL) != 0)
		return NULL;
	int sum = 0;
	for (;;) {
		coro_transfer(gen);
		if (produced < 0)
			break;
		sum += produced;
	}
	if (coro_join(gen, NULL) != 0)
		return NULL;
	return (void *)(intptr_t)sum;
}

TEST(coro_transfer_runs_a_generator)
{
	void *r = coro_run(consume_generated, NULL, 0);
	EXPECT_EQ((intptr_t)r, 15);
}

static void *sleep_and_time(void *arg)
{
	uint64_t start = time_now();
	coro_sleep(3 * NS_PER_MS);
	return (void *)(uintptr_t)(time_now() - start);
}

TEST(coro_sleep_waits_no_less_than_asked)
{
	struct coro *c = spawn("sleeper", 0, sleep_and_time, NULL);
	void *r;
	coro_join(c, &r);
	EXPECT((uintptr_t)r >= 3 * NS_PER_MS);
	EXPECT((uintptr_t)r < 500 * NS_PER_MS);
}

/* --- the blocking-call trap and coro_to_thread ------------------------------- */

static void *block_in_thread_sleep(void *arg)
{
	thread_sleep(20 * NS_PER_MS);	/* a plain blocking call */
	return NULL;
}

static void *spin_20ms(void *arg)
{
	uint64_t until = time_now() + 20 * NS_PER_MS;
	while (time_now() < until)
		;
	return NULL;
}

static void *sleep_in_pool(void *arg)
{
	thread_sleep(10 * NS_PER_MS);
	return thread_current();
}

static void *offload(void *arg) { return coro_to_thread(sleep_in_pool, NULL); }

TEST(coro_blocking_call_is_reported_and_to_thread_avoids_it)
{
	struct coro_stats s0, s1, s2, s3;
	coro_debug(true, 5 * NS_PER_MS);
	coro_get_stats(&s0);
	coro_join(spawn("sleepy-blocker", 0, block_in_thread_sleep, NULL), NULL);
	coro_get_stats(&s1);
	EXPECT_EQ(s1.slow_steps, s0.slow_steps + 1);
	EXPECT(strcmp(s1.last_slow, "sleepy-blocker") == 0);
	EXPECT(s1.last_slow_blocked);
	EXPECT(s1.last_slow_ns >= 20 * NS_PER_MS);

	coro_join(spawn("busy-spinner", 0, spin_20ms, NULL), NULL);
	coro_get_stats(&s2);
	EXPECT_EQ(s2.slow_steps, s1.slow_steps + 1);
	EXPECT(strcmp(s2.last_slow, "busy-spinner") == 0);
	EXPECT(!s2.last_slow_blocked);

	void *ran_on;
	coro_join(spawn("pool-starter", 0, offload, NULL), NULL);	/* its first use starts the pool */
	coro_get_stats(&s2);
	coro_join(spawn("offloader", 0, offload, NULL), &ran_on);
	coro_get_stats(&s3);
	coro_debug(false, 0);
	EXPECT_EQ(s3.slow_steps, s2.slow_steps);	/* its worker was never held */
	EXPECT(ran_on && strncmp(thread_name(ran_on), "coro-pool", 9) == 0);
}

static void *format_and_measure(void *arg)
{
	char buf[96];
	snprintf(buf, sizeof buf, "%d %s %lu %x %f", -42, "coroutine", 123456789ul, 0xbeefu, 2.5);
	if (strcmp(buf, "-42 coroutine 123456789 beef 2.500000") != 0)
		return NULL;
	return (void *)coro_stack_high_water(coro_self());
}

TEST(coro_default_stack_holds_printf)
{
	/* The default size must be enough for newlib's formatting. */
	struct coro *c = spawn("formatter", 0, format_and_measure, NULL);
	void *used;
	coro_join(c, &used);
	EXPECT(used != NULL);
	EXPECT((size_t)used < CORO_STACK_DEFAULT - 136);
	printf("coro_default_stack_holds_printf: %lu of %u bytes used\n", (unsigned long)(size_t)used,
	       CORO_STACK_DEFAULT - 136);
}

/* --- overflow (deliberate: run by the runner, which checks the report) ------ */

static volatile int depth_reached;

static __attribute__((noinline)) int recurse(int n)
{
	volatile char pad[64];
	for (unsigned i = 0; i < sizeof pad; i++)
		pad[i] = (char)n;	/* the whole frame is written, as real code would */
	depth_reached = n;
	if (n == 0)
		return 0;
	int r = recurse(n - 1);
	__asm__ volatile("" : : "r"(pad) : "memory");	/* keep every frame */
	return r + pad[0];
}

static void *overflow_then_yield(void *arg)
{
	recurse((int)(uintptr_t)arg);
	coro_yield();
	return NULL;
}

MANUAL_TEST(coro_stack_overflow_is_caught)
{
	/* A 1 KiB coroutine (canary, no guard page) that recurses past its
	 * stack: the canary is found broken when it suspends. */
	coro_join(spawn("deep-coroutine", 1024, overflow_then_yield, (void *)16), NULL);
	EXPECT(!"the overflowing coroutine was not caught");
}

MANUAL_TEST(coro_guarded_stack_overflow_is_caught)
{
	/* 16 KiB: an unmapped guard page below the stack faults at once. */
	coro_join(spawn("guarded-coroutine", 16384, overflow_then_yield, (void *)10000), NULL);
	EXPECT(!"the overflowing coroutine was not caught");
}
