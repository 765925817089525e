/*
 * The frame arch_context_switch() (switch.S) leaves on a switched-out
 * stack, lowest address first. Only what AAPCS64 says a call preserves is
 * here: x19-x28, the frame pointer x29 and return address x30, the low
 * halves of v8-v15 (d8-d15) and FPCR. Included from C and from assembly.
 */
#pragma once

#define A64_CTX_X19	0	/* x19..x28, in pairs */
#define A64_CTX_FP	80	/* x29, then x30 (where the switch returns to) */
#define A64_CTX_D8	96	/* d8..d15, in pairs */
#define A64_CTX_FPCR	160
#define A64_CTX_SIZE	176	/* a multiple of 16: sp stays aligned */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct a64_context_frame {
	uint64_t x19_x28[10];
	uint64_t fp;		/* x29 */
	uint64_t lr;		/* x30: where the switch returns to */
	uint64_t d8_d15[8];
	uint64_t fpcr;
	uint64_t pad;
};

/* switch.S stores and loads at these offsets; keep the two in step. */
_Static_assert(offsetof(struct a64_context_frame, x19_x28) == A64_CTX_X19, "ctx: x19");
_Static_assert(offsetof(struct a64_context_frame, fp) == A64_CTX_FP, "ctx: x29");
_Static_assert(offsetof(struct a64_context_frame, lr) == A64_CTX_FP + 8, "ctx: x30 after x29");
_Static_assert(offsetof(struct a64_context_frame, d8_d15) == A64_CTX_D8, "ctx: d8");
_Static_assert(offsetof(struct a64_context_frame, fpcr) == A64_CTX_FPCR, "ctx: fpcr");
_Static_assert(sizeof(struct a64_context_frame) == A64_CTX_SIZE, "ctx: size");
_Static_assert(A64_CTX_SIZE % 16 == 0, "ctx: size keeps sp 16-byte aligned");
#endif
