/*
 * The first frame of a new context, for switch.S to switch into.
 */
#include <arch/context.h>
#include <arch/x86/context.h>
#include <kernel/panic.h>
#include <stdnoreturn.h>

void x86_context_start(void);
noreturn void x86_context_returned(void);

uintptr_t arch_context_init(uintptr_t stack_top, void (*entry)(void *arg), void *arg)
{
	if (stack_top % 16)
		panic("arch_context_init: stack top %#lx is not 16-byte aligned",
		      (unsigned long)stack_top);
	/* The frame ends at the top, so x86_context_start runs with
	 * rsp = stack_top: aligned. */
	struct x86_context_frame *f = (struct x86_context_frame *)stack_top - 1;
	*f = (struct x86_context_frame){
		.mxcsr = X86_MXCSR_DEFAULT,
		.fpucw = X86_FPUCW_DEFAULT,
		.r12 = (uintptr_t)entry,
		.r13 = (uintptr_t)arg,
		.rbp = 0,		/* the backtrace ends here */
		.rip = (uintptr_t)x86_context_start,
	};
	return (uintptr_t)f;
}

noreturn void x86_context_returned(void)
{
	panic("arch_context_init: a context's entry function returned");
}
