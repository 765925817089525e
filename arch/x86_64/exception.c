/*
 * Where entry.S delivers every vector: exceptions go to exception_report()
 * (nothing here handles a fault), NMI to its handler, and every interrupt
 * (timer, IPIs, devices) to the generic code between irq_enter() and
 * irq_exit().
 */
#include <arch/exception.h>
#include <arch/ipi.h>
#include <arch/irq.h>
#include <arch/timer.h>
#include <arch/x86/layout.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <kernel/log.h>
#include <stdbool.h>

static const char *const exception_names[32] = {
	[0] = "divide error",		[1] = "debug",
	[2] = "NMI",			[3] = "breakpoint",
	[4] = "overflow",		[5] = "bound range exceeded",
	[6] = "invalid opcode",		[7] = "device not available",
	[8] = "double fault",		[9] = "coprocessor segment overrun",
	[10] = "invalid TSS",		[11] = "segment not present",
	[12] = "stack-segment fault",	[13] = "general protection fault",
	[14] = "page fault",		[16] = "x87 floating-point error",
	[17] = "alignment check",	[18] = "machine check",
	[19] = "SIMD floating-point error", [20] = "virtualization exception",
	[21] = "control protection exception", [28] = "hypervisor injection",
	[29] = "VMM communication",	[30] = "security exception",
};

/* NMI: sent by other CPUs for a TLB shootdown and for IPI_STOP (both post
 * a flag first, so one NMI may serve several requests). */
static void nmi(void)
{
	struct x86_percpu *p = x86_this_percpu();
	x86_tlb_nmi();
	if (__atomic_exchange_n(&p->stop_pending, false, __ATOMIC_ACQ_REL))
		ipi_receive(IPI_STOP);
}

/*
 * An interrupt, on the interrupted context's own stack (entry.S saved its
 * registers and FP/SIMD state there). irq_exit() may switch to another
 * thread and come back much later, so it comes last, and the EOI before it:
 * until then this CPU's LAPIC would hold back every interrupt of this
 * priority class or lower.
 */
static void interrupt(struct arch_frame *f, unsigned v)
{
	irq_enter();
	if (v >= X86_VEC_IRQ_BASE && v < X86_VEC_IRQ_BASE + X86_VEC_IRQ_COUNT) {
		/* The handler quiets the device first, so a level-triggered
		 * line is low again by the EOI. */
		irq_dispatch(v - X86_VEC_IRQ_BASE);
		x86_lapic_eoi();
	} else {
		x86_lapic_eoi();
		if (v == X86_VEC_TIMER)
			timer_interrupt();
		else if (v == X86_VEC_IPI_RESCHED)
			ipi_receive(IPI_RESCHED);
		else if (v == X86_VEC_IPI_WAKE)
			ipi_receive(IPI_WAKE);
		else
			exception_report("unexpected interrupt", 0, f);
	}
	irq_exit();
}

void x86_interrupt(struct arch_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v == 2) {
		nmi();
		return;
	}
	if (v < 32) {
		const char *what = exception_names[v] ? exception_names[v] : "reserved exception";
		/* After a #DF, CR2 still holds the page fault that caused it:
		 * typically a stack overflow into a guard page, which the
		 * CPU could not push the page fault's frame onto. */
		uintptr_t addr = (v == 14 || v == 8) ? f->cr2 : 0;
		exception_report(what, addr, f);
	}
	if (v == X86_VEC_SPURIOUS)
		return;		/* the LAPIC wants no EOI for these */
	interrupt(f, v);
}

void arch_frame_dump(const struct arch_frame *f)
{
#define R(x) ((unsigned long)f->x)
	kprintf("  rip %016lx  cs %04lx  rflags %08lx  vector %lu  error %#lx\n",
		R(rip), R(cs), R(rflags), R(vector), R(error));
	if (f->vector == 14) {
		bool present = f->error & 1, write = f->error & 2, fetch = f->error & 16;
		kprintf("  page fault: %s %s page\n",
			fetch ? "instruction fetch from a" : write ? "write to a" : "read from a",
			!present ? "not-present" : fetch ? "no-execute" : "read-only");
	}
	kprintf("  rsp %016lx  ss %04lx  cr2 %016lx\n", R(rsp), R(ss), R(cr2));
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", R(rax), R(rbx), R(rcx),
		R(rdx));
	kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", R(rsi), R(rdi), R(rbp),
		R(r8));
	kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", R(r9), R(r10), R(r11),
		R(r12));
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", R(r13), R(r14), R(r15));
#undef R
}

uintptr_t arch_frame_pc(const struct arch_frame *f) { return f->rip; }
uintptr_t arch_frame_fp(const struct arch_frame *f) { return f->rbp; }
