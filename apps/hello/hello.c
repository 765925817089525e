/*
 * hello: one thread pinned to each CPU says hello through printf.
 */
#include <kernel/app.h>
#include <kernel/cpu.h>
#include <kernel/thread.h>
#include <stdio.h>

static void *greet(void *arg)
{
	printf("hello from cpu %u (thread %s)\n", this_cpu()->index, thread_current()->name);
	return NULL;
}

static int hello_main(void)
{
	struct thread *t[MAX_CPUS] = { 0 };
	for (unsigned i = 0; i < cpu_count(); i++) {
		char name[16];
		snprintf(name, sizeof name, "hello%u", i);
		struct thread_attr attr = { .name = name, .affinity = 1ull << i };
		if (cpu_get(i)->online && thread_create(&t[i], &attr, greet, NULL) != 0)
			printf("hello: no thread for cpu %u\n", i);
		if (t[i])
			thread_join(t[i], NULL);	/* one at a time: the lines come in order */
	}
	return 0;
}
APP("hello", hello_main, "a thread on every CPU prints a greeting");
