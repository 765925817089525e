/*
 * The C side of exception entry: name what happened and hand it to the
 * generic exception_report(). Nothing is handled and resumed yet except
 * interrupts (gic.c).
 */
#include <arch/a64.h>
#include <arch/exception.h>
#include <kernel/cpu.h>
#include <kernel/log.h>

/* One emergency stack per CPU, for exceptions taken on an overflowed
 * stack (vectors.S indexes it by struct cpu's index). */
char a64_emergency_stacks[MAX_CPUS][1u << A64_EMERGENCY_STACK_SHIFT]
	__attribute__((aligned(16)));

void a64_sync_handler(struct arch_frame *f);
void a64_overflow_handler(struct arch_frame *f);
void a64_bad_exception(struct arch_frame *f, unsigned kind);

void a64_exceptions_init(void)
{
	a64_write_sysreg(vbar_el1, (uintptr_t)a64_vectors);
	a64_isb();
	/* Report SErrors (asynchronous aborts) instead of leaving them
	 * pending; debug and FIQ stay masked, IRQs are the kernel's call. */
	__asm__ volatile("msr daifclr, #4" : : : "memory");
}

static unsigned esr_class(uint64_t esr) { return (esr >> 26) & 0x3f; }

static const char *class_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "undefined instruction";
	case 0x01: return "trapped wfi/wfe";
	case 0x07: return "trapped fp/simd access";
	case 0x0e: return "illegal execution state";
	case 0x15: return "svc";
	case 0x16: return "hvc";
	case 0x17: return "smc";
	case 0x18: return "trapped system register access";
	case 0x20: case 0x21: return "instruction abort";
	case 0x22: return "pc alignment fault";
	case 0x24: case 0x25: return "data abort";
	case 0x26: return "sp alignment fault";
	case 0x2c: return "floating-point exception";
	case 0x2f: return "serror";
	case 0x30: case 0x31: return "breakpoint";
	case 0x32: case 0x33: return "software step";
	case 0x34: case 0x35: return "watchpoint";
	case 0x3c: return "brk instruction";
	default: return "unknown exception class";
	}
}

static bool is_abort(unsigned ec) { return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25; }

/* The fault status code of an abort, as words. */
static const char *fault_name(uint64_t esr)
{
	unsigned fsc = esr & 0x3f;
	if (fsc == 0x21)
		return "alignment fault";
	switch (fsc >> 2) {
	case 0: return "address size fault";
	case 1: return "translation fault";
	case 2: return "access flag fault";
	case 3: return "permission fault";
	case 4: return "synchronous external abort";
	default: return "other fault";
	}
}

/* "data abort: permission fault" for aborts, the class name otherwise.
 * Built in a per-CPU buffer: no allocation, no locks. */
static const char *describe(const struct arch_frame *f)
{
	static char text[MAX_CPUS][64];
	unsigned ec = esr_class(f->esr);
	if (!is_abort(ec))
		return class_name(ec);
	struct cpu *c = arch_this_cpu();
	char *buf = text[c ? c->index : 0];
	size_t n = 0;
	for (const char *s = class_name(ec); *s && n < 40; s++)
		buf[n++] = *s;
	buf[n++] = ':';
	buf[n++] = ' ';
	for (const char *s = fault_name(f->esr); *s && n < sizeof text[0] - 1; s++)
		buf[n++] = *s;
	buf[n] = '\0';
	return buf;
}

void a64_sync_handler(struct arch_frame *f)
{
	unsigned ec = esr_class(f->esr);
	exception_report(describe(f), is_abort(ec) || ec == 0x22 ? f->far : 0, f);
}

void a64_overflow_handler(struct arch_frame *f)
{
	exception_report("stack overflow (exception frame would not fit)", f->far, f);
}

void a64_bad_exception(struct arch_frame *f, unsigned kind)
{
	static const char *const names[] = {
		"sync exception on SP_EL0", "irq on SP_EL0", "fiq on SP_EL0", "serror on SP_EL0",
		"sync exception", "irq", "fiq", "serror",
		"sync exception from EL0", "irq from EL0", "fiq from EL0", "serror from EL0",
		"sync exception from 32-bit EL0", "irq from 32-bit EL0", "fiq from 32-bit EL0",
		"serror from 32-bit EL0",
	};
	exception_report(kind < 16 ? names[kind] : "unknown vector", f->far, f);
}

uintptr_t arch_frame_pc(const struct arch_frame *f) { return f->elr; }
uintptr_t arch_frame_fp(const struct arch_frame *f) { return f->x[29]; }

void arch_frame_dump(const struct arch_frame *f)
{
	for (int i = 0; i < 28; i += 4)
		kprintf("  x%-2d %016lx  x%-2d %016lx  x%-2d %016lx  x%-2d %016lx\n", i, f->x[i],
			i + 1, f->x[i + 1], i + 2, f->x[i + 2], i + 3, f->x[i + 3]);
	kprintf("  x28 %016lx  fp  %016lx  lr  %016lx  sp  %016lx\n", f->x[28], f->x[29],
		f->x[30], f->sp);
	kprintf("  pc  %016lx  spsr %08lx (EL%lu%s, daif %lx)\n", f->elr, f->spsr,
		(f->spsr >> 2) & 3, f->spsr & 1 ? "h" : "t", (f->spsr >> 6) & 0xf);
	unsigned ec = esr_class(f->esr);
	kprintf("  esr %08lx (class %#x %s, iss %#lx)  far %016lx\n", f->esr, ec, class_name(ec),
		f->esr & 0x1ffffff, f->far);
	if (ec == 0x24 || ec == 0x25)
		kprintf("  %s at level %lu on %s\n", fault_name(f->esr), f->esr & 3,
			f->esr & (1 << 6) ? "write" : "read");
	kprintf("  fpsr %08lx  fpcr %08lx\n", f->fpsr, f->fpcr);
	for (int i = 0; i < 32; i += 2)
		kprintf("  q%-2d %016lx%016lx  q%-2d %016lx%016lx\n", i,
			(uint64_t)(f->q[i] >> 64), (uint64_t)f->q[i], i + 1,
			(uint64_t)(f->q[i + 1] >> 64), (uint64_t)f->q[i + 1]);
}
