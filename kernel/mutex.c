/*
 * Mutexes with hand-off and priority inheritance.
 *
 * Uncontended lock and unlock are one compare-and-swap each on `owner`.
 * A thread that has to wait sets the WAITERS bit under the wait queue's
 * lock; from then on unlock takes the slow path, which passes ownership to
 * the first waiter under that lock.
 *
 * Priority inheritance: a thread's contended mutexes are on its pi_held
 * list, and its effective priority is the highest of its base priority and
 * those mutexes' first waiters. When that changes for a thread that is
 * itself waiting on a mutex, the change passes to that mutex's owner, and
 * so on, up to MUTEX_PI_DEPTH steps. One lock, pi_lock, orders all of this;
 * only contended paths take it. Lock order: pi_lock, then a wait queue,
 * then a run queue.
 */
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/mutex.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#define WAITERS ((uintptr_t)1)

static struct spinlock pi_lock = SPINLOCK_INIT("pi");

void mutex_init(struct mutex *m, const char *name, bool recursive)
{
	m->owner = 0;
	m->depth = 0;
	m->recursive = recursive;
	wait_queue_init(&m->wq, name);
	list_init(&m->pi_node);
}

/* The holder's identity (thread_owner_self()), without the WAITERS bit. */
static uintptr_t owner_of(uintptr_t v) { return v & ~WAITERS; }
/* The holder if it is a thread (the only kind priority passes to), or NULL. */
static struct thread *owner_thread(uintptr_t v)
{
	return v & THREAD_OWNER_CTX ? NULL : (struct thread *)owner_of(v);
}

/* The identity a woken waiter takes the mutex as. */
static uintptr_t waiter_id(const struct waiter *w)
{
	return w->ctx ? (uintptr_t)w->ctx | THREAD_OWNER_CTX : (uintptr_t)w->thread;
}

bool mutex_held(const struct mutex *m)
{
	return owner_of(__atomic_load_n(&m->owner, __ATOMIC_RELAXED)) == thread_owner_self();
}

/* pi_lock held: t's priority from its base and the mutexes it holds. */
static unsigned inherited_prio(struct thread *t)
{
	unsigned prio = t->base_prio;
	struct list_node *n;
	list_for_each(n, &t->pi_held) {
		struct waiter *w = wait_queue_first(&list_entry(n, struct mutex, pi_node)->wq);
		if (w && w->prio > prio)
			prio = w->prio;
	}
	return prio;
}

/* pi_lock held, and `held` (a wait queue lock, or NULL) held too: settle
 * t's priority and pass a change down the chain of mutexes t waits on. */
static void pi_propagate(struct thread *t, struct wait_queue *held)
{
	for (int depth = 0; t && depth < MUTEX_PI_DEPTH; depth++) {
		unsigned prio = inherited_prio(t);
		if (prio == t->prio)
			return;
		t->prio = prio;
		sched_prio_changed(t);
		struct mutex *m = t->blocked_on;
		if (!m)
			return;
		bool lock = &m->wq != held;
		if (lock)
			spin_lock(&m->wq.lock);
		if (t->waiting && t->waiting_on == &m->wq)
			wait_queue_reorder(&m->wq, t->waiting, prio);
		struct thread *owner = owner_thread(m->owner);
		if (lock)
			spin_unlock(&m->wq.lock);
		t = owner;
	}
}

void thread_pi_recompute(struct thread *t)
{
	spin_lock(&pi_lock);
	pi_propagate(t, NULL);
	spin_unlock(&pi_lock);
}

