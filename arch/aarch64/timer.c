/*
 * The per-CPU one-shot timer: the generic timer's EL1 virtual timer
 * (CNTV_CVAL_EL0 / CNTV_CTL_EL0), which compares against CNTVCT_EL0, the
 * counter arch_counter() reads. Its interrupt is a level-sensitive PPI (27
 * on QEMU virt), named by the device tree's /timer node.
 */
#include <arch/a64.h>
#include <arch/timer.h>
#include <kernel/fdt.h>
#include <kernel/log.h>

#define CNTV_CTL_ENABLE	(1u << 0)
#define CNTV_CTL_IMASK	(1u << 1)

#define TIMER_PPI_DEFAULT 27	/* the architecture's recommended virtual timer PPI */

unsigned a64_timer_intid = TIMER_PPI_DEFAULT;

void arch_timer_arm(uint64_t deadline)
{
	/* A deadline already passed fires at once: the comparison is
	 * CNTVCT >= CVAL. Enable with the interrupt unmasked. */
	a64_write_sysreg(cntv_cval_el0, deadline);
	a64_write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	a64_isb();
}

void arch_timer_disarm(void)
{
	/* Disabled, the timer's output drops, so the level-sensitive PPI is
	 * no longer pending. */
	a64_write_sysreg(cntv_ctl_el0, 0);
	a64_isb();
}

/* The virtual timer's INTID from the tree: "interrupts" on the
 * arm,armv8-timer (or armv7) node lists the secure physical, non-secure
 * physical, virtual and hypervisor timers, three cells each (type, number,
 * flags); type 1 is a PPI, numbered from 16. */
void a64_timer_init(const void *fdt)
{
	int node = fdt_find_compatible(fdt, -1, "arm,armv8-timer");
	if (node < 0)
		node = fdt_find_compatible(fdt, -1, "arm,armv7-timer");
	int len = 0;
	const uint32_t *p = node >= 0 ? fdt_prop(fdt, node, "interrupts", &len) : NULL;
	if (p && len >= 9 * 4 && fdt_read_cells(p + 6, 1) == 1)
		a64_timer_intid = 16 + (unsigned)fdt_read_cells(p + 7, 1);
	else
		kprintf("timer: no virtual timer interrupt in the device tree, using PPI %u\n",
			a64_timer_intid);
	a64_timer_cpu_init();
}

/* Each CPU: its timer off, its PPI on at the GIC. */
void a64_timer_cpu_init(void)
{
	arch_timer_disarm();
	a64_gic_enable(a64_timer_intid);
}
