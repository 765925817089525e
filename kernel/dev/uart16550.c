/*
 * 16550 UART driver, polled (register names from the National
 * Semiconductor PC16550D datasheet).
 *
 * QEMU: the q35 and pc machines have one at I/O port 0x3f8 (COM1), on the
 * console with -nographic or -serial stdio.
 */
#include <arch/mmio.h>
#include <kernel/dev/uart16550.h>

#define RBR 0	/* receive buffer (read) */
#define THR 0	/* transmit holding (write) */
#define DLL 0	/* divisor latch low (DLAB=1) */
#define IER 1	/* interrupt enable */
#define DLM 1	/* divisor latch high (DLAB=1) */
#define FCR 2	/* FIFO control (write) */
#define LCR 3	/* line control */
#define MCR 4	/* modem control */
#define LSR 5	/* line status */

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS 0x03
#define LSR_DATA 0x01		/* a received byte waits in RBR */
#define LSR_THRE 0x20		/* room in the transmit holding register */

uint8_t uart16550_mmio_read(const struct uart16550 *u, unsigned reg)
{
	return mmio_read8(u->base + (reg << u->reg_shift));
}

void uart16550_mmio_write(const struct uart16550 *u, unsigned reg, uint8_t v)
{
	mmio_write8(u->base + (reg << u->reg_shift), v);
}

void uart16550_init(const struct uart16550 *u)
{
	u->write(u, IER, 0);			/* 1. polled: no interrupts */
	if (u->baud && u->clock_hz) {		/* 2. baud rate = clock / (16 * divisor) */
		uint32_t div = u->clock_hz / (16 * u->baud);
		if (!div)
			div = 1;
		u->write(u, LCR, LCR_DLAB);
		u->write(u, DLL, div & 0xff);
		u->write(u, DLM, (div >> 8) & 0xff);
	}
	u->write(u, LCR, LCR_8N1);		/* 3. 8 data bits, no parity, 1 stop; DLAB off */
	u->write(u, FCR, FCR_ENABLE_CLEAR);	/* 4. FIFOs on and empty */
	u->write(u, MCR, MCR_DTR_RTS);		/* 5. tell the other end we are here */
}

void uart16550_putc(const struct uart16550 *u, char c)
{
	while (!(u->read(u, LSR) & LSR_THRE))
		;
	u->write(u, THR, (uint8_t)c);
}

int uart16550_getc(const struct uart16550 *u)
{
	if (!(u->read(u, LSR) & LSR_DATA))
		return -1;
	return u->read(u, RBR);
}
