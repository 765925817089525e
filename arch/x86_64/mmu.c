/*
 * Paging: the final identity map and arch_mmu_protect().
 *
 * x86_mmu_init() replaces boot.S's tables with ones built here from the
 * firmware memory map:
 *  - [0, max(4 GiB, end of RAM)) identity-mapped with 2 MiB pages, never
 *    executable; pages that hold RAM or ACPI tables write-back, the rest
 *    (PCI holes, LAPIC, IOAPIC, flash) uncached (PCD|PWT);
 *  - the image split into 4 KiB pages: .text read+execute, .boot and
 *    .rodata read-only, .data/.bss read+write;
 *  - page 0 unmapped (null pointers fault), the AP trampoline page
 *    executable.
 * Page-table pages come from a static pool in .bss; a 2 MiB page is split
 * into 4 KiB pages the first time a protection change touches it.
 *
 * TLB shootdown: after changing entries, arch_mmu_protect() bumps a
 * generation number and sends an NMI to every other CPU that is up; each
 * flushes its TLB in the NMI handler and records the generation, and the
 * caller waits for all of them. An NMI gets through even to a CPU spinning
 * with interrupts off (say, for the lock this function holds), so the wait
 * cannot deadlock. A change that only makes pages present needs none: TLBs
 * never cache not-present entries (so giving a thread's guard page back
 * costs no NMIs).
 */
#include <arch/mmu.h>
#include <arch/x86/insn.h>
#include <arch/x86/layout.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/mem.h>
#include <kernel/spinlock.h>

#define PTE_P	(1ull << 0)
#define PTE_W	(1ull << 1)
#define PTE_PWT	(1ull << 3)
#define PTE_PCD	(1ull << 4)
#define PTE_PS	(1ull << 7)
#define PTE_NX	(1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_CACHE (PTE_PWT | PTE_PCD)

#define SIZE_2M	(1ull << 21)
#define SIZE_1G	(1ull << 30)
#define MAP_MAX	(512 * SIZE_1G)		/* what one PDPT covers */
#define POOL_PAGES 192

static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pool_used;
static uint64_t *pdpt;
static uint64_t map_top;
static struct spinlock mmu_lock = SPINLOCK_INIT("mmu");
static uint64_t tlb_gen;

extern char __image_start[], __boot_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __image_end[];

static uint64_t *table_alloc(void)
{
	return pool_used < POOL_PAGES ? pool[pool_used++] : NULL;	/* .bss: zeroed */
}

uint64_t x86_mmu_mapped_top(void) { return map_top; }

/* Does [base, base+size) hold RAM or ACPI tables (worth caching)? */
static bool cacheable(uint64_t base, uint64_t size)
{
	unsigned n;
	const struct x86_mem_region *r = x86_memmap(&n);
	for (unsigned i = 0; i < n; i++) {
		bool memory = r[i].type == X86_MEM_RAM || r[i].type == X86_MEM_ACPI ||
			      r[i].type == X86_MEM_NVS;
		if (memory && r[i].base < base + size && base < r[i].base + r[i].size)
			return true;
	}
	return false;
}

/* The 4 KiB entry for va, splitting its 2 MiB page first if need be.
 * NULL past the map or when the pool is used up. */
static uint64_t *pte_get(uintptr_t va)
{
	if (va >= map_top)
		return NULL;
	uint64_t *pd = (uint64_t *)(uintptr_t)(pdpt[va >> 30] & PTE_ADDR);
	uint64_t *pde = &pd[(va >> 21) & 511];
	if (*pde & PTE_PS) {
		uint64_t *pt = table_alloc();
		if (!pt)
			return NULL;
		/* Same access and caching; bit 7 means PAT in a 4 KiB entry. */
		uint64_t base = *pde & PTE_ADDR, flags = *pde & (PTE_P | PTE_W | PTE_CACHE | PTE_NX);
		for (unsigned i = 0; i < 512; i++)
			pt[i] = (base + i * MMU_PAGE_SIZE) | flags;
		*pde = (uintptr_t)pt | PTE_P | PTE_W;	/* the leaf decides access */
	}
	uint64_t *pt = (uint64_t *)(uintptr_t)(*pde & PTE_ADDR);
	return &pt[(va >> 12) & 511];
}

