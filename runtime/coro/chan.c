/*
 * Channels: locking and waiting around the state machine in chan_core.c.
 *
 * A select locks all its channels at once, in address order (so two
 * selects never deadlock), tries each case in order, and if none can
 * proceed queues one waiter per case and waits on a private wait queue,
 * which parks a coroutine or blocks a thread. The channel that completes a
 * case claims the whole select, so exactly one case fires. Afterwards the
 * select locks its channels again to take its other waiters back: once that
 * is done no channel can touch the caller's stack any more.
 */
#include "chan_core.h"
#include "coro_internal.h"
#include <errno.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <stdlib.h>

int chan_init(struct chan *ch, const char *name, size_t elem_size, unsigned capacity,
	      void *buffer)
{
	if (elem_size == 0 || (capacity && elem_size > SIZE_MAX / capacity))
		return -EINVAL;
	ch->owns_buf = capacity && !buffer;
	if (ch->owns_buf && !(buffer = malloc(capacity * elem_size)))
		return -ENOMEM;
	ch->lock = (struct spinlock)SPINLOCK_INIT(name ? name : "chan");
	chan_core_init(&ch->core, elem_size, capacity, buffer);
	return 0;
}

void chan_destroy(struct chan *ch)
{
	spin_lock(&ch->lock);
	bool waiters = !list_empty(&ch->core.senders) || !list_empty(&ch->core.receivers);
	spin_unlock(&ch->lock);
	if (waiters)
		panic("chan_destroy: '%s' still has waiters", ch->lock.name);
	if (ch->owns_buf)
		free(ch->core.buf);
	ch->core.buf = NULL;
}

struct select_wait {
	struct chan_select sel;
	struct wait_queue wq;	/* its owner waits here */
};

void chan_notify(struct chan_select *sel)
{
	struct select_wait *sw = sel->owner;
	spin_lock(&sw->wq.lock);
	wait_queue_wake_one(&sw->wq, 0);
	spin_unlock(&sw->wq.lock);
}

/* The distinct channels of the cases, in address order. */
static unsigned sort_channels(struct chan_case *cases, unsigned n, struct chan **out)
{
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		struct chan *ch = cases[i].ch;
		unsigned j = m;
		while (j > 0 && out[j - 1] > ch)
			j--;
		if (j > 0 && out[j - 1] == ch)
			continue;
		for (unsigned k = m; k > j; k--)
			out[k] = out[k - 1];
		out[j] = ch;
		m++;
	}
	return m;
}

static void lock_all(struct chan **chans, unsigned m)
{
	for (unsigned i = 0; i < m; i++)
		spin_lock(&chans[i]->lock);
}

static void unlock_all(struct chan **chans, unsigned m)
{
	for (unsigned i = m; i > 0; i--)
		spin_unlock(&chans[i - 1]->lock);
}

static int try_case(struct chan_case *c)
{
	return c->send ? chan_core_send(&c->ch->core, c->value) : chan_core_recv(&c->ch->core, c->value);
}

int chan_select(struct chan_case *cases, unsigned n, uint64_t deadline)
{
	if (n == 0 || n > CHAN_SELECT_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!cases[i].ch)
			return -EINVAL;
	struct chan *chans[n];
	unsigned m = sort_channels(cases, n, chans);
	lock_all(chans, m);
	for (unsigned i = 0; i < n; i++) {
		int status = try_case(&cases[i]);
		if (status != -EAGAIN) {
			unlock_all(chans, m);
			cases[i].status = status;
			return (int)i;
		}
	}
	if (deadline != WAIT_FOREVER && deadline <= time_now()) {
		unlock_all(chans, m);
		return -ETIMEDOUT;
	}
	struct select_wait sw = { .sel = { .fired = -1, .owner = &sw } };
	wait_queue_init(&sw.wq, "chan select");
	struct chan_waiter ws[n];
	for (unsigned i = 0; i < n; i++) {
		ws[i] = (struct chan_waiter){ .sel = &sw.sel, .index = i, .value = cases[i].value };
		chan_core_wait(&cases[i].ch->core, &ws[i], cases[i].send);
	}
	unlock_all(chans, m);

	int waited = 0;
	spin_lock(&sw.wq.lock);
	if (__atomic_load_n(&sw.sel.fired, __ATOMIC_ACQUIRE) < 0)
		waited = coro_wait_cancellable(&sw.wq, deadline, 0);
	else
		spin_unlock(&sw.wq.lock);

	lock_all(chans, m);
	for (unsigned i = 0; i < n; i++)
		chan_core_unwait(&ws[i]);
	unlock_all(chans, m);
	int fired = __atomic_load_n(&sw.sel.fired, __ATOMIC_ACQUIRE);
	if (fired >= 0) {
		/* Done, even if the deadline or a cancel came too: the value
		 * has moved, and dropping it would lose it. */
		cases[fired].status = sw.sel.status;
		return fired;
	}
	coro_cancel_point();
	return waited;
}

static int one(struct chan *ch, bool send, void *value, uint64_t deadline)
{
	struct chan_case c = { .ch = ch, .send = send, .value = value };
	int i = chan_select(&c, 1, deadline);
	return i < 0 ? i : c.status;
}

int chan_send_until(struct chan *ch, const void *value, uint64_t deadline)
{
	return one(ch, true, (void *)value, deadline);
}
int chan_send(struct chan *ch, const void *value) { return chan_send_until(ch, value, WAIT_FOREVER); }
int chan_recv_until(struct chan *ch, void *value, uint64_t deadline) { return one(ch, false, value, deadline); }
int chan_recv(struct chan *ch, void *value) { return chan_recv_until(ch, value, WAIT_FOREVER); }

int chan_close(struct chan *ch)
{
	spin_lock(&ch->lock);
	int status = chan_core_close(&ch->core);
	spin_unlock(&ch->lock);
	return status;
}

unsigned chan_len(struct chan *ch)
{
	spin_lock(&ch->lock);
	unsigned n = ch->core.count;
	spin_unlock(&ch->lock);
	return n;
}
