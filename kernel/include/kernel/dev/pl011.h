/*
 * ARM PL011 UART (ARM DDI 0183). The device is named by its MMIO base
 * address; the caller (the board) finds it in the device tree. Polled, with
 * optional receive and transmit interrupts.
 */
#pragma once

#include <stdint.h>

/* Boot CPU, before use: 8N1, FIFOs on, interrupts masked, transmitter and
 * receiver on. Keeps the baud rate the firmware (or QEMU) set. */
void pl011_init(uintptr_t base);
/* Any context: wait for room in the transmit FIFO, then send c. */
void pl011_putc(uintptr_t base, char c);
/* Any context: a received byte, or -1 when none is waiting. */
int pl011_getc(uintptr_t base);

/* Interrupt causes, as the console's CONSOLE_IRQ_* bits. */
#define PL011_IRQ_RX 1u
#define PL011_IRQ_TX 2u
/* Any context: raise exactly these causes (0: none). */
void pl011_irq_enable(uintptr_t base, unsigned causes);
/* Interrupt handler: clear the causes that fired and return them. */
unsigned pl011_irq_ack(uintptr_t base);
