/*
 * The arch contract, part 3: inter-processor interrupts.
 *
 * The port owns the interrupt controller (LAPIC, GIC); generic code names
 * IPIs by purpose and the port maps each to a vector or SGI.
 */
#pragma once

struct cpu;

enum ipi {
	IPI_WAKE,  /* leave arch_idle() and look for work */
	IPI_STOP,  /* another CPU panicked: halt (NMI on x86 where possible) */
	IPI_RESCHED, /* a thread was made ready here: run the scheduler on irq_exit() */
	IPI_COUNT,
};

/* Any context. Send ipi to CPU target (never to the sender itself). */
void arch_ipi_send(struct cpu *target, enum ipi ipi);

/* Generic code, called by the port's interrupt entry, interrupts off, after
 * the controller has been acknowledged, inside irq_enter()/irq_exit()
 * (IPI_STOP excepted: it may arrive as an NMI and never returns). */
void ipi_receive(enum ipi ipi);
