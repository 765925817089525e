/*
 * The channel state machine (see chan_core.h). Every function runs with
 * the channel's lock held.
 */
#include "chan_core.h"
#include <errno.h>
#include <string.h>

void chan_core_init(struct chan_core *c, size_t elem_size, unsigned capacity, uint8_t *buf)
{
	*c = (struct chan_core){ .elem_size = elem_size, .capacity = capacity, .buf = buf };
	list_init(&c->senders);
	list_init(&c->receivers);
}

/* The i-th buffered value, oldest first (i == count: the next free slot). */
static void *slot(struct chan_core *c, unsigned i)
{
	return c->buf + (size_t)((c->head + i) % c->capacity) * c->elem_size;
}

/* Take the first waiter of list whose select has not fired yet and claim
 * its select; waiters of selects that fired elsewhere are dropped on the
 * way. NULL when none is left. */
static struct chan_waiter *claim_first(struct list_node *list)
{
	struct list_node *n;
	while ((n = list_pop_front(list))) {
		struct chan_waiter *w = list_entry(n, struct chan_waiter, node);
		int idle = -1;
		if (__atomic_compare_exchange_n(&w->sel->fired, &idle, (int)w->index, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return w;
	}
	return NULL;
}

/* w's select is claimed and its value moved: hand over the status. */
static void fire(struct chan_waiter *w, int status)
{
	w->sel->status = status;
	chan_notify(w->sel);
}

int chan_core_send(struct chan_core *c, const void *value)
{
	if (c->closed)
		return -EPIPE;
	struct chan_waiter *r = claim_first(&c->receivers);
	if (r) {
		memcpy(r->value, value, c->elem_size);
		fire(r, 0);
		return 0;
	}
	if (c->count < c->capacity) {
		memcpy(slot(c, c->count), value, c->elem_size);
		c->count++;
		return 0;
	}
	return -EAGAIN;
}

int chan_core_recv(struct chan_core *c, void *value)
{
	struct chan_waiter *s;
	if (c->count > 0) {
		memcpy(value, slot(c, 0), c->elem_size);
		c->head = (c->head + 1) % c->capacity;
		c->count--;
		/* The room just made goes to the longest-waiting sender. */
		if ((s = claim_first(&c->senders))) {
			memcpy(slot(c, c->count), s->value, c->elem_size);
			c->count++;
			fire(s, 0);
		}
		return 0;
	}
	if ((s = claim_first(&c->senders))) {
		memcpy(value, s->value, c->elem_size);
		fire(s, 0);
		return 0;
	}
	return c->closed ? -EPIPE : -EAGAIN;
}

void chan_core_wait(struct chan_core *c, struct chan_waiter *w, bool send)
{
	list_push_back(send ? &c->senders : &c->receivers, &w->node);
}

void chan_core_unwait(struct chan_waiter *w)
{
	if (list_linked(&w->node))
		list_remove(&w->node);
}

int chan_core_close(struct chan_core *c)
{
	if (c->closed)
		return -EPIPE;
	c->closed = true;
	struct chan_waiter *w;
	while ((w = claim_first(&c->receivers)))
		fire(w, -EPIPE);
	while ((w = claim_first(&c->senders)))
		fire(w, -EPIPE);
	return 0;
}
