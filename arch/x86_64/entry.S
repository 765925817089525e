/*
 * Interrupt and exception entry: one 16-byte entry per vector, then one
 * common path that builds struct arch_frame (arch/impl/frame.h) and calls
 *
 *	void x86_interrupt(struct arch_frame *f);
 *
 * with interrupts off (every IDT gate is an interrupt gate). The FP/SIMD
 * state is saved too (fxsave): C code anywhere may use SSE registers, and
 * an interrupt can arrive in the middle of it.
 *
 * Everything lives on the interrupted stack (only #DF, #MC and NMI come in
 * on IST stacks), except that a device interrupt (vector 32 and up) that
 * finds the current thread's irq_sp set moves its frame there first (see
 * arch/context.h): iretq then returns to the interrupted stack by itself.
 * x86_interrupt() may switch threads in irq_exit() and
 * return much later, on another CPU: nothing per-CPU is kept across the
 * call, and the frame's address is in rbx, which every switch preserves.
 */
#include <arch/context.h>
#include <arch/x86/layout.h>

#define FRAME_RBP 72			/* offsetof(struct arch_frame, rbp) */
#define FRAME_RIP 144			/* offsetof(struct arch_frame, rip) */

/* Vectors whose exception pushes an error code: #DF, #TS, #NP, #SS, #GP,
 * #PF, #AC, #CP, #VC, #SX. The others get a zero so the frame is uniform. */
.macro vector_entry n
	.balign X86_VEC_ENTRY_SIZE
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp x86_intr_common
.endm

	.text
	.balign X86_VEC_ENTRY_SIZE
	.globl x86_vector_entries
x86_vector_entries:
	.altmacro			/* lets `%vec` pass vec's value */
	.set vec, 0
	.rept X86_VEC_COUNT
	vector_entry %vec
	.set vec, vec + 1
	.endr
	.noaltmacro
	/* Fails to assemble ("move .org backwards") if an entry outgrew its slot. */
	.org x86_vector_entries + X86_VEC_COUNT * X86_VEC_ENTRY_SIZE

x86_intr_common:
	cld
	cmpq $32, (%rsp)		/* an exception: where it happened */
	jb 2f
	pushq %rax
	pushq %rcx
	movq %gs:8, %rax		/* the current thread, or NULL */
	testq %rax, %rax
	jz 1f
	movq ARCH_THREAD_IRQ_SP(%rax), %rax
	testq %rax, %rax
	jz 1f
	/* Move rcx, rax, vector, error code and the CPU's five words, ss in
	 * the word just below irq_sp, as the CPU would place it. */
	subq $72, %rax
	.irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64
	movq \off(%rsp), %rcx
	movq %rcx, \off(%rax)
	.endr
	movq %rax, %rsp
1:	popq %rcx
	popq %rax
2:	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %cr2, %rax
	pushq %rax
	movq %rsp, %rbx			/* rbx (callee-saved) = the frame */

	/* fxsave needs 512 bytes, 16-byte aligned. */
	subq $512, %rsp
	andq $-16, %rsp
	fxsave (%rsp)

	/* A frame record {interrupted rbp, interrupted rip}, so a backtrace
	 * taken inside the handler walks on into the interrupted code. */
	pushq FRAME_RIP(%rbx)
	pushq FRAME_RBP(%rbx)
	movq %rsp, %rbp

	movq %rbx, %rdi
	call x86_interrupt

	fxrstor 16(%rsp)
	movq %rbx, %rsp
	addq $8, %rsp			/* cr2 */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq
