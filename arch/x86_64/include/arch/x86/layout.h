/*
 * Fixed numbers of the x86_64 port: segment selectors, interrupt vectors,
 * the AP trampoline's page. Included from C and from assembly.
 */
#pragma once

/* The GDT every CPU runs on (gdt.c); boot.S and the trampoline use the same
 * selectors for code and data so the IDT's code selector is always valid. */
#define X86_SEL_CODE64	0x08
#define X86_SEL_DATA	0x10
#define X86_SEL_TSS	0x18	/* per-CPU GDT only (two slots) */
#define X86_SEL_CODE32	0x18	/* trampoline GDT only */

/* Descriptors with the accessed bit already set, so the CPU never writes to
 * a GDT that may sit in a read-only page. */
#define X86_DESC_CODE64	0x00af9b000000ffff
#define X86_DESC_DATA	0x00cf93000000ffff
#define X86_DESC_CODE32	0x00cf9b000000ffff

/* Interrupt stack table slots (TSS.IST1..7): #DF and #MC share one, NMI has
 * its own, so a kernel stack overflow (a fault that cannot push its frame)
 * still lands on a good stack. */
#define X86_IST_FAULT	1
#define X86_IST_NMI	2
#define X86_IST_SIZE	8192

/* Vectors 0-31 are exceptions. Device interrupts: GSI n arrives on vector
 * X86_VEC_IRQ_BASE + n (ioapic.c), for the first X86_VEC_IRQ_COUNT GSIs.
 * Then this CPU's LAPIC timer and the IPIs. The LAPIC ranks vectors by
 * their top nibble; with interrupts off in every handler that only orders
 * pending ones. */
#define X86_VEC_IRQ_BASE 0x20
#define X86_VEC_IRQ_COUNT 0xc0	/* vectors 0x20-0xdf */
#define X86_VEC_TIMER	0xe0
#define X86_VEC_IPI_WAKE 0xf0
#define X86_VEC_IPI_RESCHED 0xf1
#define X86_VEC_SPURIOUS 0xff
#define X86_VEC_COUNT	256
#define X86_VEC_ENTRY_SIZE 16	/* entry.S: one entry per vector, this far apart */

/* Real-mode page the AP trampoline is copied to (below 1 MiB, page
 * aligned; the SIPI vector is its page number). */
#define X86_TRAMPOLINE_PADDR 0x8000
