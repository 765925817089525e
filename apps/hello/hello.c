/*
 * hello: the default app for now. Every CPU says hello through printf.
 */
#include <kernel/app.h>
#include <kernel/cpu.h>
#include <kernel/smp.h>
#include <stdio.h>

static void greet(void *arg)
{
	printf("hello from cpu %u\n", this_cpu()->index);
}

static int hello_main(void)
{
	greet(NULL);
	for (unsigned i = 1; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (!c->online)
			continue;
		smp_call(c, greet, NULL);
		smp_call_wait(c);
	}
	return 0;
}
APP("hello", hello_main, "every CPU prints a greeting");
