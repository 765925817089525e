/*
 * The context switch. Saves what a call must preserve on the current stack
 * as struct a64_context_frame (context.h), swaps stack pointers, and
 * restores the same from the new stack. Interrupts: as the caller left
 * them (DAIF is not switched).
 *
 *	void arch_context_switch(uintptr_t *save_sp, uintptr_t new_sp);
 *
 * A new context (context.c) starts in a64_context_start with entry in x19
 * and its argument in x20.
 */
#include "context.h"

	.text
	.globl	arch_context_switch
	.type	arch_context_switch, %function
arch_context_switch:
	/* x0 = save_sp, x1 = new_sp; x30 = where to return to. */
	sub	sp, sp, #A64_CTX_SIZE
	stp	x19, x20, [sp, #A64_CTX_X19]
	stp	x21, x22, [sp, #A64_CTX_X19 + 16]
	stp	x23, x24, [sp, #A64_CTX_X19 + 32]
	stp	x25, x26, [sp, #A64_CTX_X19 + 48]
	stp	x27, x28, [sp, #A64_CTX_X19 + 64]
	stp	x29, x30, [sp, #A64_CTX_FP]
	stp	d8, d9, [sp, #A64_CTX_D8]
	stp	d10, d11, [sp, #A64_CTX_D8 + 16]
	stp	d12, d13, [sp, #A64_CTX_D8 + 32]
	stp	d14, d15, [sp, #A64_CTX_D8 + 48]
	mrs	x9, fpcr
	str	x9, [sp, #A64_CTX_FPCR]
	mov	x10, sp
	str	x10, [x0]

	mov	sp, x1
	ldr	x10, [sp, #A64_CTX_FPCR]
	cmp	x9, x10			/* writing FPCR can be slow: only if it differs */
	b.eq	1f
	msr	fpcr, x10
1:	ldp	x19, x20, [sp, #A64_CTX_X19]
	ldp	x21, x22, [sp, #A64_CTX_X19 + 16]
	ldp	x23, x24, [sp, #A64_CTX_X19 + 32]
	ldp	x25, x26, [sp, #A64_CTX_X19 + 48]
	ldp	x27, x28, [sp, #A64_CTX_X19 + 64]
	ldp	x29, x30, [sp, #A64_CTX_FP]
	ldp	d8, d9, [sp, #A64_CTX_D8]
	ldp	d10, d11, [sp, #A64_CTX_D8 + 16]
	ldp	d12, d13, [sp, #A64_CTX_D8 + 32]
	ldp	d14, d15, [sp, #A64_CTX_D8 + 48]
	add	sp, sp, #A64_CTX_SIZE
	ret
	.size	arch_context_switch, . - arch_context_switch

/* First "return" of a new context, with sp = the 16-byte-aligned stack top.
 * x29 = x30 = 0 at entry's first instruction, so entry's frame record is
 * {0, 0} and every backtrace stops there; entry must not return (it would
 * jump to address 0 and be reported as an instruction abort). SError
 * reporting is turned on: a context first switched to from an interrupt
 * handler would otherwise inherit the exception entry's mask. IRQs stay as
 * the switcher left them (masked). */
	.globl	a64_context_start
	.type	a64_context_start, %function
a64_context_start:
	msr	daifclr, #4
	mov	x0, x20			/* arg */
	mov	x29, xzr
	mov	x30, xzr
	br	x19			/* entry(arg) */
	.size	a64_context_start, . - a64_context_start
