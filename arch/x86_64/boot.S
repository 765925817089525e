/*
 * Boot CPU entry through PVH: QEMU's `-kernel threadbare.elf` (and Xen,
 * Firecracker, cloud-hypervisor) read the ELF note below and jump to
 * x86_pvh_entry in 32-bit protected mode, paging off, with ebx pointing at
 * the hvm_start_info structure (memory map, command line, ACPI RSDP).
 *
 * From here to kmain(): zero .bss, identity-map the first 4 GiB with 2 MiB
 * pages, enter long mode, turn SSE on (C code may use it), take the boot
 * stack and the per-CPU pointer. The C side (mmu.c) later replaces these
 * page tables with final ones that are W^X.
 */
#include <arch/x86/layout.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18

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

#define PTE_P	0x01
#define PTE_W	0x02
#define PTE_PWT	0x08
#define PTE_PCD	0x10
#define PTE_PS	0x80

/* The note the PVH loader looks for: its payload is the 32-bit entry. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4				/* name size: "Xen\0" */
	.long 4				/* payload size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.long x86_pvh_entry

/* Kept across the .bss wipe, so it lives in .data. */
	.data
	.balign 4
	.globl x86_start_info_paddr
x86_start_info_paddr:
	.long 0

/* Boot page tables: one PML4, one PDPT, four page directories. */
	.section .bss
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096

	.section .boot.rodata, "a"
	.balign 16
boot_gdt:
	.quad 0
	.quad X86_DESC_CODE64		/* X86_SEL_CODE64 */
	.quad X86_DESC_DATA		/* X86_SEL_DATA */
boot_gdt_end:
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.text, "ax"
	.code32
	.globl x86_pvh_entry
x86_pvh_entry:
	cli
	cld
	movl %ebx, x86_start_info_paddr

	/* Zero .bss before anything lives there (the loader need not). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	/* 2048 2 MiB pages covering 0-4 GiB. The last 32 MiB (0xfe000000
	 * up: IOAPIC, LAPIC, firmware flash) are uncached device memory. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	cmpl $(0xfe000000 >> 21), %ecx
	jb 2f
	orl $(PTE_PCD | PTE_PWT), %eax
2:	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	/* PDPT entries 0-3 -> the four directories; PML4 entry 0 -> PDPT. */
	movl $(boot_pd + PTE_P + PTE_W), %eax
	movl %eax, boot_pdpt
	addl $4096, %eax
	movl %eax, boot_pdpt + 8
	addl $4096, %eax
	movl %eax, boot_pdpt + 16
	addl $4096, %eax
	movl %eax, boot_pdpt + 24
	movl $(boot_pdpt + PTE_P + PTE_W), boot_pml4

	/* Long mode: PAE and SSE in CR4, the tables in CR3, LME and NXE in
	 * EFER, then paging on (with WP: read-only pages bind ring 0 too). */
	lgdt boot_gdtr
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	andl $~CR0_EM, %eax
	orl $(CR0_PG | CR0_WP | CR0_MP), %eax
	movl %eax, %cr0
	ljmp $X86_SEL_CODE64, $boot64

	.code64
boot64:
	movl $X86_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	/* FS and GS stay null; only GS's base (an MSR) is used, and a
	 * selector load would wipe it. */
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	fninit

	movq $boot_cpu_stack_top, %rsp
	xorl %ebp, %ebp			/* ends the backtrace's frame chain */
	xorl %edi, %edi
	call cpu_get
	movq %rax, %rdi
	call x86_percpu_install
	call kmain
1:	cli
	hlt
	jmp 1b
