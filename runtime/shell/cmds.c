/*
 * The shell's commands for the layers below it: the machine (cpus, irq,
 * mem, reboot, poweroff), threads and coroutines (ps), the big lock (gil)
 * and the scheduling trace (trace). `top` is in cmd_top.c; other modules
 * register their own (apps/bench: bench).
 */
#include <coro/coro.h>
#include <errno.h>
#include <gil/gil.h>
#include <kernel/board.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <shell/shell.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands that take no arguments say so in one line. */
static int no_args(int argc, char **argv)
{
	if (argc == 1)
		return 0;
	printf("%s: takes no arguments\n", argv[0]);
	return -EINVAL;
}

static int cmd_help(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	for (const struct shell_cmd *c = shell_cmds_begin(); c < shell_cmds_end(); c++)
		printf("  %-10s %s\n", c->name, c->help);
	return 0;
}
SHELL_CMD(help, "list the commands", cmd_help);

static int cmd_cpus(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	printf("%-4s %-8s %-7s %-20s %6s %12s %10s\n", "cpu", "hwid", "online", "running", "ready",
	       "idle ms", "irqs");
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		struct thread_cpu_stats st;
		thread_cpu_stats(c, &st);
		printf("%-4u %-8llx %-7s %-20s %6u %12llu %10lu\n", i, (unsigned long long)c->hwid,
		       c->online ? "yes" : "no", st.current, st.ready,
		       (unsigned long long)(st.idle_ns / NS_PER_MS), irq_count(c));
	}
	printf("%u/%u cpus online\n", cpu_online_count(), cpu_count());
	return 0;
}
SHELL_CMD(cpus, "every CPU: online, running thread, run queue, idle time", cmd_cpus);

/* A copy of the thread list, taken under its lock, printed after. */
struct thread_row {
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	unsigned cpu, prio;
	uint64_t switches, run_ns;
	size_t stack_used, stack_size;
};
struct thread_rows {
	struct thread_row *rows;
	unsigned n, room;
};

static void count_thread(struct thread *t, void *arg) { (*(unsigned *)arg)++; }

static void copy_thread(struct thread *t, void *arg)
{
	struct thread_rows *r = arg;
	if (r->n == r->room)
		return;		/* created since we counted: left for the next look */
	struct thread_row *row = &r->rows[r->n++];
	memcpy(row->name, t->name, sizeof row->name);
	row->state = t->state;
	row->cpu = t->cpu ? t->cpu->index : 0;
	row->prio = t->prio;
	row->switches = t->switches;
	row->run_ns = t->run_ns;
	row->stack_size = t->stack_size;
	/* Scanning a stack is slow and only reads its own pages: fine here. */
	row->stack_used = t->stack_size ? thread_stack_high_water(t) : 0;
}

#define PS_CORO_MAX 64	/* listed; a million parked ones are counted, not printed */

static void print_coro(const struct coro_info *c, void *arg)
{
	if ((*(unsigned *)arg)++ >= PS_CORO_MAX)
		return;
	printf("  %-16s %-10s %6u %10lu/%lu\n", c->name, c->state, c->worker,
	       (unsigned long)c->stack_used, (unsigned long)c->stack_size);
}

