/*
 * aarch64 bodies for <arch/cpu.h>.
 *
 * The per-CPU pointer lives in TPIDR_EL1, which only EL1 can read or write.
 * Interrupt state is PSTATE.DAIF; we only ever toggle I (IRQ), leaving
 * debug, SError and FIQ masking to the port's boot code.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define A64_DAIF_I (1ul << 7)

static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	/* volatile: a thread may move to another CPU between two calls, so
	 * the compiler must not reuse an earlier read. */
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

static inline void arch_set_this_cpu(struct cpu *c)
{
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(c) : "memory");
}

/* The current thread in TPIDR_EL0: a register of its own, so one mrs reads
 * it (EL0 never runs here; TPIDRRO_EL0 is the vectors' scratch). */
static inline struct thread *arch_current_thread(void)
{
	struct thread *t;
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(t));
	return t;
}

static inline void arch_set_current_thread(struct thread *t)
{
	__asm__ volatile("msr tpidr_el0, %0" : : "r"(t) : "memory");
}

static inline unsigned long arch_irq_save(void)
{
	unsigned long daif;
	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(daif) : : "memory");
	return daif;
}

static inline void arch_irq_restore(unsigned long state)
{
	__asm__ volatile("msr daif, %0" : : "r"(state) : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline bool arch_irqs_enabled(void)
{
	unsigned long daif;
	__asm__ volatile("mrs %0, daif" : "=r"(daif));
	return !(daif & A64_DAIF_I);
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

static inline uint64_t arch_counter(void)
{
	uint64_t v;
	/* The isb keeps the read from being taken early, ahead of the code
	 * that the caller is timing. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}
