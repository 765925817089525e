/*
 * Tasks: coroutines bound to a loop, each step a callback of the loop.
 *
 * A task is a record (malloc) and a stack from the coroutine pool
 * (runtime/coro/stack.c: canary, guard page from 8 KiB, high-water
 * marks), switched with arch_context_switch as coroutines are. Its step
 * handle runs it from the loop's context until it suspends; whatever it
 * must keep locked until its registers are saved (a wait queue's lock)
 * the loop releases once back on its own stack, so a waker on another CPU
 * cannot queue the step of a task that is still switching out.
 *
 * As a waiter (struct exec_ctx) a task parks on any kernel wait queue: its
 * wake queues its step on its loop, from any context. A deadline is a
 * timer handle of the loop itself, armed by the loop after the switch, so
 * a timeout is a callback like any other and no interrupt is involved.
 * Every other field belongs to the loop's thread, cancellation included.
 */
#include "../coro/coro_internal.h"	/* the stack pool */
#include "loop_internal.h"
#include <arch/context.h>
#include <errno.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <stdio.h>
#include <stdlib.h>

#define IRQ_FRAME_MARGIN 1024		/* bytes kept free below the step's frame */

struct loop_task *loop_task_current(void) { return task_current(); }
struct loop_future *loop_task_future(struct loop_task *t) { return &t->fut; }
const char *loop_task_name(const struct loop_task *t) { return t->name; }

/* On the task's stack: back to the loop in `state`, `held` released
 * there. Returns when the next step runs. */
static void task_suspend(struct loop_task *t, enum task_state state, struct spinlock *held)
{
	t->state = state;
	t->loop->unlock_after = held;
	arch_context_switch(&t->sp, t->loop->loop_sp);
}

static void task_finish(struct loop_task *t)
{
	struct loop *l = t->loop;
	coro_stack_free(t->stack);
	t->stack = NULL;
	l->live_tasks--;
	l->stats.tasks_ended++;
	if (LOOP_IS_ERR(t->result))
		loop_future_set_error(&t->fut, (int)t->result);
	else
		loop_future_set_result(&t->fut, t->result);
	if (t->group)
		group_member_ended(t);
	if (t->detached) {
		list_remove(&t->node);
		free(t);
	}
}

static void task_timed_out(void *arg);

/* The step handle's callback: run t until it suspends. */
static void task_step(void *arg)
{
	struct loop_task *t = arg;
	struct loop *l = t->loop;
	struct thread *self = thread_current();
	t->state = TASK_RUNNING;
	l->current = t;
	thread_set_ctx(self, &t->ctx);
	/* Interrupt frames go below this frame, not onto the task's stack. */
	self->irq_sp = ((uintptr_t)__builtin_frame_address(0) - IRQ_FRAME_MARGIN) & ~(uintptr_t)15;
	arch_context_switch(&l->loop_sp, t->sp);
	self->irq_sp = 0;
	thread_set_ctx(self, NULL);
	l->current = NULL;
	coro_stack_check(t->stack);
	if (t->state == TASK_PARKED && t->park_deadline != WAIT_FOREVER)
		loop_call_at_named(l, &t->timeout, t->park_deadline, task_timed_out, t, t->name);
	struct spinlock *held = l->unlock_after;
	l->unlock_after = NULL;
	if (held)
		spin_unlock(held);
	if (t->state == TASK_ENDED)
		task_finish(t);
}

static noreturn void task_entry(void *arg)
{
	struct loop_task *t = arg;
	/* Cancelled before its first step: its function never runs. */
	t->result = t->cancel_pending ? -ECANCELED : t->fn(t->arg);
	task_suspend(t, TASK_ENDED, NULL);
	panic("loop task '%s' was resumed after it ended", t->name);
}

int loop_task_spawn(struct loop_task **out, struct loop *l, const struct loop_task_attr *attr,
		    loop_task_fn *fn, void *arg)
{
	static const struct loop_task_attr defaults;
	if (!attr)
		attr = &defaults;
	size_t stack = attr->stack_size ? attr->stack_size : LOOP_TASK_STACK_DEFAULT;
	if (!l || !fn || stack < CORO_STACK_MIN || stack > CORO_STACK_MAX)
		return -EINVAL;
	coro_init_once();
	struct loop_task *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	if (!(t->stack = coro_stack_alloc(stack))) {
		free(t);
		return -ENOMEM;
	}
	t->ctx.ops = &loop_task_ctx_ops;
	t->loop = l;
	t->fn = fn;
	t->arg = arg;
	t->detached = attr->detached;
	t->park_deadline = WAIT_FOREVER;
	snprintf(t->name, sizeof t->name, "%s", attr->name ? attr->name : "task");
	t->sp = arch_context_init((uintptr_t)t->stack, task_entry, t);
	loop_future_init(&t->fut, l, "loop task");
	t->fut.task = t;
	t->step = (struct loop_handle){ .fn = task_step, .arg = t, .name = t->name, .loop = l };
	list_init(&t->group_node);
	list_push_back(&l->tasks, &t->node);
	l->live_tasks++;
	l->stats.tasks_spawned++;
	loop_enqueue(l, &t->step);
	if (out)
		*out = attr->detached ? NULL : t;
	return 0;
}

