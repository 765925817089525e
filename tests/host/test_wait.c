/*
 * Wait-queue logic: priority order with FIFO among equals, re-sorting,
 * removal, and waking both kinds of waiter (thread and callback) with the
 * status the waker gives. The scheduler and timers are replaced by fakes that record calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include <errno.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <kernel/wait.h>
#include <stdio.h>
#include <stdlib.h>

/* --- fakes for what wait.c calls ----------------------------------------- */
static struct thread *woken[16];
static int nwoken;
bool sched_wake(struct thread *t)
{
	woken[nwoken++] = t;
	return true;
}
void sched_block(struct spinlock *held) { spin_unlock(held); }
void timer_arm(struct timer *t, uint64_t deadline, timer_fn *fn) {}
bool timer_cancel(struct timer *t) { return false; }

/* --- helpers ---------------------------------------------------------------- */
/* In place: a list node points at itself, so it cannot be returned by value. */
static void init_thread_waiter(struct waiter *w, struct thread *t, unsigned prio)
{
	*w = (struct waiter){ .thread = t, .prio = prio };
	list_init(&w->node);
}

static int callback_hits;
static int callback_status;
static void callback_wake(struct waiter *w)
{
	callback_hits++;
	callback_status = w->status;
}
static const struct waiter_ops callback_ops = { .wake = callback_wake };

static int reset(void **state)
{
	nwoken = 0;
	callback_hits = 0;
	return 0;
}

static void priority_order_fifo_among_equals(void **state)
{
	struct wait_queue wq;
	struct thread t[5];
	wait_queue_init(&wq, "wq");
	unsigned prio[5] = { 10, 20, 10, 5, 20 };
	struct waiter w[5];
	spin_lock(&wq.lock);
	for (int i = 0; i < 5; i++) {
		init_thread_waiter(&w[i], &t[i], prio[i]);
		wait_queue_add(&wq, &w[i]);
	}
	assert_int_equal(wq.count, 5);
	int want[5] = { 1, 4, 0, 2, 3 };
	for (int i = 0; i < 5; i++)
		assert_int_equal(wait_queue_wake_one(&wq, 0), 1);
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(woken[i], &t[want[i]]);
	assert_int_equal(wait_queue_wake_one(&wq, 0), 0);
	assert_int_equal(wq.count, 0);
	spin_unlock(&wq.lock);
}

static void status_reaches_the_waiter(void **state)
{
	struct wait_queue wq;
	struct thread t;
	wait_queue_init(&wq, "wq");
	struct waiter w;
	init_thread_waiter(&w, &t, 1);
	spin_lock(&wq.lock);
	wait_queue_add(&wq, &w);
	wait_queue_wake(&wq, &w, -ECANCELED);
	assert_int_equal(w.status, -ECANCELED);
	assert_false(list_linked(&w.node));
	assert_false(wait_queue_remove(&wq, &w));	/* already gone */
	spin_unlock(&wq.lock);
}

static void callback_waiters_are_woken_through_their_ops(void **state)
{
	struct wait_queue wq;
	struct thread t;
	wait_queue_init(&wq, "wq");
	struct waiter cb = { .ops = &callback_ops, .prio = 3 };
	list_init(&cb.node);
	struct waiter th;
	init_thread_waiter(&th, &t, 3);
	spin_lock(&wq.lock);
	wait_queue_add(&wq, &cb);
	wait_queue_add(&wq, &th);
	assert_int_equal(wait_queue_wake_all(&wq, 7), 2);
	spin_unlock(&wq.lock);
	assert_int_equal(callback_hits, 1);
	assert_int_equal(callback_status, 7);
	assert_int_equal(nwoken, 1);
	assert_ptr_equal(woken[0], &t);
}

static void reorder_moves_a_waiter(void **state)
{
	struct wait_queue wq;
	struct thread t[3];
	wait_queue_init(&wq, "wq");
	struct waiter w[3];
	spin_lock(&wq.lock);
	for (int i = 0; i < 3; i++) {
		init_thread_waiter(&w[i], &t[i], 10);
		wait_queue_add(&wq, &w[i]);
	}
	wait_queue_reorder(&wq, &w[2], 30);	/* boosted: now first */
	assert_ptr_equal(wait_queue_first(&wq), &w[2]);
	wait_queue_reorder(&wq, &w[2], 10);	/* back: behind the equals */
	assert_ptr_equal(wait_queue_first(&wq), &w[0]);
	assert_true(wait_queue_remove(&wq, &w[0]));
	assert_ptr_equal(wait_queue_first(&wq), &w[1]);
	assert_int_equal(wq.count, 2);
	spin_unlock(&wq.lock);
}

static void remove_of_unqueued_waiter_is_harmless(void **state)
{
	struct wait_queue wq;
	struct thread t;
	wait_queue_init(&wq, "wq");
	struct waiter w;
	init_thread_waiter(&w, &t, 1);
	spin_lock(&wq.lock);
	assert_false(wait_queue_remove(&wq, &w));
	assert_int_equal(wq.count, 0);
	wait_queue_reorder(&wq, &w, 5);		/* not queued: only the prio changes */
	assert_int_equal(w.prio, 5);
	assert_true(list_empty(&wq.waiters));
	spin_unlock(&wq.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(priority_order_fifo_among_equals, reset),
		cmocka_unit_test_setup(status_reaches_the_waiter, reset),
		cmocka_unit_test_setup(callback_waiters_are_woken_through_their_ops, reset),
		cmocka_unit_test_setup(reorder_moves_a_waiter, reset),
		cmocka_unit_test_setup(remove_of_unqueued_waiter_is_harmless, reset),
	};
	return cmocka_run_group_tests_name("wait", tests, NULL, NULL);
}
