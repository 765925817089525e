/*
 * The x86 per-CPU block. GS base points at it (see arch/impl/cpu.h), and
 * struct cpu's `arch` field points back at it.
 */
#pragma once

#include <arch/x86/layout.h>
#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* The 64-bit task state segment: only the interrupt stack table matters
 * here, since everything runs in ring 0. */
struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct x86_tss) == 104, "TSS is 104 bytes");

struct x86_percpu {
	struct cpu *cpu;	/* first: arch_this_cpu() reads %gs:0 */
	struct thread *current;	/* second: arch_current_thread() reads %gs:8 */
	/* Set once this CPU's IDT is loaded: it may now be sent NMIs (TLB
	 * shootdown, IPI_STOP). Cleared when it halts for good. */
	volatile bool ready;
	volatile bool stop_pending;	/* IPI_STOP posted before the NMI */
	volatile uint64_t tlb_seen;	/* last TLB flush generation done */
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct x86_tss tss __attribute__((aligned(16)));
};

_Static_assert(__builtin_offsetof(struct x86_percpu, current) == 8,
	       "arch_current_thread() reads %gs:8");

/* The running CPU's block (valid once x86_percpu_install() ran). */
struct x86_percpu *x86_this_percpu(void);
/* CPU c's block, or NULL if c has not been installed yet. */
struct x86_percpu *x86_percpu_of(const struct cpu *c);
