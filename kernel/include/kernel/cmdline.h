/*
 * The boot command line: space-separated words, each `key=value` or a bare
 * `key`. QEMU passes it with -append.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Port, from arch_early_init(). The text is copied; longer than
 * CMDLINE_MAX is cut and reported at boot. */
#define CMDLINE_MAX 512
void cmdline_set(const char *text);
const char *cmdline_text(void);

/* The value of `key=value` copied into buf (NUL-terminated), or NULL when
 * key is absent or the value does not fit. A bare `key` yields "". */
const char *cmdline_get(const char *key, char *buf, size_t size);
