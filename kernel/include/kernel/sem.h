/*
 * Counting semaphores. sem_post() hands a unit straight to the first waiter
 * (most urgent first, FIFO among equals), so a posted unit is never taken
 * by a late-comer. post may be called from interrupt handlers; wait blocks
 * (thread context only).
 */
#pragma once

#include <kernel/wait.h>

struct sem {
	unsigned count;
	struct wait_queue wq;
};

#define SEM_INIT(s, n, c) { .count = (c), .wq = WAIT_QUEUE_INIT((s).wq, n) }
void sem_init(struct sem *s, const char *name, unsigned count);
void sem_wait(struct sem *s);
/* 0, or -ETIMEDOUT. */
int sem_wait_until(struct sem *s, uint64_t deadline);
int sem_wait_timeout(struct sem *s, uint64_t timeout_ns);
bool sem_trywait(struct sem *s);
/* Any context. */
void sem_post(struct sem *s);
