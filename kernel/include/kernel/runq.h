/*
 * A priority run queue: RUNQ_LEVELS FIFO lists and a bitmap of the
 * non-empty ones, so finding the highest ready priority is one
 * count-leading-zeros. Higher numbers are more urgent. Pure data structure:
 * the scheduler holds the owning CPU's lock around every call.
 */
#pragma once

#include <kernel/list.h>
#include <stdint.h>

#define RUNQ_LEVELS 32

struct runq {
	uint32_t bitmap;	/* bit p set <=> level[p] non-empty */
	unsigned count;
	struct list_node level[RUNQ_LEVELS];
};

void runq_init(struct runq *q);

/* The operations every switch makes are inline: they are a few
 * instructions each, and a call would cost as much again. */

/* Append n at priority prio (round-robin order within a level). */
static inline void runq_push_back(struct runq *q, struct list_node *n, unsigned prio)
{
	list_push_back(&q->level[prio], n);
	q->bitmap |= 1u << prio;
	q->count++;
}

/* Put n first in its level (a preempted thread keeps its turn). */
static inline void runq_push_front(struct runq *q, struct list_node *n, unsigned prio)
{
	list_push_front(&q->level[prio], n);
	q->bitmap |= 1u << prio;
	q->count++;
}

/* Remove n, queued at prio. */
static inline void runq_remove(struct runq *q, struct list_node *n, unsigned prio)
{
	list_remove(n);
	if (list_empty(&q->level[prio]))
		q->bitmap &= ~(1u << prio);
	q->count--;
}

/* Highest non-empty priority, or -1 when empty. */
static inline int runq_top(const struct runq *q)
{
	return q->bitmap ? 31 - __builtin_clz(q->bitmap) : -1;
}

/* Remove and return the first node of the highest level, or NULL. */
static inline struct list_node *runq_pop(struct runq *q)
{
	if (!q->bitmap)
		return NULL;
	unsigned top = 31 - (unsigned)__builtin_clz(q->bitmap);
	struct list_node *n = q->level[top].next;
	runq_remove(q, n, top);
	return n;
}
/* The first node, highest level first, for which accept(node, ctx) is true;
 * removed and returned, or NULL. Levels are searched from the top and each
 * level from its head (the longest-waiting first). */
struct list_node *runq_pop_if(struct runq *q, int *prio_out,
			      bool (*accept)(struct list_node *n, void *ctx), void *ctx);
