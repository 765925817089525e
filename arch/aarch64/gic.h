/*
 * Inside the port: the two GIC versions behind one set of operations, so
 * the interrupt path has no version checks.
 */
#pragma once

#include <arch/a64.h>
#include <stdint.h>

struct cpu;

/* Interrupt ids: SGIs 0-15 (our IPIs: SGI n = enum ipi n), PPIs 16-31, SPIs
 * from 32; 1020-1023 are special (1023: nothing pending). */
#define GIC_SPURIOUS_MIN 1020
#define GIC_PRIORITY	0xa0	/* every interrupt we enable; 0xff is the mask */

struct a64_gic_ops {
	const char *name;
	void (*cpu_init)(struct a64_cpu *pc);	/* this CPU's interface */
	uint32_t (*ack)(unsigned *intid);	/* returns the value eoi() wants */
	void (*eoi)(uint32_t ack);
	void (*send_sgi)(struct cpu *target, unsigned sgi);
	void (*disable)(unsigned intid);	/* on this CPU for SGIs/PPIs */
	void (*enable)(unsigned intid);		/* on this CPU for SGIs/PPIs */
	/* SPIs only: level-sensitive, to target, enabled; -EINVAL for an
	 * INTID the distributor does not have or a target it cannot name.
	 * Not from interrupt handlers (takes a spinlock for ICFGR). */
	int (*route)(unsigned intid, struct cpu *target);
};

/* Set up the distributor described by the device tree node and return the
 * operations, or NULL when the node is unusable. Boot CPU, once. */
const struct a64_gic_ops *a64_gicv2_probe(const void *fdt, int node);
const struct a64_gic_ops *a64_gicv3_probe(const void *fdt, int node);

/* Spin until (read32(reg) & bits) == 0, or give up after a while. */
void a64_gic_wait_clear(uintptr_t reg, uint32_t bits, const char *what);
/* Make SPI intid level-sensitive in GICD_ICFGR (same layout on both
 * versions). The interrupt must be disabled. Not from interrupt handlers. */
void a64_gic_spi_level(uintptr_t gicd, unsigned intid);
