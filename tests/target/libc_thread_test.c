/*
 * newlib per thread: errno and strtok belong to the thread, even with
 * several threads sharing a CPU and switching in between.
 */
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <stdio.h>
#include <string.h>

static unsigned mismatches;

static void *own_state(void *arg)
{
	int mine = 5000 + (int)(uintptr_t)arg;
	char text[64], want[3][16];
	snprintf(text, sizeof text, "x%d,y%d,z%d", mine, mine, mine);
	snprintf(want[0], 16, "x%d", mine);
	snprintf(want[1], 16, "y%d", mine);
	snprintf(want[2], 16, "z%d", mine);
	for (int round = 0; round < 200; round++) {
		errno = mine;
		char copy[64];
		strcpy(copy, text);
		char *tok = strtok(copy, ",");
		for (int i = 0; i < 3; i++) {
			thread_yield();		/* let the others scribble on theirs */
			if (!tok || strcmp(tok, want[i]) != 0)
				__atomic_fetch_add(&mismatches, 1, __ATOMIC_RELAXED);
			tok = strtok(NULL, ",");
		}
		if (errno != mine)
			__atomic_fetch_add(&mismatches, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(errno_and_strtok_are_per_thread)
{
	enum { N = 12 };
	struct thread *t[N];
	mismatches = 0;
	for (unsigned i = 0; i < N; i++) {
		/* Three threads per CPU at most, so they share CPUs. */
		struct thread_attr attr = { .name = "reent", .affinity = 1ull << (i % cpu_count()) };
		thread_create(&t[i], &attr, own_state, (void *)(uintptr_t)i);
	}
	for (unsigned i = 0; i < N; i++)
		thread_join(t[i], NULL);
	EXPECT_EQ(mismatches, 0);
}
