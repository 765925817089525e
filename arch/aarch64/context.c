/*
 * The first frame of a new context, for switch.S to switch into.
 */
#include "context.h"
#include <arch/context.h>
#include <kernel/panic.h>

void a64_context_start(void);

uintptr_t arch_context_init(uintptr_t stack_top, void (*entry)(void *arg), void *arg)
{
	if (stack_top % 16)
		panic("arch_context_init: stack top %#lx is not 16-byte aligned",
		      (unsigned long)stack_top);
	/* The frame ends at the top, so a64_context_start runs with
	 * sp = stack_top: aligned, as AAPCS64 requires at every call. */
	struct a64_context_frame *f = (struct a64_context_frame *)stack_top - 1;
	*f = (struct a64_context_frame){
		.x19_x28 = { (uintptr_t)entry, (uintptr_t)arg },
		.fp = 0,
		.lr = (uintptr_t)a64_context_start,
		.fpcr = 0,	/* round to nearest, no traps: the reset value */
	};
	return (uintptr_t)f;
}
