/*
 * A worker's run queue: ready coroutines in FIFO order, and the rule for
 * what another worker may steal (anything not pinned). The caller holds the
 * worker's lock. Pure list logic, driven by the host tests as well
 * (tests/host/test_coro_runq.c).
 */
#pragma once

#include "coro_internal.h"

static inline void coro_runq_init(struct coro_runq *q)
{
	list_init(&q->head);
	q->count = 0;
}

static inline void coro_runq_push(struct coro_runq *q, struct coro *c)
{
	list_push_back(&q->head, &c->node);
	q->count++;
}

/* The longest-waiting coroutine the taker may run, removed; NULL if none.
 * The queue's own worker may take anything, a thief only unpinned ones. */
static inline struct coro *coro_runq_take(struct coro_runq *q, bool thief)
{
	struct list_node *n;
	list_for_each(n, &q->head) {
		struct coro *c = list_entry(n, struct coro, node);
		if (!thief || !(__atomic_load_n(&c->flags, __ATOMIC_RELAXED) & CF_PINNED)) {
			list_remove(n);
			q->count--;
			return c;
		}
	}
	return NULL;
}
