/*
 * Host build: the arch contract's inline bodies, enough for kernel headers
 * to compile in the host tests (which never call them).
 */
#pragma once

/* One pretend CPU (tests/host/fakes.c), so spinlocks can check pairing. */
extern struct cpu host_cpu;
static inline struct cpu *arch_this_cpu(void) { return &host_cpu; }
static inline struct thread *arch_current_thread(void) { return 0; }
static inline void arch_set_current_thread(struct thread *t) {}
static inline void arch_set_this_cpu(struct cpu *c) {}
static inline unsigned long arch_irq_save(void) { return 0; }
static inline void arch_irq_restore(unsigned long state) {}
static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline bool arch_irqs_enabled(void) { return true; }
static inline void arch_cpu_relax(void) {}
static inline uint64_t arch_counter(void) { return 0; }
