/*
 * GICv3 (ARM IHI 0069): distributor in MMIO with affinity routing, one
 * redistributor per CPU in MMIO, the CPU interface in system registers.
 * All our interrupts are non-secure group 1.
 *
 *   qemu-system-aarch64 -M virt,gic-version=3 ...
 */
#include "gic.h"
#include <arch/mmio.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>
#include <kernel/panic.h>

#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ICPENDR		0x0280
#define GICD_IPRIORITYR		0x0400
#define GICD_IROUTER		0x6000	/* 64 bits per SPI: Aff3 in 39:32, Aff2.Aff1.Aff0 in 23:0 */
#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE		(1u << 4)	/* ARE_NS in the non-secure view */
#define GICD_CTLR_GRP1		(1u << 1)	/* EnableGrp1(A) */

#define GICR_CTLR		0x0000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_CTLR_RWP		(1u << 3)
#define GICR_TYPER_VLPIS	(1u << 1)
#define GICR_TYPER_LAST		(1u << 4)
#define GICR_WAKER_SLEEP	(1u << 1)	/* ProcessorSleep */
#define GICR_WAKER_ASLEEP	(1u << 2)	/* ChildrenAsleep */
#define GICR_SGI		0x10000		/* the SGI/PPI frame */
#define GICR_IGROUPR0		0x0080
#define GICR_ISENABLER0		0x0100
#define GICR_ICENABLER0		0x0180
#define GICR_IPRIORITYR		0x0400

/* The CPU interface, by encoding (older assemblers lack the names). */
#define ICC_PMR_EL1		"S3_0_C4_C6_0"
#define ICC_IAR1_EL1		"S3_0_C12_C12_0"
#define ICC_EOIR1_EL1		"S3_0_C12_C12_1"
#define ICC_BPR1_EL1		"S3_0_C12_C12_3"
#define ICC_CTLR_EL1		"S3_0_C12_C12_4"
#define ICC_SRE_EL1		"S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1		"S3_0_C12_C12_7"
#define ICC_SGI1R_EL1		"S3_0_C12_C11_5"
#define icc_read(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " r : "=r"(v_)); v_; })
#define icc_write(r, v) __asm__ volatile("msr " r ", %0" : : "r"((uint64_t)(v)) : "memory")

#define MAX_RDIST_REGIONS 8

static uintptr_t gicd;
static unsigned lines;	/* INTIDs the distributor implements */
static struct { uint64_t base, size; } rdist[MAX_RDIST_REGIONS];
static unsigned nrdist;
static uint64_t rdist_stride;	/* 0: from each redistributor's GICR_TYPER */

/* This CPU's redistributor: the one whose GICR_TYPER affinity is our
 * MPIDR's, found by walking the regions the tree lists. */
static uintptr_t find_redistributor(void)
{
	uint64_t mpidr = a64_read_sysreg(mpidr_el1);
	uint32_t aff = (uint32_t)((mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff));
	for (unsigned r = 0; r < nrdist; r++) {
		for (uint64_t rd = rdist[r].base; rd < rdist[r].base + rdist[r].size;) {
			uint32_t lo = mmio_read32(rd + GICR_TYPER);
			if (mmio_read32(rd + GICR_TYPER + 4) == aff)
				return rd;
			if (lo & GICR_TYPER_LAST)
				break;
			rd += rdist_stride ? rdist_stride : lo & GICR_TYPER_VLPIS ? 0x40000 : 0x20000;
		}
	}
	panic("gicv3: no redistributor for mpidr %#lx", (unsigned long)mpidr);
}

static void cpu_init(struct a64_cpu *pc)
{
	uintptr_t rd = find_redistributor();
	pc->gicr = rd;
	/* Wake the redistributor: it forwards nothing while asleep. */
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	a64_gic_wait_clear(rd + GICR_WAKER, GICR_WAKER_ASLEEP, "redistributor wake-up");

	/* SGIs and PPIs: group 1, our priority; SGIs on, PPIs off. */
	uintptr_t sgi = rd + GICR_SGI;
	mmio_write32(sgi + GICR_IGROUPR0, ~0u);
	mmio_write32(sgi + GICR_ICENABLER0, 0xffff0000u);
	for (unsigned i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, GIC_PRIORITY * 0x01010101u);
	mmio_write32(sgi + GICR_ISENABLER0, 0x0000ffffu);
	a64_gic_wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP, "redistributor write");

	/* The CPU interface: system registers on (EL2, if any, allowed it in
	 * head.S), every priority let through, group 1 on. */
	icc_write(ICC_SRE_EL1, icc_read(ICC_SRE_EL1) | 1);
	__asm__ volatile("isb");
	if (!(icc_read(ICC_SRE_EL1) & 1))
		panic("gicv3: the CPU interface's system registers are disabled");
	icc_write(ICC_PMR_EL1, 0xff);
	icc_write(ICC_BPR1_EL1, 0);
	icc_write(ICC_CTLR_EL1, 0);	/* EOI both drops priority and deactivates */
	icc_write(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
}

