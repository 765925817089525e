/*
 * Kernel threads: scheduling (time slices, preemption, sleep precision),
 * lifecycle (join, detach, memory returned), affinity and stealing.
 */
#include "on_all_cpus.h"
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/page.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>

static struct thread *spawn(const char *name, unsigned prio, uint64_t affinity,
			    void *(*fn)(void *), void *arg)
{
	struct thread *t = NULL;
	struct thread_attr attr = { .name = name, .prio = prio, .affinity = affinity };
	int err = thread_create(&t, &attr, fn, arg);
	if (err)
		test_fail(__FILE__, __LINE__, "thread_create(%s): %d", name, err);
	return t;
}

/* Keep the main thread off CPU 0 (when there is another) so tests pinned
 * there run undisturbed; restored afterwards. */
static uint64_t main_off_cpu0(void)
{
	uint64_t all = (cpu_count() >= 64 ? ~0ull : (1ull << cpu_count()) - 1);
	thread_set_affinity(thread_current(), cpu_count() > 1 ? all & ~1ull : all);
	return all;
}

/* --- time slices ----------------------------------------------------------- */

static volatile bool stop_spinning;

static void *spin_until_stopped(void *count)
{
	while (!stop_spinning)
		(*(volatile unsigned long *)count)++;
	return NULL;
}

static void *set_flag(void *flag)
{
	*(volatile bool *)flag = true;
	return NULL;
}

TEST(thread_busy_loop_cannot_starve_equal_priority)
{
	uint64_t all = main_off_cpu0();
	unsigned long spins = 0;
	volatile bool ran = false;
	stop_spinning = false;
	struct thread *hog = spawn("hog", THREAD_PRIO_DEFAULT, 1, spin_until_stopped, &spins);
	struct thread *other = spawn("other", THREAD_PRIO_DEFAULT, 1, set_flag, (void *)&ran);
	/* The slice is 10 ms; give it plenty. */
	int err = thread_join_timeout(other, NULL, 2 * NS_PER_SEC);
	EXPECT_EQ(err, 0);
	EXPECT(ran);
	stop_spinning = true;
	thread_join(hog, NULL);
	if (err)
		thread_join(other, NULL);
	EXPECT(spins > 0);
	thread_set_affinity(thread_current(), all);
}

TEST(thread_time_slices_rotate_equal_priorities)
{
	uint64_t all = main_off_cpu0();
	unsigned long a = 0, b = 0;
	stop_spinning = false;
	struct thread *ta = spawn("slice-a", THREAD_PRIO_DEFAULT, 1, spin_until_stopped, &a);
	struct thread *tb = spawn("slice-b", THREAD_PRIO_DEFAULT, 1, spin_until_stopped, &b);
	thread_sleep(200 * NS_PER_MS);
	unsigned long a1 = a, b1 = b;
	thread_sleep(100 * NS_PER_MS);
	stop_spinning = true;
	thread_join(ta, NULL);
	thread_join(tb, NULL);
	/* Both advanced in the last 100 ms window, i.e. turns alternated. */
	EXPECT(a > a1);
	EXPECT(b > b1);
	EXPECT(ta != tb);
	thread_set_affinity(thread_current(), all);
}

TEST(thread_higher_priority_preempts_at_once)
{
	/* Pinned to our own CPU and more urgent: it must have run before
	 * thread_create() returns to us. */
	uint64_t all = (1ull << cpu_count()) - 1;
	unsigned me = this_cpu()->index;
	thread_set_affinity(thread_current(), 1ull << me);
	volatile bool ran = false;
	struct thread *t = spawn("urgent", THREAD_PRIO_DEFAULT + 4, 1ull << me, set_flag, (void *)&ran);
	EXPECT(ran);
	thread_join(t, NULL);
	thread_set_affinity(thread_current(), all);
}

/* --- wake-ups ------------------------------------------------------------------ */

enum { WOKEN = 8 };
static struct sem wake_sems[WOKEN];
static unsigned wake_order[WOKEN], woken_so_far;

