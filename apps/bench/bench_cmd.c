/*
 * The shell's `bench <name>`: one benchmark of apps/bench, run from the
 * shell's thread. (Outside -icount the figures are wall time, not
 * instruction counts: for a look, not for the table.)
 */
#include "bench.h"
#include <shell/shell.h>
#include <stdio.h>

static int cmd_bench(int argc, char **argv)
{
	if (argc != 2) {
		printf("usage: bench <name> (names: %s)\n", bench_names());
		return -1;
	}
	return bench_run(argv[1]);
}
SHELL_CMD(bench, "<name>: run one benchmark of apps/bench", cmd_bench);
