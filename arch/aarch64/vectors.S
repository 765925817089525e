/*
 * Exception vectors (VBAR_EL1) and the save/restore around the C handlers.
 *
 * The kernel runs at EL1 on SP_EL1, so only the "current EL with SP_ELx"
 * synchronous and IRQ entries are expected; every other entry is reported
 * and panics. Each entry builds a struct arch_frame (impl/frame.h) on the
 * stack: x0-x30, sp, elr, spsr, esr, far, fpsr, fpcr and q0-q31, plus a
 * frame record so backtraces continue from the handler into the
 * interrupted code. Interrupts stay masked (DAIF set by the exception)
 * until the eret.
 */
#include <arch/a64.h>
#include <arch/context.h>
#include <arch/impl/frame.h>

/* Which entry was taken: the vector slot number (0..15), and one more for a
 * synchronous exception that found its stack unusable. */
#define KIND_SYNC	4
#define KIND_IRQ	5
#define KIND_OVERFLOW	16
#define KIND_IRQ_MOVED	17	/* an IRQ whose frame went to the thread's irq_sp */

.macro	ventry kind
	.balign	0x80
	sub	sp, sp, #A64_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #\kind
	b	a64_exc_save
.endm

/* Branch to a64_stack_overflow when a write to address (sp - \off) would
 * fault. Uses x0 (saved in TPIDRRO_EL0, which nothing else uses: there is
 * no EL0) and PAR_EL1. */
.macro	check_stack off
	mov	x0, sp
	sub	x0, x0, #\off
	at	s1e1w, x0
	isb
	mrs	x0, par_el1
	tbnz	x0, #0, a64_stack_overflow
.endm

	.text
	.balign	0x800
	.globl	a64_vectors
