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

/*
 * Run fn(arg) on CPU target, which must be online and not the caller.
 * smp_call() posts and returns once the target has taken the call;
 * smp_call_wait() waits for it to finish. One call per target at a time:
 * smp_call() waits for the previous one. May spin; not from interrupts.
 */
void smp_call(struct cpu *target, void (*fn)(void *), void *arg);
void smp_call_wait(struct cpu *target);
