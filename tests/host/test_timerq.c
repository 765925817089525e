/*
 * The timer queue: earliest deadline first, removal of any entry, expiry
 * up to `now`, and a long random run against a sorted model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <kernel/timerq.h>
#include <stdlib.h>

static void empty_queue(void **state)
{
	struct timerq q;
	timerq_init(&q);
	assert_null(timerq_peek(&q));
	assert_null(timerq_pop_expired(&q, UINT64_MAX));
	struct timerq_entry e = { .deadline = 5 };
	assert_false(timerq_remove(&q, &e));
}

static void expires_in_deadline_order_up_to_now(void **state)
{
	struct timerq q;
	struct timerq_entry e[5] = { { .deadline = 50 }, { .deadline = 10 }, { .deadline = 40 },
				     { .deadline = 10 }, { .deadline = 30 } };
	timerq_init(&q);
	for (int i = 0; i < 5; i++)
		timerq_add(&q, &e[i]);
	assert_int_equal(q.count, 5);
	assert_int_equal(timerq_peek(&q)->deadline, 10);
	assert_null(timerq_pop_expired(&q, 9));
	assert_int_equal(timerq_pop_expired(&q, 30)->deadline, 10);
	assert_int_equal(timerq_pop_expired(&q, 30)->deadline, 10);
	assert_int_equal(timerq_pop_expired(&q, 30)->deadline, 30);
	assert_null(timerq_pop_expired(&q, 30));
	assert_true(timerq_remove(&q, &e[0]));
	assert_false(timerq_remove(&q, &e[0]));
	assert_int_equal(timerq_pop_expired(&q, 100)->deadline, 40);
	assert_null(timerq_peek(&q));
	assert_int_equal(q.count, 0);
}

/* Random adds, removals of arbitrary entries and expiries against a model:
 * every popped deadline is the minimum of what the model holds. */
static void random_operations_match_model(void **state)
{
	enum { N = 500 };
	struct timerq_entry e[N] = { 0 };
	bool in[N] = { false };
	struct timerq q;
	timerq_init(&q);
	srand(11);
	unsigned live = 0;
	for (int step = 0; step < 100000; step++) {
		int i = rand() % N, op = rand() % 4;
		if (op <= 1 && !in[i]) {
			e[i].deadline = (uint64_t)(rand() % 1000);
			timerq_add(&q, &e[i]);
			in[i] = true;
			live++;
		} else if (op == 2) {
			assert_int_equal(timerq_remove(&q, &e[i]), in[i]);
			live -= in[i];
			in[i] = false;
		} else {
			uint64_t now = (uint64_t)(rand() % 1000), min = UINT64_MAX;
			for (int j = 0; j < N; j++)
				if (in[j] && e[j].deadline < min)
					min = e[j].deadline;
			struct timerq_entry *got = timerq_pop_expired(&q, now);
			if (min > now) {
				assert_null(got);
			} else {
				assert_non_null(got);
				assert_int_equal(got->deadline, min);
				in[got - e] = false;
				live--;
			}
		}
		assert_int_equal(q.count, live);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_queue),
		cmocka_unit_test(expires_in_deadline_order_up_to_now),
		cmocka_unit_test(random_operations_match_model),
	};
	return cmocka_run_group_tests_name("timerq", tests, NULL, NULL);
}
