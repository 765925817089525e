/*
 * The MMU: one identity map shared by every CPU. 4 KiB granule, 40-bit
 * addresses (1 TiB: a level-0 table with two entries, then levels 1-3).
 *
 *   everything           device nGnRnE, never executable (1 GiB blocks)
 *   RAM (from the FDT)   normal write-back, read/write, never executable
 *   kernel image         4 KiB pages: text RX, rodata R, data+bss RW
 *   device tree          read-only
 *
 * Tables come from a static pool in .bss; a block is split into a table of
 * the next level when part of it must change, and a table that comes to
 * map exactly what one block would (a thread's guard page made RW again)
 * is folded back into that block, its page returned to the pool once the
 * TLBs no longer hold it. The boot CPU builds the map
 * twice: a64_mmu_init_boot() runs with the MMU off (this file is compiled
 * with -mstrict-align: until the MMU is on every access is to device
 * memory, which faults on unaligned accesses) and maps only the image and
 * the device tree; arch_early_init() then adds RAM once the tree is read.
 */
#include <arch/a64.h>
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/spinlock.h>
#include <stdbool.h>

#define VA_BITS		40
#define VA_LIMIT	(1ull << VA_BITS)
#define PT_POOL_PAGES	128	/* 512 KiB: boot needs ~10, each split 2 MiB one */
#define PT_PENDING_MAX	16	/* folded tables awaiting a TLB flush */

/* Descriptor bits (ARM ARM D8.3). */
#define PTE_VALID	(1ull << 0)
#define PTE_TYPE	3ull
#define PTE_TABLE	3ull	/* next-level table (levels 0-2) or page (level 3) */
#define PTE_BLOCK	1ull
#define PTE_ATTR(i)	((uint64_t)(i) << 2)	/* MAIR_EL1 slot */
#define PTE_RO		(1ull << 7)	/* AP[2] */
#define PTE_ISH		(3ull << 8)
#define PTE_AF		(1ull << 10)	/* set: no access-flag faults */
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)
#define PTE_ADDR	0x0000fffffffff000ull

#define MAIR_DEVICE	0	/* Device-nGnRnE */
#define MAIR_NORMAL	1	/* inner/outer write-back, read/write-allocate */
#define MAIR_VALUE	(0x00ull << (8 * MAIR_DEVICE) | 0xffull << (8 * MAIR_NORMAL))

#define ATTR_DEVICE	(PTE_ATTR(MAIR_DEVICE) | PTE_AF | PTE_PXN | PTE_UXN)
#define ATTR_NORMAL	(PTE_ATTR(MAIR_NORMAL) | PTE_ISH | PTE_AF | PTE_UXN)
#define ATTR_RW		(ATTR_NORMAL | PTE_PXN)
#define ATTR_RO		(ATTR_NORMAL | PTE_RO | PTE_PXN)
#define ATTR_RX		(ATTR_NORMAL | PTE_RO)
#define ATTR_NONE	0	/* no mapping: any access faults */

/* TCR_EL1: TTBR0 only, walks cached write-back inner shareable. */
#define TCR_T0SZ	(64 - VA_BITS)
#define TCR_WALK	(1ull << 8 | 1ull << 10 | 3ull << 12)	/* IRGN0, ORGN0, SH0 */
#define TCR_TG0_4K	(0ull << 14)
#define TCR_EPD1	(1ull << 23)	/* no TTBR1 walks */
#define TCR_IPS_SHIFT	32

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __image_start[], __image_end[];

static uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned pt_used;
static uint64_t *pt_free;	/* folded tables, zeroed, linked through word 0 */
static uint64_t *pt_pending[PT_PENDING_MAX];	/* folded, maybe still in a TLB */
static unsigned npending;
static uint64_t *root;
static struct spinlock mmu_lock = SPINLOCK_INIT("mmu");
struct a64_mmu_regs a64_mmu_regs;

/* RAM ranges, for checking arch_mmu_protect() arguments; and the pages
 * mapping RAM must leave alone (the image and the device tree). */
#define MAX_RAM_RANGES 16
static struct { uint64_t base, end; } ram[MAX_RAM_RANGES];
static unsigned nram;
static uint64_t fdt_lo, fdt_hi;

/* A zeroed table: one given back by a fold, else a fresh pool page (.bss). */
static uint64_t *pt_alloc(void)
{
	uint64_t *t = pt_free;
	if (t) {
		pt_free = (uint64_t *)(uintptr_t)t[0];
		t[0] = 0;
		return t;
	}
	return pt_used < PT_POOL_PAGES ? pt_pool[pt_used++] : NULL;
}

/* mmu_lock held, after the TLB flush that follows a fold: no walker can
 * reach the folded tables any more, so they may be zeroed and reused. */
static void pt_release_pending(void)
{
	while (npending) {
		uint64_t *t = pt_pending[--npending];
		for (unsigned i = 1; i < 512; i++)
			t[i] = 0;
		t[0] = (uintptr_t)pt_free;
		pt_free = t;
	}
}

static void set_pte(uint64_t *e, uint64_t v)
{
	*(volatile uint64_t *)e = v;	/* one store: the walker never sees half */
}

