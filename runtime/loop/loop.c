/*
 * The loop: ticks, handles, the hand-over from other contexts, interrupt
 * sources, debug mode.
 *
 * A tick (asyncio's _run_once): take what other contexts handed over,
 * sleep if nothing is ready (until the next timer, or a hand-over wakes
 * the semaphore), move due timers to the ready queue, then run the queue
 * as it stood. Another context hands a handle over on `incoming` under the
 * loop lock and posts the semaphore only if the loop sleeps, so a busy
 * loop costs a hand-over one lock and no wake-up.
 */
#include "loop_internal.h"
#include <errno.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loops running now, for loop_current() from a callback (a task knows
 * its loop). A thread runs one loop at a time. */
#define RUNNING_MAX 16
static struct loop *running[RUNNING_MAX];

uint64_t loop_time(void) { return time_now(); }
const char *loop_name(const struct loop *l) { return l->name; }
bool loop_is_running(const struct loop *l) { return __atomic_load_n(&l->thread, __ATOMIC_RELAXED); }

struct loop *loop_current(void)
{
	struct loop_task *t = task_current();
	if (t)
		return t->loop;
	struct thread *me = thread_current();
	for (unsigned i = 0; i < RUNNING_MAX; i++) {
		struct loop *l = __atomic_load_n(&running[i], __ATOMIC_ACQUIRE);
		if (l && __atomic_load_n(&l->thread, __ATOMIC_RELAXED) == me)
			return l;
	}
	return NULL;
}

int loop_create(struct loop **out, const char *name)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return -ENOMEM;
	ready_init(&l->ready);
	l->lock = (struct spinlock)SPINLOCK_INIT("loop");
	list_init(&l->incoming);
	sem_init(&l->wake, "loop wake", 0);
	list_init(&l->tasks);
	l->slow_ns = LOOP_SLOW_DEFAULT;
	snprintf(l->name, sizeof l->name, "%s", name ? name : "loop");
	*out = l;
	return 0;
}

int loop_close(struct loop *l)
{
	if (loop_is_running(l))
		panic("loop_close: loop '%s' is running", l->name);
	if (__atomic_load_n(&l->executor_jobs, __ATOMIC_ACQUIRE)) {
		loop_warn(l, "executor work is outstanding at loop_close (loop_shutdown first)");
		return -EBUSY;
	}
	if (l->live_tasks) {
		struct list_node *n;
		list_for_each(n, &l->tasks) {
			struct loop_task *t = list_entry(n, struct loop_task, node);
			if (t->state != TASK_ENDED)
				loop_warn(l, "task '%s' is still pending at loop_close (loop_shutdown first)",
					  t->name);
		}
		return -EBUSY;
	}
	task_free_all(l);
	free(l);
	return 0;
}

/* --- handing handles over ---------------------------------------------------- */

void loop_wakeup(struct loop *l)
{
	spin_lock(&l->lock);
	bool sleeping = l->sleeping;
	l->sleeping = false;
	l->kicked = !sleeping;	/* about to sleep: it must look again first */
	spin_unlock(&l->lock);
	if (sleeping)
		sem_post(&l->wake);
}

static bool on_loop_thread(const struct loop *l)
{
	return thread_current() == __atomic_load_n(&l->thread, __ATOMIC_RELAXED) &&
	       this_cpu()->irq_depth == 0;
}

static void hand_over(struct loop *l, struct loop_handle *h)
{
	spin_lock(&l->lock);
	h->state = LOOP_HANDLE_INCOMING;
	list_push_back(&l->incoming, &h->node);
	bool sleeping = l->sleeping;
	l->sleeping = false;
	spin_unlock(&l->lock);
	if (sleeping)
		sem_post(&l->wake);
}

void loop_enqueue(struct loop *l, struct loop_handle *h)
{
	h->loop = l;
	/* An interrupt on the loop's own thread may have cut into the ready
	 * queue's update: it hands over like any other context. */
	if (on_loop_thread(l))
		ready_push(&l->ready, h);
	else
		hand_over(l, h);
}

static int prepare(struct loop *l, struct loop_handle *h, loop_fn *fn, void *arg, const char *name)
{
	if (!fn)
		return -EINVAL;
	if (loop_handle_pending(h))
		return -EBUSY;
	h->fn = fn;
	h->arg = arg;
	h->name = name;
	h->loop = l;
	return 0;
}

int loop_call_soon_named(struct loop *l, struct loop_handle *h, loop_fn *fn, void *arg,
			 const char *name)
{
	int err = prepare(l, h, fn, arg, name);
	if (!err)
		ready_push(&l->ready, h);	/* loop context: the queue is ours */
	return err;
}

