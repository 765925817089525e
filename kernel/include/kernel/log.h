/*
 * Kernel messages. kprintf() formats into a bounded line buffer on the stack
 * and writes it with one console_write(), so it works before newlib's stdio
 * is ready and from interrupt handlers, and lines from several CPUs never
 * mix. Lines longer than the buffer are cut and end in "...".
 */
#pragma once

#include <stdarg.h>

#define KLOG_LINE_MAX 256

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
