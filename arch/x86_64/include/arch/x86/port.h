/*
 * What the files of the x86_64 port call in each other. Not for generic
 * code or boards (boards use acpi.h and insn.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct arch_frame;
struct cpu;

/* boot.S: the physical address of the PVH hvm_start_info (from ebx). */
extern uint32_t x86_start_info_paddr;

/* early.c: the firmware's memory map, copied from the start info. */
#define X86_MEM_RAM		1
#define X86_MEM_RESERVED	2
#define X86_MEM_ACPI		3
#define X86_MEM_NVS		4
struct x86_mem_region {
	uint64_t base, size;
	uint32_t type;
};
const struct x86_mem_region *x86_memmap(unsigned *count);

/* gdt.c: load this CPU's GDT and TSS (per-CPU pointer already set). */
void x86_gdt_load(void);

/* idt.c: fill the IDT once (boot CPU), load it on each CPU. */
void x86_idt_init(void);
void x86_idt_load(void);

/* exception.c: every vector lands here from entry.S, interrupts off. */
void x86_interrupt(struct arch_frame *f);

/* mmu.c */
void x86_mmu_init(void);		/* boot CPU: final tables, W^X, load CR3 */
uint64_t x86_mmu_mapped_top(void);	/* identity map covers [0, this) */
void x86_tlb_nmi(void);			/* NMI handler: catch up on shootdowns */

/* acpi.c */
void x86_acpi_init(uint64_t rsdp_paddr);

/* lapic.c (xAPIC, memory mapped) */
#define X86_ICR_FIXED	0x00000
#define X86_ICR_NMI	0x00400
#define X86_ICR_INIT	0x00500
#define X86_ICR_SIPI	0x00600
#define X86_ICR_ASSERT	0x04000
void x86_lapic_init(uint64_t paddr);	/* boot CPU: where the LAPIC lives */
void x86_lapic_enable(void);		/* each CPU */
void x86_lapic_eoi(void);
void x86_lapic_send(uint32_t apic_id, uint32_t icr);
uint32_t x86_lapic_read(unsigned reg);
void x86_lapic_write(unsigned reg, uint32_t v);

/* timer.c: the LAPIC timer behind arch_timer_arm() */
void x86_timer_calibrate(void);		/* boot CPU, after x86_tsc_calibrate() */
void x86_timer_init_cpu(void);		/* each CPU, after x86_lapic_enable() */

/* ioapic.c */
void x86_pic_disable(void);
void x86_ioapic_init(void);		/* boot CPU: find the IOAPICs, mask every entry */
unsigned x86_ioapic_gsi_end(void);	/* one past the highest GSI an IOAPIC serves */

/* msi.c: interrupt numbers from x86_ioapic_gsi_end() up are MSI vectors */
bool x86_msi_owns(unsigned irq);	/* handed out by arch_msi_alloc() */
int x86_msi_route(unsigned irq, struct cpu *target);

/* tsc.c */
void x86_tsc_calibrate(void);
void x86_udelay(uint64_t us);