static uint32_t ack(unsigned *intid)
{
	uint64_t iar = icc_read(ICC_IAR1_EL1);
	__asm__ volatile("dsb sy" : : : "memory");
	*intid = (unsigned)(iar & 0xffffff);
	return (uint32_t)iar;
}

static void eoi(uint32_t iar)
{
	icc_write(ICC_EOIR1_EL1, iar);
	__asm__ volatile("isb");
}

/* ICC_SGI1R_EL1 names the target by affinity: Aff3.Aff2.Aff1 and a bit
 * for Aff0 in a 16-wide target list (the range selector picks which 16). */
static void send_sgi(struct cpu *target, unsigned sgi)
{
	uint64_t h = target->hwid;
	uint64_t aff0 = h & 0xff;
	uint64_t v = (h >> 32 & 0xff) << 48 | (h >> 16 & 0xff) << 32 | (aff0 >> 4) << 44 |
		     (uint64_t)sgi << 24 | (h >> 8 & 0xff) << 16 | 1ull << (aff0 & 15);
	/* Stores before the IPI are visible to the target when it takes it. */
	__asm__ volatile("dsb ishst" : : : "memory");
	icc_write(ICC_SGI1R_EL1, v);
	__asm__ volatile("isb");
}

static void disable(unsigned intid)
{
	if (intid < 32)
		mmio_write32(a64_cpu_data(arch_this_cpu())->gicr + GICR_SGI + GICR_ICENABLER0,
			     1u << intid);
	else
		mmio_write32(gicd + GICD_ICENABLER + intid / 32 * 4, 1u << intid % 32);
}

static void enable(unsigned intid)
{
	if (intid < 32)
		mmio_write32(a64_cpu_data(arch_this_cpu())->gicr + GICR_SGI + GICR_ISENABLER0,
			     1u << intid);
	else
		mmio_write32(gicd + GICD_ISENABLER + intid / 32 * 4, 1u << intid % 32);
}

/* An SPI goes to the CPU GICD_IROUTER names by affinity, whose layout is
 * MPIDR's (bit 31, "any CPU", clear): the target's hwid as it is. */
static int route(unsigned intid, struct cpu *target)
{
	if (intid < 32 || intid >= lines)
		return -EINVAL;
	/* Configuration changes only while disabled, and the disable is
	 * done only once RWP clears. */
	disable(intid);
	a64_gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "spi disable");
	a64_gic_spi_level(gicd, intid);
	uint64_t aff = target->hwid & A64_MPIDR_AFF_MASK;
	mmio_write32(gicd + GICD_IROUTER + intid * 8, (uint32_t)aff);
	mmio_write32(gicd + GICD_IROUTER + intid * 8 + 4, (uint32_t)(aff >> 32));
	enable(intid);
	return 0;
}

static const struct a64_gic_ops gicv3_ops = {
	.name = "GICv3",
	.cpu_init = cpu_init,
	.ack = ack,
	.eoi = eoi,
	.send_sgi = send_sgi,
	.disable = disable,
	.enable = enable,
	.route = route,
};

const struct a64_gic_ops *a64_gicv3_probe(const void *fdt, int node)
{
	/* reg: the distributor, then #redistributor-regions regions. */
	uint64_t base, size;
	if (fdt_reg(fdt, node, 0, &base, &size))
		return NULL;
	gicd = base;
	int len;
	const uint32_t *p = fdt_prop(fdt, node, "#redistributor-regions", &len);
	unsigned want = p && len == 4 ? (unsigned)fdt_read_cells(p, 1) : 1;
	for (nrdist = 0; nrdist < want && nrdist < MAX_RDIST_REGIONS; nrdist++)
		if (fdt_reg(fdt, node, 1 + (int)nrdist, &rdist[nrdist].base, &rdist[nrdist].size))
			break;
	if (!nrdist)
		return NULL;
	p = fdt_prop(fdt, node, "redistributor-stride", &len);
	if (p && len >= 4)
		rdist_stride = fdt_read_cells(p, len / 4);

	/* The distributor: off while we set it up; SPIs group 1, off, not
	 * pending, our priority; then on with affinity routing. */
	mmio_write32(gicd + GICD_CTLR, 0);
	a64_gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "distributor disable");
	lines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
	if (lines > GIC_SPURIOUS_MIN)
		lines = GIC_SPURIOUS_MIN;
	for (unsigned i = 32; i < lines; i += 32) {
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < lines; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, GIC_PRIORITY * 0x01010101u);
	a64_gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "distributor setup");
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	a64_gic_wait_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "distributor enable");
	return &gicv3_ops;
}
