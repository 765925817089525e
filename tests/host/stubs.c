/*
 * Host stand-ins: kprintf() into a buffer the tests can read, spinlocks that
 * check their own pairing (the host tests are single-threaded).
 */
#include "stubs.h"
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char log_buf[4096];
static size_t log_len;

void kvprintf(const char *fmt, va_list ap)
{
	int n = vsnprintf(log_buf + log_len, sizeof log_buf - log_len, fmt, ap);
	if (n > 0)
		log_len += (size_t)n < sizeof log_buf - log_len ? (size_t)n : sizeof log_buf - log_len - 1;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

const char *stub_log_take(void)
{
	static char out[sizeof log_buf];
	memcpy(out, log_buf, log_len + 1);
	log_len = 0;
	log_buf[0] = '\0';
	return out;
}

void spin_lock(struct spinlock *l)
{
	if (l->owner) {
		fprintf(stderr, "stub spin_lock: '%s' taken twice\n", l->name);
		abort();
	}
	l->owner = (struct cpu *)l;
}

void spin_unlock(struct spinlock *l)
{
	if (!l->owner) {
		fprintf(stderr, "stub spin_unlock: '%s' not held\n", l->name);
		abort();
	}
	l->owner = NULL;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
