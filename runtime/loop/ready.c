/*
 * The ready queue and the timer heap (see ready.h).
 */
#include "ready.h"
#include <stddef.h>

void ready_init(struct loop_ready *r)
{
	list_init(&r->queue);
	list_init(&r->mark);
	timerq_init(&r->timers);
}

void ready_push(struct loop_ready *r, struct loop_handle *h)
{
	h->state = LOOP_HANDLE_READY;
	list_push_back(&r->queue, &h->node);
}

void ready_add_timer(struct loop_ready *r, struct loop_handle *h, uint64_t deadline)
{
	h->state = LOOP_HANDLE_TIMER;
	h->timer = (struct timerq_entry){ .deadline = deadline };
	timerq_add(&r->timers, &h->timer);
}

void ready_remove(struct loop_ready *r, struct loop_handle *h)
{
	if (h->state == LOOP_HANDLE_TIMER)
		timerq_remove(&r->timers, &h->timer);
	else
		list_remove(&h->node);
	h->state = LOOP_HANDLE_IDLE;
}

unsigned ready_tick_begin(struct loop_ready *r, uint64_t now)
{
	unsigned fired = 0;
	struct timerq_entry *e;
	while ((e = timerq_pop_expired(&r->timers, now))) {
		struct loop_handle *h = container_of(e, struct loop_handle, timer);
		h->state = LOOP_HANDLE_READY;
		list_push_back(&r->queue, &h->node);
		fired++;
	}
	list_push_back(&r->queue, &r->mark);
	return fired;
}

struct loop_handle *ready_tick_next(struct loop_ready *r)
{
	struct list_node *n = list_pop_front(&r->queue);
	if (n == &r->mark) {
		list_init(&r->mark);
		return NULL;
	}
	struct loop_handle *h = list_entry(n, struct loop_handle, node);
	h->state = LOOP_HANDLE_IDLE;
	return h;
}

uint64_t ready_next_deadline(const struct loop_ready *r)
{
	const struct timerq_entry *e = timerq_peek(&r->timers);
	return e ? e->deadline : UINT64_MAX;
}
