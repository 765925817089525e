/*
 * The arch contract, part 8: the per-CPU one-shot timer.
 *
 * Each CPU has a deadline timer on the arch_counter() clock (the LAPIC
 * timer in TSC-deadline or one-shot mode; the ARM generic timer's EL1
 * virtual timer). Its interrupt calls timer_interrupt() on that CPU.
 */
#pragma once

#include <stdint.h>

/* Interrupts off. Fire this CPU's timer once at counter value deadline (at
 * once if it has passed); replaces any earlier setting. */
void arch_timer_arm(uint64_t deadline);
/* Interrupts off. Cancel this CPU's pending timer interrupt, if any. */
void arch_timer_disarm(void);

/* Generic: called by the port's timer interrupt, interrupts off, inside
 * irq_enter()/irq_exit(). */
void timer_interrupt(void);
