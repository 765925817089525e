/*
 * The console: one output device chosen by the board. Writes from any CPU
 * are whole: a console_write() call is never interleaved with another.
 */
#pragma once

#include <stddef.h>

struct console_ops {
	void (*putc)(char c);	/* busy-waits for room; any context */
	int (*getc)(void);	/* a received byte, or -1 when none waits */
};

/* Board, from board_init(). */
void console_register(const struct console_ops *ops);

/* Any context. "\n" is sent as "\r\n". */
void console_write(const char *s, size_t len);
/* Panic path: write even if another CPU holds the console lock. */
void console_write_force(const char *s, size_t len);
/* Panic path: from now on every write is forced (the other CPUs are being
 * stopped and one of them may hold the lock for good). */
void console_enter_panic(void);
int console_getc(void);

/* Tests: also hand every write to tap (called with the console lock held,
 * so it sees writes whole and in order); NULL removes it. */
void console_set_tap(void (*tap)(const char *s, size_t len));
