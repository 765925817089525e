/*
 * The seeds' GIL experiments (see gil_work.h).
 */
#include "gil_work.h"
#include <kernel/cpu.h>
#include <kernel/time.h>
#include <stdio.h>

#define MAX_WORKERS 8

unsigned long gil_work_count_down(unsigned long n, bool check)
{
	unsigned long acc = 0;
	while (n) {
		unsigned long chunk = n < GIL_WORK_CHECK_EVERY ? n : GIL_WORK_CHECK_EVERY;
		n -= chunk;
		while (chunk--)
			acc += (n + chunk) ^ (acc >> 3);
		if (check)
			gil_check();
	}
	return acc;
}

static volatile unsigned long sink;

struct job {
	unsigned long steps;
	unsigned sleeps;
	uint64_t sleep_ns;
	volatile bool *stop;	/* count down until set, when not NULL */
	uint64_t affinity;	/* the CPUs to run on, 0: any */
	uint64_t slept_ns;	/* out: from the first sleep to the end of the last */
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	bool check = gil_current() != NULL;
	if (j->affinity)
		thread_set_affinity(thread_current(), j->affinity);
	if (j->stop) {
		while (!*j->stop)
			sink += gil_work_count_down(GIL_WORK_CHECK_EVERY * 16, check);
		return NULL;
	}
	if (j->steps)
		sink += gil_work_count_down(j->steps, check);
	uint64_t begin = time_now();
	for (unsigned i = 0; i < j->sleeps; i++)
		thread_sleep(j->sleep_ns);
	j->slept_ns = time_now() - begin;
	return NULL;
}

static struct thread *start(struct gil *g, struct job *j)
{
	struct thread *t = NULL;
	struct thread_attr attr = { .name = "gil-work" };
	int err = g ? gil_thread_create(&t, g, &attr, run_job, j)
		    : thread_create(&t, &attr, run_job, j);
	if (err)
		printf("gil_work: cannot create a thread (%d)\n", err);
	return t;
}

/* Start n threads running *j, thread i in domain doms[i]; join them: the
 * wall time. */
static uint64_t run_all(struct gil *const *doms, unsigned n, struct job *j)
{
	struct thread *t[MAX_WORKERS];
	n = n > MAX_WORKERS ? MAX_WORKERS : n;
	uint64_t begin = time_now();
	for (unsigned i = 0; i < n; i++)
		t[i] = start(doms[i], j);
	for (unsigned i = 0; i < n; i++)
		if (t[i])
			thread_join(t[i], NULL);
	return time_now() - begin;
}

static uint64_t run_in(struct gil *g, unsigned n, struct job *j)
{
	struct gil *doms[MAX_WORKERS];
	for (unsigned i = 0; i < MAX_WORKERS; i++)
		doms[i] = g;
	return run_all(doms, n, j);
}

uint64_t gil_work_split(struct gil *g, unsigned nthreads, unsigned long total)
{
	struct job j = { .steps = total / nthreads };
	return run_in(g, nthreads, &j);
}

uint64_t gil_work_domains(struct gil *const *doms, unsigned n, unsigned long total)
{
	struct job j = { .steps = total / n };
	return run_all(doms, n, &j);
}

uint64_t gil_work_sleepers(struct gil *g, unsigned nthreads, unsigned sleeps, uint64_t sleep_ns)
{
	struct job j = { .sleeps = sleeps, .sleep_ns = sleep_ns };
	return run_in(g, nthreads, &j);
}

/* One 1 ms sleeper against, if competitor, one CPU-bound thread; each on
 * the CPUs of its mask (0: any). */
static uint64_t io_rate(struct gil *g, unsigned wakes, bool competitor, uint64_t io_cpus,
			uint64_t hog_cpus)
{
	volatile bool stop = false;
	struct job cpu = { .stop = &stop, .affinity = hog_cpus };
	struct thread *hog = competitor ? start(g, &cpu) : NULL;
	if (hog)
		thread_sleep(2 * NS_PER_MS);	/* let it take the lock first */
	/* Timed by the sleeper itself: its rate while it runs, not the cost of
	 * starting a thread that must first wait its turn for the lock. */
	struct job io = { .sleeps = wakes, .sleep_ns = NS_PER_MS, .affinity = io_cpus };
	run_in(g, 1, &io);
	stop = true;
	if (hog)
		thread_join(hog, NULL);
	return io.slept_ns ? wakes * NS_PER_SEC / io.slept_ns : 0;
}

uint64_t gil_work_io_rate(struct gil *g, unsigned wakes, bool competitor)
{
	return io_rate(g, wakes, competitor, 0, 0);
}

uint64_t gil_work_io_rate_on(struct gil *g, unsigned wakes, unsigned io_cpu, unsigned hog_cpu)
{
	return io_rate(g, wakes, true, 1ull << io_cpu, 1ull << hog_cpu);
}
