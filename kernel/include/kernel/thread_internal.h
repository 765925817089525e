/*
 * Between thread.c and sched.c: thread records the scheduler creates,
 * adopts and frees.
 */
#pragma once

#include <kernel/thread.h>
#include <stdnoreturn.h>

struct cpu;

/* The thread record for the boot CPU's kmain() context. */
struct thread *thread_main(void);
/* An idle thread for c: with its own stack entering entry, or (entry NULL)
 * one that will adopt c's boot stack. */
struct thread *thread_create_idle(struct cpu *c, void (*entry)(void *));
/* Make t the thread running on c in the current (boot) context. */
void thread_adopt_boot_context(struct thread *t, struct cpu *c);
/* New thread's first C code after the switch: run entry, then exit. */
noreturn void thread_run_entry(void);
/* Release an exited thread's stack and record. Interrupts on. */
void thread_free(struct thread *t);
/* Entry of every new thread (sched.c), passed to arch_context_init(). */
void sched_thread_start(void *unused);
