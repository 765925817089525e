/*
 * Page allocator: one bit per page, first fit from a rotating hint so
 * repeated allocate/free cycles do not rescan the same used prefix.
 */
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <string.h>

static uint64_t *bitmap;	/* bit set: page in use */
static uintptr_t first_page;	/* address of page 0 */
static size_t npages, nfree, hint;
static struct spinlock page_lock = SPINLOCK_INIT("pages");

static bool used(size_t i) { return bitmap[i / 64] >> (i % 64) & 1; }
static void set(size_t i) { bitmap[i / 64] |= 1ull << (i % 64); }
static void clear(size_t i) { bitmap[i / 64] &= ~(1ull << (i % 64)); }

void page_init(uintptr_t base, size_t size)
{
	size_t total = size / PAGE_SIZE;
	/* The bitmap covers every page and sits in the first ones. */
	size_t map_bytes = (total + 63) / 64 * 8;
	size_t map_pages = (map_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	if (total <= map_pages) {
		npages = nfree = 0;
		return;
	}
	bitmap = (uint64_t *)base;
	memset(bitmap, 0, map_bytes);
	first_page = base + map_pages * PAGE_SIZE;
	npages = nfree = total - map_pages;
	hint = 0;
	/* Bits past the last page stay "used" so no run can reach them. */
	for (size_t i = npages; i < map_bytes * 8; i++)
		set(i);
}

/* Length of the free run starting at i, up to want. */
static size_t free_run(size_t i, size_t want)
{
	size_t n = 0;
	while (n < want && i + n < npages && !used(i + n))
		n++;
	return n;
}

void *page_alloc(size_t count)
{
	if (count == 0)
		return NULL;
	spin_lock(&page_lock);
	void *result = NULL;
	if (count <= nfree) {
		/* Two passes: from the hint to the end, then from the start. */
		for (int pass = 0; pass < 2 && !result; pass++) {
			size_t i = pass ? 0 : hint, end = pass ? hint : npages;
			while (i + count <= npages && i < end) {
				if (used(i)) {
					/* Skip whole used words quickly. */
					if (i % 64 == 0 && bitmap[i / 64] == ~0ull)
						i += 64;
					else
						i++;
					continue;
				}
				size_t run = free_run(i, count);
				if (run == count) {
					for (size_t j = 0; j < count; j++)
						set(i + j);
					nfree -= count;
					hint = i + count;
					result = (void *)(first_page + i * PAGE_SIZE);
					break;
				}
				i += run;
			}
		}
	}
	spin_unlock(&page_lock);
	return result;
}

void page_free(void *p, size_t count)
{
	uintptr_t a = (uintptr_t)p;
	size_t i = (a - first_page) / PAGE_SIZE;
	if (a < first_page || a % PAGE_SIZE || i + count > npages)
		panic("page_free: %p (%zu pages) is not from the page allocator", p, count);
	spin_lock(&page_lock);
	for (size_t j = 0; j < count; j++) {
		if (!used(i + j))
			panic("page_free: page %p freed twice", (void *)(a + j * PAGE_SIZE));
		clear(i + j);
	}
	nfree += count;
	spin_unlock(&page_lock);
}

size_t page_free_count(void) { return __atomic_load_n(&nfree, __ATOMIC_RELAXED); }
size_t page_total_count(void) { return npages; }
