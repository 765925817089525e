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
/* Append n at priority prio (round-robin order within a level). */
void runq_push_back(struct runq *q, struct list_node *n, unsigned prio);
/* Put n first in its level (a preempted thread keeps its turn). */
void runq_push_front(struct runq *q, struct list_node *n, unsigned prio);
/* Remove n, queued at prio. */
void runq_remove(struct runq *q, struct list_node *n, unsigned prio);
/* Highest non-empty priority, or -1 when empty. */
int runq_top(const struct runq *q);
/* Remove and return the first node of the highest level, or NULL. */
struct list_node *runq_pop(struct runq *q);
/* The first node, highest level first, for which accept(node, ctx) is true;
 * removed and returned, or NULL. Levels are searched from the top and each
 * level from its head (the longest-waiting first). */
struct list_node *runq_pop_if(struct runq *q, int *prio_out,
			      bool (*accept)(struct list_node *n, void *ctx), void *ctx);
