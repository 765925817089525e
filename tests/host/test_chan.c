/*
 * The channel state machine (runtime/coro/chan_core.c): buffering in order,
 * hand-over to waiting receivers and senders, the room a receive makes
 * going to the longest-waiting sender, selects claimed exactly once (a
 * waiter whose select fired elsewhere is skipped), and close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include "chan_core.h"
#include <errno.h>

/* --- fake: chan.c's chan_notify() records who was told ------------------- */
static struct chan_select *told[16];
static int ntold;
void chan_notify(struct chan_select *sel) { told[ntold++] = sel; }

static struct chan_core ch;
static int buf[4];

static int setup(void **state)
{
	ntold = 0;
	chan_core_init(&ch, sizeof(int), 4, (uint8_t *)buf);
	return 0;
}

static void waiter_init(struct chan_waiter *w, struct chan_select *sel, unsigned index, int *value)
{
	*sel = (struct chan_select){ .fired = -1 };
	*w = (struct chan_waiter){ .sel = sel, .index = index, .value = value };
	list_init(&w->node);
}

static void buffer_keeps_order_and_fills_up(void **state)
{
	for (int i = 1; i <= 4; i++)
		assert_int_equal(chan_core_send(&ch, &i), 0);
	int v = 5;
	assert_int_equal(chan_core_send(&ch, &v), -EAGAIN);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(chan_core_recv(&ch, &v), 0);
		assert_int_equal(v, i);
	}
	assert_int_equal(chan_core_recv(&ch, &v), -EAGAIN);
	/* Wrap around the ring. */
	for (int round = 0; round < 10; round++) {
		int in = round, out = -1;
		assert_int_equal(chan_core_send(&ch, &in), 0);
		assert_int_equal(chan_core_recv(&ch, &out), 0);
		assert_int_equal(out, round);
	}
}

static void send_hands_straight_to_a_waiting_receiver(void **state)
{
	struct chan_core unbuffered;
	chan_core_init(&unbuffered, sizeof(int), 0, NULL);
	struct chan_select sel;
	struct chan_waiter w;
	int got = 0, v = 42;
	assert_int_equal(chan_core_send(&unbuffered, &v), -EAGAIN);	/* nobody there */
	waiter_init(&w, &sel, 3, &got);
	chan_core_wait(&unbuffered, &w, false);
	assert_int_equal(chan_core_send(&unbuffered, &v), 0);
	assert_int_equal(got, 42);
	assert_int_equal(sel.fired, 3);
	assert_int_equal(sel.status, 0);
	assert_int_equal(ntold, 1);
	assert_ptr_equal(told[0], &sel);
	assert_false(list_linked(&w.node));
}

static void receive_makes_room_for_the_longest_waiting_sender(void **state)
{
	for (int i = 1; i <= 4; i++)
		chan_core_send(&ch, &i);
	struct chan_select s1, s2;
	struct chan_waiter w1, w2;
	int v1 = 5, v2 = 6, out;
	waiter_init(&w1, &s1, 0, &v1);
	waiter_init(&w2, &s2, 0, &v2);
	chan_core_wait(&ch, &w1, true);
	chan_core_wait(&ch, &w2, true);
	assert_int_equal(chan_core_recv(&ch, &out), 0);
	assert_int_equal(out, 1);
	assert_int_equal(s1.fired, 0);	/* the first sender's value went in */
	assert_int_equal(s2.fired, -1);
	for (int want = 2; want <= 5; want++) {
		assert_int_equal(chan_core_recv(&ch, &out), 0);
		assert_int_equal(out, want);
	}
	assert_int_equal(s2.fired, 0);	/* then the second's */
	assert_int_equal(chan_core_recv(&ch, &out), 0);
	assert_int_equal(out, 6);
}

static void a_select_that_fired_elsewhere_is_skipped(void **state)
{
	struct chan_core a, b;
	chan_core_init(&a, sizeof(int), 0, NULL);
	chan_core_init(&b, sizeof(int), 0, NULL);
	/* One select waits to receive on both a and b; a second receiver
	 * waits on b alone, behind it. */
	struct chan_select sel, other;
	struct chan_waiter on_a, on_b, plain;
	int got = 0, got_plain = 0, v = 7, w = 8;
	waiter_init(&on_a, &sel, 0, &got);
	on_b = (struct chan_waiter){ .sel = &sel, .index = 1, .value = &got };
	list_init(&on_b.node);
	waiter_init(&plain, &other, 0, &got_plain);
	chan_core_wait(&a, &on_a, false);
	chan_core_wait(&b, &on_b, false);
	chan_core_wait(&b, &plain, false);
	assert_int_equal(chan_core_send(&a, &v), 0);	/* the select fires on a */
	assert_int_equal(sel.fired, 0);
	assert_int_equal(got, 7);
	assert_int_equal(chan_core_send(&b, &w), 0);	/* skips its stale waiter */
	assert_int_equal(got, 7);
	assert_int_equal(got_plain, 8);
	assert_int_equal(other.fired, 0);
	assert_int_equal(ntold, 2);
}

static void close_completes_every_waiter_and_drains(void **state)
{
	int one = 1;
	chan_core_send(&ch, &one);
	struct chan_core empty;
	chan_core_init(&empty, sizeof(int), 0, NULL);
	struct chan_select r, s;
	struct chan_waiter wr, ws;
	int got = 0, v = 9;
	waiter_init(&wr, &r, 0, &got);
	waiter_init(&ws, &s, 0, &v);
	chan_core_wait(&empty, &wr, false);
	chan_core_wait(&empty, &ws, true);
	assert_int_equal(chan_core_close(&empty), 0);
	assert_int_equal(r.status, -EPIPE);
	assert_int_equal(s.status, -EPIPE);
	assert_int_equal(ntold, 2);
	assert_int_equal(chan_core_close(&empty), -EPIPE);
	assert_int_equal(chan_core_send(&empty, &v), -EPIPE);
	assert_int_equal(chan_core_recv(&empty, &got), -EPIPE);
	/* A buffered channel still delivers what it holds once closed. */
	assert_int_equal(chan_core_close(&ch), 0);
	assert_int_equal(chan_core_recv(&ch, &got), 0);
	assert_int_equal(got, 1);
	assert_int_equal(chan_core_recv(&ch, &got), -EPIPE);
}

static void unwait_takes_a_waiter_back_once(void **state)
{
	struct chan_select sel;
	struct chan_waiter w;
	int got;
	waiter_init(&w, &sel, 0, &got);
	chan_core_wait(&ch, &w, false);
	chan_core_unwait(&w);
	chan_core_unwait(&w);	/* harmless the second time */
	int v = 3;
	assert_int_equal(chan_core_send(&ch, &v), 0);	/* buffered: nobody waits */
	assert_int_equal(sel.fired, -1);
	assert_int_equal(ntold, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(buffer_keeps_order_and_fills_up, setup),
		cmocka_unit_test_setup(send_hands_straight_to_a_waiting_receiver, setup),
		cmocka_unit_test_setup(receive_makes_room_for_the_longest_waiting_sender, setup),
		cmocka_unit_test_setup(a_select_that_fired_elsewhere_is_skipped, setup),
		cmocka_unit_test_setup(close_completes_every_waiter_and_drains, setup),
		cmocka_unit_test_setup(unwait_takes_a_waiter_back_once, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
