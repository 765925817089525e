/*
 * Idle and halt.
 */
#include <arch/cpu.h>
#include <arch/x86/percpu.h>

/* sti takes effect after the next instruction, so no interrupt can slip
 * in between and be missed by hlt: one pending at sti wakes hlt at once. */
void arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

noreturn void arch_halt(void)
{
	__asm__ volatile("cli" : : : "memory");
	/* No more TLB shootdowns for this CPU: nobody should wait for it. */
	__atomic_store_n(&x86_this_percpu()->ready, false, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("hlt" : : : "memory");
}
