/*
 * The application-processor trampoline. smp.c copies the bytes between
 * x86_trampoline_start and x86_trampoline_end to X86_TRAMPOLINE_PADDR,
 * fills in the parameter block at its end and sends INIT-SIPI-SIPI; the AP
 * starts here in real mode at CS:IP = (X86_TRAMPOLINE_PADDR >> 4):0.
 *
 * The code is assembled here but runs at X86_TRAMPOLINE_PADDR, so every
 * absolute address goes through AT(). Real mode -> protected mode (to set
 * up long mode) -> long mode with the boot CPU's page tables -> jump to
 * x86_secondary_entry in the kernel text with rdi = struct cpu *.
 */
#include <arch/x86/layout.h>

#define AT(sym) ((sym) - x86_trampoline_start + X86_TRAMPOLINE_PADDR)

#define CR0_PE	(1 << 0)
#define CR0_MP	(1 << 1)
#define CR0_EM	(1 << 2)
#define CR0_WP	(1 << 16)
#define CR0_PG	(1 << 31)
#define CR4_PAE	(1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

	.section .boot.rodata, "a"
	.balign 16
	.globl x86_trampoline_start
x86_trampoline_start:
	.code16
	cli
	cld
	xorw %ax, %ax			/* DS = 0: AT() addresses are linear */
	movw %ax, %ds
	lgdtl AT(tramp_gdtr)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $X86_SEL_CODE32, $AT(tramp32)

	.code32
tramp32:
	movl $X86_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl $1, AT(tramp_started)	/* tells smp.c a second SIPI is not needed */

	/* The same long-mode setup as boot.S, with the boot CPU's CR3
	 * (its tables sit below 4 GiB, in the image's .bss). NXE before
	 * paging: the final tables use the NX bit. */
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl AT(tramp_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $(CR0_PG | CR0_WP | CR0_MP | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $X86_SEL_CODE64, $AT(tramp64)

	.code64
tramp64:
	movq AT(tramp_stack), %rsp
	movq AT(tramp_cpu), %rdi
	movq AT(tramp_entry), %rax
	jmpq *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad X86_DESC_CODE64		/* X86_SEL_CODE64 */
	.quad X86_DESC_DATA		/* X86_SEL_DATA */
	.quad X86_DESC_CODE32		/* X86_SEL_CODE32 */
tramp_gdt_end:
tramp_gdtr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long AT(tramp_gdt)

	/* The parameter block, struct x86_tramp_params in smp.c. */
	.balign 8
	.globl x86_trampoline_params
x86_trampoline_params:
tramp_cr3:	.quad 0
tramp_stack:	.quad 0
tramp_cpu:	.quad 0
tramp_entry:	.quad 0
tramp_started:	.long 0
		.long 0
	.globl x86_trampoline_end
x86_trampoline_end:

/*
 * The AP's first kernel code, in the ordinary text: rsp = c->stack_top,
 * rdi = c. A zero rbp ends backtraces here.
 *
 *	noreturn void x86_secondary_main(struct cpu *c);
 */
	.text
	.globl x86_secondary_entry
x86_secondary_entry:
	andq $-16, %rsp
	xorl %ebp, %ebp
	fninit
	call x86_secondary_main
1:	cli
	hlt
	jmp 1b
