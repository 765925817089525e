/*
 * Domains: creating one, its settings, and threads joining and leaving it.
 * A member's block hook is its gil_member, so the kernel lets go of the
 * lock around the member's blocking calls (gil.c) and gil_check() finds
 * the member in two loads.
 */
#include "gil_internal.h"
#include <errno.h>
#include <kernel/panic.h>
#include <stdlib.h>

void gil_init(struct gil *g, const char *name, bool enabled)
{
	*g = (struct gil){ .enabled = enabled, .name = name, .spin_ns = GIL_SPIN_DEFAULT };
	wait_queue_init(&g->wq, name);
	gil_policy_init(&g->policy, GIL_INTERVAL_DEFAULT);
	list_init(&g->all_node);
	gil_stats_register(g);
}

void gil_destroy(struct gil *g)
{
	if (__atomic_load_n(&g->members, __ATOMIC_RELAXED) || g->owner)
		panic("gil_destroy: domain '%s' still has members", g->name);
	timer_cancel(&g->timer);	/* a stale drop timer may still be armed */
	gil_stats_unregister(g);
}

int gil_set_enabled(struct gil *g, bool enabled)
{
	int err = 0;
	spin_lock(&g->wq.lock);
	if (g->members)
		err = -EBUSY;
	else
		g->enabled = enabled;
	spin_unlock(&g->wq.lock);
	return err;
}

void gil_set_interval(struct gil *g, uint64_t ns)
{
	spin_lock(&g->wq.lock);
	g->policy.interval_ns = ns ? ns : 1;
	spin_unlock(&g->wq.lock);
}

uint64_t gil_interval(const struct gil *g) { return g->policy.interval_ns; }

void gil_set_spin(struct gil *g, uint64_t ns)
{
	__atomic_store_n(&g->spin_ns, ns, __ATOMIC_RELAXED);
}

void gil_enter(struct gil *g, struct gil_member *m)
{
	struct thread *t = thread_current();
	if (t->block_hook)
		panic("gil_enter: thread '%s' is in a domain already, or owns another block hook",
		      t->name);
	*m = (struct gil_member){ .hook = { gil_hook_before, gil_hook_after }, .gil = g,
				  .thread = t };
	list_init(&m->wait.node);
	spin_lock(&g->wq.lock);
	g->members++;
	spin_unlock(&g->wq.lock);
	thread_set_block_hook(&m->hook);
	gil_acquire();
}

void gil_leave(void)
{
	struct gil_member *m = gil_member_self();
	if (!m)
		panic("gil_leave: thread '%s' is in no domain", thread_current()->name);
	struct gil *g = m->gil;
	if (gil_holder(g) == m)
		gil_let_go(m);
	thread_set_block_hook(NULL);
	spin_lock(&g->wq.lock);
	g->members--;
	spin_unlock(&g->wq.lock);
}

struct gil_start {
	struct gil *g;
	void *(*entry)(void *);
	void *arg;
};

static void *member_main(void *arg)
{
	struct gil_start s = *(struct gil_start *)arg;
	free(arg);
	struct gil_member m;
	gil_enter(s.g, &m);
	void *result = s.entry(s.arg);
	gil_leave();
	return result;
}

int gil_thread_create(struct thread **out, struct gil *g, const struct thread_attr *attr,
		      void *(*entry)(void *), void *arg)
{
	struct gil_start *s = malloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	*s = (struct gil_start){ g, entry, arg };
	int err = thread_create(out, attr, member_main, s);
	if (err)
		free(s);
	return err;
}

struct gil *gil_current(void)
{
	struct gil_member *m = gil_member_self();
	return m ? m->gil : NULL;
}

uint64_t gil_member_hold_ns(const struct gil_member *m)
{
	return __atomic_load_n(&m->hold_ns, __ATOMIC_RELAXED);
}