a64_vectors:
	/* Current EL on SP_EL0: never, we do not use SP_EL0 for code. */
	ventry	0
	ventry	1
	ventry	2
	ventry	3

	/* Current EL on SP_ELx. A synchronous exception may be a stack
	 * overflow into a guard page; pushing the frame would then fault
	 * again, forever. Probe the frame's lowest and highest words first
	 * (a guard page is bigger than a frame, so that covers it). */
	.balign	0x80
	msr	tpidrro_el0, x0
	check_stack 16
	check_stack A64_FRAME_SIZE
	mrs	x0, tpidrro_el0
	sub	sp, sp, #A64_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #KIND_SYNC
	b	a64_exc_save
	/* IRQ: the frame goes to the current thread's irq_sp when it has one
	 * (a coroutine is running on a small stack of its own: see
	 * arch/context.h), else onto the interrupted stack. */
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el0			/* the current thread, or NULL */
	cbz	x0, 1f
	ldr	x0, [x0, #ARCH_THREAD_IRQ_SP]
	cbnz	x0, a64_irq_move
1:	ldp	x0, x1, [sp], #16
	sub	sp, sp, #A64_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #KIND_IRQ
	b	a64_exc_save
	ventry	6		/* FIQ */
	ventry	7		/* SError */

	/* Lower EL, AArch64 and AArch32: there is no lower EL code. */
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

/* x0 = the thread's irq_sp; the interrupted x0 and x1 are at sp. Build the
 * frame below irq_sp, and park the interrupted sp in SP_EL0 (unused: the
 * kernel runs on SP_EL1) for a64_exc_save. */
a64_irq_move:
	mov	x1, sp
	sub	sp, x0, #A64_FRAME_SIZE
	ldr	x0, [x1]
	str	x0, [sp]
	ldr	x0, [x1, #8]
	str	x0, [sp, #8]
	add	x1, x1, #16
	msr	sp_el0, x1
	mov	x0, #KIND_IRQ_MOVED
	b	a64_exc_save

/*
 * The stack pointer is unusable: move to this CPU's emergency stack
 * (a64_emergency_stacks[index], from the index at the start of struct cpu)
 * and keep the old sp in SP_EL0 for the frame. x0 is in TPIDRRO_EL0; sp
 * itself serves as the second scratch register.
 */
a64_stack_overflow:
	mov	x0, sp
	msr	sp_el0, x0
	mrs	x0, tpidr_el1
	cbz	x0, 1f			/* no per-CPU pointer yet: use slot 0 */
	ldr	w0, [x0, #A64_CPU_INDEX]
1:	add	x0, x0, #1
	lsl	x0, x0, #A64_EMERGENCY_STACK_SHIFT
	mov	sp, x0
	adrp	x0, a64_emergency_stacks
	add	x0, x0, :lo12:a64_emergency_stacks
	add	sp, sp, x0
	mrs	x0, tpidrro_el0
	sub	sp, sp, #A64_FRAME_SIZE
	stp	x0, x1, [sp]
	mov	x0, #KIND_OVERFLOW
	/* fall through */

/* x0 = kind; x0 and x1 are saved already. */
a64_exc_save:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #A64_FRAME_SIZE
	cmp	x0, #KIND_OVERFLOW
	b.eq	1f
	cmp	x0, #KIND_IRQ_MOVED
	b.ne	2f
1:	mrs	x1, sp_el0		/* the stack that overflowed, or was moved from */
2:	stp	x30, x1, [sp, #A64_FRAME_X + 30 * 8]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #A64_FRAME_ELR]
	mrs	x4, esr_el1
	mrs	x5, far_el1
	stp	x4, x5, [sp, #A64_FRAME_ESR]
	mrs	x4, fpsr
	mrs	x5, fpcr
	stp	x4, x5, [sp, #A64_FRAME_FPSR]
	add	x4, sp, #A64_FRAME_Q
	stp	q0, q1, [x4, #0x000]
	stp	q2, q3, [x4, #0x020]
	stp	q4, q5, [x4, #0x040]
	stp	q6, q7, [x4, #0x060]
	stp	q8, q9, [x4, #0x080]
	stp	q10, q11, [x4, #0x0a0]
	stp	q12, q13, [x4, #0x0c0]
	stp	q14, q15, [x4, #0x0e0]
	stp	q16, q17, [x4, #0x100]
	stp	q18, q19, [x4, #0x120]
	stp	q20, q21, [x4, #0x140]
	stp	q22, q23, [x4, #0x160]
	stp	q24, q25, [x4, #0x180]
	stp	q26, q27, [x4, #0x1a0]
	stp	q28, q29, [x4, #0x1c0]
	stp	q30, q31, [x4, #0x1e0]
	/* Frame record {interrupted x29, interrupted pc}: the handler's
	 * backtrace walks through it into the code that was interrupted. */
	add	x4, sp, #A64_FRAME_RECORD
	stp	x29, x2, [x4]
	mov	x29, x4

	mov	x1, x0
	mov	x0, sp			/* struct arch_frame * */
	cmp	x1, #KIND_IRQ
	b.eq	2f
	cmp	x1, #KIND_IRQ_MOVED
	b.eq	2f
	cmp	x1, #KIND_SYNC
	b.eq	3f
	cmp	x1, #KIND_OVERFLOW
	b.eq	4f
	bl	a64_bad_exception	/* (frame, kind): does not return */
	b	a64_dead
2:	bl	a64_irq_handler
	b	a64_exc_restore
3:	bl	a64_sync_handler
	b	a64_exc_restore
4:	bl	a64_overflow_handler	/* does not return */
	b	a64_dead

/* Restore everything from the frame at sp and return to it. ELR and SPSR
 * come from the frame too: the handler may have switched threads, or taken
 * an exception of its own. */
a64_exc_restore:
	add	x4, sp, #A64_FRAME_Q
	ldp	q0, q1, [x4, #0x000]
	ldp	q2, q3, [x4, #0x020]
	ldp	q4, q5, [x4, #0x040]
	ldp	q6, q7, [x4, #0x060]
	ldp	q8, q9, [x4, #0x080]
	ldp	q10, q11, [x4, #0x0a0]
	ldp	q12, q13, [x4, #0x0c0]
	ldp	q14, q15, [x4, #0x0e0]
	ldp	q16, q17, [x4, #0x100]
	ldp	q18, q19, [x4, #0x120]
	ldp	q20, q21, [x4, #0x140]
	ldp	q22, q23, [x4, #0x160]
	ldp	q24, q25, [x4, #0x180]
	ldp	q26, q27, [x4, #0x1a0]
	ldp	q28, q29, [x4, #0x1c0]
	ldp	q30, q31, [x4, #0x1e0]
	ldp	x4, x5, [sp, #A64_FRAME_FPSR]
	msr	fpsr, x4
	msr	fpcr, x5
	ldp	x2, x3, [sp, #A64_FRAME_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	/* A frame that was moved (its sp is not just above it) returns to
	 * the stack it came from: x0 and x1 go there first, as at entry. The
	 * flags are free to use: eret restores them from SPSR. */
	ldr	x0, [sp, #A64_FRAME_SP]
	add	x1, sp, #A64_FRAME_SIZE
	cmp	x0, x1
	b.ne	1f
	ldp	x0, x1, [sp]
	add	sp, sp, #A64_FRAME_SIZE
	eret
1:	sub	x0, x0, #16
	ldr	x1, [sp]
	str	x1, [x0]
	ldr	x1, [sp, #8]
	str	x1, [x0, #8]
	mov	sp, x0
	ldp	x0, x1, [sp], #16
	eret
