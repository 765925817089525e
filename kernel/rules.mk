# kernel/: generic, arch-independent kernel code.
KERNEL_SRCS := \
	kernel/main.c \
	kernel/smp.c \
	kernel/spinlock.c \
	kernel/panic.c \
	kernel/console.c \
	kernel/log.c \
	kernel/mem.c \
	kernel/cmdline.c \
	kernel/fdt.c \
	kernel/app.c

# The app `make run` boots when the command line names none.
DEFAULT_APP ?= hello
app_CFLAGS := -DDEFAULT_APP='"$(DEFAULT_APP)"'
