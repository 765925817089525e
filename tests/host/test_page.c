/*
 * The page allocator over a host buffer: contiguous runs, exact free
 * counts, reuse of freed holes, exhaustion as NULL, and a random run checked
 * against a model for overlap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include "../../kernel/page.c"
#include <stdlib.h>

enum { AREA_PAGES = 300 };
static uint8_t *area;

static int setup(void **state)
{
	area = aligned_alloc(PAGE_SIZE, AREA_PAGES * PAGE_SIZE);
	page_init((uintptr_t)area, AREA_PAGES * PAGE_SIZE);
	return 0;
}

static int teardown(void **state)
{
	free(area);
	return 0;
}

static void bitmap_takes_the_first_page(void **state)
{
	assert_int_equal(page_total_count(), AREA_PAGES - 1);
	assert_int_equal(page_free_count(), AREA_PAGES - 1);
	uint8_t *p = page_alloc(1);
	assert_ptr_equal(p, area + PAGE_SIZE);
	page_free(p, 1);
}

static void runs_are_contiguous_and_counted(void **state)
{
	uint8_t *a = page_alloc(10), *b = page_alloc(5);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(b >= a + 10 * PAGE_SIZE || b + 5 * PAGE_SIZE <= a);
	assert_int_equal(page_free_count(), AREA_PAGES - 1 - 15);
	memset(a, 1, 10 * PAGE_SIZE);	/* ASan: the run is really ours */
	page_free(a, 10);
	page_free(b, 5);
	assert_int_equal(page_free_count(), AREA_PAGES - 1);
}

static void a_freed_hole_is_reused(void **state)
{
	/* Fill everything with 3-page runs, free one in the middle, ask for
	 * 3 pages: the hole is the only place it fits. */
	uint8_t *runs[100];
	int n = 0;
	while ((runs[n] = page_alloc(3)))
		n++;
	assert_int_equal(n, (AREA_PAGES - 1) / 3);
	assert_null(page_alloc(3));
	page_free(runs[n / 2], 3);
	assert_ptr_equal(page_alloc(3), runs[n / 2]);
	for (int i = 0; i < n; i++)
		page_free(runs[i], 3);
	assert_int_equal(page_free_count(), AREA_PAGES - 1);
}

static void exhaustion_and_bad_sizes(void **state)
{
	size_t before = page_free_count();
	assert_null(page_alloc(0));
	assert_null(page_alloc(AREA_PAGES));
	assert_int_equal(page_free_count(), before);
}

/* Random allocations and frees; the model checks no two live runs overlap. */
static void random_runs_never_overlap(void **state)
{
	enum { SLOTS = 40 };
	uint8_t *p[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	size_t before = page_free_count();
	srand(3);
	for (int step = 0; step < 20000; step++) {
		int i = rand() % SLOTS;
		if (p[i]) {
			page_free(p[i], len[i]);
			p[i] = NULL;
			continue;
		}
		len[i] = 1 + (size_t)(rand() % 12);
		p[i] = page_alloc(len[i]);
		if (!p[i])
			continue;
		for (int j = 0; j < SLOTS; j++)
			if (j != i && p[j])
				assert_true(p[i] + len[i] * PAGE_SIZE <= p[j] ||
					    p[j] + len[j] * PAGE_SIZE <= p[i]);
	}
	for (int i = 0; i < SLOTS; i++)
		if (p[i])
			page_free(p[i], len[i]);
	assert_int_equal(page_free_count(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bitmap_takes_the_first_page),
		cmocka_unit_test(runs_are_contiguous_and_counted),
		cmocka_unit_test(a_freed_hole_is_reused),
		cmocka_unit_test(exhaustion_and_bad_sizes),
		cmocka_unit_test(random_runs_never_overlap),
	};
	return cmocka_run_group_tests_name("page", tests, setup, teardown);
}
