/*
 * GICv2 (ARM IHI 0048): distributor and CPU interface, both in MMIO. An
 * SGI names its targets by CPU-interface number, which each CPU learns from
 * its own banked GICD_ITARGETSR0.
 *
 *   qemu-system-aarch64 -M virt,gic-version=2 ... (at most 8 CPUs)
 */
#include "gic.h"
#include <arch/mmio.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>

#define GICD_CTLR	0x000
#define GICD_TYPER	0x004
#define GICD_ISENABLER	0x100
#define GICD_ICENABLER	0x180
#define GICD_ICPENDR	0x280
#define GICD_IPRIORITYR	0x400
#define GICD_ITARGETSR	0x800
#define GICD_SGIR	0xf00

#define GICC_CTLR	0x000
#define GICC_PMR	0x004
#define GICC_BPR	0x008
#define GICC_IAR	0x00c
#define GICC_EOIR	0x010

static uintptr_t gicd, gicc;
static unsigned lines;	/* INTIDs the distributor implements */

static void cpu_init(struct a64_cpu *pc)
{
	/* The banked SGI/PPI registers: SGIs on at our priority, PPIs off. */
	mmio_write32(gicd + GICD_ICENABLER, 0xffff0000u);
	for (unsigned i = 0; i < 32; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIORITY * 0x01010101u);
	mmio_write32(gicd + GICD_ISENABLER, 0x0000ffffu);
	/* The banked GICD_ITARGETSR0-7 read as this CPU's own interface bit.
	 * Some GICs (QEMU's among them) only do so for a few of the PPIs, so
	 * take the first non-zero byte. */
	pc->gicv2_mask = 0;
	for (unsigned i = 0; i < 32 && !pc->gicv2_mask; i++)
		pc->gicv2_mask = mmio_read8(gicd + GICD_ITARGETSR + i);

	mmio_write32(gicc + GICC_PMR, 0xff);
	mmio_write32(gicc + GICC_BPR, 0);
	mmio_write32(gicc + GICC_CTLR, 1);
}

static uint32_t ack(unsigned *intid)
{
	uint32_t iar = mmio_read32(gicc + GICC_IAR);
	*intid = iar & 0x3ff;
	return iar;	/* EOI wants the source CPU bits too */
}

static void eoi(uint32_t iar)
{
	mmio_write32(gicc + GICC_EOIR, iar);
}

static void send_sgi(struct cpu *target, unsigned sgi)
{
	/* mmio_write32 orders earlier stores before the request. */
	mmio_write32(gicd + GICD_SGIR, (uint32_t)a64_cpu_data(target)->gicv2_mask << 16 | sgi);
}

static void disable(unsigned intid)
{
	mmio_write32(gicd + GICD_ICENABLER + intid / 32 * 4, 1u << intid % 32);
}

static void enable(unsigned intid)
{
	mmio_write32(gicd + GICD_ISENABLER + intid / 32 * 4, 1u << intid % 32);
}

/* An SPI goes to the CPU interfaces whose bits are set in its byte of
 * GICD_ITARGETSR: just the target's. */
static int route(unsigned intid, struct cpu *target)
{
	uint8_t mask = a64_cpu_data(target)->gicv2_mask;
	if (intid < 32 || intid >= lines || !mask)
		return -EINVAL;
	disable(intid);		/* configuration changes only while disabled */
	a64_gic_spi_level(gicd, intid);
	mmio_write8(gicd + GICD_ITARGETSR + intid, mask);
	enable(intid);
	return 0;
}

static const struct a64_gic_ops gicv2_ops = {
	.name = "GICv2",
	.cpu_init = cpu_init,
	.ack = ack,
	.eoi = eoi,
	.send_sgi = send_sgi,
	.disable = disable,
	.enable = enable,
	.route = route,
};

const struct a64_gic_ops *a64_gicv2_probe(const void *fdt, int node)
{
	uint64_t base, size;
	if (fdt_reg(fdt, node, 0, &base, &size))
		return NULL;
	gicd = base;
	if (fdt_reg(fdt, node, 1, &base, &size))
		return NULL;
	gicc = base;

	/* Off while we set it up; SPIs off, not pending, our priority. */
	mmio_write32(gicd + GICD_CTLR, 0);
	lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
	if (lines > GIC_SPURIOUS_MIN)
		lines = GIC_SPURIOUS_MIN;
	for (unsigned i = 32; i < lines; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < lines; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIORITY * 0x01010101u);
	mmio_write32(gicd + GICD_CTLR, 1);
	return &gicv2_ops;
}
