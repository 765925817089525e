/*
 * Test helper: run a function on every online CPU at once, one thread
 * pinned to each.
 */
#include "on_all_cpus.h"
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/thread.h>
#include <stdio.h>

static void (*volatile body)(void *);
static void *volatile body_arg;
static unsigned arrived;

/* Each thread counts itself in and waits for the rest, so the bodies overlap. */
static void *rendezvous(void *unused)
{
	__atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < online_cpus())
		arch_cpu_relax();
	body(body_arg);
	return NULL;
}

unsigned online_cpus(void) { return cpu_online_count(); }

void on_all_cpus(void (*fn)(void *), void *arg)
{
	struct thread *t[MAX_CPUS] = { 0 };
	body = fn;
	body_arg = arg;
	__atomic_store_n(&arrived, 0, __ATOMIC_RELEASE);
	/* This CPU's thread last: it preempts us, and the others must exist
	 * before it spins waiting for them. */
	unsigned me = this_cpu()->index;
	for (unsigned k = 1; k <= cpu_count(); k++) {
		unsigned i = (me + k) % cpu_count();
		if (!cpu_get(i)->online)
			continue;
		char name[16];
		snprintf(name, sizeof name, "on_cpu%u", i);
		struct thread_attr attr = { .name = name, .affinity = 1ull << i,
					    .prio = THREAD_PRIO_DEFAULT + 1 };
		if (thread_create(&t[i], &attr, rendezvous, NULL) != 0)
			panic("on_all_cpus: cannot create a thread for cpu %u", i);
	}
	for (unsigned i = 0; i < cpu_count(); i++)
		if (t[i])
			thread_join(t[i], NULL);
}
