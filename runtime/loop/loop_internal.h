/*
 * Event loop internals shared by the files of runtime/loop/.
 *
 * Locking: a loop's `lock` guards only what other contexts hand it (the
 * incoming queue and the sleeping flag); everything else belongs to the
 * loop's thread. A wait queue's lock may be held while the loop lock is
 * taken (a wake-up hands over a task step or a callback), never the
 * reverse.
 */
#pragma once

#include "ready.h"
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <loop/future.h>
#include <loop/loop.h>
#include <loop/task.h>

#define LOOP_NAME_MAX 16
#define LOOP_SLOW_DEFAULT (100 * 1000 * 1000ull)	/* ns: debug mode's threshold */

struct loop {
	struct loop_ready ready;	/* loop-owned */
	struct spinlock lock;		/* guards incoming, sleeping, kicked */
	struct list_node incoming;	/* handles from other contexts */
	bool sleeping;			/* the loop thread waits on `wake` */
	bool kicked;			/* loop_wakeup() while it did not sleep */
	struct sem wake;
	struct thread *thread;		/* running it, or NULL */
	bool stopping;
	bool debug;
	uint64_t slow_ns;
	void (*warn)(struct loop *l, const char *text, void *arg);
	void *warn_arg;
	/* Tasks. */
	struct list_node tasks;		/* every task not yet freed */
	unsigned live_tasks;		/* not yet ended */
	struct loop_task *current;	/* the task whose step runs, or NULL */
	uintptr_t loop_sp;		/* the loop's context while a task runs */
	struct spinlock *unlock_after;	/* released once off the task's stack */
	unsigned executor_jobs;		/* outstanding (atomic) */
	struct loop_stats stats;
	char name[LOOP_NAME_MAX];
};

enum task_state { TASK_READY, TASK_PARKED, TASK_RUNNING, TASK_ENDED };

struct coro;

struct loop_task {
	struct exec_ctx ctx;		/* first: the kernel's view of it */
	struct loop *loop;
	uintptr_t sp;			/* saved context (arch_context_switch) */
	struct coro *stack;		/* a chunk of the coroutine stack pool */
	loop_task_fn *fn;
	void *arg;
	intptr_t result;
	struct loop_handle step;	/* its next step, on the ready queue */
	struct loop_handle timeout;	/* the deadline of its park */
	uint64_t park_deadline;		/* WAIT_FOREVER: none */
	struct waiter *waiting;		/* the waiter it is parked in */
	struct wait_queue *waiting_on;
	struct loop_future fut;		/* its result */
	struct list_node node;		/* on loop->tasks */
	struct loop_group *group;	/* or NULL */
	struct list_node group_node;
	uint8_t state;			/* enum task_state */
	bool cancel_pending;		/* loop_task_cancel() not yet delivered */
	bool cancel_asked;		/* loop_task_cancel() has been called (stays set) */
	bool cancellable;		/* parked at an await point */
	bool detached;
	char name[LOOP_NAME_MAX];
};

extern const struct exec_ctx_ops loop_task_ctx_ops;

/* The task running on the calling thread, or NULL. Any context. */
static inline struct loop_task *task_current(void)
{
	struct exec_ctx *x = thread_current()->ctx;
	return x && x->ops == &loop_task_ctx_ops ? (struct loop_task *)x : NULL;
}

/* loop.c */
/* Any context: queue an IDLE handle for l's next tick: straight onto the
 * ready queue on the loop's own thread, through `incoming` otherwise. */
void loop_enqueue(struct loop *l, struct loop_handle *h);
/* Any context: a sleeping loop wakes and looks again. */
void loop_wakeup(struct loop *l);
/* Loop context: a debug-mode warning. */
void loop_warn(struct loop *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Loop context: one tick. */
void loop_run_once(struct loop *l);
/* The calling thread (not a coroutine or task) runs l from now on /
 * no longer: -EBUSY if another does. */
int loop_enter(struct loop *l);
void loop_leave(struct loop *l);

/* task.c */
/* wq->lock held: wait_queue_block() at an await point: loop_task_cancel()
 * can end it with -ECANCELED, and a cancel already pending ends it at
 * once. A thread or coroutine simply waits. Returns with wq->lock released. */
int loop_wait_await(struct wait_queue *wq, uint64_t deadline, uintptr_t want);
/* Loop context: free every task (loop_close). */
void task_free_all(struct loop *l);
/* future.c: a done callback running on l, f's loop or not. */
void future_add_done_on(struct loop_future *f, struct loop *l, struct loop_done_cb *cb,
			void (*fn)(struct loop_future *f, void *arg), void *arg);
/* group.c: a member of t->group has ended (loop context). */
void group_member_ended(struct loop_task *t);
