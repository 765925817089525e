/*
 * M:N scheduling: worker threads, their run queues, stealing.
 *
 * Each worker is a kernel thread with a context of its own (its thread
 * stack) that picks the next ready coroutine and switches to it; the
 * coroutine switches back when it suspends. Whatever a coroutine must keep
 * locked until its registers are saved (its run queue for a yield, a wait
 * queue for a park) the worker releases once it is back on its own stack,
 * so no other CPU can resume a coroutine that is still switching out.
 *
 * A wake-up queues the coroutine on the worker it last ran on. A worker
 * with nothing to run steals the oldest unpinned coroutine of the busiest
 * worker, and sleeps on its semaphore when there is none (an idle worker
 * costs nothing: no polling). A wake-up that leaves work waiting behind a
 * busy worker wakes an idle one to steal it, unless it comes from the
 * coroutine running there, which is likely to suspend soon (a hand-off):
 * then only a second waiting coroutine does.
 */
#include "coro_internal.h"
#include "runq.h"
#include <arch/context.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <stdio.h>

#define IRQ_FRAME_MARGIN 1024		/* bytes kept free below run()'s frame */

void worker_init(struct coro_worker *w, struct coro_sched *s, unsigned index)
{
	*w = (struct coro_worker){ .sched = s, .index = index };
	w->lock = (struct spinlock)SPINLOCK_INIT("coro runq");
	coro_runq_init(&w->runq);
	sem_init(&w->wake, "coro worker", 0);
}

/* Wake one idle worker other than `not` to come and steal. It is claimed
 * (no longer idle) at once, so a burst of wake-ups reaches several. */
static void wake_thief(struct coro_sched *s, struct coro_worker *not)
{
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct coro_worker *w = &s->workers[i];
		if (w != not && __atomic_load_n(&w->idle, __ATOMIC_RELAXED) &&
		    __atomic_exchange_n(&w->idle, false, __ATOMIC_RELAXED)) {
			sem_post(&w->wake);
			return;
		}
	}
}

void coro_make_ready(struct coro_worker *w, struct coro *c)
{
	spin_lock(&w->lock);
	c->state = CORO_READY;
	c->worker = w;
	coro_runq_push(&w->runq, c);
	unsigned waiting = w->runq.count;
	bool idle = w->idle;
	spin_unlock(&w->lock);
	struct coro *me = coro_current();
	if (idle) {
		sem_post(&w->wake);
	} else if (waiting > 1 || !me || me->worker != w) {
		/* Work queues up behind a busy worker: let an idle one steal.
		 * The fence pairs with the one in worker_loop(): either we see
		 * the thief idle, or it sees our push when it looks. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wake_thief(w->sched, w);
	}
}

static struct coro *steal(struct coro_worker *me)
{
	struct coro_sched *s = me->sched;
	struct coro_worker *victim = NULL;
	unsigned most = 0;
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct coro_worker *w = &s->workers[i];
		unsigned n = __atomic_load_n(&w->runq.count, __ATOMIC_RELAXED);
		if (w != me && n > most) {
			most = n;
			victim = w;
		}
	}
	if (!victim)
		return NULL;
	spin_lock(&victim->lock);
	struct coro *c = coro_runq_take(&victim->runq, true);
	bool more = victim->runq.count > 0;
	spin_unlock(&victim->lock);
	if (c)
		coro_stats_count(0, 0, 1);
	if (c && more)
		wake_thief(s, victim);	/* there is more: one more thief */
	return c;
}

/* The worker's context: run c until it suspends, then finish what its
 * suspension left to do. */
static void run(struct coro_worker *w, struct coro *c)
{
	struct thread *self = thread_current();
	c->state = CORO_RUNNING;
	c->worker = w;
	w->current = c;
	w->switches++;
	w->step_start = time_now();
	w->step_run_start = self->run_ns + (w->step_start - self->run_start);
	w->step_thread_switches = self->switches;
	thread_set_ctx(self, &c->ctx);
	/* Interrupt frames go here, below everything live on this stack
	 * (run()'s frame, and the context the switch saves), not onto the
	 * coroutine's small stack. */
	self->irq_sp = ((uintptr_t)__builtin_frame_address(0) - IRQ_FRAME_MARGIN) & ~(uintptr_t)15;
	TRACE_HOOK(self->cpu, TRACE_CORO_RESUME, w->index, c, self);
	arch_context_switch(&w->sched_sp, c->sp);
	self->irq_sp = 0;
	c = w->current;		/* another, if c transferred to it */
	TRACE_HOOK(self->cpu, TRACE_CORO_SUSPEND, c->state, c, self);
	thread_set_ctx(self, NULL);
	w->current = NULL;
	coro_stack_check(c);	/* before anyone else may resume it */
	enum coro_state state = c->state;
	struct spinlock *held = w->unlock_after;
	w->unlock_after = NULL;
	if (held)
		spin_unlock(held);
	/* From here c may already run elsewhere, unless it ended. */
	coro_trap_step(w, c);
	if (state == CORO_EXITING)
		coro_finish(c);
}

void coro_yield(void)
{
	struct coro *c = coro_current();
	if (!c) {
		thread_yield();
		return;
	}
	coro_cancel_point();
	struct coro_worker *w = c->worker;
	spin_lock(&w->lock);
	if (w->runq.count == 0) {
		spin_unlock(&w->lock);	/* nobody else to run here */
		coro_stack_check(c);	/* checked as if it had switched */
		return;
	}
	coro_runq_push(&w->runq, c);
	coro_suspend(CORO_READY, &w->lock);
	coro_cancel_point();
}

void worker_loop(struct coro_worker *w)
{
	struct coro_sched *s = w->sched;
	w->thread = thread_current();
	for (;;) {
		spin_lock(&w->lock);
		struct coro *c = coro_runq_take(&w->runq, false);
		if (!c)
			__atomic_store_n(&w->idle, true, __ATOMIC_RELAXED);
		spin_unlock(&w->lock);
		if (!c && s->nworkers > 1) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* see coro_make_ready() */
			c = steal(w);
		}
		if (c) {
			__atomic_store_n(&w->idle, false, __ATOMIC_RELAXED);
			run(w, c);
			continue;
		}
		if (s->single && __atomic_load_n(&s->live, __ATOMIC_ACQUIRE) == 0)
			break;
		sem_wait(&w->wake);
	}
	w->idle = false;
}

