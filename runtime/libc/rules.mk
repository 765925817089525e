# runtime/libc/: what newlib needs from the kernel.
LIBC_SRCS := \
	runtime/libc/syscalls.c \
	runtime/libc/reent.c \
	runtime/libc/locks.c