static void *wait_then_note_turn(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	sem_wait(&wake_sems[i]);
	wake_order[__atomic_fetch_add(&woken_so_far, 1, __ATOMIC_RELAXED)] = i;
	return NULL;
}

TEST(thread_woken_together_run_in_wake_order)
{
	/* Eight equal waiters on CPU 0, woken by a more urgent thread there
	 * that does not give up the CPU until all eight are woken: they pile
	 * up on the CPU's wake list and must run in the order woken. */
	uint64_t all = (1ull << cpu_count()) - 1;
	unsigned prio = thread_current()->base_prio;
	thread_set_affinity(thread_current(), 1);
	thread_set_priority(thread_current(), THREAD_PRIO_DEFAULT + 3);
	woken_so_far = 0;
	struct thread *t[WOKEN];
	for (unsigned i = 0; i < WOKEN; i++) {
		sem_init(&wake_sems[i], "wake-order", 0);
		t[i] = spawn("waiter", THREAD_PRIO_DEFAULT + 1, 1, wait_then_note_turn,
			     (void *)(uintptr_t)i);
	}
	thread_sleep(5 * NS_PER_MS);	/* let them all reach sem_wait() */
	for (unsigned i = 0; i < WOKEN; i++)
		sem_post(&wake_sems[(i * 3) % WOKEN]);	/* a scrambled order */
	for (unsigned i = 0; i < WOKEN; i++)
		thread_join(t[i], NULL);
	EXPECT_EQ(woken_so_far, WOKEN);
	for (unsigned i = 0; i < WOKEN; i++)
		EXPECT_EQ(wake_order[i], (i * 3) % WOKEN);
	thread_set_priority(thread_current(), prio);
	thread_set_affinity(thread_current(), all);
}

static struct sem urgent_go = SEM_INIT(urgent_go, "urgent", 0);
static volatile uint64_t urgent_ran_at;

static void *note_when_woken(void *arg)
{
	sem_wait(&urgent_go);
	urgent_ran_at = time_now();
	return NULL;
}

TEST(thread_wake_from_another_cpu_preempts_at_once)
{
	/* A busy thread on CPU 0 with a one-second slice; an urgent thread
	 * there woken from CPU 1 must run at once (an interrupt), not when
	 * the slice ends. */
	if (cpu_count() < 2)
		return;
	uint64_t all = (1ull << cpu_count()) - 1;
	thread_set_affinity(thread_current(), 1ull << 1);
	thread_set_time_slice(NS_PER_SEC);
	unsigned long spins = 0;
	stop_spinning = false;
	urgent_ran_at = 0;
	struct thread *u = spawn("urgent", THREAD_PRIO_DEFAULT + 4, 1, note_when_woken, NULL);
	thread_sleep(2 * NS_PER_MS);	/* let it reach sem_wait() */
	struct thread *hog = spawn("hog", THREAD_PRIO_DEFAULT, 1, spin_until_stopped, &spins);
	thread_sleep(20 * NS_PER_MS);	/* the hog owns CPU 0 now */
	uint64_t posted = time_now();
	sem_post(&urgent_go);
	thread_join(u, NULL);
	stop_spinning = true;
	thread_join(hog, NULL);
	thread_set_time_slice(10 * NS_PER_MS);
	thread_set_affinity(thread_current(), all);
	EXPECT(spins > 0);
	/* Emulation is slow, but nowhere near a second. */
	EXPECT(urgent_ran_at - posted < 200 * NS_PER_MS);
}

/* --- sleeping ---------------------------------------------------------------- */

TEST(thread_sleep_wakes_no_earlier_and_soon_after)
{
	/* "Soon": one timer resolution plus scheduling; under emulation the
	 * scheduling part is generous. */
	const uint64_t slack = time_resolution_ns() + 20 * NS_PER_MS;
	static const uint64_t asks[] = { 100 * NS_PER_US, NS_PER_MS, 5 * NS_PER_MS, 30 * NS_PER_MS };
	for (unsigned i = 0; i < sizeof asks / sizeof asks[0]; i++) {
		uint64_t start = time_now();
		thread_sleep(asks[i]);
		uint64_t took = time_now() - start;
		if (took < asks[i] || took > asks[i] + slack)
			test_fail(__FILE__, __LINE__, "sleep %llu ns took %llu ns",
				  (unsigned long long)asks[i], (unsigned long long)took);
	}
}

