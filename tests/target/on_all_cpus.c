/*
 * Test helper: run a function on every online CPU at once.
 */
#include "on_all_cpus.h"
#include <kernel/cpu.h>
#include <kernel/smp.h>

static void (*volatile body)(void *);
static void *volatile body_arg;
static unsigned arrived;

/* Each CPU counts itself in and waits for the rest, so the bodies overlap. */
static void rendezvous(void *unused)
{
	__atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < online_cpus())
		arch_cpu_relax();
	body(body_arg);
}

unsigned online_cpus(void) { return cpu_online_count(); }

void on_all_cpus(void (*fn)(void *), void *arg)
{
	body = fn;
	body_arg = arg;
	__atomic_store_n(&arrived, 0, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (c != this_cpu() && c->online)
			smp_call(c, rendezvous, NULL);
	}
	rendezvous(NULL);
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (c != this_cpu() && c->online)
			smp_call_wait(c);
	}
}
