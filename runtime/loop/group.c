/*
 * Waiting on several things: wait_for, gather, task groups, and the
 * graceful shutdown that cancels and drains every task of a loop.
 */
#include "loop_internal.h"
#include <errno.h>
#include <kernel/time.h>
#include <stdlib.h>

int loop_wait_for(struct loop_future *f, uint64_t timeout_ns, intptr_t *out)
{
	int err = loop_await_until(f, time_now() + timeout_ns, out);
	if (err != -ETIMEDOUT && !(err == -ECANCELED && !loop_future_done(f)))
		return err;
	/* Timed out, or the caller was cancelled: the inner goes too, and
	 * is waited for (a task may take a step or two to end). */
	loop_future_cancel(f);
	intptr_t ignored;
	while (loop_await(f, &ignored) == -ECANCELED && !loop_future_done(f))
		;	/* cancelled again meanwhile: keep draining */
	return err;
}

/* --- gather ------------------------------------------------------------------------ */

struct gather {
	struct loop_future done;
	unsigned pending;
	enum loop_gather_mode mode;
	struct loop_done_cb cb[];
};

static void gather_one(struct loop_future *f, void *arg)
{
	struct gather *g = arg;
	g->pending--;
	int err = loop_future_result(f, NULL);
	if (err && g->mode == LOOP_GATHER_FIRST_ERROR)
		loop_future_set_error(&g->done, err);
	else if (!g->pending)
		loop_future_set_result(&g->done, 0);
}

int loop_gather(struct loop_future **fs, unsigned n, enum loop_gather_mode mode, intptr_t *results)
{
	struct loop *l = loop_current();
	struct gather *g = calloc(1, sizeof *g + n * sizeof g->cb[0]);
	if (!l || !g) {
		free(g);
		return l ? -ENOMEM : -EINVAL;
	}
	loop_future_init(&g->done, l, "loop gather");
	g->pending = n;
	g->mode = mode;
	if (!n)
		loop_future_set_result(&g->done, 0);
	for (unsigned i = 0; i < n; i++)	/* on this loop, whoever's future it is */
		future_add_done_on(fs[i], l, &g->cb[i], gather_one, g);
	int err = loop_await(&g->done, NULL);
	bool cancelled = err == -ECANCELED && !loop_future_done(&g->done);
	for (unsigned i = 0; i < n; i++) {
		loop_future_remove_done(fs[i], &g->cb[i]);
		if (cancelled)
			loop_future_cancel(fs[i]);
		if (results) {
			results[i] = 0;
			loop_future_result(fs[i], &results[i]);
		}
	}
	free(g);
	return err;
}

/* --- task groups ------------------------------------------------------------------ */

void loop_group_init(struct loop_group *g, struct loop *l)
{
	*g = (struct loop_group){ .loop = l };
	list_init(&g->members);
	loop_future_init(&g->done, l, "loop group");
}

/* The group's future, fresh whenever members live and it has fired. */
static void group_rearm(struct loop_group *g)
{
	if (g->live && loop_future_done(&g->done))
		loop_future_init(&g->done, g->loop, "loop group");
}

int loop_group_spawn(struct loop_group *g, struct loop_task **out, const struct loop_task_attr *attr,
		     loop_task_fn *fn, void *arg)
{
	struct loop_task_attr a = attr ? *attr : (struct loop_task_attr){ 0 };
	a.detached = false;	/* the group holds it until it ends */
	struct loop_task *t;
	int err = loop_task_spawn(&t, g->loop, &a, fn, arg);
	if (err)
		return err;
	t->group = g;
	list_push_back(&g->members, &t->group_node);
	g->live++;
	group_rearm(g);
	if (g->error)
		loop_task_cancel(t);	/* the group is failing already */
	if (out)
		*out = t;
	return 0;
}

void loop_group_cancel(struct loop_group *g)
{
	struct list_node *n;
	list_for_each(n, &g->members)
		loop_task_cancel(list_entry(n, struct loop_task, group_node));
}

void group_member_ended(struct loop_task *t)
{
	struct loop_group *g = t->group;
	list_remove(&t->group_node);
	t->group = NULL;
	g->live--;
	int err = LOOP_IS_ERR(t->result) ? (int)t->result : 0;
	t->fut.retrieved = true;	/* the group reports how its members ended */
	if (err && err != -ECANCELED && !g->error) {
		g->error = err;
		loop_group_cancel(g);
	}
	if (!g->live)
		loop_future_set_result(&g->done, 0);
}

int loop_group_wait(struct loop_group *g)
{
	int err = g->live ? loop_await(&g->done, NULL) : 0;
	if (err == -ECANCELED) {
		loop_group_cancel(g);
		while (loop_await(&g->done, NULL) == -ECANCELED && !loop_future_done(&g->done))
			;
		g->error = 0;
		return -ECANCELED;
	}
	int first = g->error;
	g->error = 0;
	return first;
}

/* --- graceful shutdown --------------------------------------------------------------- */

static void nothing(void *arg) {}

int loop_shutdown(struct loop *l, uint64_t timeout_ns)
{
	if (loop_is_running(l))
		return -EBUSY;
	uint64_t deadline = time_now() + timeout_ns;
	struct loop_handle tick = { 0 };
	struct list_node *n;
	/* Drain: tasks may take steps to clean up, executor work to finish. */
	while (l->live_tasks || __atomic_load_n(&l->executor_jobs, __ATOMIC_ACQUIRE) ||
	       ready_any(&l->ready) || !list_empty(&l->incoming)) {
		if (time_now() >= deadline)
			return -ETIMEDOUT;
		/* Never sleep past the deadline. */
		if (!loop_handle_pending(&tick))
			loop_call_at(l, &tick, deadline, nothing, NULL);
		/* Every task is asked once, those spawned meanwhile too. */
		list_for_each(n, &l->tasks) {
			struct loop_task *t = list_entry(n, struct loop_task, node);
			if (t->state != TASK_ENDED && !t->cancel_asked)
				loop_task_cancel(t);
		}
		loop_enter(l);
		loop_run_once(l);
		loop_leave(l);
	}
	loop_handle_cancel(&tick);
	__atomic_store_n(&l->stopping, false, __ATOMIC_RELAXED);	/* a stop during the drain is spent */
	return 0;
}
