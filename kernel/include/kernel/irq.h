/*
 * Device interrupt handlers.
 */
#pragma once

#include <stdbool.h>

struct cpu;

#define IRQ_MAX 1024

typedef void irq_handler(unsigned irq, void *arg);

/* Install handler for irq and route it to CPU target (NULL: the caller's).
 * Returns 0, -EINVAL (irq out of range or unknown to the controller) or
 * -EBUSY (already has a handler). Not from interrupt handlers. */
int irq_register(unsigned irq, irq_handler *handler, void *arg, struct cpu *target);
/* Mask irq and remove its handler. */
void irq_unregister(unsigned irq);
/* Interrupts handled on cpu (all interrupts, IPIs and timer included). */
unsigned long irq_count(const struct cpu *cpu);
/* Any context: running inside an interrupt handler? */
bool irq_in_handler(void);
