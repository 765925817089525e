/*
 * Channels, Go-style: typed by element size, bounded (capacity > 0) or
 * unbuffered (capacity 0: a send waits for a receiver and hands the value
 * straight over), any number of senders and receivers, threads and
 * coroutines alike, and a select over several of them.
 *
 * Closing: a closed channel refuses sends (-EPIPE) and still delivers what
 * it buffered; receives then get -EPIPE once it is empty. Closing wakes
 * every waiting sender and receiver with -EPIPE. A value a send handed over
 * before the close is delivered, never dropped.
 *
 * Deadlines are time_now() values: WAIT_FOREVER waits for ever, and a
 * deadline already past (0, say) only tries. Waits are cancellation points
 * for coroutines (coro/coro.h). Values are copied in and out: a channel
 * never keeps a pointer to the caller's value after the call returns.
 *
 * All functions: coroutine or thread context, no spinlock held; not from
 * interrupt handlers.
 */
#pragma once

#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The state the lock guards; kept apart so the host tests can drive it. */
struct chan_core {
	size_t elem_size;
	unsigned capacity, head, count;	/* a ring of capacity values */
	uint8_t *buf;
	bool closed;
	struct list_node senders, receivers;	/* waiting struct chan_waiter */
};

struct chan {
	struct spinlock lock;
	struct chan_core core;
	bool owns_buf;
};

/* 0, -EINVAL (elem_size 0), -ENOMEM (no buffer given and none to
 * allocate). buffer: capacity * elem_size bytes, or NULL to allocate. */
int chan_init(struct chan *ch, const char *name, size_t elem_size, unsigned capacity,
	      void *buffer);
/* No waiters may remain; frees an allocated buffer. */
void chan_destroy(struct chan *ch);

/* 0, -EPIPE (closed), -ETIMEDOUT, or -ECANCELED (a cancelled thread
 * cannot be: only a coroutine's wait ends so, and it does not return). */
int chan_send(struct chan *ch, const void *value);
int chan_send_until(struct chan *ch, const void *value, uint64_t deadline);
/* 0 with the value in *value, -EPIPE (closed and empty), -ETIMEDOUT. */
int chan_recv(struct chan *ch, void *value);
int chan_recv_until(struct chan *ch, void *value, uint64_t deadline);
/* 0, or -EPIPE if it was closed already. */
int chan_close(struct chan *ch);
/* Values buffered now. */
unsigned chan_len(struct chan *ch);

/* One case of a select: a send of *value or a receive into *value. */
struct chan_case {
	struct chan *ch;
	bool send;
	void *value;
	int status;		/* out: 0 or -EPIPE for the case that fired */
};

/*
 * Wait until one of the n cases can proceed, do it, and return its index
 * (its status in cases[i].status): the first ready case in order if several
 * are ready at once. -ETIMEDOUT when the deadline passes first (0: only
 * try), -EINVAL for n == 0 or more than CHAN_SELECT_MAX cases.
 */
#define CHAN_SELECT_MAX 16
int chan_select(struct chan_case *cases, unsigned n, uint64_t deadline);
