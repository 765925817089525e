/*
 * Host stand-ins: kprintf() into a buffer the tests can read, one pretend
 * CPU for the (inline, pairing-checking) spinlocks, panic() that aborts.
 */
#include "fakes.h"
#include <kernel/cpu.h>
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

const char *fake_log_take(void)
{
	static char out[sizeof log_buf];
	memcpy(out, log_buf, log_len + 1);
	log_len = 0;
	log_buf[0] = '\0';
	return out;
}

struct cpu host_cpu;
struct cpu *host_cpu_now = &host_cpu;
void (*host_irq_restore_hook)(void);
void (*host_relax_hook)(void);

/* The real spinlocks are inline (and check their pairing); these are their
 * out-of-line halves. */
void spin_wait(struct spinlock *l, uint32_t ticket)
{
	fprintf(stderr, "fake spin_wait: '%s' is busy in a single-threaded test\n", l->name);
	abort();
}

noreturn void spin_misuse(const struct spinlock *l, const char *fn, const char *what)
{
	fprintf(stderr, "%s: '%s' %s\n", fn, l->name, what);
	abort();
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
