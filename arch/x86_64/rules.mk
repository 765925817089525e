# arch/x86_64: long mode on any x86_64 PC (QEMU q35 first), booted through PVH.
# The host gcc under its triplet name (Debian and Ubuntu ship the link with
# gcc); non-empty, since tools/deps.sh reads it as a word.
CROSS_COMPILE ?= x86_64-linux-gnu-
# No red zone: an interrupt pushes its frame right below the interrupted
# rsp. SSE stays on (newlib's printf uses it); the exception entry saves it.
ARCH_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mcmodel=small -fcf-protection=none \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
# newlib's configure gives an x86_64-none-elf target MISSING_SYSCALL_NAMES
# (reentrant wrappers calling write(), sbrk()...); undo it so that, as on the
# other arches, they call _write(), _sbrk()... from runtime/libc.
NEWLIB_CFLAGS := -mno-red-zone -mcmodel=small -fcf-protection=none -UMISSING_SYSCALL_NAMES
LINKER_SCRIPT := linker/x86_64.ld

ARCH_SRCS := \
	arch/x86_64/boot.S \
	arch/x86_64/entry.S \
	arch/x86_64/switch.S \
	arch/x86_64/context.c \
	arch/x86_64/trampoline.S \
	arch/x86_64/early.c \
	arch/x86_64/cpu.c \
	arch/x86_64/gdt.c \
	arch/x86_64/idt.c \
	arch/x86_64/exception.c \
	arch/x86_64/mmu.c \
	arch/x86_64/acpi.c \
	arch/x86_64/madt.c \
	arch/x86_64/lapic.c \
	arch/x86_64/ioapic.c \
	arch/x86_64/msi.c \
	arch/x86_64/timer.c \
	arch/x86_64/smp.c \
	arch/x86_64/tsc.c
