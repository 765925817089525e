/*
 * Condition variables. The waiter is queued before the mutex is released,
 * under the condition variable's lock, so a signal sent after the release
 * cannot miss it.
 */
#include <kernel/condvar.h>
#include <kernel/sched.h>
#include <kernel/time.h>

void condvar_init(struct condvar *cv, const char *name) { wait_queue_init(&cv->wq, name); }

int condvar_wait_until(struct condvar *cv, struct mutex *m, uint64_t deadline)
{
	struct waiter w;
	spin_lock(&cv->wq.lock);
	wait_queue_enqueue_self(&cv->wq, &w, 0);
	spin_unlock(&cv->wq.lock);
	/* Queued: a signal from here on finds us. Unlocking m may block on
	 * nothing, but it may switch to a waiter it wakes; that is fine. */
	mutex_unlock(m);
	spin_lock(&cv->wq.lock);
	int status;
	if (!list_linked(&w.node)) {
		/* Signalled while we were releasing m. */
		status = w.status;
		thread_current()->waiting = NULL;
		thread_current()->waiting_on = NULL;
		spin_unlock(&cv->wq.lock);
	} else {
		status = wait_queue_sleep(&cv->wq, &w, deadline);
	}
	mutex_lock(m);
	return status;
}

void condvar_wait(struct condvar *cv, struct mutex *m) { condvar_wait_until(cv, m, WAIT_FOREVER); }

int condvar_wait_timeout(struct condvar *cv, struct mutex *m, uint64_t timeout_ns)
{
	return condvar_wait_until(cv, m, time_now() + timeout_ns);
}

void condvar_signal(struct condvar *cv)
{
	spin_lock(&cv->wq.lock);
	wait_queue_wake_one(&cv->wq, 0);
	spin_unlock(&cv->wq.lock);
	sched_preempt_check();
}

void condvar_broadcast(struct condvar *cv)
{
	spin_lock(&cv->wq.lock);
	wait_queue_wake_all(&cv->wq, 0);
	spin_unlock(&cv->wq.lock);
	sched_preempt_check();
}
