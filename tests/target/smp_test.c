/*
 * Every CPU the machine has comes online and runs code as itself.
 */
#include "on_all_cpus.h"
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/test.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t seen_hwid[MAX_CPUS];
static unsigned seen_count[MAX_CPUS];

static void report_id(void *arg)
{
	struct cpu *me = this_cpu();
	seen_hwid[me->index] = me->hwid;
	__atomic_fetch_add(&seen_count[me->index], 1, __ATOMIC_RELAXED);
}

/* The runner passes cpus=N, the -smp count QEMU was given. */
TEST(smp_every_cpu_online)
{
	char buf[8];
	const char *want = cmdline_get("cpus", buf, sizeof buf);
	EXPECT(want != NULL);
	if (want) {
		EXPECT_EQ(cpu_count(), strtoul(want, NULL, 10));
		EXPECT_EQ(cpu_online_count(), strtoul(want, NULL, 10));
	}
}

TEST(smp_every_cpu_runs_code)
{
	for (unsigned i = 0; i < MAX_CPUS; i++)
		seen_count[i] = 0;
	on_all_cpus(report_id, NULL);
	for (unsigned i = 0; i < cpu_count(); i++) {
		EXPECT_EQ(seen_count[i], 1);
		EXPECT_EQ(seen_hwid[i], cpu_get(i)->hwid);
		printf("cpu %u: hwid %#llx ran\n", i, (unsigned long long)seen_hwid[i]);
	}
	for (unsigned i = 0; i < cpu_count(); i++)
		for (unsigned j = i + 1; j < cpu_count(); j++)
			EXPECT(cpu_get(i)->hwid != cpu_get(j)->hwid);
}
