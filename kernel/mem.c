/*
 * The memory map and the kernel heap.
 *
 * The port reports RAM ranges and reserved ranges; mem_init() puts the heap
 * in the largest stretch of RAM that no reservation touches. Later layers
 * (the page allocator) carve their memory from the same map.
 */
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/spinlock.h>

#define MEM_RANGES_MAX 32
#define HEAP_ALIGN 4096u
/* The heap (malloc) gets a quarter of the largest free range, at least
 * HEAP_MIN; the page allocator (stacks) the rest. */
#define HEAP_MIN (8u << 20)

struct range {
	uintptr_t base;
	uint64_t size;
};

static struct range ram[MEM_RANGES_MAX], reserved[MEM_RANGES_MAX];
static unsigned nram, nreserved, dropped;

static uintptr_t heap_start, heap_brk, heap_end;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");

static void add(struct range *table, unsigned *n, uintptr_t base, uint64_t size)
{
	if (size == 0)
		return;
	if (*n == MEM_RANGES_MAX) {
		dropped++;
		return;
	}
	table[(*n)++] = (struct range){ base, size };
}

void mem_add_range(uintptr_t base, uint64_t size) { add(ram, &nram, base, size); }
void mem_reserve(uintptr_t base, uint64_t size) { add(reserved, &nreserved, base, size); }

static uintptr_t align_up(uintptr_t v, uintptr_t a) { return (v + a - 1) & ~(a - 1); }
static uintptr_t align_down(uintptr_t v, uintptr_t a) { return v & ~(a - 1); }

/* The reservation that overlaps [lo, hi) and starts lowest, or NULL. */
static const struct range *first_overlap(uintptr_t lo, uintptr_t hi)
{
	const struct range *best = NULL;
	for (unsigned i = 0; i < nreserved; i++) {
		const struct range *r = &reserved[i];
		if (r->base < hi && r->base + r->size > lo && (!best || r->base < best->base))
			best = r;
	}
	return best;
}

/* Largest page-aligned gap of RAM free of every reservation. */
static struct range largest_free(void)
{
	struct range best = { 0, 0 };
	for (unsigned i = 0; i < nram; i++) {
		uintptr_t lo = ram[i].base, end = ram[i].base + ram[i].size;
		while (lo < end) {
			const struct range *r = first_overlap(lo, end);
			uintptr_t hi = r ? (r->base > lo ? r->base : lo) : end;
			uintptr_t a = align_up(lo, HEAP_ALIGN), b = align_down(hi, HEAP_ALIGN);
			if (b > a && b - a > best.size)
				best = (struct range){ a, b - a };
			if (!r)
				break;
			lo = r->base + r->size;
		}
	}
	return best;
}

void mem_init(void)
{
	if (dropped)
		kprintf("mem: %u memory map entries beyond %u ignored\n", dropped, MEM_RANGES_MAX);
	struct range h = largest_free();
	uint64_t heap_size = align_down(h.size / 4, HEAP_ALIGN);
	if (heap_size < HEAP_MIN)
		heap_size = align_down(h.size / 2 < HEAP_MIN ? h.size / 2 : HEAP_MIN, HEAP_ALIGN);
	heap_start = heap_brk = h.base;
	heap_end = h.base + heap_size;
	page_init(heap_end, h.size - heap_size);
	if (!h.size)
		kprintf("mem: no free RAM for the heap; malloc will fail\n");
}

void *mem_sbrk(intptr_t incr)
{
	spin_lock(&heap_lock);
	uintptr_t old = heap_brk;
	bool fits = incr >= 0 ? (uintptr_t)incr <= heap_end - heap_brk
			      : (uintptr_t)-incr <= heap_brk - heap_start;
	if (fits)
		heap_brk += incr;
	spin_unlock(&heap_lock);
	return fits ? (void *)old : NULL;
}

uint64_t mem_total(void)
{
	uint64_t t = 0;
	for (unsigned i = 0; i < nram; i++)
		t += ram[i].size;
	return t;
}

uint64_t mem_heap_free(void)
{
	return heap_end - __atomic_load_n(&heap_brk, __ATOMIC_RELAXED);
}

bool mem_is_ram(uintptr_t addr, size_t len)
{
	for (unsigned i = 0; i < nram; i++)
		if (addr >= ram[i].base && addr + len >= addr &&
		    addr + len <= ram[i].base + ram[i].size)
			return true;
	return false;
}
