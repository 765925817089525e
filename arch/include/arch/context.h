/*
 * The arch contract, part 7: execution contexts (kernel threads now,
 * coroutines later).
 *
 * A context is a stack and a saved stack pointer. Switching saves, on the
 * current stack, exactly what the C ABI says a call preserves: the
 * callee-saved general registers, the frame pointer and return address, and
 * the callee-saved FP/SIMD state (d8-d15 and FPCR on aarch64; MXCSR and the
 * x87 control word on x86_64). Everything else is the caller's to lose. A
 * context interrupted by an IRQ has its full register and FP/SIMD state in
 * the exception frame on its own stack, so preemption needs nothing more.
 *
 * Interrupt frames on small stacks: while the current thread's `irq_sp`
 * (struct thread, at offset ARCH_THREAD_IRQ_SP) is non-zero, an IRQ builds
 * its frame just below irq_sp instead of on the interrupted stack, runs its
 * handler there (which may switch threads), and returns to the interrupted
 * stack. The coroutine scheduler sets it to free space on the worker
 * thread's own stack while a coroutine runs, so a coroutine's stack only
 * ever holds the coroutine's own frames. Synchronous exceptions stay on the
 * interrupted stack (or the port's emergency stack).
 */
#pragma once

#define ARCH_THREAD_IRQ_SP 8	/* offsetof(struct thread, irq_sp): used in assembly */

#ifndef __ASSEMBLY__
#include <stdint.h>

/*
 * Save the current context's registers on its stack, store its stack
 * pointer in *save_sp, switch to new_sp and restore what is saved there.
 * Returns when some later switch comes back to the saved context.
 * Interrupts: as the caller left them (the scheduler calls it with them off).
 */
void arch_context_switch(uintptr_t *save_sp, uintptr_t new_sp);

/*
 * Lay out a fresh context at the top of a stack so that the first
 * arch_context_switch() to the returned stack pointer calls entry(arg)
 * with a properly aligned stack and a zero frame pointer (the backtrace
 * ends there). entry must never return.
 */
uintptr_t arch_context_init(uintptr_t stack_top, void (*entry)(void *arg), void *arg);
#endif
