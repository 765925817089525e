/*
 * Inside the port: the two GIC versions behind one set of operations, so
 * the interrupt path has no version checks.
 */
#pragma once

#include <arch/a64.h>
#include <stdint.h>

struct cpu;

/* Interrupt ids: SGIs 0-15 (our IPIs are SGI 0 and 1), PPIs 16-31, SPIs
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
};

/* Set up the distributor described by the device tree node and return the
 * operations, or NULL when the node is unusable. Boot CPU, once. */
const struct a64_gic_ops *a64_gicv2_probe(const void *fdt, int node);
const struct a64_gic_ops *a64_gicv3_probe(const void *fdt, int node);

/* Spin until (read32(reg) & bits) == 0, or give up after a while. */
void a64_gic_wait_clear(uintptr_t reg, uint32_t bits, const char *what);
