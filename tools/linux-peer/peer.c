/*
 * The Linux peer's /init: reports when it started (the boot figure), runs
 * what the kernel command line asks (bench=ops, the default; bench=speedup;
 * bench=net), then powers the machine off so QEMU exits.
 */
#define _GNU_SOURCE
#include "peer.h"
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

uint64_t peer_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds since the machine's reset: the architectural counter, which
 * under QEMU TCG starts at zero at reset and which Linux leaves alone
 * (unlike CLOCK_MONOTONIC, which starts when the kernel's timekeeping does). */
static uint64_t since_reset_ns(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32 | lo);	/* under -icount the TSC counts virtual ns */
#elif defined(__aarch64__)
	uint64_t cnt, hz;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return (uint64_t)((unsigned __int128)cnt * 1000000000u / hz);
#endif
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void peer_report(const char *name, const uint64_t *totals, unsigned reps, uint64_t ops,
		 const char *unit)
{
	uint64_t sorted[16];
	if (reps > 16)
		reps = 16;
	memcpy(sorted, totals, reps * sizeof *totals);
	qsort(sorted, reps, sizeof *sorted, cmp_u64);
	printf("bench %s %llu %s ops=%llu reps=%u min=%llu max=%llu\n", name,
	       (unsigned long long)(sorted[reps / 2] / ops), unit, (unsigned long long)ops, reps,
	       (unsigned long long)(sorted[0] / ops), (unsigned long long)(sorted[reps - 1] / ops));
}

void peer_pin_self(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	for (long i = 0; i < n; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

int main(int argc, char **argv)
{
	/* The first line of the application: the boot figure is taken here. */
	uint64_t reset_ns = since_reset_ns();
	struct timespec boot;
	clock_gettime(CLOCK_BOOTTIME, &boot);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench boot_to_app_first_line %llu instructions\n", (unsigned long long)reset_ns);
	printf("peer: CLOCK_BOOTTIME at that line %llu ns; %ld cpus\n",
	       (unsigned long long)boot.tv_sec * 1000000000ull + (unsigned long long)boot.tv_nsec,
	       sysconf(_SC_NPROCESSORS_ONLN));

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	char source[64] = "unknown";
	FILE *cs = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
	if (cs) {
		if (fgets(source, sizeof source, cs))
			source[strcspn(source, "\n")] = 0;
		fclose(cs);
	}
	printf("peer: clocksource %s\n", source);
	/* Unknown key=value words of the kernel command line come as the
	 * environment of init. */
	const char *which = getenv("bench");
	int status = 0;
	if (!which || strcmp(which, "ops") == 0)
		peer_bench_ops();
	else if (strcmp(which, "speedup") == 0)
		peer_bench_speedup();
	else if (strcmp(which, "net") == 0)
		status = peer_net_serve();
	else {
		printf("peer: no benchmark named '%s'\n", which);
		status = 2;
	}
	printf("peer: done (status %d)\n", status);
	fflush(stdout);
	if (getpid() == 1) {
		sync();
		reboot(RB_POWER_OFF);
	}
	return status;
}
