/*
 * The rest of <arch/cpu.h>: idling, halting, the counter's frequency.
 */
#include <arch/a64.h>
#include <arch/cpu.h>

/* Interrupts are masked here; wfi still wakes for a pending one. Briefly
 * unmasking takes it (the isb makes the unmask take effect before we mask
 * again), so a wake-up that arrives after the caller's last check is not
 * lost: it is pending, so wfi returns at once. */
void arch_idle(void)
{
	__asm__ volatile("dsb sy\n\t"
			 "wfi\n\t"
			 "msr daifclr, #2\n\t"
			 "isb\n\t"
			 "msr daifset, #2"
			 : : : "memory");
}

noreturn void arch_halt(void)
{
	__asm__ volatile("msr daifset, #0xf" : : : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

uint64_t arch_counter_hz(void)
{
	return a64_read_sysreg(cntfrq_el0);
}