/* --- lifecycle ---------------------------------------------------------------- */

static void *return_arg_plus_one(void *arg) { return (void *)((uintptr_t)arg + 1); }
static void *exit_early(void *arg)
{
	thread_exit((void *)(uintptr_t)77);
}

TEST(thread_join_returns_results)
{
	void *r = NULL;
	struct thread *t = spawn("plus1", 0, 0, return_arg_plus_one, (void *)41);
	EXPECT_EQ(thread_join(t, &r), 0);
	EXPECT_EQ((uintptr_t)r, 42);
	t = spawn("exit77", 0, 0, exit_early, NULL);
	EXPECT_EQ(thread_join(t, &r), 0);
	EXPECT_EQ((uintptr_t)r, 77);
	EXPECT_EQ(thread_join(thread_current(), NULL), -EINVAL);
}

TEST(thread_create_rejects_bad_arguments)
{
	struct thread *t;
	struct thread_attr bad_prio = { .prio = THREAD_PRIO_MAX + 1 };
	struct thread_attr bad_stack = { .stack_size = 100 };
	struct thread_attr bad_cpu = { .affinity = 1ull << 63 };
	EXPECT_EQ(thread_create(&t, &bad_prio, return_arg_plus_one, NULL), -EINVAL);
	EXPECT_EQ(thread_create(&t, &bad_stack, return_arg_plus_one, NULL), -EINVAL);
	if (cpu_count() < 64)
		EXPECT_EQ(thread_create(&t, &bad_cpu, return_arg_plus_one, NULL), -EINVAL);
	EXPECT_EQ(thread_create(&t, NULL, NULL, NULL), -EINVAL);
}

TEST(thread_create_join_cycles_return_all_memory)
{
	/* One warm-up cycle (first use may allocate stdio state), then the
	 * free page count must come back exactly, every time. */
	thread_join(spawn("warm", 0, 0, return_arg_plus_one, NULL), NULL);
	size_t before = page_free_count();
	for (int i = 0; i < 10000; i++) {
		struct thread *t = NULL;
		if (thread_create(&t, NULL, return_arg_plus_one, NULL) != 0) {
			test_fail(__FILE__, __LINE__, "create failed at cycle %d", i);
			break;
		}
		thread_join(t, NULL);
	}
	EXPECT_EQ(page_free_count(), before);
}

TEST(thread_detached_threads_are_reaped)
{
	size_t before = page_free_count();
	for (int i = 0; i < 200; i++) {
		struct thread_attr attr = { .name = "detached", .detached = true };
		EXPECT_EQ(thread_create(NULL, &attr, return_arg_plus_one, NULL), 0);
	}
	/* Reaped by idle threads and by later creates; give them time. */
	for (int i = 0; i < 400 && page_free_count() != before; i++)
		thread_sleep(5 * NS_PER_MS);
	EXPECT_EQ(page_free_count(), before);
}

TEST(thread_create_fails_cleanly_when_memory_runs_out)
{
	enum { MAX = 4096 };
	static struct thread *held[MAX];
	size_t before = page_free_count();
	int n = 0, err = 0;
	struct thread_attr big = { .name = "hog", .stack_size = 8u << 20 };
	stop_spinning = false;
	while (n < MAX && (err = thread_create(&held[n], &big, spin_until_stopped,
					       &(unsigned long){ 0 })) == 0)
		n++;
	EXPECT_EQ(err, -ENOMEM);
	EXPECT(n > 0);
	stop_spinning = true;
	for (int i = 0; i < n; i++)
		thread_join(held[i], NULL);
	EXPECT_EQ(page_free_count(), before);
}

/* --- affinity and stealing ---------------------------------------------------- */

struct pin_check {
	unsigned want;
	unsigned wrong;
	unsigned moved_to;
	volatile bool moved;
};

