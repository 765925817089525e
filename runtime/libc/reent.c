/*
 * newlib's per-context state (errno, stdio streams, strtok's position).
 * newlib is built with __DYNAMIC_REENT__, so every access goes through
 * __getreent(); here each CPU has its own struct _reent.
 */
#include <kernel/cpu.h>
#include <kernel/libc.h>
#include <reent.h>
#include <stdio.h>

static struct _reent cpu_reent[MAX_CPUS];

struct _reent *__getreent(void)
{
	struct cpu *c = this_cpu();
	/* Before libc_init() every CPU shares newlib's static state. */
	return c && c->reent ? c->reent : _impure_ptr;
}

void libc_init(void)
{
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (i == 0) {
			c->reent = _impure_ptr;	/* the boot CPU keeps the state it started with */
			continue;
		}
		_REENT_INIT_PTR(&cpu_reent[i]);
		c->reent = &cpu_reent[i];
	}
}
