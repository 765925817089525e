/*
 * x86_64 bodies for <arch/cpu.h>.
 *
 * Per-CPU pointer: the GS base register holds the address of this CPU's
 * struct x86_percpu (arch/x86/percpu.h), whose first word is its struct
 * cpu *. One `mov %gs:0` reads it, with no table lookup and no need to know
 * which CPU we are on. Nothing ever reloads GS after the base is set (a
 * selector load would clear the base).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define X86_RFLAGS_IF (1ul << 9)

/* arch/x86_64/gdt.c: point GS at c's per-CPU block and record c in it. */
void x86_percpu_install(struct cpu *c);

static inline struct cpu *arch_this_cpu(void)
{
	struct cpu *c;
	/* volatile: a thread may move to another CPU between two calls, so
	 * the compiler must not reuse an earlier answer. */
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

static inline void arch_set_this_cpu(struct cpu *c) { x86_percpu_install(c); }

/* The current thread is the per-CPU block's second word: one gs-relative
 * load, which preemption cannot split. */
static inline struct thread *arch_current_thread(void)
{
	struct thread *t;
	__asm__ volatile("mov %%gs:8, %0" : "=r"(t));
	return t;
}

static inline void arch_set_current_thread(struct thread *t)
{
	__asm__ volatile("mov %0, %%gs:8" : : "r"(t) : "memory");
}

static inline unsigned long arch_irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags & X86_RFLAGS_IF;
}

static inline void arch_irq_restore(unsigned long state)
{
	if (state & X86_RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

static inline void arch_irq_enable(void) { __asm__ volatile("sti" : : : "memory"); }
static inline void arch_irq_disable(void) { __asm__ volatile("cli" : : : "memory"); }

static inline bool arch_irqs_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags) : : "memory");
	return flags & X86_RFLAGS_IF;
}

static inline void arch_cpu_relax(void) { __asm__ volatile("pause" : : : "memory"); }

/* The TSC: reset to zero with the CPU, constant rate on every CPU QEMU
 * models (and under -icount it counts virtual nanoseconds). */
static inline uint64_t arch_counter(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
