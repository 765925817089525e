/*
 * The channel state machine: what a send, a receive or a close does to a
 * channel's buffer and its waiting senders and receivers, with the lock
 * already held. No locking, no blocking: chan.c does both, and the host
 * tests drive this directly (tests/host/test_chan.c).
 *
 * A waiter belongs to a select (a plain send or receive is a select of
 * one). The first channel to complete one of a select's waiters claims the
 * select (fired, by compare-and-swap); the select's other waiters are
 * skipped by the channels that find them later. chan_notify() tells the
 * select's owner; chan.c implements it, the host tests fake it.
 */
#pragma once

#include <coro/chan.h>

struct chan_select {
	int fired;		/* -1 until one case completes, then its index */
	int status;		/* that case's result */
	void *owner;		/* for chan_notify() */
};

struct chan_waiter {
	struct list_node node;	/* on its channel's senders or receivers */
	struct chan_select *sel;
	unsigned index;		/* its case */
	void *value;		/* send: copied from; receive: copied to */
};

void chan_core_init(struct chan_core *c, size_t elem_size, unsigned capacity, uint8_t *buf);

/* Complete a send of value / a receive into value now if the channel allows:
 * 0 done, -EPIPE closed (and, for a receive, empty), -EAGAIN not now. */
int chan_core_send(struct chan_core *c, const void *value);
int chan_core_recv(struct chan_core *c, void *value);
/* Queue w to wait (send: on senders, else receivers). */
void chan_core_wait(struct chan_core *c, struct chan_waiter *w, bool send);
/* Take w off its list if it is still there. */
void chan_core_unwait(struct chan_waiter *w);
/* Close: -EPIPE if closed already; else every waiter is completed with
 * -EPIPE and 0 is returned. */
int chan_core_close(struct chan_core *c);

/* Called with the channel's lock held once sel has fired. */
void chan_notify(struct chan_select *sel);
