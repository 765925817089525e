/*
 * The loop's schedule (runtime/loop/ready.c): a tick runs the ready queue
 * as it stood when it began, cancelled handles leave it, timers move in
 * deadline order once due and never before, and a long random run agrees
 * with a simple model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "../../runtime/loop/ready.h"
#include <stdlib.h>

static struct loop_handle *h_of(unsigned i, struct loop_handle *hs) { return &hs[i]; }

static void tick_is_a_snapshot(void **state)
{
	struct loop_ready r;
	struct loop_handle h[4] = { 0 };
	ready_init(&r);
	ready_push(&r, &h[0]);
	ready_push(&r, &h[1]);
	assert_int_equal(ready_tick_begin(&r, 0), 0);
	assert_ptr_equal(ready_tick_next(&r), &h[0]);
	assert_int_equal(h[0].state, LOOP_HANDLE_IDLE);
	ready_push(&r, &h[2]);		/* queued during the tick */
	ready_push(&r, &h[0]);		/* re-armed by its own callback */
	assert_ptr_equal(ready_tick_next(&r), &h[1]);
	assert_null(ready_tick_next(&r));	/* the mark: h[2], h[0] wait */
	assert_true(ready_any(&r));
	ready_tick_begin(&r, 0);
	assert_ptr_equal(ready_tick_next(&r), &h[2]);
	assert_ptr_equal(ready_tick_next(&r), &h[0]);
	assert_null(ready_tick_next(&r));
	assert_false(ready_any(&r));
	ready_tick_begin(&r, 0);	/* an empty tick */
	assert_null(ready_tick_next(&r));
}

static void cancelled_handles_leave_the_tick(void **state)
{
	struct loop_ready r;
	struct loop_handle h[3] = { 0 };
	ready_init(&r);
	for (int i = 0; i < 3; i++)
		ready_push(&r, &h[i]);
	ready_tick_begin(&r, 0);
	assert_ptr_equal(ready_tick_next(&r), &h[0]);
	ready_remove(&r, &h[1]);	/* cancelled by h[0]'s callback */
	assert_int_equal(h[1].state, LOOP_HANDLE_IDLE);
	assert_ptr_equal(ready_tick_next(&r), &h[2]);
	assert_null(ready_tick_next(&r));
}

static void timers_move_when_due_in_order(void **state)
{
	struct loop_ready r;
	struct loop_handle h[4] = { 0 }, soon = { 0 };
	ready_init(&r);
	assert_int_equal(ready_next_deadline(&r), UINT64_MAX);
	ready_add_timer(&r, &h[0], 30);
	ready_add_timer(&r, &h[1], 10);
	ready_add_timer(&r, &h[2], 20);
	ready_add_timer(&r, &h[3], 40);
	assert_int_equal(h[0].state, LOOP_HANDLE_TIMER);
	assert_int_equal(ready_next_deadline(&r), 10);
	ready_remove(&r, &h[2]);
	ready_push(&r, &soon);
	assert_int_equal(ready_tick_begin(&r, 9), 0);	/* not early */
	assert_ptr_equal(ready_tick_next(&r), &soon);
	assert_null(ready_tick_next(&r));
	assert_int_equal(ready_tick_begin(&r, 30), 2);
	assert_ptr_equal(ready_tick_next(&r), &h[1]);
	assert_ptr_equal(ready_tick_next(&r), &h[0]);
	assert_null(ready_tick_next(&r));
	assert_int_equal(ready_next_deadline(&r), 40);
}

/* Random pushes, timers, cancels and ticks against a model: each tick
 * hands out exactly what was ready when it began (then the due timers,
 * earliest first), in order, less what was cancelled. */
static void random_run_matches_model(void **state)
{
	enum { N = 64 };
	struct loop_handle h[N] = { 0 };
	uint64_t deadline[N] = { 0 };
	unsigned model[N], mn = 0;	/* the ready queue as the model sees it */
	struct loop_ready r;
	ready_init(&r);
	srand(7);
	uint64_t now = 0;
	for (int step = 0; step < 20000; step++) {
		unsigned i = (unsigned)rand() % N;
		int op = rand() % 6;
		if (op == 0 && h[i].state == LOOP_HANDLE_IDLE) {
			ready_push(&r, h_of(i, h));
			model[mn++] = i;
		} else if (op == 1 && h[i].state == LOOP_HANDLE_IDLE) {
			deadline[i] = now + (uint64_t)(rand() % 50);
			ready_add_timer(&r, &h[i], deadline[i]);
		} else if (op == 2 && h[i].state != LOOP_HANDLE_IDLE) {
			if (h[i].state == LOOP_HANDLE_READY) {
				unsigned k = 0;
				while (model[k] != i)
					k++;
				for (; k + 1 < mn; k++)
					model[k] = model[k + 1];
				mn--;
			}
			ready_remove(&r, &h[i]);
		} else if (op == 3) {
			now += (uint64_t)(rand() % 20);
			/* Due timers join the model, earliest first. */
			for (;;) {
				unsigned best = N;
				for (unsigned k = 0; k < N; k++)
					if (h[k].state == LOOP_HANDLE_TIMER && deadline[k] <= now &&
					    (best == N || deadline[k] < deadline[best]))
						best = k;
				if (best == N)
					break;
				ready_remove(&r, &h[best]);	/* the model picks among equals */
				ready_push(&r, &h[best]);
				model[mn++] = best;
			}
			ready_tick_begin(&r, now);
			unsigned taken = 0, snapshot = mn;
			struct loop_handle *x;
			while ((x = ready_tick_next(&r))) {
				assert_ptr_equal(x, &h[model[taken]]);
				taken++;
				if (rand() % 4 == 0 && h[model[taken - 1]].state == LOOP_HANDLE_IDLE) {
					ready_push(&r, x);	/* re-armed: next tick */
					model[mn++] = model[taken - 1];
				}
			}
			assert_int_equal(taken, snapshot);
			for (unsigned k = 0; k + taken < mn; k++)
				model[k] = model[k + taken];
			mn -= taken;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tick_is_a_snapshot),
		cmocka_unit_test(cancelled_handles_leave_the_tick),
		cmocka_unit_test(timers_move_when_due_in_order),
		cmocka_unit_test(random_run_matches_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
