/*
 * The big lock (runtime/gil/): mutual exclusion under stress from every
 * CPU, hand-off to a spinning waiter, fairness among CPU-bound threads,
 * the drop request's latency, release around blocking calls, no deadlock
 * against kernel mutexes, and domains running in parallel. Timing bounds are loose: QEMU's TCG on a
 * busy host is slow and jittery.
 */
#include <errno.h>
#include <gil/gil.h>
#include <gil/msgq.h>
#include <kernel/cpu.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>
#include <string.h>

#define JOIN_LIMIT (60 * NS_PER_SEC)
#define MAX_THREADS (2 * MAX_CPUS + 4)

static unsigned nthreads(void) { return cpu_count() * 2 < 4 ? 4 : cpu_count() * 2; }

/* n threads of g running fn(arg); joined within JOIN_LIMIT or the test fails. */
static void run_in_domain(struct gil *g, unsigned n, void *(*fn)(void *), void *arg,
			  const char *what)
{
	struct thread *t[MAX_THREADS];
	for (unsigned i = 0; i < n; i++) {
		struct thread_attr attr = { .name = what };
		if (gil_thread_create(&t[i], g, &attr, fn, arg) != 0) {
			test_fail(__FILE__, __LINE__, "cannot create %s %u", what, i);
			t[i] = NULL;
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (t[i] && thread_join_timeout(t[i], NULL, JOIN_LIMIT) != 0)
			test_fail(__FILE__, __LINE__, "%s %u still running: deadlock?", what, i);
}

/* Busy work that does not touch the lock. */
static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

/* --- mutual exclusion ------------------------------------------------------- */

#define EXCL_ROUNDS 300
static struct thread *volatile claimed_by;
static volatile unsigned long excl_counter;

/* Holding the lock: nobody else may be inside, and the increment of a
 * plain counter, spread over a few loads, must not be lost. */
static void exclusive_section(void)
{
	struct thread *me = thread_current();
	struct thread *was = __atomic_exchange_n(&claimed_by, me, __ATOMIC_SEQ_CST);
	if (was)
		test_fail(__FILE__, __LINE__, "'%s' holds the lock while '%s' does", me->name,
			  was->name);
	unsigned long c = excl_counter;
	spin(200);
	excl_counter = c + 1;
	if (claimed_by != me)
		test_fail(__FILE__, __LINE__, "'%s' lost the lock inside its section", me->name);
	__atomic_store_n(&claimed_by, NULL, __ATOMIC_SEQ_CST);
}

static void *exclusion_worker(void *arg)
{
	for (unsigned i = 0; i < EXCL_ROUNDS; i++) {
		exclusive_section();
		gil_check();			/* may be asked to drop */
		exclusive_section();
		if (i % 8 == 0)
			thread_sleep(50 * NS_PER_US);	/* released around the sleep */
		if (i % 16 == 0) {
			gil_release();
			gil_acquire();
		}
	}
	return NULL;
}

TEST(gil_never_two_holders)
{
	struct gil g;
	gil_init(&g, "exclusion", true);
	gil_set_interval(&g, 100 * NS_PER_US);	/* many forced drops */
	excl_counter = 0;
	claimed_by = NULL;
	run_in_domain(&g, nthreads(), exclusion_worker, NULL, "excl");
	EXPECT_EQ(excl_counter, 2ul * EXCL_ROUNDS * nthreads());
	/* On one CPU a thread runs until it sleeps, and lets go uncontended. */
	struct gil_stats s;
	gil_stats_get(&g, &s);
	EXPECT(cpu_count() == 1 || s.handoffs > 0);
	gil_destroy(&g);
}

/* --- waiting by spinning ---------------------------------------------------- */

struct turns {
	uint64_t window;	/* how long both take turns */
	bool one_cpu;		/* both on CPU 0, else each on a CPU of its own */
	struct gil *g;		/* its statistics count from the window's start */
};
static unsigned turns_placed, turns_arrived;
static volatile uint64_t turns_until;
static unsigned long turns_done;

/* Short turns with a gap outside the lock, for the window: the other thread
 * asks while this one holds, and is handed the lock within microseconds.
 * Both start together (outside the lock) and run for the same window, so
 * the turns overlap. */
static void *short_turns(void *arg)
{
	const struct turns *how = arg;
	gil_release();
	unsigned me = __atomic_fetch_add(&turns_placed, 1, __ATOMIC_SEQ_CST);
	unsigned cpu = how->one_cpu ? 0 : me % cpu_online_count();
	thread_set_affinity(thread_current(), 1ull << cpu);
	thread_yield();		/* moved there by this switch */
	if (__atomic_add_fetch(&turns_arrived, 1, __ATOMIC_SEQ_CST) == 2) {
		/* Not what the two did while starting, on CPUs of their own
		 * before they moved; the other waits outside the lock. */
		gil_stats_reset(how->g);
		turns_until = time_now() + how->window;
	}
	while (!turns_until)
		thread_yield();
	gil_acquire();
	unsigned long n = 0;
	while (time_now() < turns_until) {
		exclusive_section();
		n++;
		gil_release();
		spin(100);
		gil_acquire();
	}
	__atomic_fetch_add(&turns_done, n, __ATOMIC_SEQ_CST);
	return NULL;
}

static struct gil_stats short_turns_stats(struct gil *g, uint64_t spin_ns, struct turns how)
{
	gil_set_spin(g, spin_ns);
	how.g = g;
	turns_placed = turns_arrived = 0;
	turns_until = 0;
	turns_done = 0;
	claimed_by = NULL;
	excl_counter = 0;
	run_in_domain(g, 2, short_turns, &how, "turns");
	EXPECT_EQ(excl_counter, turns_done);
	struct gil_stats s;
	gil_stats_get(g, &s);
	/* Waits are short and counted from arrival: none longer than the run
	 * (one that began as the lock was being let go is not negative). */
	EXPECT(s.wait_max_ns < JOIN_LIMIT);
	return s;
}

TEST(gil_spinning_waiter_is_handed_the_lock_without_a_wake_up)
{
	struct gil g;
	gil_init(&g, "spin", true);
	struct gil_stats on =
		short_turns_stats(&g, GIL_SPIN_DEFAULT, (struct turns){ .window = 20 * NS_PER_MS });
	if (cpu_online_count() < 2) {
		EXPECT_EQ(on.spin_handoffs, 0ul);	/* never spins on one CPU */
	} else {
		/* The turns are far shorter than the spin: usually most
		 * hand-offs (not all: a busy host may stop a virtual CPU for
		 * longer than the spin). */
		EXPECT(on.handoffs > 0);
		EXPECT(on.spin_handoffs > 0);
	}
	gil_destroy(&g);
	gil_init(&g, "no-spin", true);
	struct gil_stats off = short_turns_stats(&g, 0, (struct turns){ .window = 20 * NS_PER_MS });
	EXPECT_EQ(off.spin_handoffs, 0ul);
	EXPECT(cpu_online_count() < 2 || off.handoffs > 0);	/* woken instead */
	gil_destroy(&g);
}

/* Both on one CPU (others online): the holder cannot let go while the
 * waiter runs, so the waiter blocks at once instead of spinning out its
 * time on every contended acquisition. Contention comes from time slices
 * ending inside a turn. */
TEST(gil_waiter_does_not_spin_behind_a_holder_on_its_cpu)
{
	struct gil g;
	gil_init(&g, "one-cpu", true);
	struct gil_stats s = short_turns_stats(&g, GIL_SPIN_DEFAULT,
					       (struct turns){ .window = 60 * NS_PER_MS, .one_cpu = true });
	EXPECT(s.contended > 0);
	EXPECT_EQ(s.spin_timeouts, 0ul);
	gil_destroy(&g);
}

/* --- fairness --------------------------------------------------------------- */

#define FAIR_THREADS 3
#define FAIR_INTERVAL (2 * NS_PER_MS)
static volatile bool fair_stop;
static struct gil_member *volatile fair_members[FAIR_THREADS];

static void *fair_worker(void *arg)
{
	struct gil_member m;
	gil_enter(arg, &m);
	for (unsigned i = 0; i < FAIR_THREADS; i++) {
		struct gil_member *none = NULL;
		if (__atomic_compare_exchange_n(&fair_members[i], &none, &m, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			break;
	}
	while (!fair_stop) {
		spin(64);
		gil_check();
	}
	gil_leave();
	return NULL;
}

TEST(gil_fairness_cpu_bound)
{
	struct gil g;
	gil_init(&g, "fairness", true);
	gil_set_interval(&g, FAIR_INTERVAL);
	fair_stop = false;
	memset((void *)fair_members, 0, sizeof fair_members);
	struct thread *t[FAIR_THREADS];
	for (unsigned i = 0; i < FAIR_THREADS; i++)
		thread_create(&t[i], &(struct thread_attr){ .name = "fair" }, fair_worker, &g);
	thread_sleep(5 * FAIR_INTERVAL);	/* all have entered and queued */
	uint64_t before[FAIR_THREADS], total = 0, share[FAIR_THREADS];
	for (unsigned i = 0; i < FAIR_THREADS; i++)
		before[i] = fair_members[i] ? gil_member_hold_ns(fair_members[i]) : 0;
	thread_sleep(100 * FAIR_INTERVAL);
	for (unsigned i = 0; i < FAIR_THREADS; i++) {
		share[i] = fair_members[i] ? gil_member_hold_ns(fair_members[i]) - before[i] : 0;
		total += share[i];
	}
	fair_stop = true;
	for (unsigned i = 0; i < FAIR_THREADS; i++)
		thread_join(t[i], NULL);
	EXPECT(total > 0);
	for (unsigned i = 0; i < FAIR_THREADS; i++) {
		/* between 1/(2N) and 2/N of the lock time */
		if (share[i] * 2 * FAIR_THREADS < total || share[i] * FAIR_THREADS > 2 * total)
			test_fail(__FILE__, __LINE__, "thread %u had %llu of %llu us", i,
				  (unsigned long long)(share[i] / 1000),
				  (unsigned long long)(total / 1000));
	}
	gil_destroy(&g);
}

/* --- drop request latency ------------------------------------------------------ */

#define DROP_INTERVAL (5 * NS_PER_MS)
#define DROP_SLACK (20 * NS_PER_MS)	/* TCG scheduling jitter */
static volatile bool hog_stop;
static volatile uint64_t hog_check_period;

/* Holds the lock, looking at it every few microseconds. */
static void *hog(void *arg)
{
	uint64_t checks = 0, begin = time_now();
	while (!hog_stop) {
		spin(64);
		gil_check();
		checks++;
	}
	hog_check_period = (time_now() - begin) / (checks ? checks : 1);
	return NULL;
}

TEST(gil_drop_request_honoured)
{
	struct gil g;
	struct gil_member m;
	gil_init(&g, "drop", true);
	gil_set_interval(&g, DROP_INTERVAL);
	gil_enter(&g, &m);
	gil_release();
	hog_stop = false;
	struct thread *t;
	gil_thread_create(&t, &g, &(struct thread_attr){ .name = "hog" }, hog, NULL);
	uint64_t best = UINT64_MAX, worst = 0;
	for (int round = 0; round < 5; round++) {
		thread_sleep(2 * NS_PER_MS);	/* the hog holds the lock */
		uint64_t asked = time_now();
		gil_acquire();
		uint64_t waited = time_now() - asked;
		best = waited < best ? waited : best;
		worst = waited > worst ? waited : worst;
		gil_release();
	}
	hog_stop = true;
	thread_join(t, NULL);
	gil_leave();
	struct gil_stats s;
	gil_stats_get(&g, &s);
	printf("  drop: waited %llu..%llu us for the lock, check period %llu ns, "
	       "request-to-drop max %llu us\n", (unsigned long long)(best / 1000),
	       (unsigned long long)(worst / 1000), (unsigned long long)hog_check_period,
	       (unsigned long long)(s.drop_latency_max_ns / 1000));
	EXPECT(s.forced_drops >= 5);
	/* Not before a full interval (less a clock tick)... */
	EXPECT(best + 100 * NS_PER_US >= DROP_INTERVAL);
	/* ...and within one interval plus one check period (plus jitter). */
	EXPECT(worst <= DROP_INTERVAL + hog_check_period + DROP_SLACK);
	EXPECT(best <= DROP_INTERVAL + hog_check_period + 2 * NS_PER_MS);
	gil_destroy(&g);
}

/* --- release around blocking ---------------------------------------------------- */

static volatile unsigned long progress;
static volatile bool ticker_stop;

/* Another member: counts, holding the lock, between short sleeps. */
static void *ticker(void *arg)
{
	while (!ticker_stop) {
		progress++;
		thread_sleep(500 * NS_PER_US);
	}
	return NULL;
}

static struct mutex held_mutex = MUTEX_INIT(held_mutex, "held");
static struct sem mutex_taken = SEM_INIT(mutex_taken, "taken", 0);

/* Outside any domain: hold the mutex for a while. */
static void *mutex_holder(void *arg)
{
	mutex_lock(&held_mutex);
	sem_post(&mutex_taken);
	thread_sleep(20 * NS_PER_MS);
	mutex_unlock(&held_mutex);
	return NULL;
}

static void *short_member(void *arg)
{
	spin(1000);
	return arg;
}

/* Holding the lock, block in `what`; the ticker must run meanwhile, and
 * the lock must be ours again afterwards. */
static void expect_released(unsigned long before, const char *what)
{
	if (progress == before)
		test_fail(__FILE__, __LINE__, "no other member ran while blocked in %s", what);
	if (!gil_held())
		test_fail(__FILE__, __LINE__, "the lock was not taken back after %s", what);
}

TEST(gil_released_around_blocking)
{
	struct gil g;
	struct gil_member m;
	gil_init(&g, "blocking", true);
	gil_enter(&g, &m);
	progress = 0;
	ticker_stop = false;
	struct thread *tick, *holder, *j;
	gil_thread_create(&tick, &g, &(struct thread_attr){ .name = "ticker" }, ticker, NULL);
	thread_sleep(5 * NS_PER_MS);
	EXPECT(progress > 0);

	/* The lock is real: holding it without checking, the ticker stops. */
	unsigned long p = progress;
	uint64_t until = time_now() + 10 * NS_PER_MS;
	while (time_now() < until)
		spin(100);
	EXPECT_EQ(progress, p);

	p = progress;
	thread_sleep(10 * NS_PER_MS);
	expect_released(p, "thread_sleep");

	thread_create(&holder, &(struct thread_attr){ .name = "mutex-holder" }, mutex_holder, NULL);
	sem_wait(&mutex_taken);
	p = progress;
	mutex_lock(&held_mutex);
	expect_released(p, "mutex_lock");
	mutex_unlock(&held_mutex);
	thread_join(holder, NULL);

	/* A member joined by a holder can only finish if the join lets go. */
	gil_thread_create(&j, &g, &(struct thread_attr){ .name = "joinee" }, short_member, NULL);
	p = progress;
	thread_sleep(1 * NS_PER_MS);
	EXPECT_EQ(thread_join_timeout(j, NULL, 10 * NS_PER_SEC), 0);
	expect_released(p, "thread_join");

	/* Busy, not blocked: on one CPU the ticker runs only when our time
	 * slice ends (10 ms, which may have just begun), so spin until it has
	 * run, for up to several slices. */
	p = progress;
	gil_blocking_begin();
	uint64_t spin_until = time_now() + 100 * NS_PER_MS;
	while (progress == p && time_now() < spin_until)
		spin(100);
	gil_blocking_end();
	expect_released(p, "gil_blocking_begin/end");

	ticker_stop = true;
	thread_join(tick, NULL);
	gil_leave();
	gil_destroy(&g);
}

/* --- no deadlock against kernel mutexes ------------------------------------------ */

#define MIX_ROUNDS 200
static struct mutex mix_a = MUTEX_INIT(mix_a, "mix-a"), mix_b = MUTEX_INIT(mix_b, "mix-b");
static volatile unsigned long mix_counter;

static void *mix_worker(void *arg)
{
	for (unsigned i = 0; i < MIX_ROUNDS; i++) {
		mutex_lock(&mix_a);	/* may block: lets go of the big lock */
		gil_check();		/* may hand the big lock to one who wants mix_a */
		mutex_lock(&mix_b);
		mix_counter = mix_counter + 1;
		if (i % 16 == 0)
			thread_sleep(20 * NS_PER_US);	/* holding both mutexes */
		mutex_unlock(&mix_b);
		mutex_unlock(&mix_a);
		if (i % 5 == 0)
			thread_yield();
		gil_check();
	}
	return NULL;
}

TEST(gil_no_deadlock_with_mutexes)
{
	struct gil g;
	gil_init(&g, "mutexes", true);
	gil_set_interval(&g, 200 * NS_PER_US);
	mix_counter = 0;
	run_in_domain(&g, nthreads(), mix_worker, NULL, "mix");
	EXPECT_EQ(mix_counter, (unsigned long)MIX_ROUNDS * nthreads());
	gil_destroy(&g);
}

/* --- domains --------------------------------------------------------------------- */

struct racer {
	volatile unsigned long count;
	struct racer *other;
	bool saw_other;
};

/* Holding its own domain's lock all along (never checking, never
 * blocking), wait for the other domain's thread to make progress. */
static void *racer_main(void *arg)
{
	struct racer *r = arg;
	unsigned long start = r->other->count;
	uint64_t until = time_now() + 5 * NS_PER_SEC;
	while (time_now() < until) {
		r->count++;
		if (r->other->count - start > 1000 && r->count > 1000) {
			r->saw_other = true;
			break;
		}
	}
	/* Keep counting a little for the other one's sake. */
	for (int i = 0; i < 100000; i++)
		r->count++;
	return NULL;
}

TEST(gil_domains_run_in_parallel)
{
	if (cpu_count() < 2)
		return;
	struct gil a, b;
	gil_init(&a, "domain-a", true);
	gil_init(&b, "domain-b", true);
	struct racer ra = { 0 }, rb = { 0 };
	ra.other = &rb;
	rb.other = &ra;
	struct thread *ta, *tb;
	gil_thread_create(&ta, &a, &(struct thread_attr){ .name = "racer-a" }, racer_main, &ra);
	gil_thread_create(&tb, &b, &(struct thread_attr){ .name = "racer-b" }, racer_main, &rb);
	thread_join(ta, NULL);
	thread_join(tb, NULL);
	EXPECT(ra.saw_other);
	EXPECT(rb.saw_other);
	gil_destroy(&a);
	gil_destroy(&b);
}

/* --- message queue and modes ---------------------------------------------------- */

struct msg {
	int seq;
	char text[12];
};

static void *msg_receiver(void *arg)
{
	struct gil_msgq *q = arg;
	long ok = 1;
	for (int i = 0; i < 20; i++) {
		struct msg in;
		if (gil_msgq_recv(q, &in, sizeof in) != sizeof in || in.seq != i ||
		    strcmp(in.text, "original") != 0)
			ok = 0;
	}
	return (void *)ok;
}

TEST(gil_msgq_copies_between_domains)
{
	struct gil a, b;
	struct gil_member m;
	struct gil_msgq q;
	gil_init(&a, "sender", true);
	gil_init(&b, "receiver", true);
	EXPECT_EQ(gil_msgq_init(&q, "msgq", sizeof(struct msg), 4), 0);
	struct thread *rx;
	gil_thread_create(&rx, &b, &(struct thread_attr){ .name = "receiver" }, msg_receiver, &q);
	gil_enter(&a, &m);
	for (int i = 0; i < 20; i++) {
		struct msg out = { .seq = i };
		strcpy(out.text, "original");
		EXPECT_EQ(gil_msgq_send(&q, &out, sizeof out), 0);	/* blocks when full */
		strcpy(out.text, "changed");	/* the copy in the queue stays as sent */
	}
	EXPECT_EQ(gil_msgq_send(&q, &m, sizeof(struct msg) + 1), -EMSGSIZE);
	gil_leave();
	void *ok = NULL;
	thread_join(rx, &ok);
	EXPECT(ok == (void *)1);
	gil_msgq_destroy(&q);
	gil_destroy(&a);
	gil_destroy(&b);
}

TEST(gil_mode_off_is_a_no_op)
{
	struct gil g;
	struct gil_member m;
	gil_init(&g, "off", false);
	gil_enter(&g, &m);
	EXPECT(gil_held());
	gil_release();		/* no-ops */
	gil_acquire();
	gil_check();
	EXPECT_EQ(gil_set_enabled(&g, true), -EBUSY);
	gil_leave();
	EXPECT(!gil_held());
	EXPECT_EQ(gil_set_enabled(&g, true), 0);
	gil_enter(&g, &m);
	EXPECT(gil_held());
	gil_leave();
	gil_destroy(&g);
}
