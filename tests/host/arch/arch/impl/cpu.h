/*
 * Host build: the arch contract's inline bodies, enough for kernel headers
 * to compile in the host tests, with hooks where a test needs another CPU
 * to act.
 */
#pragma once

/* The pretend CPU the code runs on (tests/host/fakes.c): host_cpu unless a
 * test moves it, so spinlocks can check pairing. */
extern struct cpu host_cpu;
extern struct cpu *host_cpu_now;
/* Called, when set, where the real code would let an interrupt in or spin:
 * a test's way to make another CPU act at exactly that point. */
extern void (*host_irq_restore_hook)(void);
extern void (*host_relax_hook)(void);
static inline struct cpu *arch_this_cpu(void) { return host_cpu_now; }
static inline struct thread *arch_current_thread(void) { return 0; }
static inline void arch_set_current_thread(struct thread *t) {}
static inline void arch_set_this_cpu(struct cpu *c) {}
static inline unsigned long arch_irq_save(void) { return 0; }
static inline void arch_irq_restore(unsigned long state)
{
	if (host_irq_restore_hook)
		host_irq_restore_hook();
}
static inline void arch_irq_enable(void) {}
static inline void arch_irq_disable(void) {}
static inline bool arch_irqs_enabled(void) { return true; }
static inline void arch_cpu_relax(void)
{
	if (host_relax_hook)
		host_relax_hook();
}
static inline uint64_t arch_counter(void) { return 0; }
