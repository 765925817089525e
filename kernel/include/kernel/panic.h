/*
 * panic(): print the CPU, the message and a backtrace, stop every other CPU
 * and power the machine off with a failure status. Any context; never
 * returns. A panic on a second CPU while the first is reporting halts
 * quietly.
 *
 * assert() from <assert.h> lands here too (newlib's __assert_func).
 */
#pragma once

#include <stdint.h>
#include <stdnoreturn.h>

noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the frame-pointer chain starting at fp (and pc first when non-zero). */
void backtrace_print(uintptr_t pc, uintptr_t fp);

/* Exit status used when the kernel panics. */
#define PANIC_EXIT_STATUS 3
