/*
 * The blocking-work pool behind coro_to_thread(), for other layers that
 * hand it work without waiting on the spot (the event loop's executor).
 */
#pragma once

#include <kernel/list.h>

/* The caller's memory until done() has been called. */
struct coro_job {
	struct list_node node;
	void *(*fn)(void *arg);
	void *arg;
	void *result;
	/* On the pool thread after fn returns; j may be freed from here on. */
	void (*done)(struct coro_job *j);
};

/* Any thread or coroutine (not an interrupt handler). Queue j on the pool
 * (started on first use). 0, or -ENOMEM if no pool thread can be made. */
int coro_pool_submit(struct coro_job *j);
