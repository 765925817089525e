/*
 * The frame arch_context_switch() (switch.S) leaves on a switched-out
 * stack, lowest address first. Only what the SysV ABI says a call
 * preserves is here: the callee-saved registers, the return address, and
 * the control bits of the SSE and x87 units (MXCSR, FPU control word).
 * Included from C and from assembly.
 */
#pragma once

#define X86_CTX_MXCSR	0	/* offsets, for switch.S */
#define X86_CTX_FPUCW	4
#define X86_CTX_R15	8
#define X86_CTX_RBP	48
#define X86_CTX_RIP	56
#define X86_CTX_SIZE	64

#define X86_MXCSR_DEFAULT 0x1f80	/* every SIMD exception masked, round to nearest */
#define X86_FPUCW_DEFAULT 0x037f	/* every x87 exception masked, 64-bit precision */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct x86_context_frame {
	uint32_t mxcsr;
	uint16_t fpucw;
	uint16_t pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t rip;		/* where the switch returns to */
};

/* switch.S pushes and pops in this order; keep the two in step. */
_Static_assert(offsetof(struct x86_context_frame, mxcsr) == X86_CTX_MXCSR, "ctx: mxcsr");
_Static_assert(offsetof(struct x86_context_frame, fpucw) == X86_CTX_FPUCW, "ctx: fpu cw");
_Static_assert(offsetof(struct x86_context_frame, r15) == X86_CTX_R15, "ctx: r15 first GPR");
_Static_assert(offsetof(struct x86_context_frame, rbp) == X86_CTX_RBP, "ctx: rbp last GPR");
_Static_assert(offsetof(struct x86_context_frame, rip) == X86_CTX_RIP, "ctx: return address");
_Static_assert(sizeof(struct x86_context_frame) == X86_CTX_SIZE, "ctx: size");
/* A switch starts with rsp = 8 mod 16 (a call pushed rip): the frame keeps
 * the saved rsp 16-byte aligned. */
_Static_assert(X86_CTX_SIZE % 16 == 0, "ctx: size keeps the stack aligned");
#endif
