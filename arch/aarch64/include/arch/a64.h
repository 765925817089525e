/*
 * Inside the aarch64 port: system register access, the constants the boot
 * assembly shares with C, and the port's internal interfaces. Generic code
 * never includes this; the aarch64 boards may (board_poweroff uses PSCI).
 */
#pragma once

/* SCTLR_EL1 with the MMU and caches off: only the RES1 bits set, so
 * little-endian, no alignment checks. */
#define A64_SCTLR_RES1	0x30d00800
#define A64_SCTLR_M	(1 << 0)	/* stage 1 translation */
#define A64_SCTLR_C	(1 << 2)	/* data cache */
#define A64_SCTLR_SA	(1 << 3)	/* sp alignment check */
#define A64_SCTLR_I	(1 << 12)	/* instruction cache */

#define A64_CPACR_FPEN	(3 << 20)	/* FP/SIMD at EL1 without trapping */
#define A64_HCR_RW	(1 << 31)	/* EL1 is AArch64 */
#define A64_SPSR_EL1H	0x3c5		/* EL1 on SP_EL1, DAIF all masked */

/* Per-CPU emergency stack used when an exception finds its stack gone. */
#define A64_EMERGENCY_STACK_SHIFT 13	/* 8 KiB each */

/* Offsets into struct cpu used by the assembly (checked in setup.c). */
#define A64_CPU_INDEX		0
#define A64_CPU_STACK_TOP	16

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stddef.h>

struct cpu;
struct arch_frame;

#define a64_read_sysreg(r) ({                                   \
	uint64_t v_;                                            \
	__asm__ volatile("mrs %0, " #r : "=r"(v_));             \
	v_;                                                     \
})
#define a64_write_sysreg(r, v) \
	__asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")
#define a64_isb() __asm__ volatile("isb" : : : "memory")

/* MPIDR_EL1's affinity fields (Aff3 in 39:32, Aff2..Aff0 in 23:0): the
 * value device trees use for a CPU's "reg" and PSCI for its target. */
#define A64_MPIDR_AFF_MASK 0xff00fffffful

/* The port's per-CPU data; struct cpu's arch field points at one. */
struct a64_cpu {
	uintptr_t gicr;		/* GICv3: this CPU's redistributor (RD_base) */
	uint8_t gicv2_mask;	/* GICv2: this CPU's bit in SGI target lists */
};
struct a64_cpu *a64_cpu_data(struct cpu *c);

/* head.S */
extern char a64_secondary_entry[];
/* vectors.S */
extern char a64_vectors[];
void a64_exceptions_init(void);

/* cache.S: data cache maintenance to the point of coherency, by line. */
void a64_dcache_clean_poc(const void *start, size_t size);
void a64_dcache_inval_poc(const void *start, size_t size);
/* cache.S: turn on the MMU with a64_mmu_regs; uses no stack. */
void a64_mmu_on(void);

/* The values every CPU loads to turn its MMU on (read by cache.S). */
struct a64_mmu_regs {
	uint64_t mair, tcr, ttbr0, sctlr;
};
extern struct a64_mmu_regs a64_mmu_regs;

/* mmu.c */
void a64_mmu_init_boot(const void *fdt);	/* before C sees any of RAM */
int a64_mmu_map_ram(uint64_t base, uint64_t size);	/* arch_early_init */
void a64_mmu_map_done(void);

/* gic.c */
void a64_gic_init(const void *fdt);	/* boot CPU: distributor + its interface */
void a64_gic_cpu_init(void);		/* each secondary CPU: its interface */
void a64_gic_enable(unsigned intid);	/* SGI/PPI: on this CPU; SPI: everywhere */
void a64_irq_handler(struct arch_frame *f);

/* timer.c: the EL1 virtual timer */
extern unsigned a64_timer_intid;	/* its PPI */
void a64_timer_init(const void *fdt);	/* boot CPU, after the GIC */
void a64_timer_cpu_init(void);		/* each CPU: timer off, PPI on */

/* psci.c */
void a64_psci_init(const void *fdt);
/* Returns only when there is no PSCI or it refused. */
void a64_psci_system_off(void);
/* Restart the machine; returns only if PSCI cannot. */
void a64_psci_system_reset(void);

/* setup.c: the device tree the loader passed in x0 (head.S stores it). */
extern const void *a64_boot_fdt;
#endif
