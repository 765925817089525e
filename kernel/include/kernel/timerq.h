/*
 * A timer queue: an intrusive pairing heap ordered by deadline. Entries live
 * inside their owners (a thread's sleep timer, a wait's timeout), so the
 * queue never allocates and has no capacity limit. Insert is O(1), removing
 * the earliest or any entry O(log n) amortized. Pure data structure: the
 * owning CPU's timer lock is held around every call.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Start zeroed (static, or = { 0 }): a zeroed entry is not queued. */
struct timerq_entry {
	uint64_t deadline;		/* ns on the time_now() clock */
	struct timerq_entry *child;	/* first child */
	struct timerq_entry *next;	/* next sibling */
	struct timerq_entry *prev;	/* previous sibling, or the parent for a first child */
	bool queued;
};

struct timerq {
	struct timerq_entry *root;
	unsigned count;
};

void timerq_init(struct timerq *q);
/* Queue e, which must not be queued. */
void timerq_add(struct timerq *q, struct timerq_entry *e);
/* Take e out if queued; returns whether it was. */
bool timerq_remove(struct timerq *q, struct timerq_entry *e);
/* The earliest entry, or NULL. */
static inline struct timerq_entry *timerq_peek(const struct timerq *q) { return q->root; }
/* Remove and return the earliest entry if its deadline <= now, else NULL. */
struct timerq_entry *timerq_pop_expired(struct timerq *q, uint64_t now);