/* Set the access bits of every 4 KiB page in [va, va+size). Splits all the
 * 2 MiB pages first, so running out of pool changes nothing. Returns 1 if
 * TLBs may hold something stale now (the caller flushes them), 0 if not,
 * or -ENOMEM. */
static int set_access(uintptr_t va, uint64_t size, uint64_t access)
{
	unsigned pool_before = pool_used;
	for (uintptr_t a = va; a < va + size; a += SIZE_2M - (a & (SIZE_2M - 1)))
		if (!pte_get(a))
			return -ENOMEM;
	bool stale = pool_used != pool_before;	/* a 2 MiB page was split */
	for (uintptr_t a = va; a < va + size; a += MMU_PAGE_SIZE) {
		uint64_t *pte = pte_get(a);
		/* TLBs never hold a not-present entry (SDM 4.10.4.3), so
		 * making pages present needs no flush. */
		stale |= (*pte & PTE_P) != 0;
		*pte = (a & PTE_ADDR) | (*pte & PTE_CACHE) | access;
	}
	return stale;
}

static uint64_t access_bits(unsigned prot)
{
	if (prot == MMU_NONE)
		return 0;	/* not present */
	return PTE_P | (prot & MMU_WRITE ? PTE_W : 0) | (prot & MMU_EXEC ? 0 : PTE_NX);
}

static uintptr_t image_range(const char *start, const char *end, uint64_t *size)
{
	*size = (uintptr_t)end - (uintptr_t)start;
	return (uintptr_t)start;
}

void x86_mmu_init(void)
{
	/* At least 4 GiB (devices live just below it), more if RAM goes on. */
	unsigned n;
	const struct x86_mem_region *r = x86_memmap(&n);
	map_top = 4 * SIZE_1G;
	for (unsigned i = 0; i < n; i++)
		if (r[i].type == X86_MEM_RAM && r[i].base + r[i].size > map_top)
			map_top = (r[i].base + r[i].size + SIZE_1G - 1) & ~(SIZE_1G - 1);
	if (map_top > MAP_MAX)
		map_top = MAP_MAX;
	/* Keep a quarter of the pool for splitting 2 MiB pages. */
	if (map_top / SIZE_1G > POOL_PAGES * 3 / 4)
		map_top = (uint64_t)(POOL_PAGES * 3 / 4) * SIZE_1G;

	uint64_t *pml4 = table_alloc();
	pdpt = table_alloc();
	pml4[0] = (uintptr_t)pdpt | PTE_P | PTE_W;
	for (uint64_t g = 0; g < map_top / SIZE_1G; g++) {
		uint64_t *pd = table_alloc();
		pdpt[g] = (uintptr_t)pd | PTE_P | PTE_W;
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = g * SIZE_1G + i * SIZE_2M;
			pd[i] = pa | PTE_P | PTE_W | PTE_PS | PTE_NX |
				(cacheable(pa, SIZE_2M) ? 0 : PTE_CACHE);
		}
	}

	/* The pool cannot run out here: a few splits at most. */
	uint64_t size;
	uintptr_t va;
	set_access(0, MMU_PAGE_SIZE, 0);
	set_access(X86_TRAMPOLINE_PADDR, MMU_PAGE_SIZE, PTE_P | PTE_W);
	va = image_range(__image_start, __text_start, &size);	/* .boot: read by smp.c */
	set_access(va, size, PTE_P | PTE_NX);
	va = image_range(__text_start, __text_end, &size);
	set_access(va, (size + MMU_PAGE_SIZE - 1) & ~(uint64_t)(MMU_PAGE_SIZE - 1), PTE_P);
	va = image_range(__rodata_start, __data_start, &size);
	set_access(va, size, PTE_P | PTE_NX);
	va = image_range(__data_start, __image_end, &size);
	set_access(va, size, PTE_P | PTE_W | PTE_NX);

	write_cr3((uintptr_t)pml4);
}

