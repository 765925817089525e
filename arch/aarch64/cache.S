/*
 * Cache maintenance and turning the MMU on: the few things that must be
 * done in a fixed instruction sequence.
 */
#include <arch/a64.h>

	.text

/* x0 = start, x1 = size; x2 = the smallest data cache line (CTR_EL0). */
.macro	dcache_lines op
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3
	add	x1, x0, x1
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	\op, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret
.endm

/* void a64_dcache_clean_poc(const void *start, size_t size): write dirty
 * lines back to memory, for a CPU whose MMU (and so cache) is still off. */
	.globl	a64_dcache_clean_poc
a64_dcache_clean_poc:
	dcache_lines cvac

/* void a64_dcache_inval_poc(const void *start, size_t size): drop cached
 * lines so the next cached read sees memory written with the caches off.
 * Only for memory nobody has written through the cache. */
	.globl	a64_dcache_inval_poc
a64_dcache_inval_poc:
	dcache_lines ivac

/*
 * void a64_mmu_on(void): load MAIR, TCR and TTBR0 from a64_mmu_regs and
 * turn on translation and caches. Runs with the MMU off on an identity map,
 * so execution continues at the next instruction. Uses x0-x1 and no stack
 * (secondary CPUs call it before they have one).
 */
	.globl	a64_mmu_on
a64_mmu_on:
	adrp	x0, a64_mmu_regs
	add	x0, x0, :lo12:a64_mmu_regs
	ldr	x1, [x0, #0]
	msr	mair_el1, x1
	ldr	x1, [x0, #8]
	msr	tcr_el1, x1
	ldr	x1, [x0, #16]
	msr	ttbr0_el1, x1
	isb
	tlbi	vmalle1			/* nothing cached from before */
	dsb	nsh
	isb
	ldr	x1, [x0, #24]
	msr	sctlr_el1, x1
	isb
	ic	iallu			/* instructions fetched with the MMU off */
	dsb	nsh
	isb
	ret
