/*
 * The console: one output device chosen by the board. Writes from any CPU
 * are whole: a console_write() call is never interleaved with another.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Interrupt causes a console device can raise. */
#define CONSOLE_IRQ_RX 1u	/* a byte arrived */
#define CONSOLE_IRQ_TX 2u	/* room to transmit */

struct console_ops {
	void (*putc)(char c);	/* busy-waits for room; any context */
	int (*getc)(void);	/* a received byte, or -1 when none waits */
	/* Optional (irq < 0: none). The device's interrupt number for
	 * irq_register(), which causes raise it (0: none), and, from the
	 * handler, clear what fired and say which causes did. */
	int irq;
	void (*irq_enable)(unsigned causes);
	unsigned (*irq_ack)(void);
};

/* Board, from board_init(). */
void console_register(const struct console_ops *ops);
/* The registered device (NULL before board_init()). */
const struct console_ops *console_device(void);

/* Any context. "\n" is sent as "\r\n". */
void console_write(const char *s, size_t len);
/* Panic path: write even if another CPU holds the console lock. */
void console_write_force(const char *s, size_t len);
/* Panic path: from now on every write is forced (the other CPUs are being
 * stopped and one of them may hold the lock for good). */
void console_enter_panic(void);
int console_getc(void);

/* Interrupt-driven input (console_input.c), for the shell. Thread context:
 * route the console's receive interrupt here. 0, -ENODEV (the device has
 * no interrupt), -EBUSY (already started), or irq_register()'s error. */
int console_input_start(void);
/* Thread context, may block: the next byte typed (0..255), waiting at most
 * timeout_ns (WAIT_FOREVER: no limit), or -ETIMEDOUT. */
int console_input_read(uint64_t timeout_ns);
/* Bytes lost because the reader fell behind. Any context. */
unsigned long console_input_dropped(void);

/* Tests: also hand every write to tap (called with the console lock held,
 * so it sees writes whole and in order); NULL removes it. */
void console_set_tap(void (*tap)(const char *s, size_t len));
