/*
 * A copying message queue between domains, the multiprocessing analog:
 * a message is copied in by gil_msgq_send() and out by gil_msgq_recv(), so
 * no domain ever sees another's memory. Bounded: a sender blocks while the
 * queue is full, a receiver while it is empty; both let go of the caller's
 * domain lock while they wait (they block in the kernel).
 *
 * Thread context; any thread, in any domain or none; may block.
 */
#pragma once

#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <stddef.h>
#include <stdint.h>

struct gil_msgq {
	struct mutex lock;		/* guards head, tail and the slots */
	struct sem free_slots, queued;
	size_t msg_max;
	unsigned depth, head, tail;
	size_t *len;			/* per slot */
	uint8_t *buf;			/* depth slots of msg_max bytes */
};

/* 0, -EINVAL (a size of 0) or -ENOMEM. */
int gil_msgq_init(struct gil_msgq *q, const char *name, size_t msg_max, unsigned depth);
/* No thread may be using q. */
void gil_msgq_destroy(struct gil_msgq *q);
/* Copy len bytes in (waits for a free slot). 0, or -EMSGSIZE (len > msg_max). */
int gil_msgq_send(struct gil_msgq *q, const void *msg, size_t len);
/* Copy the oldest message out (waits for one): its length, or -EMSGSIZE
 * when it does not fit in cap (it is then dropped). */
long gil_msgq_recv(struct gil_msgq *q, void *buf, size_t cap);