static unsigned level_shift(int level) { return 39 - 9 * level; }

/* A table of level + 1 that maps exactly what block entry `old` of level
 * `level` mapped (nothing, if it was invalid). */
static uint64_t *split(uint64_t old, int level)
{
	uint64_t *sub = pt_alloc();
	if (!sub || !(old & PTE_VALID))
		return sub;
	unsigned shift = level_shift(level + 1);
	uint64_t type = level + 1 == 3 ? PTE_TABLE : PTE_BLOCK;
	uint64_t base = old & PTE_ADDR, attrs = old & ~PTE_ADDR & ~PTE_TYPE;
	for (uint64_t i = 0; i < 512; i++)
		sub[i] = (base + (i << shift)) | attrs | type;
	return sub;
}

/* If table (of the given level, 2 or 3) maps [base, base + its span) with
 * one set of attributes, page by page or block by block, return the block
 * entry of level - 1 that maps the same; else 0 (unmapped entries, or a
 * table below, never fold). */
static uint64_t foldable(const uint64_t *table, int level, uint64_t base)
{
	unsigned shift = level_shift(level);
	uint64_t type = level == 3 ? PTE_TABLE : PTE_BLOCK;
	uint64_t attrs = table[0] & ~PTE_ADDR & ~PTE_TYPE;
	for (uint64_t i = 0; i < 512; i++)
		if (table[i] != ((base + (i << shift)) | attrs | type))
			return 0;
	return base | attrs | PTE_BLOCK;
}

/* Map [va, end) to itself with attrs (ATTR_NONE: unmap) in table, which is
 * of the given level: the biggest blocks that fit, splitting blocks that
 * are partly covered. The caller invalidates the TLBs. */
static int map(uint64_t *table, int level, uint64_t va, uint64_t end, uint64_t attrs)
{
	uint64_t span = 1ull << level_shift(level);
	while (va < end) {
		uint64_t next = (va | (span - 1)) + 1;
		uint64_t stop = next < end ? next : end;
		uint64_t *e = &table[(va >> level_shift(level)) & 511];
		uint64_t old = *e;
		bool whole = !(va & (span - 1)) && stop == next;
		if (level == 3) {
			set_pte(e, attrs ? va | attrs | PTE_TABLE : 0);
		} else if (whole && level > 0 && (old & PTE_TYPE) != PTE_TABLE) {
			set_pte(e, attrs ? va | attrs | PTE_BLOCK : 0);
		} else if ((old & PTE_TYPE) == PTE_BLOCK && (old & ~PTE_ADDR & ~PTE_TYPE) == attrs) {
			/* Inside a block that maps it this way already. */
		} else {
			if ((old & PTE_TYPE) != PTE_TABLE) {
				/* Same translation, finer grain: the new table
				 * must be visible before the entry naming it. */
				uint64_t *sub = split(old, level);
				if (!sub)
					return -ENOMEM;
				__asm__ volatile("dsb ishst" : : : "memory");
				old = (uintptr_t)sub | PTE_TABLE;
				set_pte(e, old);
			}
			uint64_t *sub = (uint64_t *)(uintptr_t)(old & PTE_ADDR);
			int err = map(sub, level + 1, va, stop, attrs);
			if (err)
				return err;
			/* Uniform again: back to one block (levels 1 and 2
			 * only; level 0 entries must be tables). The same
			 * translation either way, as for a split. */
			uint64_t block = level > 0 && npending < PT_PENDING_MAX
						 ? foldable(sub, level + 1, va & ~(span - 1))
						 : 0;
			if (block) {
				set_pte(e, block);
				pt_pending[npending++] = sub;
			}
		}
		va = stop;
	}
	return 0;
}

/* Boot, MMU off: nothing can report a failure, so stop. */
static void boot_map(uint64_t va, uint64_t end, uint64_t attrs)
{
	if (map(root, 0, va, end, attrs))
		for (;;)
			__asm__ volatile("wfe");
}

static uint32_t be32(const void *p)
{
	return __builtin_bswap32(*(const volatile uint32_t *)p);
}

void a64_mmu_init_boot(const void *fdt)
{
	root = pt_alloc();
	boot_map(0, VA_LIMIT, ATTR_DEVICE);
	boot_map((uintptr_t)__text_start, (uintptr_t)__text_end, ATTR_RX);
	boot_map((uintptr_t)__rodata_start, (uintptr_t)__rodata_end, ATTR_RO);
	boot_map((uintptr_t)__data_start, (uintptr_t)__image_end, ATTR_RW);
	if (fdt && be32(fdt) == 0xd00dfeed) {
		fdt_lo = (uintptr_t)fdt & ~(uint64_t)(MMU_PAGE_SIZE - 1);
		fdt_hi = ((uintptr_t)fdt + be32((const char *)fdt + 4) + MMU_PAGE_SIZE - 1) &
			 ~(uint64_t)(MMU_PAGE_SIZE - 1);
		boot_map(fdt_lo, fdt_hi, ATTR_RO);
		a64_dcache_inval_poc((const void *)(uintptr_t)fdt_lo, fdt_hi - fdt_lo);
	}
	/* Everything so far was written with the caches off; stale lines
	 * left by whoever ran before us must not hide it. */
	a64_dcache_inval_poc(__image_start, (size_t)(__image_end - __image_start));

	uint64_t parange = a64_read_sysreg(id_aa64mmfr0_el1) & 0xf;
	if (parange > 5)
		parange = 5;	/* 48 bits: what these tables can describe */
	a64_mmu_regs.mair = MAIR_VALUE;
	a64_mmu_regs.tcr = TCR_T0SZ | TCR_WALK | TCR_TG0_4K | TCR_EPD1 | parange << TCR_IPS_SHIFT;
	a64_mmu_regs.ttbr0 = (uintptr_t)root;
	a64_mmu_regs.sctlr = A64_SCTLR_RES1 | A64_SCTLR_M | A64_SCTLR_C | A64_SCTLR_SA | A64_SCTLR_I;
	a64_mmu_on();
}

