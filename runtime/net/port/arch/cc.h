/*
 * lwIP's compiler and platform header (lwIP's "arch/cc.h"), for
 * threadbare: newlib supplies the C library, the kernel the diagnostics.
 * lwIP asserts become kernel panics, since lwIP's state is not to be
 * trusted after one.
 */
#pragma once

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

/* newlib has ssize_t but no SSIZE_MAX: say so, or lwIP defines its own. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#define LWIP_ERRNO_STDINCLUDE 1	/* newlib's errno values, as the sockets return */

void net_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void net_lwip_assert(const char *msg, const char *file, int line) __attribute__((__noreturn__));
uint32_t net_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { net_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_RAND() net_lwip_rand()
