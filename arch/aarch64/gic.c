/*
 * The interrupt controller, whichever GIC version the device tree names:
 * bring-up, the IRQ exception's dispatch, IPIs (SGI n = enum ipi n) and
 * device interrupts (SPIs, level-sensitive).
 */
#include "gic.h"
#include <arch/exception.h>
#include <arch/ipi.h>
#include <arch/irq.h>
#include <arch/mmio.h>
#include <arch/timer.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>

#define GICD_ICFGR	0x0c00	/* both versions: 2 bits per INTID, bit 1 = edge */

static const struct a64_gic_ops *gic;
/* GICD_ICFGR words are shared by 16 interrupts: read-modify-write under it. */
static struct spinlock icfgr_lock = SPINLOCK_INIT("gic icfgr");

void a64_gic_wait_clear(uintptr_t reg, uint32_t bits, const char *what)
{
	for (unsigned long i = 0; i < 100000000ul; i++)
		if (!(mmio_read32(reg) & bits))
			return;
	panic("gic: %s never finished", what);
}

void a64_gic_spi_level(uintptr_t gicd, unsigned intid)
{
	uintptr_t reg = gicd + GICD_ICFGR + intid / 16 * 4;
	spin_lock(&icfgr_lock);
	mmio_write32(reg, mmio_read32(reg) & ~(2u << intid % 16 * 2));
	spin_unlock(&icfgr_lock);
}

void a64_gic_init(const void *fdt)
{
	static const char *const v2[] = {
		"arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic", "arm,cortex-a7-gic",
	};
	int node = fdt_find_compatible(fdt, -1, "arm,gic-v3");
	if (node >= 0)
		gic = a64_gicv3_probe(fdt, node);
	for (unsigned i = 0; !gic && i < sizeof v2 / sizeof v2[0]; i++) {
		node = fdt_find_compatible(fdt, -1, v2[i]);
		if (node >= 0)
			gic = a64_gicv2_probe(fdt, node);
	}
	if (!gic)
		panic("gic: no GICv2 or GICv3 in the device tree");
	gic->cpu_init(a64_cpu_data(arch_this_cpu()));
}

void a64_gic_cpu_init(void)
{
	gic->cpu_init(a64_cpu_data(arch_this_cpu()));
}

void a64_gic_enable(unsigned intid)
{
	gic->enable(intid);
}

/*
 * The IRQ exception, on the interrupted thread's stack with the full frame
 * saved below f. Takes interrupts until none is pending, bracketed by
 * irq_enter()/irq_exit(). Each is EOI'd before anything that could leave
 * this CPU: irq_exit() may switch threads and come back much later, on a
 * CPU whose GIC has no active interrupt of ours, and ipi_receive() may
 * not return (IPI_STOP).
 */
void a64_irq_handler(struct arch_frame *f)
{
	(void)f;
	irq_enter();
	for (;;) {
		unsigned intid;
		uint32_t ack = gic->ack(&intid);
		if (intid >= GIC_SPURIOUS_MIN && intid <= 1023)
			break;
		if (intid < IPI_COUNT) {
			gic->eoi(ack);
			ipi_receive((enum ipi)intid);
		} else if (intid == a64_timer_intid) {
			/* Level-sensitive: turn the timer off so it stops
			 * asserting, then EOI; timer_interrupt() re-arms it. */
			arch_timer_disarm();
			gic->eoi(ack);
			timer_interrupt();
			/* Once per entry: a deadline already passed (a time
			 * slice that ended while a switch is due) fires again
			 * at once, and only irq_exit()'s switch moves it. */
			break;
		} else if (intid >= 32) {
			/* The handler quiets the device; EOI afterwards, so a
			 * level still asserted comes back as a new interrupt. */
			irq_dispatch(intid);
			gic->eoi(ack);
		} else {
			/* An SGI or PPI nothing asked for: turn it off rather
			 * than be called again forever. */
			gic->disable(intid);
			gic->eoi(ack);
			kprintf("gic: unexpected interrupt %u on cpu %u, disabled\n", intid,
				arch_this_cpu()->index);
		}
	}
	irq_exit();
}

void arch_ipi_send(struct cpu *target, enum ipi ipi)
{
	gic->send_sgi(target, (unsigned)ipi);
}

int arch_irq_route(unsigned irq, struct cpu *target)
{
	return target ? gic->route(irq, target) : -EINVAL;
}

void arch_irq_mask(unsigned irq)
{
	if (irq < GIC_SPURIOUS_MIN)
		gic->disable(irq);
}

void arch_irq_unmask(unsigned irq)
{
	if (irq < GIC_SPURIOUS_MIN)
		gic->enable(irq);
}
