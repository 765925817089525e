/*
 * A coroutine worker's run queue (runtime/coro/runq.h): FIFO for its own
 * worker, and a thief takes the longest-waiting coroutine that is not
 * pinned, leaving pinned ones in place and in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include "runq.h"

/* runq.h's header pulls in the coroutine ops; nothing here calls them. */
const struct exec_ctx_ops coro_ctx_ops;

static struct coro c[6];
static struct coro_runq q;

static int setup(void **state)
{
	coro_runq_init(&q);
	for (int i = 0; i < 6; i++) {
		c[i] = (struct coro){ .flags = 0 };
		list_init(&c[i].node);
	}
	return 0;
}

static void own_worker_takes_in_fifo_order(void **state)
{
	for (int i = 0; i < 6; i++)
		coro_runq_push(&q, &c[i]);
	assert_int_equal(q.count, 6);
	for (int i = 0; i < 6; i++)
		assert_ptr_equal(coro_runq_take(&q, false), &c[i]);
	assert_null(coro_runq_take(&q, false));
	assert_int_equal(q.count, 0);
}

static void own_worker_takes_pinned_ones_too(void **state)
{
	c[0].flags = CF_PINNED;
	coro_runq_push(&q, &c[0]);
	assert_ptr_equal(coro_runq_take(&q, false), &c[0]);
}

static void thief_skips_pinned_and_leaves_them_in_order(void **state)
{
	c[0].flags = CF_PINNED;
	c[1].flags = CF_PINNED;
	c[3].flags = CF_PINNED;
	for (int i = 0; i < 5; i++)
		coro_runq_push(&q, &c[i]);
	assert_ptr_equal(coro_runq_take(&q, true), &c[2]);
	assert_ptr_equal(coro_runq_take(&q, true), &c[4]);
	assert_null(coro_runq_take(&q, true));	/* only pinned ones left */
	assert_int_equal(q.count, 3);
	assert_ptr_equal(coro_runq_take(&q, false), &c[0]);
	assert_ptr_equal(coro_runq_take(&q, false), &c[1]);
	assert_ptr_equal(coro_runq_take(&q, false), &c[3]);
}

static void a_requeued_coroutine_goes_to_the_back(void **state)
{
	coro_runq_push(&q, &c[0]);
	coro_runq_push(&q, &c[1]);
	struct coro *first = coro_runq_take(&q, false);
	coro_runq_push(&q, first);	/* a yield */
	assert_ptr_equal(coro_runq_take(&q, false), &c[1]);
	assert_ptr_equal(coro_runq_take(&q, false), &c[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(own_worker_takes_in_fifo_order, setup),
		cmocka_unit_test_setup(own_worker_takes_pinned_ones_too, setup),
		cmocka_unit_test_setup(thief_skips_pinned_and_leaves_them_in_order, setup),
		cmocka_unit_test_setup(a_requeued_coroutine_goes_to_the_back, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