struct coro_worker *coro_place(struct coro_sched *s, const struct coro_attr *attr)
{
	struct coro *me = coro_current();
	if (attr->worker != CORO_ANY_WORKER)
		return &s->workers[attr->worker];
	if (me && me->worker->sched == s)
		return me->worker;	/* near its parent; idle workers steal */
	unsigned i = __atomic_fetch_add(&s->next_worker, 1, __ATOMIC_RELAXED);
	return &s->workers[i % s->nworkers];
}

/* --- the default scheduler ------------------------------------------------- */

static struct coro_sched default_sched;
static struct coro_worker default_workers[MAX_CPUS];
static struct spinlock start_lock = SPINLOCK_INIT("coro start");
static bool started;

static void *worker_main(void *arg)
{
	worker_loop(arg);
	panic("coro: worker %u of the default scheduler returned",
	      ((struct coro_worker *)arg)->index);
}

int coro_sched_start(unsigned workers)
{
	spin_lock(&start_lock);
	bool already = started;
	started = true;
	spin_unlock(&start_lock);
	if (already)
		return -EBUSY;
	unsigned cpus = cpu_online_count();
	if (workers == 0)
		workers = cpus;
	if (workers > MAX_CPUS)
		workers = MAX_CPUS;
	coro_init_once();
	default_sched.workers = default_workers;
	for (unsigned i = 0; i < workers; i++)
		worker_init(&default_workers[i], &default_sched, i);
	/* Published last: coro_default_sched() waits for it. */
	__atomic_store_n(&default_sched.nworkers, workers, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < workers; i++) {
		char name[THREAD_NAME_MAX];
		snprintf(name, sizeof name, "coro-worker%u", i);
		struct thread_attr attr = { .name = name, .affinity = 1ull << (i % cpus) };
		struct thread *t;
		int err = thread_create(&t, &attr, worker_main, &default_workers[i]);
		if (err)
			return err;	/* the workers made so far run */
		default_workers[i].thread = t;
	}
	return 0;
}

struct coro_sched *coro_default_sched(void)
{
	if (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
		coro_sched_start(0);
	/* Started by another caller: wait until its workers exist. */
	while (!__atomic_load_n(&default_sched.nworkers, __ATOMIC_ACQUIRE))
		thread_yield();
	return &default_sched;
}

unsigned coro_worker_count(void) { return coro_default_sched()->nworkers; }
