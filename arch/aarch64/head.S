/*
 * The first instructions: the arm64 Image header, the boot CPU's entry and
 * a secondary CPU's entry.
 *
 * A loader (QEMU -kernel, U-Boot booti) puts the Image at a 2 MiB-aligned
 * RAM address plus text_offset, with the MMU off, and jumps to its first
 * byte at EL2 or EL1 with x0 = the device tree's physical address. We are
 * linked at that address (KERNEL_BASE) and identity-mapped, so addresses
 * need no relocation.
 */
#include <arch/a64.h>

	.section .text.boot, "ax"

	/* The Image header (Linux Documentation/arch/arm64/booting.rst). */
	.globl	_start
_start:
	b	a64_entry		/* code0 */
	.long	0			/* code1 */
	.quad	__text_offset		/* load this far past a 2 MiB boundary */
	.quad	__image_size		/* includes .bss: the loader keeps clear of it */
	.quad	0x2			/* little endian, 4 KiB pages, base near RAM start */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic, at offset 0x38 */
	.long	0

a64_entry:
	mov	x19, x0			/* the device tree, kept across the calls below */
	bl	a64_drop_to_el1
	bl	a64_cpu_setup

	/* Nothing relocates us: stop if the loader put us elsewhere. */
	adr	x0, _start
	ldr	x1, =_start
	cmp	x0, x1
	b.ne	a64_dead

	/* Zero .bss (bounds 16-byte aligned, checked by the linker script).
	 * The boot stack is in it, so this comes before the stack. */
	ldr	x0, =__bss_start
	ldr	x1, =__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	ldr	x0, =boot_cpu_stack_top
	mov	sp, x0
	mov	x29, xzr		/* the end of every backtrace */
	mov	x30, xzr
	adr	x0, a64_vectors		/* early faults land somewhere defined */
	msr	vbar_el1, x0
	isb

	adrp	x0, a64_boot_fdt
	str	x19, [x0, :lo12:a64_boot_fdt]
	mov	x0, x19
	bl	a64_mmu_init_boot	/* identity map, caches on: C may now run freely */

	mov	w0, #0
	bl	cpu_get
	msr	tpidr_el1, x0
	bl	kmain
	b	a64_dead

/*
 * PSCI CPU_ON lands here with the MMU off, x0 = the struct cpu the boot CPU
 * passed as context id. The stack lives in cached RAM, so the MMU (with the
 * boot CPU's tables) goes on before the first stack access.
 */
	.globl	a64_secondary_entry
a64_secondary_entry:
	mov	x19, x0
	bl	a64_drop_to_el1
	bl	a64_cpu_setup
	adr	x0, a64_vectors
	msr	vbar_el1, x0
	isb
	bl	a64_mmu_on
	ldr	x0, [x19, #A64_CPU_STACK_TOP]
	mov	sp, x0
	msr	tpidr_el1, x19
	mov	x29, xzr
	mov	x30, xzr
	bl	arch_init_secondary
	mov	x0, x19
	bl	kmain_secondary
	b	a64_dead

/*
 * Leave EL2 for EL1, returning to the caller at EL1h with DAIF masked; at
 * EL1 just return. Uses x9 only and no stack. At EL2 we give EL1 what it
 * needs and take nothing else: AArch64 EL1, the physical counter and timer,
 * a zero virtual counter offset, untrapped FP/SIMD, and (with a GICv3) the
 * GIC's system registers.
 */
a64_drop_to_el1:
	mrs	x9, CurrentEL
	ubfx	x9, x9, #2, #2
	cmp	x9, #1
	b.eq	9f
	cmp	x9, #2
	b.ne	a64_dead		/* EL3: firmware's job, not ours */

	mov	x9, #A64_HCR_RW		/* no traps, no stage 2, IRQs to EL1 */
	msr	hcr_el2, x9
	mrs	x9, cnthctl_el2
	orr	x9, x9, #3		/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x9
	msr	cntvoff_el2, xzr
	mov	x9, #0x33ff		/* CPTR_EL2 RES1 bits; TFP clear */
	msr	cptr_el2, x9
	msr	hstr_el2, xzr
	mrs	x9, midr_el1		/* EL1 reads the real ids */
	msr	vpidr_el2, x9
	mrs	x9, mpidr_el1
	msr	vmpidr_el2, x9

	mrs	x9, id_aa64pfr0_el1	/* GIC field: system register interface? */
	ubfx	x9, x9, #24, #4
	cbz	x9, 1f
	mrs	x9, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	orr	x9, x9, #0x1		/* SRE: system registers at EL2 */
	orr	x9, x9, #0x8		/* Enable: EL1 may use them too */
	msr	S3_4_C12_C9_5, x9
	isb
	msr	S3_4_C12_C11_0, xzr	/* ICH_HCR_EL2: no virtual interface */
1:
	ldr	x9, =A64_SCTLR_RES1
	msr	sctlr_el1, x9
	mov	x9, #A64_SPSR_EL1H
	msr	spsr_el2, x9
	msr	elr_el2, x30
	isb
	eret
9:	ret

/* EL1 state every CPU needs before C: FP/SIMD on (gcc and newlib use the
 * vector registers), SCTLR_EL1 in a known state with the MMU off. */
a64_cpu_setup:
	mov	x9, #A64_CPACR_FPEN
	msr	cpacr_el1, x9
	ldr	x9, =A64_SCTLR_RES1
	msr	sctlr_el1, x9
	isb
	ret

	.globl	a64_dead
a64_dead:
	msr	daifset, #0xf
1:	wfe
	b	1b

	.ltorg
