/*
 * Mutex, semaphore, condition variable and event flags under contention
 * from threads on every CPU (counts must come out exact: a lost wake-up
 * shows as a hang, caught by the join time limit), their timeouts, and
 * priority inheritance.
 */
#include <errno.h>
#include <kernel/condvar.h>
#include <kernel/cpu.h>
#include <kernel/event.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>

#define TOTAL_OPS 100000
#define JOIN_LIMIT (60 * NS_PER_SEC)

/* Two threads per CPU, unpinned so they spread and migrate. */
static unsigned nworkers(void) { return cpu_count() * 2 < 4 ? 4 : cpu_count() * 2; }

static void run_workers(void *(*fn)(void *), void *arg, const char *what)
{
	struct thread *t[2 * MAX_CPUS + 4];
	unsigned n = nworkers();
	for (unsigned i = 0; i < n; i++) {
		char name[20];
		snprintf(name, sizeof name, "%s%u", what, i);
		struct thread_attr attr = { .name = name };
		if (thread_create(&t[i], &attr, fn, arg) != 0) {
			test_fail(__FILE__, __LINE__, "cannot create %s", name);
			t[i] = NULL;
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (t[i] && thread_join_timeout(t[i], NULL, JOIN_LIMIT) != 0)
			test_fail(__FILE__, __LINE__, "%s%u still running: lost wake-up?", what, i);
}

/* --- mutex ------------------------------------------------------------------ */

static struct mutex counter_lock = MUTEX_INIT(counter_lock, "counter");
static volatile unsigned long counter;

static void *mutex_worker(void *arg)
{
	unsigned ops = TOTAL_OPS / nworkers();
	for (unsigned i = 0; i < ops; i++) {
		mutex_lock(&counter_lock);
		counter = counter + 1;
		mutex_unlock(&counter_lock);
	}
	return NULL;
}

TEST(mutex_contended_counts_exact)
{
	counter = 0;
	run_workers(mutex_worker, NULL, "mtx");
	EXPECT_EQ(counter, (TOTAL_OPS / nworkers()) * nworkers());
}

TEST(mutex_recursive_and_trylock)
{
	struct mutex r, n;
	mutex_init(&r, "recursive", true);
	mutex_init(&n, "plain", false);
	mutex_lock(&r);
	mutex_lock(&r);
	EXPECT(mutex_trylock(&r));
	mutex_unlock(&r);
	mutex_unlock(&r);
	EXPECT(mutex_held(&r));
	mutex_unlock(&r);
	EXPECT(!mutex_held(&r));
	EXPECT(mutex_trylock(&n));
	EXPECT(!mutex_trylock(&n));
	mutex_unlock(&n);
}

static void *hold_for_a_while(void *m)
{
	mutex_lock(m);
	thread_sleep(50 * NS_PER_MS);
	mutex_unlock(m);
	return NULL;
}

TEST(mutex_lock_timeout_fires)
{
	struct mutex m;
	mutex_init(&m, "held", false);
	struct thread *t;
	thread_create(&t, NULL, hold_for_a_while, &m);
	thread_sleep(5 * NS_PER_MS);
	uint64_t start = time_now();
	EXPECT_EQ(mutex_lock_timeout(&m, 10 * NS_PER_MS), -ETIMEDOUT);
	EXPECT(time_now() - start >= 10 * NS_PER_MS);
	EXPECT_EQ(mutex_lock_timeout(&m, 5 * NS_PER_SEC), 0);	/* after the holder lets go */
	mutex_unlock(&m);
	thread_join(t, NULL);
}

/* --- semaphore --------------------------------------------------------------- */

static struct sem items = SEM_INIT(items, "items", 0);
static struct sem slots = SEM_INIT(slots, "slots", 8);
static unsigned long produced_sum, consumed_sum, consumed_count;

/* Half the workers produce, half consume, through a counting semaphore
 * pair; the consumed sum must equal the produced sum. */
static void *sem_worker(void *arg)
{
	unsigned n = nworkers(), id = (unsigned)__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
	unsigned ops = TOTAL_OPS / n;
	for (unsigned i = 0; i < ops; i++) {
		if (id % 2 == 0) {
			sem_wait(&slots);
			__atomic_fetch_add(&produced_sum, i + 1, __ATOMIC_RELAXED);
			sem_post(&items);
		} else {
			sem_wait(&items);
			__atomic_fetch_add(&consumed_count, 1, __ATOMIC_RELAXED);
			sem_post(&slots);
		}
	}
	return NULL;
}

TEST(semaphore_contended_counts_exact)
{
	unsigned ids = 0;
	produced_sum = consumed_sum = consumed_count = 0;
	run_workers(sem_worker, &ids, "sem");
	unsigned n = nworkers(), ops = TOTAL_OPS / n;
	EXPECT_EQ(consumed_count, (n / 2) * ops);
	EXPECT_EQ(produced_sum, (unsigned long)(n / 2) * ops * (ops + 1) / 2);
	EXPECT(!sem_trywait(&items));	/* nothing left over */
	for (int i = 0; i < 8; i++)
		EXPECT(sem_trywait(&slots));
	EXPECT(!sem_trywait(&slots));
	for (int i = 0; i < 8; i++)
		sem_post(&slots);
}

TEST(semaphore_timeout_fires)
{
	struct sem s;
	sem_init(&s, "empty", 0);
	uint64_t start = time_now();
	EXPECT_EQ(sem_wait_timeout(&s, 10 * NS_PER_MS), -ETIMEDOUT);
	EXPECT(time_now() - start >= 10 * NS_PER_MS);
	sem_post(&s);
	EXPECT_EQ(sem_wait_timeout(&s, 10 * NS_PER_MS), 0);
}

/* --- condition variable ------------------------------------------------------- */

#define RING 16
static struct mutex ring_lock = MUTEX_INIT(ring_lock, "ring");
static struct condvar not_empty = CONDVAR_INIT(not_empty, "not empty");
static struct condvar not_full = CONDVAR_INIT(not_full, "not full");
static unsigned long ring[RING];
static unsigned ring_head, ring_count;
static unsigned long cv_in_sum, cv_out_sum;

static void *condvar_worker(void *arg)
{
	unsigned n = nworkers(), id = (unsigned)__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
	unsigned ops = TOTAL_OPS / n;
	for (unsigned i = 0; i < ops; i++) {
		mutex_lock(&ring_lock);
		if (id % 2 == 0) {
			while (ring_count == RING)
				condvar_wait(&not_full, &ring_lock);
			ring[(ring_head + ring_count++) % RING] = i + 1;
			cv_in_sum += i + 1;
			condvar_signal(&not_empty);
		} else {
			while (ring_count == 0)
				condvar_wait(&not_empty, &ring_lock);
			cv_out_sum += ring[ring_head];
			ring_head = (ring_head + 1) % RING;
			ring_count--;
			condvar_signal(&not_full);
		}
		mutex_unlock(&ring_lock);
	}
	return NULL;
}

TEST(condvar_bounded_buffer_exact)
{
	unsigned ids = 0;
	cv_in_sum = cv_out_sum = 0;
	ring_head = ring_count = 0;
	run_workers(condvar_worker, &ids, "cv");
	EXPECT_EQ(ring_count, 0);
	EXPECT_EQ(cv_in_sum, cv_out_sum);
	unsigned n = nworkers(), ops = TOTAL_OPS / n;
	EXPECT_EQ(cv_in_sum, (unsigned long)(n / 2) * ops * (ops + 1) / 2);
}

TEST(condvar_timeout_fires_and_relocks)
{
	struct mutex m;
	struct condvar cv;
	mutex_init(&m, "m", false);
	condvar_init(&cv, "cv");
	mutex_lock(&m);
	uint64_t start = time_now();
	EXPECT_EQ(condvar_wait_timeout(&cv, &m, 10 * NS_PER_MS), -ETIMEDOUT);
	EXPECT(time_now() - start >= 10 * NS_PER_MS);
	EXPECT(mutex_held(&m));
	mutex_unlock(&m);
}

/* --- event flags --------------------------------------------------------------- */

static struct event flags = EVENT_INIT(flags, "flags");
static unsigned long event_rounds[2 * MAX_CPUS + 4];

/* Workers pair up (2k, 2k+1) and ping-pong through their own two bits. */
static void *event_worker(void *arg)
{
	unsigned id = (unsigned)__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
	unsigned pair = id / 2, ping = 1u << (2 * (pair % 16)), pong = ping << 1;
	unsigned ops = TOTAL_OPS / nworkers();
	for (unsigned i = 0; i < ops; i++) {
		if (id % 2 == 0) {
			event_set(&flags, ping);
			if (event_wait(&flags, pong, EVENT_ANY | EVENT_CONSUME) != (long)pong)
				break;
		} else {
			if (event_wait(&flags, ping, EVENT_ANY | EVENT_CONSUME) != (long)ping)
				break;
			event_set(&flags, pong);
		}
		event_rounds[id]++;
	}
	return NULL;
}

TEST(event_flags_ping_pong_exact)
{
	unsigned ids = 0;
	unsigned n = nworkers();
	if (n > 32)
		n = 32;	/* 16 pairs of bits */
	for (unsigned i = 0; i < 2 * MAX_CPUS + 4; i++)
		event_rounds[i] = 0;
	event_clear(&flags, ~0u);
	run_workers(event_worker, &ids, "evt");
	for (unsigned i = 0; i < nworkers(); i++)
		EXPECT_EQ(event_rounds[i], TOTAL_OPS / nworkers());
	EXPECT_EQ(event_peek(&flags), 0);
}

TEST(event_flags_all_any_and_timeout)
{
	struct event e;
	event_init(&e, "e");
	EXPECT_EQ(event_wait_timeout(&e, 0x3, EVENT_ALL, 10 * NS_PER_MS), -ETIMEDOUT);
	event_set(&e, 0x1);
	EXPECT_EQ(event_wait_timeout(&e, 0x3, EVENT_ALL, 5 * NS_PER_MS), -ETIMEDOUT);
	EXPECT_EQ(event_wait(&e, 0x3, EVENT_ANY), 0x1);
	event_set(&e, 0x2);
	EXPECT_EQ(event_wait(&e, 0x3, EVENT_ALL | EVENT_CONSUME), 0x3);
	EXPECT_EQ(event_peek(&e), 0);
	EXPECT_EQ(event_wait(&e, 0, EVENT_ANY), -EINVAL);
}

/* --- priority inheritance -------------------------------------------------------- */

static struct mutex pi_lock_m = MUTEX_INIT(pi_lock_m, "pi");
static volatile bool high_done, low_holding, medium_saw_high_done;

static void *low_prio(void *arg)
{
	mutex_lock(&pi_lock_m);
	low_holding = true;
	/* Work that needs the CPU; the medium thread would starve it. */
	uint64_t until = time_now() + 20 * NS_PER_MS;
	while (time_now() < until)
		;
	mutex_unlock(&pi_lock_m);
	return NULL;
}

static void *high_prio(void *arg)
{
	mutex_lock(&pi_lock_m);
	high_done = true;
	mutex_unlock(&pi_lock_m);
	return NULL;
}

static void *medium_prio(void *arg)
{
	/* Spins up to 2 s: only inheritance lets the low thread finish first. */
	uint64_t until = time_now() + 2 * NS_PER_SEC;
	while (time_now() < until && !high_done)
		;
	medium_saw_high_done = high_done;
	return NULL;
}

TEST(mutex_priority_inheritance_resolves_inversion)
{
	uint64_t all = cpu_count() >= 64 ? ~0ull : (1ull << cpu_count()) - 1;
	if (cpu_count() > 1)
		thread_set_affinity(thread_current(), all & ~1ull);
	high_done = low_holding = medium_saw_high_done = false;
	struct thread *low, *high, *medium;
	struct thread_attr la = { .name = "pi-low", .prio = 5, .affinity = 1 };
	struct thread_attr ha = { .name = "pi-high", .prio = 25, .affinity = 1 };
	struct thread_attr ma = { .name = "pi-medium", .prio = 15, .affinity = 1 };
	thread_create(&low, &la, low_prio, NULL);
	while (!low_holding)
		thread_sleep(NS_PER_MS);
	thread_create(&high, &ha, high_prio, NULL);	/* blocks on the mutex at once */
	thread_create(&medium, &ma, medium_prio, NULL);
	thread_join(high, NULL);
	thread_join(medium, NULL);
	thread_join(low, NULL);
	EXPECT(high_done);
	EXPECT(medium_saw_high_done);
	thread_set_affinity(thread_current(), all);
}
