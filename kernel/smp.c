/*
 * CPU table and bring-up of the secondary CPUs. Once online, a secondary
 * CPU's boot stack becomes its idle thread and it runs the scheduler.
 */
#include <arch/boot.h>
#include <arch/ipi.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/smp.h>

static struct cpu cpus[MAX_CPUS];
static unsigned ncpus;
static unsigned cpus_dropped;	/* found in firmware tables past MAX_CPUS */

/* Each CPU's first stack; the boot CPU's is used before kmain(). */
static char cpu_stacks[MAX_CPUS][CPU_STACK_SIZE] __attribute__((aligned(16)));
/* The top of CPU 0's stack, for the port's entry code (C cannot name an
 * address inside an array as a symbol of its own). */
#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".globl boot_cpu_stack_top\n"
	".set boot_cpu_stack_top, cpu_stacks + " STR(CPU_STACK_SIZE));

unsigned cpu_count(void) { return ncpus ? ncpus : 1; }

struct cpu *cpu_get(unsigned index)
{
	return index < MAX_CPUS && (index < ncpus || index == 0) ? &cpus[index] : NULL;
}

unsigned cpu_online_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < cpu_count(); i++)
		n += __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE);
	return n;
}

struct cpu *smp_add_cpu(uint64_t hwid)
{
	if (ncpus == MAX_CPUS) {
		cpus_dropped++;
		return NULL;
	}
	struct cpu *c = &cpus[ncpus];
	c->index = ncpus++;
	c->hwid = hwid;
	c->stack_top = (uintptr_t)cpu_stacks[c->index] + CPU_STACK_SIZE;
	return c;
}

/* Wait until c comes online or about two seconds pass. */
static bool wait_online(struct cpu *c)
{
	uint64_t limit = arch_counter() + 2 * arch_counter_hz();
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (arch_counter() > limit)
			return false;
		arch_cpu_relax();
	}
	return true;
}

unsigned smp_boot(void)
{
	if (this_cpu() != &cpus[0])
		panic("smp_boot: must run on the boot CPU");
	cpus[0].index = 0;
	cpus[0].online = true;
	if (cpus_dropped)
		kprintf("smp: %u cpus beyond MAX_CPUS=%u left offline\n", cpus_dropped, MAX_CPUS);
	for (unsigned i = 1; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		int err = arch_cpu_start(c);
		if (err) {
			kprintf("smp: cpu %u (hwid %#llx) did not start: error %d\n", i,
				(unsigned long long)c->hwid, err);
			continue;
		}
		if (!wait_online(c))
			kprintf("smp: cpu %u (hwid %#llx) started but never came online\n", i,
				(unsigned long long)c->hwid);
	}
	return cpu_online_count();
}

noreturn void kmain_secondary(struct cpu *c)
{
	arch_set_current_thread(NULL);
	if (this_cpu() != c)
		panic("kmain_secondary: per-CPU pointer not set for cpu %u", c->index);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	sched_run_secondary();	/* this stack becomes the CPU's idle thread */
}

void ipi_receive(enum ipi ipi)
{
	switch (ipi) {
	case IPI_WAKE:
		break;		/* arch_idle() returns; the idle loop looks for work */
	case IPI_RESCHED:
		sched_rq(this_cpu())->need_resched = true;	/* irq_exit() switches */
		break;
	case IPI_STOP:
		arch_halt();
	default:
		panic("ipi_receive: unknown ipi %d", (int)ipi);
	}
}
