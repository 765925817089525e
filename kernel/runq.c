/*
 * Priority run queue: a list per level and a bitmap of non-empty levels.
 * The hot operations are inline in kernel/runq.h.
 */
#include <kernel/runq.h>

void runq_init(struct runq *q)
{
	q->bitmap = 0;
	q->count = 0;
	for (unsigned i = 0; i < RUNQ_LEVELS; i++)
		list_init(&q->level[i]);
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
