/*
 * newlib's per-context state (errno, stdio streams, strtok's position).
 * newlib is built with __DYNAMIC_REENT__, so every access goes through
 * __getreent(): each thread has its own struct _reent in its record. An
 * interrupt handler uses the state of the thread it interrupted.
 */
#include <kernel/libc.h>
#include <kernel/thread.h>
#include <reent.h>
#include <stdio.h>

struct _reent *__getreent(void)
{
	struct thread *t = thread_current();
	/* Before the scheduler starts, newlib's own static state. */
	return t ? t->reent : _impure_ptr;
}

void libc_init(void)
{
	/* Nothing per CPU any more: each thread's state is set up when the
	 * thread is created. Kept as the boot step where libc becomes usable. */
}
