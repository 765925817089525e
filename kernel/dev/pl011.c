/*
 * ARM PL011 UART (ARM DDI 0183): polled transmit and receive, optional
 * receive and transmit interrupts.
 *
 *   qemu-system-aarch64 -M virt ... -nographic   (the PL011 at 0x09000000)
 */
#include <arch/mmio.h>
#include <kernel/dev/pl011.h>

#define UARTDR		0x00
#define UARTFR		0x18
#define UARTLCR_H	0x2c
#define UARTCR		0x30
#define UARTIMSC	0x38
#define UARTMIS		0x40
#define UARTICR		0x44

#define INT_RX		((1u << 4) | (1u << 6))	/* receive, receive timeout */
#define INT_TX		(1u << 5)

#define FR_BUSY		(1u << 3)
#define FR_RXFE		(1u << 4)	/* receive FIFO empty */
#define FR_TXFF		(1u << 5)	/* transmit FIFO full */
#define LCRH_FEN	(1u << 4)
#define LCRH_WLEN8	(3u << 5)
#define CR_UARTEN	(1u << 0)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)

void pl011_init(uintptr_t base)
{
	/* 1. Disable the UART and let it finish the character it is sending
	 *    (the TRM's order for reprogramming). */
	mmio_write32(base + UARTCR, 0);
	while (mmio_read32(base + UARTFR) & FR_BUSY)
		;
	/* 2. Frame format: 8 data bits, no parity, 1 stop bit, FIFOs on. */
	mmio_write32(base + UARTLCR_H, LCRH_WLEN8 | LCRH_FEN);
	/* 3. Polled: mask and clear every interrupt. */
	mmio_write32(base + UARTIMSC, 0);
	mmio_write32(base + UARTICR, 0x7ff);
	/* 4. Enable the UART, transmitter and receiver. */
	mmio_write32(base + UARTCR, CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(uintptr_t base, char c)
{
	while (mmio_read32(base + UARTFR) & FR_TXFF)
		;
	mmio_write32(base + UARTDR, (uint8_t)c);
}

int pl011_getc(uintptr_t base)
{
	if (mmio_read32(base + UARTFR) & FR_RXFE)
		return -1;
	return (int)(mmio_read32(base + UARTDR) & 0xff);
}

void pl011_irq_enable(uintptr_t base, unsigned causes)
{
	mmio_write32(base + UARTIMSC, (causes & PL011_IRQ_RX ? INT_RX : 0) |
					(causes & PL011_IRQ_TX ? INT_TX : 0));
}

unsigned pl011_irq_ack(uintptr_t base)
{
	uint32_t mis = mmio_read32(base + UARTMIS);
	mmio_write32(base + UARTICR, mis);
	return (mis & INT_RX ? PL011_IRQ_RX : 0) | (mis & INT_TX ? PL011_IRQ_TX : 0);
}
