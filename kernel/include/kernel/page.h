/*
 * The page allocator: runs of contiguous 4 KiB pages, for thread stacks and
 * anything else that needs page granularity (guard pages, page tables).
 * Any context except interrupt handlers.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096u

/* Boot CPU, from mem_init(): manage [base, base+size), page-aligned. The
 * bitmap is kept at the start of the range. */
void page_init(uintptr_t base, size_t size);
/* npages contiguous pages, or NULL when no run that long is free. */
void *page_alloc(size_t npages);
/* Return a run from page_alloc(); freeing pages that are not allocated
 * panics. */
void page_free(void *p, size_t npages);
/* Pages free now, and in all. */
size_t page_free_count(void);
size_t page_total_count(void);
