/*
 * The arch contract, part 6: the MMU.
 *
 * After arch_early_init() every RAM range is identity-mapped write-back
 * cacheable and every device range uncached. The kernel image is mapped W^X:
 * text read+execute, read-only data read-only, data and bss read+write and
 * never executable. arch_mmu_protect() changes the access of page-aligned
 * RAM ranges later, at 4 KiB granularity (thread stacks use MMU_NONE for
 * their guard page).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MMU_PAGE_SIZE 4096u

enum mmu_prot {
	MMU_NONE = 0,		/* unmapped: any access faults */
	MMU_READ = 1,
	MMU_WRITE = 2,
	MMU_EXEC = 4,
};

/* Any CPU, after arch_early_init(), not from interrupt handlers. va and
 * size page-aligned, inside RAM. Takes effect on every CPU before it
 * returns. Returns 0 or a negative errno (-EINVAL for a range that is empty,
 * unaligned or outside RAM; -ENOMEM when no page table page is left). */
int arch_mmu_protect(uintptr_t va, size_t size, unsigned prot);

/* Thread context, not from interrupt handlers: make [pa, pa + size) (a
 * device's registers: a PCI ECAM or BAR) reachable through the identity
 * map, uncached device memory, never executable. Ranges the map already
 * covers as device memory need nothing. 0, or -EINVAL (empty, wraps, RAM,
 * or past what the port can map) or -ENOMEM (no page-table page left). */
int arch_mmu_map_device(uint64_t pa, uint64_t size);
