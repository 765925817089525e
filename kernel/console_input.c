/*
 * Console input by interrupt: the receive handler moves every byte the UART
 * holds into a ring and posts one semaphore unit per byte, so a reader
 * sleeps until a key arrives instead of polling. A full ring drops the
 * byte and counts it.
 */
#include <errno.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>

#define RING 256u	/* a power of two */

static char ring[RING];
static unsigned head, tail;	/* written at head, read at tail; free-running */
static unsigned long dropped;
static struct spinlock ring_lock = SPINLOCK_INIT("console input");
static struct sem ready = SEM_INIT(ready, "console input", 0);
static bool started;

static void on_rx(unsigned irq, void *arg)
{
	const struct console_ops *dev = arg;
	dev->irq_ack();
	int ch;
	while ((ch = dev->getc()) >= 0) {
		spin_lock(&ring_lock);
		bool room = head - tail < RING;
		if (room)
			ring[head++ % RING] = (char)ch;
		else
			dropped++;
		spin_unlock(&ring_lock);
		if (room)
			sem_post(&ready);
	}
}

int console_input_start(void)
{
	const struct console_ops *dev = console_device();
	if (!dev || dev->irq < 0 || !dev->irq_enable || !dev->irq_ack || !dev->getc)
		return -ENODEV;
	if (__atomic_exchange_n(&started, true, __ATOMIC_ACQ_REL))
		return -EBUSY;
	int err = irq_register((unsigned)dev->irq, on_rx, (void *)dev, NULL);
	if (err) {
		__atomic_store_n(&started, false, __ATOMIC_RELEASE);
		return err;
	}
	dev->irq_enable(CONSOLE_IRQ_RX);
	on_rx((unsigned)dev->irq, (void *)dev);	/* bytes that came before the interrupt */
	return 0;
}

int console_input_read(uint64_t timeout_ns)
{
	uint64_t now = time_now();
	uint64_t deadline = timeout_ns > WAIT_FOREVER - now ? WAIT_FOREVER : now + timeout_ns;
	if (sem_wait_until(&ready, deadline) != 0)
		return -ETIMEDOUT;
	spin_lock(&ring_lock);
	char ch = ring[tail++ % RING];
	spin_unlock(&ring_lock);
	return (unsigned char)ch;
}

unsigned long console_input_dropped(void) { return dropped; }
