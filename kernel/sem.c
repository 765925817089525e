/*
 * Counting semaphores over one wait queue; its lock guards the count.
 */
#include <errno.h>
#include <kernel/sched.h>
#include <kernel/sem.h>
#include <kernel/time.h>

void sem_init(struct sem *s, const char *name, unsigned count)
{
	s->count = count;
	wait_queue_init(&s->wq, name);
}

bool sem_trywait(struct sem *s)
{
	spin_lock(&s->wq.lock);
	bool got = s->count > 0;
	if (got)
		s->count--;
	spin_unlock(&s->wq.lock);
	return got;
}

int sem_wait_until(struct sem *s, uint64_t deadline)
{
	spin_lock(&s->wq.lock);
	if (s->count > 0) {
		s->count--;
		spin_unlock(&s->wq.lock);
		return 0;
	}
	/* sem_post() hands the unit over with status 0. */
	return wait_queue_block(&s->wq, deadline, 0);
}

void sem_wait(struct sem *s) { sem_wait_until(s, WAIT_FOREVER); }

int sem_wait_timeout(struct sem *s, uint64_t timeout_ns)
{
	return sem_wait_until(s, time_now() + timeout_ns);
}

void sem_post(struct sem *s)
{
	spin_lock(&s->wq.lock);
	if (!wait_queue_wake_one(&s->wq, 0))
		s->count++;
	spin_unlock(&s->wq.lock);
	sched_preempt_check();
}