int loop_task_free(struct loop_task *t)
{
	if (t->state != TASK_ENDED)
		return -EBUSY;
	list_remove(&t->node);
	free(t);
	return 0;
}

void task_free_all(struct loop *l)
{
	while (!list_empty(&l->tasks)) {
		struct loop_task *t = list_entry(list_pop_front(&l->tasks), struct loop_task, node);
		if (l->debug && !t->fut.retrieved) {
			intptr_t r = 0;
			int err = loop_future_result(&t->fut, &r);
			if (err)
				loop_warn(l, "task '%s' failed with error %d, never retrieved", t->name, err);
			else
				loop_warn(l, "task '%s' returned %ld, never retrieved", t->name, (long)r);
		}
		free(t);
	}
}

/* --- parking -------------------------------------------------------------------- */

static void task_wake(struct waiter *w)
{
	struct loop_task *t = (struct loop_task *)w->ctx;
	loop_enqueue(t->loop, &t->step);
}

/* Loop context, t parked: end its wait with `status` unless a waker got
 * there first (under the queue's lock exactly one of them does). */
static void task_unpark(struct loop_task *t, int status)
{
	struct wait_queue *wq = t->waiting_on;
	spin_lock(&wq->lock);
	if (wait_queue_remove(wq, t->waiting)) {
		t->waiting->status = status;
		loop_enqueue(t->loop, &t->step);
	}
	spin_unlock(&wq->lock);
}

/* The loop's timer for a park's deadline. */
static void task_timed_out(void *arg)
{
	struct loop_task *t = arg;
	if (t->state != TASK_PARKED || loop_handle_pending(&t->step))
		return;		/* woken already */
	task_unpark(t, -ETIMEDOUT);
}

static int task_park(struct wait_queue *wq, struct waiter *w, uint64_t deadline)
{
	struct loop_task *t = (struct loop_task *)w->ctx;
	if (t->cancellable && t->cancel_pending) {
		wait_queue_remove(wq, w);
		spin_unlock(&wq->lock);
		return -ECANCELED;
	}
	t->waiting = w;
	t->waiting_on = wq;
	t->park_deadline = deadline;
	task_suspend(t, TASK_PARKED, &wq->lock);
	if (deadline != WAIT_FOREVER)
		loop_handle_cancel(&t->timeout);
	t->park_deadline = WAIT_FOREVER;
	t->waiting = NULL;
	t->waiting_on = NULL;
	return w->status;
}

int loop_wait_await(struct wait_queue *wq, uint64_t deadline, uintptr_t want)
{
	struct loop_task *t = task_current();
	if (!t)
		return wait_queue_block(wq, deadline, want);
	t->cancellable = true;
	int status = wait_queue_block(wq, deadline, want);
	t->cancellable = false;
	if (status == -ECANCELED)
		t->cancel_pending = false;	/* delivered */
	return status;
}

int loop_task_cancel(struct loop_task *t)
{
	if (t->state == TASK_ENDED)
		return -ESRCH;
	t->cancel_pending = true;
	t->cancel_asked = true;
	if (t->state != TASK_PARKED || !t->cancellable)
		return 0;	/* delivered at its next await point */
	task_unpark(t, -ECANCELED);
	return 0;
}

/* --- sleeping and yielding ------------------------------------------------------- */

int loop_sleep_until(uint64_t deadline)
{
	if (!task_current())
		return coro_sleep_until(deadline);	/* a coroutine, or a thread */
	/* A private queue nobody wakes: only the deadline or a cancel. */
	struct wait_queue q;
	wait_queue_init(&q, "loop sleep");
	spin_lock(&q.lock);
	int status = loop_wait_await(&q, deadline, 0);
	return status == -ETIMEDOUT ? 0 : status;
}

int loop_sleep(uint64_t ns) { return loop_sleep_until(time_now() + ns); }

int loop_yield(void)
{
	struct loop_task *t = task_current();
	if (!t) {
		coro_yield();
		return 0;
	}
	if (!t->cancel_pending) {
		loop_enqueue(t->loop, &t->step);	/* next tick: everything ready runs first */
		task_suspend(t, TASK_READY, NULL);
	}
	if (!t->cancel_pending)
		return 0;
	t->cancel_pending = false;
	return -ECANCELED;
}

/* --- the kernel's view ------------------------------------------------------------- */

static const char *task_ctx_name(const struct exec_ctx *x) { return ((const struct loop_task *)x)->name; }

static bool task_in_guard(const struct exec_ctx *x, uintptr_t addr)
{
	const struct coro *c = ((const struct loop_task *)x)->stack;
	return c && coro_stack_in_guard(c, addr);
}

const struct exec_ctx_ops loop_task_ctx_ops = {
	.waiter = { .wake = task_wake },
	.park = task_park,
	.name = task_ctx_name,
	.in_guard = task_in_guard,
};
