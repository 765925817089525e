/*
 * The big lock's hand-off and drop-request decisions (see gil/policy.h).
 * Pure: compiled into the image and into the host tests alike.
 */
#include <gil/policy.h>

void gil_policy_init(struct gil_policy *p, uint64_t interval_ns)
{
	list_init(&p->io);
	list_init(&p->cpu);
	p->waiting = 0;
	p->interval_ns = interval_ns;
	p->hold_since = 0;
	p->requested_at = 0;
}

void gil_policy_taken(struct gil_policy *p, uint64_t now)
{
	__atomic_store_n(&p->hold_since, now, __ATOMIC_RELAXED);
	p->requested_at = 0;
}

void gil_policy_wait(struct gil_policy *p, struct gil_waiter *w, uint64_t now, bool io)
{
	w->since = now;
	w->io = io;
	list_push_back(io ? &p->io : &p->cpu, &w->node);
	p->waiting++;
}

static struct gil_waiter *head(struct list_node *q)
{
	return list_empty(q) ? NULL : list_entry(q->next, struct gil_waiter, node);
}

struct gil_waiter *gil_policy_next(struct gil_policy *p, uint64_t now)
{
	struct gil_waiter *w = head(&p->io);
	if (!w)
		w = head(&p->cpu);
	if (!w)
		return NULL;
	list_remove(&w->node);
	p->waiting--;
	gil_policy_taken(p, now);
	return w;
}

uint64_t gil_policy_drop_due(const struct gil_policy *p)
{
	if (!p->waiting || p->requested_at)
		return 0;
	struct gil_waiter *io = head((struct list_node *)&p->io);
	if (io)
		return io->since ? io->since : 1;	/* at once (0 means "never") */
	struct gil_waiter *cpu = head((struct list_node *)&p->cpu);
	uint64_t hold = __atomic_load_n(&p->hold_since, __ATOMIC_RELAXED);
	uint64_t from = cpu->since > hold ? cpu->since : hold;
	return from + p->interval_ns;
}

bool gil_policy_request(struct gil_policy *p, uint64_t now)
{
	uint64_t due = gil_policy_drop_due(p);
	if (!due || due > now)
		return false;
	p->requested_at = now ? now : 1;
	return true;
}

unsigned gil_hist_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned b = 0;
	while (us && b < GIL_HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}
