/*
 * The arch contract, part 4: exceptions.
 *
 * Each port defines struct arch_frame (every general register, the faulting
 * PC, the status and fault-address registers) in arch/impl/frame.h, saves it
 * on exception entry together with the FP/SIMD state, and hands unexpected
 * exceptions to exception_report().
 */
#pragma once

#include <stdint.h>
#include <stdnoreturn.h>

struct arch_frame;

/* Print every register in the frame, one labelled line per group. */
void arch_frame_dump(const struct arch_frame *f);
/* The PC and frame pointer at the time of the exception (for backtraces). */
uintptr_t arch_frame_pc(const struct arch_frame *f);
uintptr_t arch_frame_fp(const struct arch_frame *f);

/* Generic code: report an exception nothing handled (name, e.g. "page
 * fault", and the fault address when the port knows one) and panic. */
noreturn void exception_report(const char *what, uintptr_t fault_addr,
			       const struct arch_frame *f);

#include <arch/impl/frame.h>
