/*
 * The big lock itself: acquire, release, the drop request and the
 * hand-off, and the block hook that lets go of the lock around every
 * blocking call. The decisions (who is next, when to ask for a drop) are
 * gil_policy.c's; this file does the locking, blocking and waking.
 *
 * The lock word, gil.owner, holds the holder's gil_member, with
 * GIL_WAITERS set while anyone waits (set under the domain's spinlock, the
 * wait queue's). Uncontended acquire and release are one compare-and-swap
 * each; once GIL_WAITERS is set, release takes the slow path, which hands
 * the lock to the waiter gil_policy_next() names: ownership passes under
 * the spinlock, so the thread letting go can never take it straight back.
 *
 * Waiters block on the wait queue forever: only a hand-off wakes them. The
 * drop request comes from the domain's timer (interrupt context), armed for
 * gil_policy_drop_due(), which sets the holder's `drop` flag; gil_check()
 * polls it. The timer is disarmed when the last waiter is served; an early
 * or stale expiry asks the policy again and re-arms.
 */
#include "gil_internal.h"
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/trace.h>

struct gil_member *gil_member_self(void)
{
	struct thread_block_hook *h = thread_current()->block_hook;
	return h && h->before == gil_hook_before ? (struct gil_member *)h : NULL;
}

/* Domain lock held: a drop request is due now, or arm the timer for it. */
static void request_or_arm(struct gil *g, uint64_t now);

static void drop_timer_fired(struct timer *t)
{
	struct gil *g = container_of(t, struct gil, timer);
	spin_lock(&g->wq.lock);
	g->timer_armed = false;
	request_or_arm(g, time_now());
	spin_unlock(&g->wq.lock);
}

static void request_or_arm(struct gil *g, uint64_t now)
{
	if (gil_policy_request(&g->policy, now)) {
		struct gil_member *h = gil_holder(g);
		if (h)
			__atomic_store_n(&h->drop, true, __ATOMIC_RELAXED);
		g->stats.drop_requests++;
		g->stats.last_request_ns = now;
		return;
	}
	uint64_t due = gil_policy_drop_due(&g->policy);
	if (due && !g->timer_armed) {
		g->timer_armed = true;
		timer_arm(&g->timer, due, drop_timer_fired);
	}
}

/* Domain lock held: nobody waits any more, so a pending drop timer would
 * only interrupt its CPU for nothing. Most forced drops end this way (the
 * I/O thread that asked gives the lock back within microseconds, before
 * the dropped holder's interval is up). A run of the timer that has begun
 * is left to find nothing to do. */
static void disarm_if_idle(struct gil *g)
{
	if (!g->policy.waiting && g->timer_armed && timer_try_cancel(&g->timer))
		g->timer_armed = false;
}

/* Domain lock held, m holds or is letting go at now: give the lock to the
 * next waiter, or leave it free. */
static void hand_off(struct gil *g, struct gil_member *m, uint64_t now)
{
	__atomic_store_n(&m->drop, false, __ATOMIC_RELAXED);
	struct gil_waiter *w = gil_policy_next(&g->policy, now);
	disarm_if_idle(g);
	if (!w) {
		__atomic_store_n(&g->owner, 0, __ATOMIC_RELEASE);
		return;
	}
	struct gil_member *next = container_of(w, struct gil_member, wait);
	__atomic_store_n(&next->drop, false, __ATOMIC_RELAXED);
	g->stats.acquisitions++;
	g->stats.handoffs++;
	g->stats.io_handoffs += w->io;
	/* now was read before the domain lock was taken, and a waiter may
	 * have queued in between: it waited nothing, not minus that long. */
	gil_stats_wait(g, now > w->since ? now - w->since : 0);
	__atomic_store_n(&g->owner, (uintptr_t)next | (g->policy.waiting ? GIL_WAITERS : 0),
			 __ATOMIC_RELEASE);
	struct waiter *kw = next->kwaiter;
	next->kwaiter = NULL;
	TRACE_HOOK(this_cpu(), TRACE_GIL_HANDOFF, w->io, g, next->thread);
	if (kw)		/* else it still spins, and sees the owner change */
		wait_queue_wake(&g->wq, kw, 0);
	request_or_arm(g, now);		/* for those still waiting, against the new holder */
}

/* A queued waiter, before it blocks: watch for the hand-off for up to the
 * domain's spin time (gil_set_spin()). Handed over meanwhile, it was given
 * the lock with a store and no wake-up. */
static bool spin_for_handoff(struct gil *g, struct gil_member *m)
{
	uint64_t spin = __atomic_load_n(&g->spin_ns, __ATOMIC_RELAXED);
	if (!spin || cpu_online_count() < 2)
		return false;	/* on one CPU the holder cannot run meanwhile */
	uint64_t until = time_now() + spin;
	while (gil_holder(g) != m) {
		/* Others ready here would wait behind our spinning, and the
		 * holder may be one of them (threads pinned to one CPU). */
		if (sched_others_ready())
			return false;
		if (time_now() >= until) {
			/* A miss: the spin may be too short. Not the holder, so
			 * not serialised with other spinners. */
			__atomic_fetch_add(&g->stats.spin_timeouts, 1, __ATOMIC_RELAXED);
			return false;
		}
		arch_cpu_relax();
	}
	g->stats.spin_handoffs++;	/* we hold it: holders are serialised */
	return true;
}

/* Domain lock held (released on return): take the lock if it is free, else
 * queue as a waiter of class io and wait until it is handed over. */
