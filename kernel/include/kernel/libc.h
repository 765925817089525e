/*
 * The C library's kernel side (runtime/libc/).
 */
#pragma once

/* Boot CPU, once, after mem_init() and before smp_boot(): give every CPU its
 * own newlib state (errno, stdio streams) and make stdout line-buffered. */
void libc_init(void);
