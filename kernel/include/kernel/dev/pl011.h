/*
 * ARM PL011 UART (ARM DDI 0183), polled. The device is named by its MMIO
 * base address; the caller (the board) finds it in the device tree.
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
