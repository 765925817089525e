/*
 * Physical memory, as the firmware described it, and the kernel heap that
 * newlib's malloc grows through _sbrk().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Port, from arch_early_init(): RAM ranges and ranges inside them that must
 * not be used (the image, firmware tables, the device tree). */
void mem_add_range(uintptr_t base, uint64_t size);
void mem_reserve(uintptr_t base, uint64_t size);

/* Boot CPU, once: place the heap in the largest free range. */
void mem_init(void);

/* Any context except interrupt handlers: grow the heap by incr bytes
 * (may be negative). Returns the old break, or NULL when the heap is
 * exhausted (the heap is left as it was). */
void *mem_sbrk(intptr_t incr);

/* True when [addr, addr+len) lies inside one reported RAM range. */
bool mem_is_ram(uintptr_t addr, size_t len);

/* Bytes of RAM reported, and heap bytes not yet handed out. */
uint64_t mem_total(void);
uint64_t mem_heap_free(void);
