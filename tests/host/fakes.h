/*
 * Host stand-ins for the kernel services the code under test calls.
 */
#pragma once

#include <stddef.h>

/* Everything kprintf() printed since the last call, then cleared. */
const char *fake_log_take(void);