static void *stay_put(void *arg)
{
	struct pin_check *p = arg;
	for (int i = 0; i < 2000; i++) {
		if (this_cpu()->index != p->want)
			p->wrong++;
		if (i % 100 == 0)
			thread_yield();
		if (i % 500 == 0)
			thread_sleep(100 * NS_PER_US);
	}
	return NULL;
}

TEST(thread_pinned_never_runs_elsewhere)
{
	struct thread *t[MAX_CPUS] = { 0 };
	struct pin_check p[MAX_CPUS] = { 0 };
	for (unsigned i = 0; i < cpu_count(); i++) {
		p[i].want = i;
		t[i] = spawn("pinned", 0, 1ull << i, stay_put, &p[i]);
	}
	for (unsigned i = 0; i < cpu_count(); i++) {
		thread_join(t[i], NULL);
		EXPECT_EQ(p[i].wrong, 0);
	}
}

static void *report_cpu_after_move(void *arg)
{
	struct pin_check *p = arg;
	while (!p->moved)
		thread_sleep(NS_PER_MS);
	thread_yield();
	p->moved_to = this_cpu()->index;
	return NULL;
}

TEST(thread_affinity_change_moves_the_thread)
{
	if (cpu_count() < 2)
		return;
	struct pin_check p = { 0 };
	struct thread *t = spawn("mover", 0, 1ull << 0, report_cpu_after_move, &p);
	thread_sleep(2 * NS_PER_MS);
	EXPECT_EQ(thread_set_affinity(t, 1ull << 1), 0);
	p.moved = true;
	thread_join(t, NULL);
	EXPECT_EQ(p.moved_to, 1);
	EXPECT_EQ(thread_set_affinity(thread_current(), 0), -EINVAL);
}

static uint64_t cpus_used, cpus_all;

/* Busy, noting where it runs, until every CPU has run one of these (or a
 * limit far beyond what stealing needs): a fixed length would also test how
 * soon the host schedules an idle virtual CPU, which on a busy host running
 * four virtual CPUs on two cores can be tens of milliseconds. */
static void *busy_then_note(void *arg)
{
	uint64_t until = time_now() + 2 * NS_PER_SEC;
	while (__atomic_load_n(&cpus_used, __ATOMIC_RELAXED) != cpus_all && time_now() < until)
		__atomic_fetch_or(&cpus_used, 1ull << this_cpu()->index, __ATOMIC_RELAXED);
	return NULL;
}

TEST(thread_work_stealing_spreads_unpinned_work)
{
	/* Created from one CPU, the burst must still run on every CPU. */
	enum { PER_CPU = 3 };
	struct thread *t[MAX_CPUS * PER_CPU];
	unsigned n = cpu_count() * PER_CPU;
	cpus_used = 0;
	uint64_t all = cpu_count() >= 64 ? ~0ull : (1ull << cpu_count()) - 1;
	cpus_all = all;
	/* Start from a quiet machine: every CPU idle, and so marked. */
	thread_sleep(20 * NS_PER_MS);
	for (unsigned i = 0; i < n; i++)
		t[i] = spawn("burst", 0, 0, busy_then_note, NULL);
	for (unsigned i = 0; i < n; i++)
		thread_join(t[i], NULL);
	EXPECT_EQ(cpus_used, all);
	if (cpus_used != all)
		thread_dump();	/* what kept a CPU from stealing */
}

/* --- stack overflow (the runner expects the report) --------------------------- */

/* Recursion with no way out but the guard page; the depth limit only
 * keeps the compiler from calling it infinite. */
static volatile int depth_limit = 1 << 30;

static int recurse(int depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	if (depth >= depth_limit)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

static void *overflow(void *arg) { return (void *)(uintptr_t)recurse(0); }

MANUAL_TEST(thread_stack_overflow_is_caught)
{
	struct thread *t = spawn("deep-recursion", 0, 0, overflow, NULL);
	thread_join(t, NULL);
	EXPECT(!"the overflowing thread returned");
}
