/*
 * Event flags over one wait queue. A waiter's wanted bits and mode are
 * packed in its `want` word (bits in the low 32, mode above); the waker
 * replaces them with the bits that satisfied it.
 */
#include <errno.h>
#include <kernel/event.h>
#include <kernel/sched.h>
#include <kernel/time.h>

void event_init(struct event *e, const char *name)
{
	e->bits = 0;
	wait_queue_init(&e->wq, name);
}

/* The bits that satisfy (want, mode) given bits, or 0. */
static uint32_t satisfied(uint32_t bits, uint32_t want, unsigned mode)
{
	uint32_t hit = bits & want;
	if (mode & EVENT_ALL)
		return hit == want ? hit : 0;
	return hit;
}

void event_set(struct event *e, uint32_t bits)
{
	spin_lock(&e->wq.lock);
	e->bits |= bits;
	struct list_node *n = e->wq.waiters.next;
	while (n != &e->wq.waiters) {
		struct waiter *w = list_entry(n, struct waiter, node);
		n = n->next;	/* w may leave the list */
		uint32_t want = (uint32_t)w->want;
		unsigned mode = (unsigned)(w->want >> 32);
		uint32_t hit = satisfied(e->bits, want, mode);
		if (!hit)
			continue;
		if (mode & EVENT_CONSUME)
			e->bits &= ~hit;
		w->want = hit;		/* handed back through the waiter */
		wait_queue_wake(&e->wq, w, 0);
	}
	spin_unlock(&e->wq.lock);
	sched_preempt_check();
}

void event_clear(struct event *e, uint32_t bits)
{
	spin_lock(&e->wq.lock);
	e->bits &= ~bits;
	spin_unlock(&e->wq.lock);
}

uint32_t event_peek(const struct event *e) { return __atomic_load_n(&e->bits, __ATOMIC_RELAXED); }

long event_wait_until(struct event *e, uint32_t want, unsigned mode, uint64_t deadline)
{
	if (!want)
		return -EINVAL;
	spin_lock(&e->wq.lock);
	uint32_t hit = satisfied(e->bits, want, mode);
	if (hit) {
		if (mode & EVENT_CONSUME)
			e->bits &= ~hit;
		spin_unlock(&e->wq.lock);
		return hit;
	}
	struct waiter w;
	wait_queue_enqueue_self(&e->wq, &w, want | (uintptr_t)mode << 32);
	int status = wait_queue_sleep(&e->wq, &w, deadline);
	return status < 0 ? status : (long)(uint32_t)w.want;
}

long event_wait(struct event *e, uint32_t want, unsigned mode)
{
	return event_wait_until(e, want, mode, WAIT_FOREVER);
}

long event_wait_timeout(struct event *e, uint32_t want, unsigned mode, uint64_t timeout_ns)
{
	return event_wait_until(e, want, mode, time_now() + timeout_ns);
}
