/*
 * The memory map and the heap: placement around reservations, alignment,
 * sbrk bounds. Includes kernel/mem.c so each test can start from an empty map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include "../../kernel/mem.c"

/* The page allocator would write its bitmap at these made-up physical
 * addresses; record what it was given instead (test_page tests it). */
static uintptr_t pages_base;
static size_t pages_size;
void page_init(uintptr_t base, size_t size)
{
	pages_base = base;
	pages_size = size;
}
#include <string.h>

/* The heap gets a quarter of the free range (at least HEAP_MIN, or half of
 * a range smaller than that); the page allocator starts where it ends. */
static uint64_t heap_share(uint64_t free)
{
	uint64_t h = align_down(free / 4, HEAP_ALIGN);
	if (h < HEAP_MIN)
		h = align_down(free / 2 < HEAP_MIN ? free / 2 : HEAP_MIN, HEAP_ALIGN);
	return h;
}

static void expect_split(uintptr_t start, uintptr_t end)
{
	assert_int_equal(heap_start, start);
	assert_int_equal(heap_end, start + heap_share(end - start));
	assert_int_equal(mem_heap_free(), heap_end - heap_start);
	assert_int_equal(pages_base, heap_end);		/* pages get the rest */
	assert_int_equal(pages_size, end - heap_end);
}

static int reset(void **state)
{
	nram = nreserved = dropped = 0;
	heap_start = heap_brk = heap_end = 0;
	fake_log_take();
	return 0;
}

static void heap_takes_largest_gap_between_reservations(void **state)
{
	mem_add_range(0x40000000, 0x20000000);		/* 512 MiB */
	mem_reserve(0x40080000, 0x100000);		/* the image */
	mem_reserve(0x48000000, 0x10000);		/* a device tree */
	mem_init();
	expect_split(0x48010000, 0x60000000);
	assert_int_equal(mem_total(), 0x20000000);
}

static void gaps_are_page_aligned(void **state)
{
	mem_add_range(0x1000, 0x100000);
	mem_reserve(0x1000, 0x1234);		/* ends mid-page */
	mem_reserve(0x80000, 0x81001);		/* runs past the range's end */
	mem_init();
	expect_split(0x3000, 0x80000);
}

static void overlapping_reservations_and_several_ranges(void **state)
{
	mem_add_range(0x100000, 0x80000);		/* smaller than what is left below */
	mem_add_range(0x1000000, 0x400000);
	mem_reserve(0x1000000, 0x200000);
	mem_reserve(0x1100000, 0x200000);	/* overlaps the first */
	mem_init();
	expect_split(0x1300000, 0x1400000);
}

static void no_free_memory_means_no_heap(void **state)
{
	mem_add_range(0x1000, 0x1000);
	mem_reserve(0x0, 0x10000);
	mem_init();
	assert_int_equal(mem_heap_free(), 0);
	assert_null(mem_sbrk(16));
	assert_non_null(strstr(fake_log_take(), "no free RAM"));
}

static void sbrk_grows_shrinks_and_refuses_overrun(void **state)
{
	mem_add_range(0x10000, 0x20000);
	mem_init();
	assert_int_equal(heap_end, 0x20000);		/* half of a small range */
	assert_int_equal((uintptr_t)mem_sbrk(0x1000), 0x10000);
	assert_int_equal((uintptr_t)mem_sbrk(0), 0x11000);
	assert_null(mem_sbrk(0x10000));			/* a page too far */
	assert_int_equal((uintptr_t)mem_sbrk(0), 0x11000);	/* unchanged */
	assert_int_equal((uintptr_t)mem_sbrk(0xf000), 0x11000);
	assert_int_equal(mem_heap_free(), 0);
	assert_int_equal((uintptr_t)mem_sbrk(-0x2000), 0x20000);
	assert_null(mem_sbrk(-0x20000));			/* below the start */
	assert_int_equal(mem_heap_free(), 0x2000);
}

static void is_ram_checks_whole_span(void **state)
{
	mem_add_range(0x40000000, 0x1000);
	assert_true(mem_is_ram(0x40000000, 0x1000));
	assert_true(mem_is_ram(0x40000ff0, 16));
	assert_false(mem_is_ram(0x40000ff0, 17));
	assert_false(mem_is_ram(0x3ffffff0, 16));
	assert_false(mem_is_ram(UINTPTR_MAX - 4, 16));	/* wraps around */
}

static void too_many_ranges_are_counted_and_reported(void **state)
{
	for (int i = 0; i < MEM_RANGES_MAX + 3; i++)
		mem_add_range(0x100000 * (uintptr_t)(i + 1), 0x1000);
	mem_init();
	assert_int_equal(dropped, 3);
	assert_non_null(strstr(fake_log_take(), "3 memory map entries"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(heap_takes_largest_gap_between_reservations, reset),
		cmocka_unit_test_setup(gaps_are_page_aligned, reset),
		cmocka_unit_test_setup(overlapping_reservations_and_several_ranges, reset),
		cmocka_unit_test_setup(no_free_memory_means_no_heap, reset),
		cmocka_unit_test_setup(sbrk_grows_shrinks_and_refuses_overrun, reset),
		cmocka_unit_test_setup(is_ram_checks_whole_span, reset),
		cmocka_unit_test_setup(too_many_ranges_are_counted_and_reported, reset),
	};
	return cmocka_run_group_tests_name("mem", tests, NULL, NULL);
}
