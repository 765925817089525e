/*
 * The big lock's hand-off state machine (runtime/gil/gil_policy.c): who
 * gets the lock next, when a drop request is due, that a request goes out
 * once, that a thread that dropped queues behind the others, and the
 * histogram buckets. Pure logic: times are made up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <gil/policy.h>

#define IV 5000000ull	/* a 5 ms switch interval */

static void free_lock_has_no_next(void **state)
{
	struct gil_policy p;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 100);
	assert_null(gil_policy_next(&p, 200));
	assert_int_equal(gil_policy_drop_due(&p), 0);
	assert_false(gil_policy_request(&p, 1ull << 40));
}

static void longest_cpu_waiter_first(void **state)
{
	struct gil_policy p;
	struct gil_waiter a, b, c;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);
	gil_policy_wait(&p, &a, 10, false);
	gil_policy_wait(&p, &b, 20, false);
	gil_policy_wait(&p, &c, 30, false);
	assert_ptr_equal(gil_policy_next(&p, 100), &a);
	assert_ptr_equal(gil_policy_next(&p, 200), &b);
	assert_ptr_equal(gil_policy_next(&p, 300), &c);
	assert_null(gil_policy_next(&p, 400));
	assert_int_equal(p.waiting, 0);
}

static void io_returner_ahead_of_cpu_bound(void **state)
{
	struct gil_policy p;
	struct gil_waiter cpu, io1, io2;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);
	gil_policy_wait(&p, &cpu, 10, false);
	gil_policy_wait(&p, &io1, 20, true);
	gil_policy_wait(&p, &io2, 30, true);
	assert_ptr_equal(gil_policy_next(&p, 100), &io1);
	assert_ptr_equal(gil_policy_next(&p, 200), &io2);
	assert_ptr_equal(gil_policy_next(&p, 300), &cpu);
}

static void cpu_waiter_asks_after_a_full_interval(void **state)
{
	struct gil_policy p;
	struct gil_waiter w;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 1000);
	gil_policy_wait(&p, &w, 2000, false);
	/* counted from its arrival, the later of the two */
	assert_int_equal(gil_policy_drop_due(&p), 2000 + IV);
	assert_false(gil_policy_request(&p, 2000 + IV - 1));
	assert_true(gil_policy_request(&p, 2000 + IV));
	/* once: the request is out */
	assert_int_equal(gil_policy_drop_due(&p), 0);
	assert_false(gil_policy_request(&p, 2000 + 2 * IV));
}

static void new_holder_gets_a_full_interval(void **state)
{
	struct gil_policy p;
	struct gil_waiter a, b;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);
	gil_policy_wait(&p, &a, 10, false);
	gil_policy_wait(&p, &b, 20, false);
	assert_true(gil_policy_request(&p, IV + 10));
	/* a takes over at IV + 50: b, waiting since 20, asks a full interval
	 * after a's acquisition, not at once */
	assert_ptr_equal(gil_policy_next(&p, IV + 50), &a);
	assert_int_equal(p.requested_at, 0);
	assert_int_equal(gil_policy_drop_due(&p), IV + 50 + IV);
}

static void io_returner_asks_at_once(void **state)
{
	struct gil_policy p;
	struct gil_waiter cpu, io;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);
	gil_policy_wait(&p, &cpu, 10, false);
	gil_policy_wait(&p, &io, 500, true);
	assert_int_equal(gil_policy_drop_due(&p), 500);
	assert_true(gil_policy_request(&p, 500));
}

static void dropped_holder_queues_behind(void **state)
{
	/* Holder H is asked to drop; it hands off and waits again: everyone
	 * who waited gets the lock before H (no re-grab convoy). */
	struct gil_policy p;
	struct gil_waiter a, b, h;
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);
	gil_policy_wait(&p, &a, 10, false);
	gil_policy_wait(&p, &b, 20, false);
	assert_true(gil_policy_request(&p, IV + 10));
	assert_ptr_equal(gil_policy_next(&p, IV + 30), &a);
	gil_policy_wait(&p, &h, IV + 30, false);
	assert_ptr_equal(gil_policy_next(&p, 2 * IV + 40), &b);
	assert_ptr_equal(gil_policy_next(&p, 3 * IV + 50), &h);
}

static void round_robin_among_cpu_bound(void **state)
{
	/* Three CPU-bound threads that each re-queue after a forced drop are
	 * served in turn. */
	struct gil_policy p;
	struct gil_waiter w[3];
	gil_policy_init(&p, IV);
	gil_policy_taken(&p, 0);	/* w[0] holds */
	gil_policy_wait(&p, &w[1], 0, false);
	gil_policy_wait(&p, &w[2], 0, false);
	struct gil_waiter *holder = &w[0];
	uint64_t now = 0;
	for (int turn = 1; turn <= 9; turn++) {
		now = gil_policy_drop_due(&p);
		assert_true(gil_policy_request(&p, now));
		struct gil_waiter *next = gil_policy_next(&p, now);
		assert_ptr_equal(next, &w[turn % 3]);
		gil_policy_wait(&p, holder, now, false);
		holder = next;
	}
	assert_int_equal(now, 9 * IV);
}

static void histogram_buckets(void **state)
{
	assert_int_equal(gil_hist_bucket(0), 0);
	assert_int_equal(gil_hist_bucket(999), 0);
	assert_int_equal(gil_hist_bucket(1000), 1);
	assert_int_equal(gil_hist_bucket(1999), 1);
	assert_int_equal(gil_hist_bucket(2000), 2);
	assert_int_equal(gil_hist_bucket(5000000), 13);	/* 5 ms: [4096, 8192) us */
	assert_int_equal(gil_hist_bucket(~0ull), GIL_HIST_BUCKETS - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_lock_has_no_next),
		cmocka_unit_test(longest_cpu_waiter_first),
		cmocka_unit_test(io_returner_ahead_of_cpu_bound),
		cmocka_unit_test(cpu_waiter_asks_after_a_full_interval),
		cmocka_unit_test(new_holder_gets_a_full_interval),
		cmocka_unit_test(io_returner_asks_at_once),
		cmocka_unit_test(dropped_holder_queues_behind),
		cmocka_unit_test(round_robin_among_cpu_bound),
		cmocka_unit_test(histogram_buckets),
	};
	return cmocka_run_group_tests_name("gil policy", tests, NULL, NULL);
}
