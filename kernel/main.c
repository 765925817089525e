/*
 * Boot order. The port's entry code gets the boot CPU here with a stack and
 * its per-CPU pointer (see arch/boot.h); each line below depends on the ones
 * above it.
 */
#include <arch/boot.h>
#include <kernel/app.h>
#include <kernel/board.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/libc.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/timer.h>

static void report_boot_time(void)
{
	/* Under QEMU -icount shift=0 one guest instruction is one nanosecond,
	 * so this is the instruction count from reset to the banner. */
	char buf[4];
	if (!cmdline_get("boottime", buf, sizeof buf))
		return;
	uint64_t ns = arch_counter() * 1000000000ull / arch_counter_hz();
	kprintf("threadbare: banner at %llu ns since reset\n", (unsigned long long)ns);
}

noreturn void kmain(void)
{
	arch_set_current_thread(NULL);	/* no threads yet; the register's reset value is unknown */
	arch_early_init();	/* vectors, MMU, memory map, command line, CPUs, interrupt controller */
	board_init();		/* console first, then the board's devices */
	mem_init();		/* the heap that malloc grows, and the page allocator */
	time_init();		/* counter ticks <-> ns */
	timer_init();		/* per-CPU timer queues */
	sched_init();		/* this context becomes thread "main"; idle threads */
	libc_init();		/* newlib: per-thread state, locks are mutexes */
	kprintf("threadbare: %s, %u cpus, %llu MiB\n", board_name, cpu_count(),
		(unsigned long long)(mem_total() >> 20));
	unsigned online = smp_boot();	/* start the other CPUs and wait for them */
	kprintf("threadbare: %u/%u cpus online\n", online, cpu_count());
	report_boot_time();
	arch_irq_enable();	/* preemption starts */
	board_devices_init();	/* buses and their devices: PCI, virtio */
	app_run();		/* the app named by app= on the command line, or the default */
}
