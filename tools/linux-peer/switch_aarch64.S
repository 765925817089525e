/*
 * The Linux peer's user-space coroutine switch, aarch64: what AAPCS64 says
 * a call preserves (x19-x29, the return address x30, d8-d15 and FPCR)
 * stored on the current stack; the stack pointers swap; the same loaded
 * from the other stack. The same set threadbare's own switch keeps, so the
 * two switch figures compare like for like.
 *
 *	void peer_switch(void **save_sp, void *new_sp);
 *
 * Frame (176 bytes): x19-x28 at 0, x29/x30 at 80, d8-d15 at 96, FPCR at
 * 160. A new context's frame (peer.c, peer_context_init) has x30 =
 * peer_switch_start, the entry in x19 and its argument in x20.
 */
	.text
	.globl	peer_switch
	.type	peer_switch, %function
peer_switch:
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x10, sp
	str	x10, [x0]
	mov	sp, x1
	ldr	x10, [sp, #160]
	cmp	x9, x10		/* an FPCR write can be slow: skip it when equal */
	b.eq	1f
	msr	fpcr, x10
1:	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	ret
	.size	peer_switch, . - peer_switch

	.globl	peer_switch_start
	.type	peer_switch_start, %function
peer_switch_start:
	mov	x0, x20
	blr	x19
	brk	#0		/* an entry never returns */
	.size	peer_switch_start, . - peer_switch_start
	.section .note.GNU-stack, "", %progbits
