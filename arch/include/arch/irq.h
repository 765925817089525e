/*
 * The arch contract, part 9: device interrupts.
 *
 * Interrupt numbers are the controller's: GSIs on x86 (IOAPIC inputs, ISA
 * IRQs already translated through the MADT's overrides), SPI/PPI INTIDs on
 * the GIC. The port's interrupt entry brackets every handler with
 * irq_enter()/irq_exit() and calls irq_dispatch() for device interrupts.
 */
#pragma once

#include <stdbool.h>

struct cpu;

/* Route irq to CPU target with the trigger mode firmware describes, and
 * unmask it. Returns 0 or a negative errno (-EINVAL: no such interrupt). Any
 * CPU, interrupts on or off, not from interrupt handlers. */
int arch_irq_route(unsigned irq, struct cpu *target);
/* Mask/unmask at the controller. Any context. */
void arch_irq_mask(unsigned irq);
void arch_irq_unmask(unsigned irq);

/* Generic side, called by the port with interrupts off. irq_exit() may
 * switch threads (preemption): the port must call it last, on the
 * interrupted context's stack, just before restoring the frame. */
void irq_enter(void);
void irq_dispatch(unsigned irq);
void irq_exit(void);
