/*
 * The interrupt controller, whichever GIC version the device tree names:
 * bring-up, the IRQ exception's dispatch, and IPIs (SGI n = enum ipi n).
 */
#include "gic.h"
#include <arch/exception.h>
#include <arch/ipi.h>
#include <arch/mmio.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>
#include <kernel/log.h>
#include <kernel/panic.h>

static const struct a64_gic_ops *gic;

void a64_gic_wait_clear(uintptr_t reg, uint32_t bits, const char *what)
{
	for (unsigned long i = 0; i < 100000000ul; i++)
		if (!(mmio_read32(reg) & bits))
			return;
	panic("gic: %s never finished", what);
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

/* The IRQ exception: take interrupts until none is pending. An IPI is
 * finished (EOI) before ipi_receive(), which may not return (IPI_STOP). */
void a64_irq_handler(struct arch_frame *f)
{
	(void)f;
	for (;;) {
		unsigned intid;
		uint32_t ack = gic->ack(&intid);
		if (intid >= GIC_SPURIOUS_MIN && intid <= 1023)
			return;
		gic->eoi(ack);
		if (intid < IPI_COUNT) {
			ipi_receive((enum ipi)intid);
			continue;
		}
		/* Nothing asked for it (no device interrupts yet): turn it
		 * off rather than be called again forever. */
		gic->disable(intid);
		kprintf("gic: unexpected interrupt %u on cpu %u, disabled\n", intid,
			arch_this_cpu()->index);
	}
}

void arch_ipi_send(struct cpu *target, enum ipi ipi)
{
	gic->send_sgi(target, (unsigned)ipi);
}
