/*
 * Priority run queue: a list per level and a bitmap of non-empty levels.
 */
#include <kernel/runq.h>

void runq_init(struct runq *q)
{
	q->bitmap = 0;
	q->count = 0;
	for (unsigned i = 0; i < RUNQ_LEVELS; i++)
		list_init(&q->level[i]);
}

void runq_push_back(struct runq *q, struct list_node *n, unsigned prio)
{
	list_push_back(&q->level[prio], n);
	q->bitmap |= 1u << prio;
	q->count++;
}

void runq_push_front(struct runq *q, struct list_node *n, unsigned prio)
{
	list_push_front(&q->level[prio], n);
	q->bitmap |= 1u << prio;
	q->count++;
}

void runq_remove(struct runq *q, struct list_node *n, unsigned prio)
{
	list_remove(n);
	if (list_empty(&q->level[prio]))
		q->bitmap &= ~(1u << prio);
	q->count--;
}

int runq_top(const struct runq *q)
{
	return q->bitmap ? 31 - __builtin_clz(q->bitmap) : -1;
}

struct list_node *runq_pop(struct runq *q)
{
	int top = runq_top(q);
	if (top < 0)
		return NULL;
	struct list_node *n = q->level[top].next;
	runq_remove(q, n, (unsigned)top);
	return n;
}

struct list_node *runq_pop_if(struct runq *q, int *prio_out,
			      bool (*accept)(struct list_node *n, void *ctx), void *ctx)
{
	for (uint32_t bits = q->bitmap; bits; bits &= ~(1u << (31 - __builtin_clz(bits)))) {
		unsigned prio = 31 - (unsigned)__builtin_clz(bits);
		struct list_node *n;
		list_for_each(n, &q->level[prio]) {
			if (accept(n, ctx)) {
				runq_remove(q, n, prio);
				if (prio_out)
					*prio_out = (int)prio;
				return n;
			}
		}
	}
	return NULL;
}