int loop_call_at_named(struct loop *l, struct loop_handle *h, uint64_t deadline, loop_fn *fn,
		       void *arg, const char *name)
{
	int err = prepare(l, h, fn, arg, name);
	if (!err)
		ready_add_timer(&l->ready, h, deadline);
	return err;
}

int loop_call_soon_threadsafe_named(struct loop *l, struct loop_handle *h, loop_fn *fn, void *arg,
				    const char *name)
{
	if (!fn)
		return -EINVAL;
	/* Claimed under the lock: two contexts may race for one handle. */
	spin_lock(&l->lock);
	if (h->state != LOOP_HANDLE_IDLE) {
		spin_unlock(&l->lock);
		return -EBUSY;
	}
	h->fn = fn;
	h->arg = arg;
	h->name = name;
	h->loop = l;
	h->state = LOOP_HANDLE_INCOMING;
	list_push_back(&l->incoming, &h->node);
	bool sleeping = l->sleeping;
	l->sleeping = false;
	l->stats.threadsafe_calls++;
	spin_unlock(&l->lock);
	if (sleeping)
		sem_post(&l->wake);
	return 0;
}

bool loop_handle_cancel(struct loop_handle *h)
{
	struct loop *l = h->loop;
	switch (h->state) {
	case LOOP_HANDLE_IDLE:
		return false;
	case LOOP_HANDLE_INCOMING:
		spin_lock(&l->lock);
		bool queued = h->state == LOOP_HANDLE_INCOMING;
		if (queued) {
			list_remove(&h->node);
			h->state = LOOP_HANDLE_IDLE;
		}
		spin_unlock(&l->lock);
		if (queued)
			return true;
		/* Taken onto the ready queue meanwhile (by this thread). */
		if (h->state == LOOP_HANDLE_IDLE)
			return false;
		break;
	default:
		break;
	}
	ready_remove(&l->ready, h);
	return true;
}

/* --- ticks ------------------------------------------------------------------- */

/* What other contexts handed over joins the ready queue, in order. */
static void take_incoming(struct loop *l)
{
	if (list_empty(&l->incoming))	/* a racy peek: a late one waits a tick */
		return;
	spin_lock(&l->lock);
	while (!list_empty(&l->incoming)) {
		struct loop_handle *h = list_entry(list_pop_front(&l->incoming), struct loop_handle, node);
		ready_push(&l->ready, h);
	}
	spin_unlock(&l->lock);
}

/* Nothing ready: sleep until the next timer or a hand-over. */
static void idle_wait(struct loop *l)
{
	uint64_t deadline = ready_next_deadline(&l->ready);
	if (deadline <= time_now())
		return;
	spin_lock(&l->lock);
	bool idle = list_empty(&l->incoming) && !l->kicked &&
		    !__atomic_load_n(&l->stopping, __ATOMIC_RELAXED);
	l->sleeping = idle;
	l->kicked = false;
	spin_unlock(&l->lock);
	if (!idle)
		return;
	l->stats.sleeps++;
	sem_wait_until(&l->wake, deadline == UINT64_MAX ? WAIT_FOREVER : deadline);
	spin_lock(&l->lock);
	l->sleeping = false;
	spin_unlock(&l->lock);
	while (sem_trywait(&l->wake))
		;	/* a post that raced with a timeout: already looked at */
}

static void run_handle(struct loop *l, struct loop_handle *h)
{
	l->stats.callbacks++;
	if (!l->debug) {
		h->fn(h->arg);
		return;
	}
	uint64_t start = time_now();
	const char *name = h->name;	/* h may be reused by its callback */
	h->fn(h->arg);
	uint64_t held = time_now() - start;
	if (held > l->slow_ns) {
		l->stats.slow_callbacks++;
		loop_warn(l, "callback '%s' held the loop for %llu ms", name ? name : "?",
			  (unsigned long long)(held / 1000000));
	}
}

void loop_run_once(struct loop *l)
{
	l->stats.ticks++;
	take_incoming(l);
	if (!ready_any(&l->ready) && !__atomic_load_n(&l->stopping, __ATOMIC_RELAXED)) {
		idle_wait(l);
		take_incoming(l);
	}
	l->stats.timers_fired += ready_tick_begin(&l->ready, time_now());
	struct loop_handle *h;
	while ((h = ready_tick_next(&l->ready)))
		run_handle(l, h);
}