/* Boot CPU, arch_early_init(): map a RAM range write-back, around the
 * image and the device tree, which keep their boot mappings. The entries
 * changed were device mappings nobody touches yet, so no break-before-make
 * is needed; a64_mmu_map_done() drops the old TLB entries. */
int a64_mmu_map_ram(uint64_t base, uint64_t size)
{
	uint64_t end = base + size > VA_LIMIT ? VA_LIMIT : base + size;
	base = (base + MMU_PAGE_SIZE - 1) & ~(uint64_t)(MMU_PAGE_SIZE - 1);
	end &= ~(uint64_t)(MMU_PAGE_SIZE - 1);
	if (base >= end)
		return 0;
	if (nram == MAX_RAM_RANGES)
		return -ENOMEM;
	ram[nram].base = base;
	ram[nram].end = end;
	nram++;

	uint64_t holes[2][2] = {
		{ (uintptr_t)__image_start, (uintptr_t)__image_end },
		{ fdt_lo, fdt_hi },
	};
	if (holes[1][0] < holes[0][0]) {
		uint64_t t0 = holes[0][0], t1 = holes[0][1];
		holes[0][0] = holes[1][0];
		holes[0][1] = holes[1][1];
		holes[1][0] = t0;
		holes[1][1] = t1;
	}
	uint64_t at = base;
	for (int i = 0; i < 2; i++) {
		uint64_t stop = holes[i][0] < end ? holes[i][0] : end;
		if (stop > at) {
			int err = map(root, 0, at, stop, ATTR_RW);
			if (err)
				return err;
		}
		if (holes[i][1] > at)
			at = holes[i][1];
	}
	return at < end ? map(root, 0, at, end, ATTR_RW) : 0;
}

void a64_mmu_map_done(void)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" : : : "memory");
}

/* Drop every CPU's TLB entries for [va, end) once the tables say so. One
 * tlbi per page for small ranges; the whole TLB beyond that. A split block
 * is dropped too (it translates the changed pages). */
static void tlb_flush_range(uint64_t va, uint64_t end)
{
	__asm__ volatile("dsb ishst" : : : "memory");
	if ((end - va) / MMU_PAGE_SIZE > 64) {
		__asm__ volatile("tlbi vmalle1is" : : : "memory");
	} else {
		for (; va < end; va += MMU_PAGE_SIZE)
			__asm__ volatile("tlbi vaae1is, %0" : : "r"(va >> 12) : "memory");
	}
	__asm__ volatile("dsb ish\n\tisb" : : : "memory");
}

static bool in_ram(uint64_t va, uint64_t end)
{
	for (unsigned i = 0; i < nram; i++)
		if (va >= ram[i].base && end <= ram[i].end)
			return true;
	return false;
}

int arch_mmu_protect(uintptr_t va, size_t size, unsigned prot)
{
	uint64_t end = (uint64_t)va + size;
	if (va % MMU_PAGE_SIZE || size % MMU_PAGE_SIZE || size == 0 || end < va ||
	    (prot & ~(unsigned)(MMU_READ | MMU_WRITE | MMU_EXEC)) || !in_ram(va, end))
		return -EINVAL;
	uint64_t attrs = ATTR_NONE;
	if (prot != MMU_NONE)
		attrs = ATTR_NORMAL | (prot & MMU_WRITE ? 0 : PTE_RO) | (prot & MMU_EXEC ? 0 : PTE_PXN);
	spin_lock(&mmu_lock);
	int err = map(root, 0, va, end, attrs);
	tlb_flush_range(va, end);	/* also after a partial change */
	pt_release_pending();		/* tables folded above: now unreachable */
	spin_unlock(&mmu_lock);
	return err;
}

/* Everything below VA_LIMIT that is not RAM is mapped as device memory
 * from boot on (a64_mmu_init_boot()), so there is nothing to add: only
 * check the range is one of those. */
int arch_mmu_map_device(uint64_t pa, uint64_t size)
{
	uint64_t end = pa + size;
	if (!size || end < pa || end > VA_LIMIT)
		return -EINVAL;
	for (unsigned i = 0; i < nram; i++)
		if (pa < ram[i].end && ram[i].base < end)
			return -EINVAL;
	return 0;
}
