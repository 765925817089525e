/*
 * panic() and the report of an unexpected exception. Both stop every other
 * CPU first (so nothing else reaches the console), print, and power off with
 * a failure status. Only the first CPU to panic reports; any later one halts.
 */
#include <arch/exception.h>
#include <arch/ipi.h>
#include <kernel/board.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/thread.h>
#include <kernel/wait.h>
#include <stdarg.h>
#include <stdio.h>

#define BACKTRACE_MAX 32

static int panicking_cpu = -1;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		console_write_force(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Become the one reporting CPU, or halt; then stop the others. */
static unsigned begin_panic(void)
{
	arch_irq_disable();
	struct cpu *me = this_cpu();
	int index = me ? (int)me->index : 0;
	int expect = -1;
	if (!__atomic_compare_exchange_n(&panicking_cpu, &expect, index, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		arch_halt();
	console_enter_panic();
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		if (c && c != me && c->online)
			arch_ipi_send(c, IPI_STOP);
	}
	return (unsigned)index;
}

void backtrace_print(uintptr_t pc, uintptr_t fp)
{
	say("backtrace:\n");
	int depth = 0;
	if (pc)
		say("  #%d %#lx\n", depth++, (unsigned long)pc);
	/* Frame records are {previous fp, return address}, on both arches;
	 * stop at anything that is not an aligned address in RAM or that does
	 * not move up the stack. */
	while (fp && depth < BACKTRACE_MAX) {
		if (fp % sizeof(uintptr_t) || !mem_is_ram(fp, 2 * sizeof(uintptr_t)))
			break;
		const uintptr_t *frame = (const uintptr_t *)fp;
		uintptr_t ret = frame[1];
		if (!ret)
			break;
		say("  #%d %#lx\n", depth++, (unsigned long)ret);
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
}

noreturn void panic(const char *fmt, ...)
{
	unsigned cpu = begin_panic();
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct thread *t = thread_current();
	say("\npanic on cpu %u (thread '%s'%s%s%s): %s\n", cpu, t ? t->name : "-",
	    t && t->ctx ? ", coroutine '" : "", t && t->ctx ? t->ctx->ops->name(t->ctx) : "",
	    t && t->ctx ? "'" : "", msg);
	backtrace_print(0, (uintptr_t)__builtin_frame_address(0));
	board_poweroff(PANIC_EXIT_STATUS);
}

noreturn void exception_report(const char *what, uintptr_t fault_addr,
			       const struct arch_frame *f)
{
	unsigned cpu = begin_panic();
	struct thread *t = thread_current();
	say("\nunexpected exception on cpu %u (thread '%s'): %s at pc %#lx, address %#lx\n", cpu,
	    t ? t->name : "-", what, (unsigned long)arch_frame_pc(f), (unsigned long)fault_addr);
	if (t && t->alloc_base && fault_addr >= t->alloc_base && fault_addr < t->alloc_base + PAGE_SIZE)
		say("stack overflow in thread '%s' (guard page %#lx)\n", t->name,
		    (unsigned long)t->alloc_base);
	if (t && t->ctx && t->ctx->ops->in_guard(t->ctx, fault_addr))
		say("stack overflow in coroutine '%s' (guard page below %#lx)\n",
		    t->ctx->ops->name(t->ctx), (unsigned long)fault_addr);
	arch_frame_dump(f);
	backtrace_print(arch_frame_pc(f), arch_frame_fp(f));
	say("panic on cpu %u: unexpected exception\n", cpu);
	board_poweroff(PANIC_EXIT_STATUS);
}
