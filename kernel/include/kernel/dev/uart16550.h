/*
 * The 16550 UART (and its many compatibles), polled. The driver knows the
 * chip, not the bus: the board says how to reach its registers, through
 * port I/O on a PC or memory-mapped on most SoCs, by passing accessors.
 */
#pragma once

#include <stdint.h>

struct uart16550 {
	/* Read or write register reg (0-7, in the chip's own numbering). */
	uint8_t (*read)(const struct uart16550 *u, unsigned reg);
	void (*write)(const struct uart16550 *u, unsigned reg, uint8_t v);
	uintptr_t base;		/* for the accessors: a port or an address */
	unsigned reg_shift;	/* for the accessors: register n at base + (n << shift) */
	uint32_t clock_hz;	/* input clock; 1843200 on a PC */
	uint32_t baud;		/* 0: leave the divisor as the firmware set it */
};

/* Memory-mapped accessors with byte-wide registers, for boards to use. */
uint8_t uart16550_mmio_read(const struct uart16550 *u, unsigned reg);
void uart16550_mmio_write(const struct uart16550 *u, unsigned reg, uint8_t v);

/* Boot CPU, before the UART is shared: 8N1, FIFOs on, interrupts off,
 * the baud divisor from clock_hz and baud. */
void uart16550_init(const struct uart16550 *u);

/* Any context; the caller serializes (the console lock). putc waits for
 * room in the transmitter; getc returns a byte, or -1 when none waits. */
void uart16550_putc(const struct uart16550 *u, char c);
int uart16550_getc(const struct uart16550 *u);

/* Interrupt causes, as the console's CONSOLE_IRQ_* bits. */
#define UART16550_IRQ_RX 1u
#define UART16550_IRQ_TX 2u
/* Raise exactly these causes (0: none). Also drives OUT2, which gates the
 * interrupt line on PC-style serial ports. */
void uart16550_irq_enable(const struct uart16550 *u, unsigned causes);
/* Interrupt handler: clear what fired (reading IIR, RBR left alone) and
 * return the causes. */
unsigned uart16550_irq_ack(const struct uart16550 *u);
