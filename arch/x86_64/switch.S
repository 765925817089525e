/*
 * The context switch. Saves what a call must preserve on the current
 * stack as struct x86_context_frame (arch/x86/context.h), swaps stack
 * pointers, and restores the same from the new stack. Interrupts: as the
 * caller left them (RFLAGS is not switched).
 *
 *	void arch_context_switch(uintptr_t *save_sp, uintptr_t new_sp);
 *
 * A new context (context.c) starts with rip = x86_context_start, which
 * calls entry(arg) from r12/r13 on an aligned stack.
 */
#include <arch/x86/context.h>

	.text
	.globl arch_context_switch
	.type arch_context_switch, @function
arch_context_switch:
	/* rdi = save_sp, rsi = new_sp; the call pushed the return address. */
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr X86_CTX_MXCSR(%rsp)
	fnstcw X86_CTX_FPUCW(%rsp)
	movq %rsp, (%rdi)

	movq %rsi, %rsp
	ldmxcsr X86_CTX_MXCSR(%rsp)
	fldcw X86_CTX_FPUCW(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size arch_context_switch, . - arch_context_switch

/* First "return" of a new context: rsp is 16-byte aligned here, so after
 * the call pushes its return address entry sees rsp + 8 aligned, as the
 * ABI wants; rbp is 0, so backtraces end at entry. */
	.globl x86_context_start
	.type x86_context_start, @function
x86_context_start:
	movq %r13, %rdi			/* arg */
	call *%r12			/* entry(arg) */
	call x86_context_returned	/* entry must not return */
	ud2
	.size x86_context_start, . - x86_context_start
