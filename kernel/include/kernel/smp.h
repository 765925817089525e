/*
 * Bringing up the other CPUs and running code on them.
 */
#pragma once

#include <kernel/cpu.h>

/* Port, from arch_early_init(), boot CPU first: register a CPU found in the
 * firmware tables. Returns its struct cpu, or NULL past MAX_CPUS (counted and
 * reported at boot, never fatal). */
struct cpu *smp_add_cpu(uint64_t hwid);

/* Boot CPU, once: start every registered CPU and wait for each to come
 * online (a CPU that does not answer within its time limit is reported and
 * left out). Returns the number of CPUs online. */
unsigned smp_boot(void);

/* Boot stack, used by the port's entry code before kmain(). */
extern char boot_cpu_stack_top[];
