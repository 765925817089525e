/*
 * kprintf(): one bounded line buffer on the stack, one console_write().
 */
#include <kernel/console.h>
#include <kernel/log.h>
#include <stdio.h>
#include <string.h>

void kvprintf(const char *fmt, va_list ap)
{
	char buf[KLOG_LINE_MAX];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf) {
		/* Cut, and say so: never a silent truncation. */
		memcpy(buf + sizeof buf - 5, "...\n", 4);
		n = sizeof buf - 1;
	}
	console_write(buf, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