static void take_locked(struct gil *g, struct gil_member *m, bool io)
{
	for (;;) {
		uintptr_t v = __atomic_load_n(&g->owner, __ATOMIC_RELAXED);
		if (v == 0) {
			if (!__atomic_compare_exchange_n(&g->owner, &v, (uintptr_t)m, false,
							 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				continue;
			gil_policy_taken(&g->policy, time_now());
			g->stats.acquisitions++;
			spin_unlock(&g->wq.lock);
			return;
		}
		if ((v & GIL_WAITERS) ||
		    __atomic_compare_exchange_n(&g->owner, &v, v | GIL_WAITERS, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	}
	gil_policy_wait(&g->policy, &m->wait, time_now(), io);
	g->stats.contended++;
	request_or_arm(g, m->wait.since);
	spin_unlock(&g->wq.lock);
	if (spin_for_handoff(g, m))
		return;
	spin_lock(&g->wq.lock);
	struct waiter w;
	for (;;) {
		if (gil_holder(g) == m) {	/* handed over as the spin ended */
			spin_unlock(&g->wq.lock);
			return;
		}
		wait_queue_enqueue_self(&g->wq, &w, 0);
		m->kwaiter = &w;
		/* Runs our own block hook, which finds us not holding: no-op. */
		wait_queue_sleep(&g->wq, &w, WAIT_FOREVER);
		if (gil_holder(g) == m)
			return;
		spin_lock(&g->wq.lock);	/* not ours yet (cannot happen: hand-off wakes) */
	}
}

void gil_take(struct gil_member *m, bool io)
{
	struct gil *g = m->gil;
	uintptr_t v = 0;
	if (__atomic_compare_exchange_n(&g->owner, &v, (uintptr_t)m, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		gil_policy_taken(&g->policy, time_now());
		g->stats.acquisitions++;	/* we hold it: holders are serialised */
		return;
	}
	if (gil_owner_of(v) == m)
		panic("gil_acquire: thread '%s' already holds domain '%s'", m->thread->name, g->name);
	spin_lock(&g->wq.lock);
	take_locked(g, m, io);
}

void gil_let_go(struct gil_member *m)
{
	struct gil *g = m->gil;
	uint64_t now = time_now();
	gil_stats_hold(g, m, now - __atomic_load_n(&g->policy.hold_since, __ATOMIC_RELAXED));
	uintptr_t v = (uintptr_t)m;
	if (__atomic_compare_exchange_n(&g->owner, &v, 0, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return;
	if (gil_owner_of(v) != m)
		panic("gil_release: domain '%s' is not held by thread '%s'", g->name, m->thread->name);
	spin_lock(&g->wq.lock);
	hand_off(g, m, now);
	spin_unlock(&g->wq.lock);
}

void gil_check_slow(struct gil_member *m)
{
	struct gil *g = m->gil;
	if (gil_holder(g) != m) {
		__atomic_store_n(&m->drop, false, __ATOMIC_RELAXED);	/* asked too late */
		return;
	}
	uint64_t now = time_now();
	gil_stats_hold(g, m, now - __atomic_load_n(&g->policy.hold_since, __ATOMIC_RELAXED));
	spin_lock(&g->wq.lock);
	if (g->policy.waiting == 0) {
		/* The waiter went away (it cannot yet): keep the lock. */
		__atomic_store_n(&m->drop, false, __ATOMIC_RELAXED);
		gil_policy_taken(&g->policy, now);
		spin_unlock(&g->wq.lock);
		return;
	}
	g->stats.forced_drops++;
	gil_stats_drop(g, now - g->policy.requested_at);
	hand_off(g, m, now);
	take_locked(g, m, false);	/* behind everyone who waits */
}

/* --- public, for members --------------------------------------------------- */

static struct gil_member *self_or_panic(const char *fn)
{
	struct gil_member *m = gil_member_self();
	if (!m)
		panic("%s: thread '%s' is in no domain (gil_enter() first)", fn,
		      thread_current()->name);
	return m;
}

void gil_acquire(void)
{
	struct gil_member *m = self_or_panic("gil_acquire");
	if (m->gil->enabled)
		gil_take(m, false);
}

void gil_release(void)
{
	struct gil_member *m = self_or_panic("gil_release");
	if (m->gil->enabled)
		gil_let_go(m);
}

bool gil_held(void)
{
	struct gil_member *m = gil_member_self();
	return m && (!m->gil->enabled || gil_holder(m->gil) == m);
}

/* The block hook: before a blocking call (maybe with a spinlock held),
 * let go; after it, take the lock back as an I/O-returning thread. The
 * hook also runs around the lock's own waits, where it finds nothing held. */
void gil_hook_before(struct thread_block_hook *h)
{
	struct gil_member *m = (struct gil_member *)h;
	if (gil_holder(m->gil) != m)
		return;
	m->released_on_block = true;
	gil_let_go(m);
}

void gil_hook_after(struct thread_block_hook *h)
{
	struct gil_member *m = (struct gil_member *)h;
	if (!m->released_on_block)
		return;
	m->released_on_block = false;
	gil_take(m, true);
}

void gil_blocking_begin(void)
{
	struct gil_member *m = self_or_panic("gil_blocking_begin");
	if (m->gil->enabled && gil_holder(m->gil) != m)
		panic("gil_blocking_begin: thread '%s' does not hold domain '%s'",
		      m->thread->name, m->gil->name);
	gil_hook_before(&m->hook);
}

void gil_blocking_end(void)
{
	gil_hook_after(&self_or_panic("gil_blocking_end")->hook);
}