static void flush_local(void) { write_cr3(read_cr3()); }

void x86_tlb_nmi(void)
{
	struct x86_percpu *p = x86_this_percpu();
	uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);
	if (p->tlb_seen != gen) {
		flush_local();
		__atomic_store_n(&p->tlb_seen, gen, __ATOMIC_RELEASE);
	}
}

/* Every CPU's TLB forgets the old entries before this returns. Called
 * with mmu_lock held. */
static void flush_all_cpus(void)
{
	struct cpu *me = this_cpu();
	flush_local();
	/* seq_cst: the new generation (and the page-table writes before it)
	 * are visible before we read who is ready. A CPU that becomes ready
	 * later flushes its TLB itself (arch_init_secondary()). */
	uint64_t gen = __atomic_add_fetch(&tlb_gen, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (c != me && __atomic_load_n(&x86_percpu_of(c)->ready, __ATOMIC_SEQ_CST))
			x86_lapic_send((uint32_t)c->hwid, X86_ICR_NMI | X86_ICR_ASSERT);
	}
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		struct x86_percpu *p = x86_percpu_of(c);
		if (c == me)
			continue;
		/* A CPU that halts meanwhile (a panic) is not waited for. */
		while (__atomic_load_n(&p->ready, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&p->tlb_seen, __ATOMIC_ACQUIRE) < gen)
			arch_cpu_relax();
	}
}

int arch_mmu_protect(uintptr_t va, size_t size, unsigned prot)
{
	if (va % MMU_PAGE_SIZE || size % MMU_PAGE_SIZE || !size || va + size < va ||
	    (prot & ~(unsigned)(MMU_READ | MMU_WRITE | MMU_EXEC)) || !mem_is_ram(va, size))
		return -EINVAL;
	spin_lock(&mmu_lock);
	int stale = set_access(va, size, access_bits(prot));
	if (stale > 0)
		flush_all_cpus();
	spin_unlock(&mmu_lock);
	return stale < 0 ? stale : 0;
}

/* Overlaps RAM or firmware tables (mapped write-back)? */
static bool overlaps_memory(uint64_t base, uint64_t end)
{
	unsigned n;
	const struct x86_mem_region *r = x86_memmap(&n);
	for (unsigned i = 0; i < n; i++)
		if (r[i].type != X86_MEM_RESERVED && r[i].base < end && base < r[i].base + r[i].size)
			return true;
	return false;
}

/* Below map_top everything that is not RAM is already uncached (the PCI
 * hole, where firmware puts ECAM and most BARs). Above it (64-bit BARs),
 * each missing GiB gets a page directory of uncached 2 MiB pages; making
 * entries present needs no TLB flush. */
int arch_mmu_map_device(uint64_t pa, uint64_t size)
{
	uint64_t end = pa + size;
	/* 2 MiB pages: a device sharing one with RAM would be mapped cached. */
	if (!size || end < pa || end > MAP_MAX ||
	    overlaps_memory(pa & ~(SIZE_2M - 1), (end + SIZE_2M - 1) & ~(SIZE_2M - 1)))
		return -EINVAL;
	int err = 0;
	spin_lock(&mmu_lock);
	for (uint64_t g = pa / SIZE_1G; g < (end + SIZE_1G - 1) / SIZE_1G && !err; g++) {
		if (pdpt[g] & PTE_P)
			continue;
		uint64_t *pd = table_alloc();
		if (!pd) {
			err = -ENOMEM;
			break;
		}
		for (unsigned i = 0; i < 512; i++)
			pd[i] = (g * SIZE_1G + i * SIZE_2M) | PTE_P | PTE_W | PTE_PS | PTE_NX | PTE_CACHE;
		__atomic_store_n(&pdpt[g], (uintptr_t)pd | PTE_P | PTE_W, __ATOMIC_RELEASE);
	}
	spin_unlock(&mmu_lock);
	return err;
}
