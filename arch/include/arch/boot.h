/*
 * The arch contract, part 2: bringing a machine up.
 *
 * Boot order (kernel/main.c shows it as code):
 *   1. The port's entry code runs on the boot CPU with interrupts off: it
 *      reaches 64-bit mode at the highest exception level the kernel uses
 *      (long mode ring 0; EL1), zeroes .bss, sets the stack to
 *      boot_cpu_stack_top (kernel/smp.c), installs cpu_get(0) as the per-CPU
 *      pointer and calls kmain().
 *   2. kmain() calls arch_early_init() and then board_init() (the console).
 *   3. kmain() calls smp_boot(), which calls arch_cpu_start() for each CPU
 *      that arch_early_init() registered with smp_add_cpu().
 *   4. A started CPU runs the port's secondary entry, which sets its stack to
 *      c->stack_top, installs c as the per-CPU pointer, calls
 *      arch_init_secondary() and then kmain_secondary(c), never returning.
 */
#pragma once

#include <stdnoreturn.h>

struct cpu;

/* Generic code: the boot CPU's C entry and a secondary's. */
noreturn void kmain(void);
noreturn void kmain_secondary(struct cpu *c);

/*
 * Boot CPU, interrupts off, no console yet (a fault here is silent; keep it
 * short). Must, in this order of need:
 *  - install the exception vectors (faults enter exception_report() with a
 *    register frame);
 *  - turn on the MMU: identity map of RAM (write-back cached) and of device
 *    memory (uncached);
 *  - report the memory map with mem_add_range()/mem_reserve() (the image
 *    itself and firmware tables are reserved by the port);
 *  - record the boot command line with cmdline_set() (may be empty);
 *  - register every CPU with smp_add_cpu(hwid), the boot CPU first;
 *  - bring up the interrupt controller and this CPU's interface to it.
 * The firmware description it came from (FDT, ACPI) stays readable through
 * arch_fdt()/arch_acpi_rsdp() for boards and drivers.
 */
void arch_early_init(void);

/* A secondary CPU, interrupts off, per-CPU pointer set: exception vectors,
 * MMU (the boot CPU's tables), its interrupt controller interface. */
void arch_init_secondary(void);

/*
 * Boot CPU, after arch_early_init(): start CPU c (c->hwid, c->stack_top are
 * set). Returns 0 when the start request was accepted, or a negative errno.
 * The caller waits for c->online with a timeout.
 */
int arch_cpu_start(struct cpu *c);

/* The flattened device tree the machine booted with, or NULL. */
const void *arch_fdt(void);
/* The ACPI RSDP the machine booted with, or NULL. */
const void *arch_acpi_rsdp(void);
