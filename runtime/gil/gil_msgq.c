/*
 * The copying message queue between domains (gil/msgq.h): a ring of fixed
 * slots, counted by two semaphores so a sender owns a free slot and a
 * receiver a full one before either takes the mutex to copy.
 */
#include <errno.h>
#include <gil/msgq.h>
#include <stdlib.h>
#include <string.h>

int gil_msgq_init(struct gil_msgq *q, const char *name, size_t msg_max, unsigned depth)
{
	if (!msg_max || !depth)
		return -EINVAL;
	q->len = calloc(depth, sizeof *q->len);
	q->buf = malloc(msg_max * depth);
	if (!q->len || !q->buf) {
		free(q->len);
		free(q->buf);
		return -ENOMEM;
	}
	mutex_init(&q->lock, name, false);
	sem_init(&q->free_slots, name, depth);
	sem_init(&q->queued, name, 0);
	q->msg_max = msg_max;
	q->depth = depth;
	q->head = q->tail = 0;
	return 0;
}

void gil_msgq_destroy(struct gil_msgq *q)
{
	free(q->len);
	free(q->buf);
}

int gil_msgq_send(struct gil_msgq *q, const void *msg, size_t len)
{
	if (len > q->msg_max)
		return -EMSGSIZE;
	sem_wait(&q->free_slots);
	mutex_lock(&q->lock);
	unsigned slot = q->tail;
	q->tail = (q->tail + 1) % q->depth;
	memcpy(q->buf + slot * q->msg_max, msg, len);
	q->len[slot] = len;
	mutex_unlock(&q->lock);
	sem_post(&q->queued);
	return 0;
}

long gil_msgq_recv(struct gil_msgq *q, void *buf, size_t cap)
{
	sem_wait(&q->queued);
	mutex_lock(&q->lock);
	unsigned slot = q->head;
	q->head = (q->head + 1) % q->depth;
	size_t len = q->len[slot];
	if (len <= cap)
		memcpy(buf, q->buf + slot * q->msg_max, len);
	mutex_unlock(&q->lock);
	sem_post(&q->free_slots);
	return len <= cap ? (long)len : -EMSGSIZE;
}
