/*
 * aarch64 exception frame, built on the stack by arch/aarch64/vectors.S.
 *
 * It holds the whole interrupted context, FP/SIMD included: any C code
 * (newlib's printf, gcc's vectorised loops) uses q0-q31, and an interrupt
 * can arrive anywhere. The offsets are shared with the assembly, which
 * includes this header with __ASSEMBLY__ defined; the C half checks them.
 */
#pragma once

#define A64_FRAME_X	0	/* x0..x30 */
#define A64_FRAME_SP	248	/* sp before the exception */
#define A64_FRAME_ELR	256
#define A64_FRAME_SPSR	264
#define A64_FRAME_ESR	272
#define A64_FRAME_FAR	280
#define A64_FRAME_FPSR	288
#define A64_FRAME_FPCR	296
#define A64_FRAME_Q	304	/* q0..q31, 16 bytes each */
#define A64_FRAME_RECORD 816	/* {x29, elr}: a frame record for backtraces */
#define A64_FRAME_SIZE	832	/* a multiple of 16: sp stays aligned */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct arch_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;		/* where the exception was taken */
	uint64_t spsr;
	uint64_t esr;		/* syndrome: exception class and details */
	uint64_t far;		/* fault address (aborts only) */
	uint64_t fpsr;
	uint64_t fpcr;
	__uint128_t q[32];
	/* The handler's x29 points here, so a backtrace taken inside the
	 * handler continues into the interrupted code. */
	uint64_t record[2];
};

_Static_assert(offsetof(struct arch_frame, sp) == A64_FRAME_SP, "frame sp");
_Static_assert(offsetof(struct arch_frame, elr) == A64_FRAME_ELR, "frame elr");
_Static_assert(offsetof(struct arch_frame, spsr) == A64_FRAME_SPSR, "frame spsr");
_Static_assert(offsetof(struct arch_frame, esr) == A64_FRAME_ESR, "frame esr");
_Static_assert(offsetof(struct arch_frame, far) == A64_FRAME_FAR, "frame far");
_Static_assert(offsetof(struct arch_frame, fpsr) == A64_FRAME_FPSR, "frame fpsr");
_Static_assert(offsetof(struct arch_frame, fpcr) == A64_FRAME_FPCR, "frame fpcr");
_Static_assert(offsetof(struct arch_frame, q) == A64_FRAME_Q, "frame q");
_Static_assert(offsetof(struct arch_frame, record) == A64_FRAME_RECORD, "frame record");
_Static_assert(sizeof(struct arch_frame) == A64_FRAME_SIZE, "frame size");
#endif
