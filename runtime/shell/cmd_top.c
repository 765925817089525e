/*
 * `top [count [ms]]`: per-CPU load, refreshed every ms (default 1000) until
 * a key is pressed, or `count` times (for scripts). Load is the share of
 * the interval a CPU spent outside its idle thread.
 */
#include <errno.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <shell/shell.h>
#include <stdio.h>
#include <stdlib.h>

static bool parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static void sample(uint64_t *idle)
{
	for (unsigned i = 0; i < cpu_count() && i < MAX_CPUS; i++) {
		struct thread_cpu_stats st;
		thread_cpu_stats(cpu_get(i), &st);
		idle[i] = st.idle_ns;
	}
}

static int cmd_top(int argc, char **argv)
{
	unsigned long count = 0, ms = 1000;
	if (argc > 3 || (argc > 1 && !parse_uint(argv[1], 1, 100000, &count)) ||
	    (argc > 2 && !parse_uint(argv[2], 10, 60000, &ms))) {
		printf("usage: top [count [ms]] (count 1..100000, ms 10..60000)\n");
		return -EINVAL;
	}
	static uint64_t before[MAX_CPUS], after[MAX_CPUS];
	unsigned n = cpu_count();
	bool interactive = count == 0;
	if (interactive)
		printf("top: every %lu ms, any key stops\n", ms);
	fflush(stdout);
	for (unsigned long round = 0; interactive || round < count; round++) {
		sample(before);
		uint64_t t0 = time_now();
		/* Sleep the interval, or stop at a key. */
		if (interactive && console_input_read(ms * NS_PER_MS) >= 0)
			break;
		if (!interactive)
			thread_sleep(ms * NS_PER_MS);
		sample(after);
		uint64_t span = time_now() - t0;
		if (interactive && round)
			printf("\033[%uA", n + 1);	/* over the previous table */
		const char *clear = interactive ? "\033[K" : "";	/* scripts get plain lines */
		printf("%-4s %6s%s\n", "cpu", "load", clear);
		for (unsigned i = 0; i < n; i++) {
			uint64_t idle = after[i] - before[i];
			unsigned load = idle >= span ? 0 : (unsigned)((span - idle) * 100 / span);
			printf("%-4u %5u%%%s\n", i, load, clear);
		}
		fflush(stdout);
	}
	return 0;
}
SHELL_CMD(top, "[count [ms]]: per-CPU load, refreshed until a key (or count times)", cmd_top);
