/*
 * Tasks: stackful coroutines bound to a loop (asyncio's Task). Every step
 * of a task runs on its loop's thread, in loop context, so a task may call
 * loop-owned single-threaded code (lwIP with NO_SYS=1) without locks.
 *
 * A task suspends, and the loop runs the others, when it awaits a future
 * (loop_await), sleeps (loop_sleep), yields (loop_yield), or blocks on any
 * kernel object: mutex, semaphore, event, condition variable, channel. Its
 * stack comes from the coroutine stack pool (runtime/coro/).
 *
 * Cancellation (loop_task_cancel) is delivered as -ECANCELED at the task's
 * current or next await point: loop_await*, loop_sleep, loop_yield,
 * loop_sem_acquire, loop_queue_put/get, loop_gather, loop_wait_for,
 * loop_group_wait. Kernel waits are not await points (as in POSIX). The
 * task may clean up and go on; a task that returns -ECANCELED ends
 * cancelled. An await whose wait had already completed when the cancel
 * came keeps its result; the cancel is delivered at the next await point.
 *
 * A task's result is its function's return value: LOOP_IS_ERR values
 * (-4095..-1) are errors, everything else a result.
 */
#pragma once

#include <loop/future.h>
#include <loop/loop.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_TASK_STACK_DEFAULT (16u * 1024)	/* a guard page below it */
#define LOOP_TASK_NAME_MAX 16

struct loop_task;
struct loop_group;
typedef intptr_t loop_task_fn(void *arg);

struct loop_task_attr {
	const char *name;	/* copied (cut); NULL: "task" */
	size_t stack_size;	/* 0: LOOP_TASK_STACK_DEFAULT (coroutine pool sizes) */
	bool detached;		/* freed when it ends; its future not awaitable */
};

/* Loop context (or the owner thread while the loop is not running). Make
 * a task; its first step runs next tick. 0 (and *out unless detached),
 * -EINVAL, -ENOMEM. */
int loop_task_spawn(struct loop_task **out, struct loop *l, const struct loop_task_attr *attr,
		    loop_task_fn *fn, void *arg);
/* Any context. The task's future: await it for the task's result. */
struct loop_future *loop_task_future(struct loop_task *t);
const char *loop_task_name(const struct loop_task *t);
/* Any context: the task running here, or NULL. */
struct loop_task *loop_task_current(void);
/* Loop context. Ask t to cancel: -ECANCELED at its await point (at once
 * if it is parked at one). 0, or -ESRCH if it has ended. */
int loop_task_cancel(struct loop_task *t);
/* Loop context: free an ended, non-detached task (its future goes too).
 * Otherwise loop_close() frees it. -EBUSY while it runs. */
int loop_task_free(struct loop_task *t);

/* Task: suspend for ns / until deadline; 0 or -ECANCELED. A thread or a
 * coroutine sleeps as its kind does. */
int loop_sleep(uint64_t ns);
int loop_sleep_until(uint64_t deadline);
/* Task: let everything ready run first (asyncio.sleep(0)); 0 or -ECANCELED. */
int loop_yield(void);

/*
 * Task or thread: wait for f up to timeout_ns. On -ETIMEDOUT f is
 * cancelled (a task's future: the task, which is then waited for), as
 * asyncio.wait_for does; if the caller is cancelled, f is too.
 */
int loop_wait_for(struct loop_future *f, uint64_t timeout_ns, intptr_t *out);

/*
 * Task: wait for every future of fs. Returns the first error as it
 * happens (LOOP_GATHER_FIRST_ERROR; the others keep running) or 0 once all
 * have settled (LOOP_GATHER_SETTLE: each future says how it ended).
 * results[i] (if results) is fs[i]'s result, 0 when it has none. If the
 * caller is cancelled, every future of fs is cancelled. -ENOMEM.
 */
enum loop_gather_mode { LOOP_GATHER_FIRST_ERROR, LOOP_GATHER_SETTLE };
int loop_gather(struct loop_future **fs, unsigned n, enum loop_gather_mode mode, intptr_t *results);

/*
 * Task groups (asyncio.TaskGroup): a member that fails (an error other
 * than -ECANCELED) cancels its siblings; loop_group_wait returns once
 * every member has ended, with the first failure (0 if none). Loop context.
 */
struct loop_group {
	struct loop *loop;
	struct list_node members;
	unsigned live;
	int error;			/* the first failure */
	struct loop_future done;	/* settled when live reaches 0 after a wait began */
};
void loop_group_init(struct loop_group *g, struct loop *l);
int loop_group_spawn(struct loop_group *g, struct loop_task **out, const struct loop_task_attr *attr,
		     loop_task_fn *fn, void *arg);
/* Task. If the waiting task is cancelled, the members are too; then
 * -ECANCELED once they have ended. */
int loop_group_wait(struct loop_group *g);
void loop_group_cancel(struct loop_group *g);

/*
 * Thread context, the loop not running: graceful shutdown. Cancel every
 * task of l and run the loop until all have ended and no executor work
 * is outstanding, or timeout_ns passes (-ETIMEDOUT). Then loop_close().
 */
int loop_shutdown(struct loop *l, uint64_t timeout_ns);
