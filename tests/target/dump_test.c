/*
 * thread_dump(): the table names every thread with its state, and every
 * CPU's idle time.
 */
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/test.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <stdio.h>
#include <string.h>

static char captured[8192];
static size_t used;

static void tap(const char *s, size_t len)
{
	if (used + len < sizeof captured) {
		memcpy(captured + used, s, len);
		used += len;
		captured[used] = '\0';
	}
}

static void *nap(void *arg)
{
	thread_sleep(200 * NS_PER_MS);
	return NULL;
}

TEST(thread_dump_lists_threads_and_cpus)
{
	struct thread *t;
	struct thread_attr attr = { .name = "dump-sleeper" };
	EXPECT_EQ(thread_create(&t, &attr, nap, NULL), 0);
	thread_sleep(5 * NS_PER_MS);
	used = 0;
	console_set_tap(tap);
	thread_dump();
	console_set_tap(NULL);
	thread_join(t, NULL);
	EXPECT(strstr(captured, "stack used") != NULL);		/* the header */
	const char *row = strstr(captured, "dump-sleeper");
	EXPECT(row != NULL);
	if (row)
		EXPECT(strncmp(row + 21, "blocked", 7) == 0);	/* state column */
	EXPECT(strstr(captured, "main") != NULL);
	for (unsigned i = 0; i < cpu_count(); i++) {
		char want[24];
		snprintf(want, sizeof want, "cpu %u: idle ", i);
		EXPECT(strstr(captured, want) != NULL);
		snprintf(want, sizeof want, "idle%u ", i);
		EXPECT(strstr(captured, want) != NULL);
	}
}