static int cmd_ps(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	unsigned n = 0;
	thread_for_each(count_thread, &n);
	struct thread_rows r = { .room = n + 8 };
	r.rows = malloc(r.room * sizeof r.rows[0]);
	if (!r.rows) {
		printf("ps: out of memory\n");
		return -ENOMEM;
	}
	thread_for_each(copy_thread, &r);
	printf("threads: %u\n", r.n);
	printf("  %-20s %-8s %4s %4s %10s %12s %14s\n", "name", "state", "cpu", "prio", "switches",
	       "run us", "stack used");
	for (unsigned i = 0; i < r.n; i++) {
		const struct thread_row *t = &r.rows[i];
		char stack[32] = "-";
		if (t->stack_size)
			snprintf(stack, sizeof stack, "%lu/%lu", (unsigned long)t->stack_used,
				 (unsigned long)t->stack_size);
		printf("  %-20s %-8s %4u %4u %10llu %12llu %14s\n", t->name, thread_state_name(t->state),
		       t->cpu, t->prio, (unsigned long long)t->switches,
		       (unsigned long long)(t->run_ns / NS_PER_US), stack);
	}
	free(r.rows);
	struct coro_stats cs;
	coro_get_stats(&cs);
	printf("coroutines: %llu alive\n", (unsigned long long)cs.alive);
	printf("  %-16s %-10s %6s %16s\n", "name", "state", "worker", "stack used");
	unsigned seen = 0;
	coro_for_each(print_coro, &seen);
	if (seen > PS_CORO_MAX)
		printf("  ... and %u more\n", seen - PS_CORO_MAX);
	return 0;
}
SHELL_CMD(ps, "threads (state, cpu, priority, run time, stack) and coroutines", cmd_ps);

static int cmd_irq(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	unsigned long total = 0;
	printf("%-4s %12s\n", "cpu", "interrupts");
	for (unsigned i = 0; i < cpu_count(); i++) {
		unsigned long n = irq_count(cpu_get(i));
		total += n;
		printf("%-4u %12lu\n", i, n);
	}
	printf("total %11lu\n", total);
	return 0;
}
SHELL_CMD(irq, "interrupts handled per CPU (timer, IPIs and devices)", cmd_irq);

static int cmd_mem(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	size_t pages = page_total_count(), free_pages = page_free_count();
	struct coro_stats cs;
	coro_get_stats(&cs);
	printf("ram          %10llu KiB\n", (unsigned long long)(mem_total() >> 10));
	printf("pages        %10lu KiB free of %lu KiB (%lu-byte pages)\n",
	       (unsigned long)(free_pages * PAGE_SIZE >> 10), (unsigned long)(pages * PAGE_SIZE >> 10),
	       (unsigned long)PAGE_SIZE);
	printf("heap         %10llu KiB free (malloc)\n", (unsigned long long)(mem_heap_free() >> 10));
	printf("coro stacks  %10lu KiB pooled, high water %lu bytes\n",
	       (unsigned long)(cs.pooled_bytes >> 10), (unsigned long)cs.stack_high_water);
	printf("console      %10lu input bytes dropped\n", console_input_dropped());
	return 0;
}
SHELL_CMD(mem, "RAM, free pages, heap, coroutine stack pool", cmd_mem);

static int cmd_gil(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	unsigned n = gil_domain_count();
	printf("gil: %u domain%s\n", n, n == 1 ? "" : "s");
	gil_dump(NULL);
	return 0;
}
SHELL_CMD(gil, "big-lock domains: holder, waits, hand-offs, histograms", cmd_gil);

static int cmd_trace(int argc, char **argv)
{
	const char *sub = argc == 2 ? argv[1] : "";
	int err = 0;
	if (strcmp(sub, "start") == 0) {
		err = trace_start(0);
		printf(err ? "trace: cannot start (out of memory)\n" : "trace: recording\n");
	} else if (strcmp(sub, "stop") == 0) {
		trace_stop();
		printf("trace: stopped\n");
	} else if (strcmp(sub, "dump") == 0) {
		fflush(stdout);
		err = trace_dump();
		if (err)
			printf("trace: nothing recorded yet ('trace start' first)\n");
	} else {
		printf("usage: trace start|stop|dump\n");
		err = -EINVAL;
	}
	return err;
}
SHELL_CMD(trace, "start|stop|dump: the per-CPU scheduling trace", cmd_trace);

static int cmd_reboot(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	printf("rebooting\n");
	fflush(stdout);
	board_reboot();
}
SHELL_CMD(reboot, "restart the machine", cmd_reboot);

static int cmd_poweroff(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -EINVAL;
	printf("powering off\n");
	fflush(stdout);
	board_poweroff(0);
}
SHELL_CMD(poweroff, "turn the machine off (QEMU exits 0)", cmd_poweroff);