int loop_enter(struct loop *l)
{
	struct thread *me = thread_current();
	if (me->ctx)
		panic("loop '%s' run from a coroutine or task ('%s')", l->name, me->ctx->ops->name(me->ctx));
	struct thread *none = NULL;
	if (!__atomic_compare_exchange_n(&l->thread, &none, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return -EBUSY;
	for (unsigned i = 0; i < RUNNING_MAX; i++) {
		struct loop *empty = NULL;
		if (__atomic_compare_exchange_n(&running[i], &empty, l, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			break;	/* none free: loop_current() finds only its tasks */
	}
	return 0;
}

void loop_leave(struct loop *l)
{
	for (unsigned i = 0; i < RUNNING_MAX; i++)
		if (__atomic_load_n(&running[i], __ATOMIC_RELAXED) == l)
			__atomic_store_n(&running[i], NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&l->thread, NULL, __ATOMIC_RELEASE);
}

int loop_run_forever(struct loop *l)
{
	int err = loop_enter(l);
	if (err)
		return err;
	do
		loop_run_once(l);
	while (!__atomic_load_n(&l->stopping, __ATOMIC_ACQUIRE));
	__atomic_store_n(&l->stopping, false, __ATOMIC_RELAXED);
	loop_leave(l);
	return 0;
}

static void stop_when_done(struct loop_future *f, void *arg) { loop_stop(arg); }

int loop_run_until_complete(struct loop *l, struct loop_future *f, intptr_t *out)
{
	struct loop_done_cb cb;
	future_add_done_on(f, l, &cb, stop_when_done, l);
	int err = loop_run_forever(l);
	/* Stopped by someone else first: cb may still be queued. */
	if (loop_enter(l) == 0) {
		loop_future_remove_done(f, &cb);
		loop_leave(l);
	}
	if (err)
		return err;
	return loop_future_result(f, out);
}

void loop_stop(struct loop *l)
{
	__atomic_store_n(&l->stopping, true, __ATOMIC_RELEASE);
	loop_wakeup(l);
}

/* --- interrupt sources --------------------------------------------------------- */

static void source_run(void *arg)
{
	struct loop_source *src = arg;
	/* Cleared first: a signal from here on runs it again. */
	__atomic_store_n(&src->pending, false, __ATOMIC_RELEASE);
	src->runs++;
	src->fn(src);
}

void loop_source_init(struct loop_source *src, struct loop *l, void (*fn)(struct loop_source *src),
		      void *arg)
{
	*src = (struct loop_source){ .fn = fn, .arg = arg, .loop = l };
	src->handle.fn = source_run;
	src->handle.arg = src;
	src->handle.name = "loop_source";
	src->handle.loop = l;
}

void loop_source_signal(struct loop_source *src)
{
	__atomic_fetch_add(&src->signals, 1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&src->pending, true, __ATOMIC_ACQ_REL))
		return;		/* already on its way */
	struct loop *l = __atomic_load_n(&src->loop, __ATOMIC_ACQUIRE);
	if (l)
		hand_over(l, &src->handle);
}

void loop_source_remove(struct loop_source *src)
{
	loop_handle_cancel(&src->handle);
	__atomic_store_n(&src->loop, NULL, __ATOMIC_RELEASE);
}

/* --- debug mode ------------------------------------------------------------------ */

void loop_set_debug(struct loop *l, bool on, uint64_t slow_ns)
{
	l->slow_ns = slow_ns ? slow_ns : LOOP_SLOW_DEFAULT;
	l->debug = on;
}

void loop_set_warn(struct loop *l, void (*warn)(struct loop *l, const char *text, void *arg),
		   void *arg)
{
	l->warn = warn;
	l->warn_arg = arg;
}

void loop_warn(struct loop *l, const char *fmt, ...)
{
	char text[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (l->warn)
		l->warn(l, text, l->warn_arg);
	else
		kprintf("loop '%s': %s\n", l->name, text);
}

void loop_get_stats(const struct loop *l, struct loop_stats *out) { *out = l->stats; }

/* --- the third kind of waiter ------------------------------------------------------ */

static void loop_waiter_wake(struct waiter *w)
{
	struct loop_waiter *lw = container_of(w, struct loop_waiter, waiter);
	loop_enqueue(lw->handle.loop, &lw->handle);
}

static const struct waiter_ops loop_waiter_ops = { .wake = loop_waiter_wake };

void loop_waiter_add(struct wait_queue *wq, struct loop_waiter *lw, struct loop *l, loop_fn *fn,
		     void *arg, uintptr_t want)
{
	lw->waiter = (struct waiter){ .ops = &loop_waiter_ops, .want = want };
	list_init(&lw->waiter.node);
	lw->handle.fn = fn;
	lw->handle.arg = arg;
	lw->handle.name = "loop_waiter";
	lw->handle.loop = l;
	wait_queue_add(wq, &lw->waiter);
}

bool loop_waiter_cancel(struct wait_queue *wq, struct loop_waiter *lw)
{
	spin_lock(&wq->lock);
	bool queued = wait_queue_remove(wq, &lw->waiter);
	spin_unlock(&wq->lock);
	return queued || loop_handle_cancel(&lw->handle);
}