bool mutex_trylock(struct mutex *m)
{
	uintptr_t me = thread_owner_self();
	uintptr_t expect = 0;
	if (__atomic_compare_exchange_n(&m->owner, &expect, me, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		m->depth = 1;
		return true;
	}
	if (owner_of(expect) == me && m->recursive) {
		m->depth++;
		return true;
	}
	return false;
}

/* pi_lock and m->wq.lock held: take m if free, else mark it contended.
 * Returns true when taken. */
static bool take_or_mark(struct mutex *m, uintptr_t me)
{
	for (;;) {
		uintptr_t v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
		if (v == 0) {
			uintptr_t mine = me | (m->wq.count ? WAITERS : 0);
			if (!__atomic_compare_exchange_n(&m->owner, &v, mine, false,
							 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				continue;
			if (m->wq.count && owner_thread(me))
				list_push_back(&owner_thread(me)->pi_held, &m->pi_node);
			m->depth = 1;
			return true;
		}
		if ((v & WAITERS) || __atomic_compare_exchange_n(&m->owner, &v, v | WAITERS, false,
								  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return false;
	}
}

int mutex_lock_until(struct mutex *m, uint64_t deadline)
{
	if (mutex_trylock(m))
		return 0;
	uintptr_t me = thread_owner_self();
	struct thread *me_thread = owner_thread(me);	/* NULL in a coroutine */
	if (owner_of(__atomic_load_n(&m->owner, __ATOMIC_RELAXED)) == me)
		panic("mutex_lock: '%s' already held by thread '%s' (not recursive)",
		      m->wq.lock.name, thread_current()->name);
	if (irq_in_handler())
		panic("mutex_lock: '%s' would block in an interrupt handler", m->wq.lock.name);

	spin_lock(&pi_lock);
	spin_lock(&m->wq.lock);
	if (take_or_mark(m, me)) {
		spin_unlock(&m->wq.lock);
		spin_unlock(&pi_lock);
		return 0;
	}
	struct thread *owner = owner_thread(m->owner);
	if (owner && !list_linked(&m->pi_node))
		list_push_back(&owner->pi_held, &m->pi_node);
	struct waiter w;
	wait_queue_enqueue_self(&m->wq, &w, 0);
	if (me_thread) {
		me_thread->blocked_on = m;
		if (owner)
			pi_propagate(owner, &m->wq);	/* lend our priority before sleeping */
	}
	spin_unlock(&pi_lock);
	int status = wait_queue_sleep(&m->wq, &w, deadline);
	if (status == 0)
		return 0;	/* handed over by mutex_unlock() */

	/* Timed out: we are off the queue. If nobody else waits, the mutex
	 * is no longer contended; either way the owner's loan shrinks. */
	spin_lock(&pi_lock);
	spin_lock(&m->wq.lock);
	if (me_thread)
		me_thread->blocked_on = NULL;
	owner = owner_thread(m->owner);
	if (m->wq.count == 0) {
		__atomic_fetch_and(&m->owner, ~WAITERS, __ATOMIC_RELAXED);
		if (list_linked(&m->pi_node))
			list_remove(&m->pi_node);
	}
	spin_unlock(&m->wq.lock);
	if (owner)
		pi_propagate(owner, NULL);
	spin_unlock(&pi_lock);
	return status;
}

int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns)
{
	return mutex_lock_until(m, time_now() + timeout_ns);
}

void mutex_unlock_slow(struct mutex *m)
{
	uintptr_t me = thread_owner_self();
	uintptr_t v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
	if (owner_of(v) != me)
		panic("mutex_unlock: '%s' is not held by thread '%s'", m->wq.lock.name,
		      thread_current()->name);
	if (--m->depth > 0)
		return;		/* recursive: still held */
	uintptr_t mine = me;
	if (__atomic_compare_exchange_n(&m->owner, &mine, 0, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return;

	/* Contended: hand m to the first waiter. */
	spin_lock(&pi_lock);
	spin_lock(&m->wq.lock);
	if (list_linked(&m->pi_node))
		list_remove(&m->pi_node);
	struct waiter *w = wait_queue_first(&m->wq);
	struct thread *next = NULL;	/* the new owner, if a thread */
	if (w) {
		uintptr_t id = waiter_id(w);
		next = owner_thread(id);
		m->depth = 1;
		__atomic_store_n(&m->owner, id | (m->wq.count > 1 ? WAITERS : 0), __ATOMIC_RELEASE);
		if (m->wq.count > 1 && next)
			list_push_back(&next->pi_held, &m->pi_node);
		if (next)
			next->blocked_on = NULL;
		wait_queue_wake(&m->wq, w, 0);
	} else {
		__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);	/* the waiters timed out */
	}
	spin_unlock(&m->wq.lock);
	if (owner_thread(me))
		pi_propagate(owner_thread(me), NULL);	/* give back what m lent us */
	if (next)
		pi_propagate(next, NULL);	/* and lend what remains to the new owner */
	spin_unlock(&pi_lock);
	sched_preempt_check();
}
