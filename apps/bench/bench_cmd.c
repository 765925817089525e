/*
 * The shell's `bench <name>`: one benchmark of apps/bench, run from the
 * shell's thread. (Outside -icount the figures are wall time, not
 * instruction counts: for a look, not for the table.)
 */
#include "bench.h"
#include <shell/shell.h>
#include <stdio.h>
#include <string.h>

static int cmd_bench(int argc, char **argv)
{
	if (argc != 2) {
		printf("usage: bench <name> (names: %s)\n", bench_names());
		return -1;
	}
	if (strcmp(argv[1], "coro_live") == 0) {
		/* It keeps every page it fills in the coroutine pool: the
		 * machine would be left without memory. */
		printf("bench: coro_live fills memory for good; run it alone (make bench)\n");
		return -1;
	}
	return bench_run(argv[1]);
}
SHELL_CMD(bench, "<name>: run one benchmark of apps/bench", cmd_bench);
