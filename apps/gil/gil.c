/*
 * gil: the seeds' experiments with the big lock, on the board.
 *
 *   make run APP=gil CPUS=4
 *
 * 1. CPU-bound count-down on 1, 2 and 4 threads, big-lock mode on (no
 *    speed-up, as the seeds say) and off (speed-up near the CPU count);
 * 2. I/O-bound threads (sleeps) that overlap under the lock;
 * 3. two domains running CPU-bound work in parallel under their own locks;
 * 4. I/O responsiveness: a thread that wakes every millisecond against a
 *    CPU-bound thread, its rate with the lock on against its rate alone.
 * Then each domain's statistics (gil_dump()).
 */
#include "gil_work.h"
#include <kernel/app.h>
#include <kernel/cpu.h>
#include <kernel/time.h>
#include <stdio.h>

#define TOTAL_STEPS 96000000ul

static unsigned long ms(uint64_t ns) { return (unsigned long)(ns / NS_PER_MS); }
/* a / b as "x.yy". */
static void ratio(char *buf, size_t size, uint64_t a, uint64_t b)
{
	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(b ? a / b : 0),
		 (unsigned long long)(b ? a * 100 / b % 100 : 0));
}

static void cpu_bound(struct gil *on, struct gil *off)
{
	printf("1. CPU-bound count-down of %lu steps, split over threads (%u cpus)\n",
	       TOTAL_STEPS, cpu_count());
	gil_work_split(off, 2, TOTAL_STEPS / 8);	/* warm-up: QEMU translates the loop */
	uint64_t one[2] = { 0, 0 };
	struct gil *mode[2] = { on, off };
	for (unsigned n = 1; n <= 4; n *= 2) {
		for (unsigned k = 0; k < 2; k++) {
			uint64_t took = gil_work_split(mode[k], n, TOTAL_STEPS);
			if (n == 1)
				one[k] = took;
			char speed[16];
			ratio(speed, sizeof speed, one[k], took);
			printf("   %u thread%s, big lock %-3s: %5lu ms, speed-up %s x\n", n,
			       n == 1 ? " " : "s", k ? "off" : "on", ms(took), speed);
		}
	}
}

static void io_bound(struct gil *on)
{
	const unsigned threads = 4, sleeps = 10;
	uint64_t took = gil_work_sleepers(on, threads, sleeps, 10 * NS_PER_MS);
	printf("2. I/O-bound: %u threads each sleeping %u x 10 ms under the lock: %lu ms "
	       "(%lu ms if they did not overlap)\n",
	       threads, sleeps, ms(took), (unsigned long)(threads * sleeps * 10));
}

static void two_domains(struct gil *on)
{
	struct gil a, b;
	gil_init(&a, "domain-a", true);
	gil_init(&b, "domain-b", true);
	struct gil *one[2] = { on, on }, *own[2] = { &a, &b };
	uint64_t shared = gil_work_domains(one, 2, TOTAL_STEPS);
	uint64_t split = gil_work_domains(own, 2, TOTAL_STEPS);
	char speed[16];
	ratio(speed, sizeof speed, shared, split);
	printf("3. two threads, CPU-bound: in one domain %lu ms, one per domain %lu ms "
	       "(%s x)\n", ms(shared), ms(split), speed);
	gil_dump(&a);
	gil_destroy(&a);
	gil_destroy(&b);
}

static void io_responsiveness(struct gil *on)
{
	const unsigned wakes = 200;
	uint64_t alone = gil_work_io_rate(on, wakes, false);
	uint64_t contended = gil_work_io_rate(on, wakes, true);
	printf("4. I/O thread waking every 1 ms: %llu wakes/s alone, %llu wakes/s against a "
	       "CPU-bound thread under the lock (%llu%%)\n",
	       (unsigned long long)alone, (unsigned long long)contended,
	       (unsigned long long)(alone ? contended * 100 / alone : 0));
}

static int gil_main(void)
{
	struct gil on, off;
	gil_init(&on, "lock-on", true);
	gil_init(&off, "lock-off", false);
	cpu_bound(&on, &off);
	io_bound(&on);
	two_domains(&on);
	gil_stats_reset(&on);
	io_responsiveness(&on);
	gil_dump(&on);
	gil_destroy(&on);
	gil_destroy(&off);
	return 0;
}
APP("gil", gil_main, "the big lock: the seeds' experiments");
