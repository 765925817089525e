/*
 * Device interrupts: registration, and routing to the CPU asked for. The
 * console UART is the device (every board has one): its transmitter-empty
 * interrupt can be raised at will.
 */
#include <errno.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>

static volatile unsigned hits, wrong_cpu, want_cpu;

static void on_console_irq(unsigned irq, void *arg)
{
	const struct console_ops *con = arg;
	con->irq_ack();
	if (this_cpu()->index != want_cpu)
		wrong_cpu++;
	if (++hits > 100)
		con->irq_enable(0);	/* enough: do not let output keep it firing */
}

TEST(irq_routed_to_the_chosen_cpu)
{
	const struct console_ops *con = console_device();
	if (!con || con->irq < 0 || !con->irq_enable) {
		test_fail(__FILE__, __LINE__, "the board's console has no interrupt");
		return;
	}
	for (unsigned k = 0; k < cpu_count(); k++) {
		if (!cpu_get(k)->online)
			continue;
		hits = wrong_cpu = 0;
		want_cpu = k;
		EXPECT_EQ(irq_register((unsigned)con->irq, on_console_irq, (void *)con, cpu_get(k)), 0);
		EXPECT_EQ(irq_register((unsigned)con->irq, on_console_irq, (void *)con, NULL), -EBUSY);
		con->irq_enable(CONSOLE_IRQ_TX);
		/* Some UARTs (the PL011) raise "room to transmit" only as a
		 * character leaves, not merely when the cause is enabled. */
		kprintf("irq: console interrupt routed to cpu %u\n", k);
		for (int i = 0; i < 1000 && !hits; i++)
			thread_sleep(NS_PER_MS);
		con->irq_enable(0);
		irq_unregister((unsigned)con->irq);
		/* An interrupt already on its way to this round's CPU (an edge
		 * sitting in its local APIC) may still land there: let it, before
		 * the next round routes the line elsewhere and counts CPUs. */
		thread_sleep(10 * NS_PER_MS);
		if (!hits)
			test_fail(__FILE__, __LINE__, "no interrupt reached cpu %u", k);
		EXPECT_EQ(wrong_cpu, 0);
	}
	EXPECT_EQ(irq_register(IRQ_MAX, on_console_irq, NULL, NULL), -EINVAL);
}
