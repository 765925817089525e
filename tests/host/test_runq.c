/*
 * The run-queue bitmap: highest level first, FIFO within a level, the bitmap
 * always matching the lists, filtered pops for affinity-aware stealing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <kernel/runq.h>
#include <stdlib.h>

struct item {
	struct list_node node;
	int id;
	unsigned prio;
	bool stealable;
};

static struct item *item_of(struct list_node *n) { return list_entry(n, struct item, node); }

static void bitmap_matches_lists(const struct runq *q)
{
	unsigned count = 0;
	for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
		bool has = !list_empty(&q->level[p]);
		assert_int_equal(has, (q->bitmap >> p) & 1);
		struct list_node *n;
		list_for_each(n, &q->level[p]) count++;
	}
	assert_int_equal(count, q->count);
}

static void empty_queue(void **state)
{
	struct runq q;
	runq_init(&q);
	assert_int_equal(runq_top(&q), -1);
	assert_null(runq_pop(&q));
	bitmap_matches_lists(&q);
}

static void highest_first_fifo_within_level(void **state)
{
	struct runq q;
	struct item it[6] = { { .id = 0, .prio = 3 },  { .id = 1, .prio = 31 }, { .id = 2, .prio = 3 },
			      { .id = 3, .prio = 0 },  { .id = 4, .prio = 31 }, { .id = 5, .prio = 16 } };
	runq_init(&q);
	for (int i = 0; i < 6; i++)
		runq_push_back(&q, &it[i].node, it[i].prio);
	bitmap_matches_lists(&q);
	assert_int_equal(runq_top(&q), 31);
	int want[] = { 1, 4, 5, 0, 2, 3 };
	for (int i = 0; i < 6; i++) {
		struct list_node *n = runq_pop(&q);
		assert_non_null(n);
		assert_int_equal(item_of(n)->id, want[i]);
		bitmap_matches_lists(&q);
	}
	assert_null(runq_pop(&q));
}

static void push_front_keeps_its_turn(void **state)
{
	struct runq q;
	struct item a = { .id = 1 }, b = { .id = 2 };
	runq_init(&q);
	runq_push_back(&q, &a.node, 7);
	runq_push_front(&q, &b.node, 7);
	assert_int_equal(item_of(runq_pop(&q))->id, 2);
	assert_int_equal(item_of(runq_pop(&q))->id, 1);
}

static bool is_stealable(struct list_node *n, void *ctx)
{
	(*(int *)ctx)++;
	return item_of(n)->stealable;
}

static void pop_if_skips_refused_entries(void **state)
{
	struct runq q;
	struct item it[4] = { { .id = 0, .prio = 20, .stealable = false },
			      { .id = 1, .prio = 20, .stealable = false },
			      { .id = 2, .prio = 10, .stealable = true },
			      { .id = 3, .prio = 5, .stealable = true } };
	runq_init(&q);
	for (int i = 0; i < 4; i++)
		runq_push_back(&q, &it[i].node, it[i].prio);
	int asked = 0, prio = -1;
	struct list_node *n = runq_pop_if(&q, &prio, is_stealable, &asked);
	assert_int_equal(item_of(n)->id, 2);
	assert_int_equal(prio, 10);
	assert_int_equal(asked, 3);
	bitmap_matches_lists(&q);
	assert_int_equal(runq_top(&q), 20);
	n = runq_pop_if(&q, &prio, is_stealable, &asked);
	assert_int_equal(item_of(n)->id, 3);
	assert_null(runq_pop_if(&q, &prio, is_stealable, &asked));
	assert_int_equal(q.count, 2);
}

/* Random pushes, pops and removals against a simple model. */
static void random_operations_match_model(void **state)
{
	enum { N = 200 };
	struct item it[N];
	bool queued[N] = { false };
	unsigned order[N];	/* push sequence number, for FIFO checking */
	unsigned seq = 0;
	struct runq q;
	runq_init(&q);
	srand(7);
	for (int i = 0; i < N; i++)
		it[i] = (struct item){ .id = i, .prio = (unsigned)(rand() % RUNQ_LEVELS) };
	for (int step = 0; step < 20000; step++) {
		int i = rand() % N, op = rand() % 3;
		if (op == 0 && !queued[i]) {
			runq_push_back(&q, &it[i].node, it[i].prio);
			queued[i] = true;
			order[i] = seq++;
		} else if (op == 1 && queued[i]) {
			runq_remove(&q, &it[i].node, it[i].prio);
			queued[i] = false;
		} else if (op == 2) {
			/* Model: highest prio, then lowest sequence number. */
			int best = -1;
			for (int j = 0; j < N; j++)
				if (queued[j] && (best < 0 || it[j].prio > it[best].prio ||
						  (it[j].prio == it[best].prio && order[j] < order[best])))
					best = j;
			struct list_node *n = runq_pop(&q);
			if (best < 0) {
				assert_null(n);
			} else {
				assert_int_equal(item_of(n)->id, best);
				queued[best] = false;
			}
		}
		if (step % 97 == 0)
			bitmap_matches_lists(&q);
	}
	bitmap_matches_lists(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_queue),
		cmocka_unit_test(highest_first_fifo_within_level),
		cmocka_unit_test(push_front_keeps_its_turn),
		cmocka_unit_test(pop_if_skips_refused_entries),
		cmocka_unit_test(random_operations_match_model),
	};
	return cmocka_run_group_tests_name("runq", tests, NULL, NULL);
}
