/*
 * The Linux peer's user-space coroutine switch, x86_64: what the SysV ABI
 * says a call preserves (rbx, rbp, r12-r15, the MXCSR control bits and
 * the x87 control word), pushed on the current stack; the stack pointers
 * swap; the same popped from the other stack. The same set threadbare's
 * own switch keeps, so the two switch figures compare like for like.
 *
 *	void peer_switch(void **save_sp, void *new_sp);
 *
 * A new context's stack (peer.c, peer_context_init) holds six zero
 * registers, a control word pair and peer_switch_start as the return
 * address, with the entry in r12 and its argument in r13.
 */
	.text
	.globl	peer_switch
	.type	peer_switch, @function
peer_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	peer_switch, . - peer_switch

	.globl	peer_switch_start
	.type	peer_switch_start, @function
peer_switch_start:
	movq	%r13, %rdi
	call	*%r12
	ud2			/* an entry never returns */
	.size	peer_switch_start, . - peer_switch_start
	.section .note.GNU-stack, "", @progbits
