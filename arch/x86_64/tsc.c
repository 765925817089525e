/*
 * The TSC as arch_counter(), and its rate, measured once at boot against
 * PIT channel 2 (whose 1.193182 MHz clock is fixed by the PC platform):
 * count down 10 ms in mode 0 and see how far the TSC moved. Channel 2 is
 * the one whose output can be read back (port 0x61 bit 5) without an
 * interrupt.
 */
#include <arch/cpu.h>
#include <arch/x86/insn.h>
#include <arch/x86/port.h>
#include <kernel/log.h>

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_MODE	0x43
#define PORT_B		0x61	/* bit 0: channel 2 gate, 1: speaker, 5: channel 2 output */
#define CAL_TICKS	(PIT_HZ / 100)	/* 10 ms */
#define FALLBACK_HZ	1000000000ull
#define SPIN_LIMIT	100000000ul	/* no PIT at all: give up */

static uint64_t tsc_hz;

void x86_tsc_calibrate(void)
{
	uint8_t port_b = inb(PORT_B);
	outb(PORT_B, (port_b & ~0x02) | 0x01);	/* speaker off, gate on */
	outb(PIT_MODE, 0xb0);			/* channel 2, lo/hi byte, mode 0, binary */
	outb(PIT_CH2, CAL_TICKS & 0xff);
	outb(PIT_CH2, CAL_TICKS >> 8);		/* counting starts; output low */

	uint64_t start = arch_counter();
	unsigned long spins = 0;
	while (!(inb(PORT_B) & 0x20) && ++spins < SPIN_LIMIT)
		;
	uint64_t end = arch_counter();
	outb(PORT_B, port_b);

	if (spins == SPIN_LIMIT) {
		tsc_hz = FALLBACK_HZ;
		kprintf("x86: PIT did not count; assuming a %llu Hz TSC\n", FALLBACK_HZ);
		return;
	}
	tsc_hz = (end - start) * PIT_HZ / CAL_TICKS;
}

uint64_t arch_counter_hz(void)
{
	if (!tsc_hz)
		x86_tsc_calibrate();
	return tsc_hz;
}

void x86_udelay(uint64_t us)
{
	uint64_t end = arch_counter() + us * arch_counter_hz() / 1000000;
	while (arch_counter() < end)
		arch_cpu_relax();
}
