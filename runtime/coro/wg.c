/*
 * Wait groups over one wait queue; its lock guards the count.
 */
#include "coro_internal.h"
#include <coro/wg.h>
#include <kernel/panic.h>

void wg_init(struct wg *g, const char *name)
{
	g->count = 0;
	wait_queue_init(&g->wq, name);
}

void wg_add(struct wg *g, long n)
{
	spin_lock(&g->wq.lock);
	long count = g->count += n;
	if (count == 0)
		wait_queue_wake_all(&g->wq, 0);
	spin_unlock(&g->wq.lock);
	if (count < 0)
		panic("wg_add: wait group '%s' went below zero (%ld)", g->wq.lock.name, count);
}

void wg_done(struct wg *g) { wg_add(g, -1); }

int wg_wait_until(struct wg *g, uint64_t deadline)
{
	spin_lock(&g->wq.lock);
	if (g->count == 0) {
		spin_unlock(&g->wq.lock);
		return 0;
	}
	/* Woken with 0 only when the count reached zero. */
	int status = coro_wait_cancellable(&g->wq, deadline, 0);
	coro_cancel_point();
	return status;
}

int wg_wait(struct wg *g) { return wg_wait_until(g, WAIT_FOREVER); }
