/*
 * Per-CPU data. CPUs are numbered 0..cpu_count()-1 in the order the firmware
 * listed them; CPU 0 is the boot CPU. The hardware id (APIC id, MPIDR
 * affinity) is kept beside the index for the interrupt controller.
 */
#pragma once

#include <arch/cpu.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_CPUS 64
#define CPU_STACK_SIZE 16384	/* plain number: also used in assembly */

struct _reent;
struct runq_cpu;
struct thread;
struct trace_ring;

struct cpu {
	unsigned index;
	uint64_t hwid;		/* APIC id on x86, MPIDR affinity bits on ARM */
	uintptr_t stack_top;	/* boot/idle stack, CPU_STACK_SIZE bytes */
	volatile bool online;	/* set by the CPU itself once it runs C code */
	unsigned spin_depth;	/* spinlocks held (for assertions) */
	unsigned long spin_irq_state; /* interrupt state before the outermost lock */
	struct _reent *reent;	/* newlib state used by code on this CPU */
	void *arch;		/* the port's own per-CPU data */
	struct thread *current;	/* running thread (NULL before the scheduler) */
	struct thread *switch_prev; /* the thread being switched out */
	unsigned irq_depth;	/* interrupt handlers running (nesting) */
	struct runq_cpu *runq;	/* its scheduler state (kernel/sched.c) */
	uint64_t timer_armed;	/* ns its one-shot timer is set for, 0: disarmed;
				 * touched only by this CPU with interrupts off */
	bool trace_on;		/* recording scheduling events (kernel/trace.h) */
	struct trace_ring *trace; /* its ring, while one is allocated */
};

/* Any context, after bring-up. */
static inline struct cpu *this_cpu(void) { return arch_this_cpu(); }
unsigned cpu_count(void);		/* CPUs registered by the port */
unsigned cpu_online_count(void);	/* CPUs running kernel code */
struct cpu *cpu_get(unsigned index);	/* NULL past cpu_count() */
