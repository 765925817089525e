/*
 * x86_64 exception frame (struct arch_frame), as arch/x86_64/entry.S builds
 * it on the stack, lowest address first: cr2, the fifteen general registers
 * in reverse push order, the vector and error code (the vector entry pushes
 * a zero when the CPU pushes none), then what the CPU pushed itself.
 * The FP/SIMD state (fxsave) sits below the frame, 16-byte aligned.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct arch_frame {
	uint64_t cr2;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* entry.S pushes in this order; keep the two in step. */
_Static_assert(offsetof(struct arch_frame, r15) == 8, "frame: cr2 then r15");
_Static_assert(offsetof(struct arch_frame, rbp) == 9 * 8, "frame: rbp (entry.S reads it)");
_Static_assert(offsetof(struct arch_frame, rax) == 15 * 8, "frame: rax last GPR");
_Static_assert(offsetof(struct arch_frame, vector) == 16 * 8, "frame: vector after rax");
_Static_assert(offsetof(struct arch_frame, rip) == 18 * 8, "frame: CPU part after error");
_Static_assert(sizeof(struct arch_frame) == 23 * 8, "frame size");
