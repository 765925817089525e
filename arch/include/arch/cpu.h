/*
 * The arch contract, part 1: the CPU a piece of code runs on.
 *
 * Generic code includes this header; each port supplies the inline bodies in
 * arch/<arch>/include/arch/impl/cpu.h. Everything here is callable from any
 * context (thread, interrupt handler, exception handler, early boot) unless
 * stated otherwise.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct cpu;
struct thread;

/* The running CPU's struct cpu. Valid from the first line of kmain() on the
 * boot CPU and of kmain_secondary() on the others. */
static inline struct cpu *arch_this_cpu(void);
/* Install the per-CPU pointer. Bring-up code only, once per CPU. */
static inline void arch_set_this_cpu(struct cpu *c);

/* The thread running on this CPU, read in one instruction that preemption
 * cannot split (between two reads of the per-CPU pointer and a field, a
 * thread may move to another CPU). NULL before the scheduler starts. The
 * scheduler sets it at every switch, interrupts off. */
static inline struct thread *arch_current_thread(void);
static inline void arch_set_current_thread(struct thread *t);

/* Disable interrupts and return the previous state, for arch_irq_restore().
 * Save/restore pairs nest. */
static inline unsigned long arch_irq_save(void);
static inline void arch_irq_restore(unsigned long state);
static inline void arch_irq_enable(void);
static inline void arch_irq_disable(void);
static inline bool arch_irqs_enabled(void);

/* Hint to the core inside a spin-wait loop (pause / yield). */
static inline void arch_cpu_relax(void);

/* A free-running monotonic counter and its frequency in Hz. The counter
 * starts near zero at reset, so under QEMU -icount it also tells how far the
 * guest has run. */
static inline uint64_t arch_counter(void);
uint64_t arch_counter_hz(void);

/* Called with interrupts disabled: wait (hlt / wfi) until an interrupt is
 * pending, let it be handled, and return with interrupts disabled again. No
 * wake-up is lost between the caller's last check and the wait. */
void arch_idle(void);

/* Disable interrupts and stop this CPU for good. */
noreturn void arch_halt(void);

#include <arch/impl/cpu.h>
