# kernel/: generic, arch-independent kernel code.
KERNEL_SRCS := \
	kernel/main.c \
	kernel/smp.c \
	kernel/spinlock.c \
	kernel/panic.c \
	kernel/console.c \
	kernel/console_input.c \
	kernel/log.c \
	kernel/mem.c \
	kernel/cmdline.c \
	kernel/fdt.c \
	kernel/app.c \
	kernel/time.c \
	kernel/timer.c \
	kernel/timerq.c \
	kernel/runq.c \
	kernel/page.c \
	kernel/irq.c \
	kernel/sched.c \
	kernel/sched_priority.c \
	kernel/thread.c \
	kernel/wait.c \
	kernel/mutex.c \
	kernel/sem.c \
	kernel/condvar.c \
	kernel/event.c \
	kernel/trace.c

# The app `make run` boots when the command line names none.
DEFAULT_APP ?= demo
app_CFLAGS := -DDEFAULT_APP='"$(DEFAULT_APP)"'
$(OUT)/obj/kernel/app.o: kernel/rules.mk	# a new default app rebuilds it
