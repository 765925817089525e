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
#define IIR 2	/* interrupt identification (read) */

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08		/* gates the interrupt line on a PC */
#define IER_RX 0x01		/* received data available */
#define IER_TX 0x02		/* transmit holding register empty */
#define IIR_NONE 0x01		/* no interrupt pending */
#define IIR_ID_MASK 0x0e
#define IIR_THRE 0x02
#define IIR_RX 0x04
#define IIR_RX_TIMEOUT 0x0c
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

void uart16550_irq_enable(const struct uart16550 *u, unsigned causes)
{
	u->write(u, MCR, MCR_DTR_RTS | (causes ? MCR_OUT2 : 0));
	u->write(u, IER, (causes & UART16550_IRQ_RX ? IER_RX : 0) |
				 (causes & UART16550_IRQ_TX ? IER_TX : 0));
}

unsigned uart16550_irq_ack(const struct uart16550 *u)
{
	/* Reading IIR clears a transmitter-empty interrupt; received data
	 * stays until read through getc. Several may be pending: loop. */
	unsigned causes = 0;
	for (int i = 0; i < 8; i++) {
		uint8_t iir = u->read(u, IIR);
		if (iir & IIR_NONE)
			break;
		uint8_t id = iir & IIR_ID_MASK;
		if (id == IIR_THRE)
			causes |= UART16550_IRQ_TX;
		else if (id == IIR_RX || id == IIR_RX_TIMEOUT) {
			causes |= UART16550_IRQ_RX;
			break;		/* pending until the byte is read */
		} else
			(void)u->read(u, LSR);	/* line status: cleared by reading LSR */
	}
	return causes;
}
