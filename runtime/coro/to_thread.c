/*
 * coro_to_thread(): blocking work on a pool of kernel threads, so that a
 * coroutine that must make a plain blocking call does not hold its worker.
 *
 * A job lives on the caller's stack; the caller waits on the job's
 * semaphore, which parks a coroutine (or blocks a thread) until a pool
 * thread has run the function and posted it. coro_pool_submit() is the
 * same queue without the wait: the job's done() says it has run.
 */
#include "coro_internal.h"
#include <coro/pool.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/mutex.h>
#include <kernel/log.h>
#include <stdio.h>

#define POOL_MAX 32

struct job {
	struct coro_job job;
	struct sem done;
};

static struct spinlock jobs_lock = SPINLOCK_INIT("coro pool jobs");
static struct list_node jobs = LIST_INIT(jobs);
static struct sem jobs_ready = SEM_INIT(jobs_ready, "coro pool", 0);
static struct mutex start_lock = MUTEX_INIT(start_lock, "coro pool start");
static unsigned pool_threads;	/* 0: the default, decided at start */
static bool running;

static void *pool_main(void *arg)
{
	for (;;) {
		sem_wait(&jobs_ready);
		spin_lock(&jobs_lock);
		struct coro_job *j = list_entry(list_pop_front(&jobs), struct coro_job, node);
		spin_unlock(&jobs_lock);
		j->result = j->fn(j->arg);
		j->done(j);
	}
	return NULL;
}

int coro_pool_size(unsigned threads)
{
	if (threads == 0 || threads > POOL_MAX)
		return -EINVAL;
	mutex_lock(&start_lock);
	bool busy = running;
	if (!busy)
		pool_threads = threads;
	mutex_unlock(&start_lock);
	return busy ? -EBUSY : 0;
}

/* The pool's threads, once. false if not even one could be made. */
static bool start_pool(void)
{
	mutex_lock(&start_lock);
	if (!running) {
		unsigned n = pool_threads;
		if (!n)
			n = cpu_online_count() + 4 < POOL_MAX ? cpu_online_count() + 4 : POOL_MAX;
		unsigned made = 0;
		for (unsigned i = 0; i < n; i++) {
			char name[THREAD_NAME_MAX];
			snprintf(name, sizeof name, "coro-pool%u", i);
			struct thread_attr attr = { .name = name, .detached = true };
			if (thread_create(NULL, &attr, pool_main, NULL) == 0)
				made++;
		}
		running = made > 0;
		pool_threads = made;
	}
	bool ok = running;
	mutex_unlock(&start_lock);
	return ok;
}

int coro_pool_submit(struct coro_job *j)
{
	if (!__atomic_load_n(&running, __ATOMIC_ACQUIRE) && !start_pool())
		return -ENOMEM;
	spin_lock(&jobs_lock);
	list_push_back(&jobs, &j->node);
	spin_unlock(&jobs_lock);
	sem_post(&jobs_ready);
	return 0;
}

static void job_posted(struct coro_job *cj) { sem_post(&container_of(cj, struct job, job)->done); }

void *coro_to_thread(void *(*fn)(void *), void *arg)
{
	struct job j = { .job = { .fn = fn, .arg = arg, .done = job_posted } };
	sem_init(&j.done, "coro pool job", 0);
	if (coro_pool_submit(&j.job) != 0) {
		/* No memory for even one pool thread: the work still gets done,
		 * in the caller, holding its worker meanwhile. */
		kprintf("coro_to_thread: no pool thread (out of memory): running it in the caller\n");
		return fn(arg);
	}
	sem_wait(&j.done);
	/* The poster may still be releasing the semaphore's lock (a waker
	 * does not wait for that): let it finish before j leaves the stack. */
	spin_lock(&j.done.wq.lock);
	spin_unlock(&j.done.wq.lock);
	return j.job.result;
}
