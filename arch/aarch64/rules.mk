# arch/aarch64/: the ARMv8-A port (EL1, 4 KiB pages, GICv2/GICv3, PSCI).
CROSS_COMPILE ?= aarch64-linux-gnu-

# Plain ARMv8.0 so every Cortex-A5x/A7x runs the image; atomics inline
# (outlined ones call libgcc helpers that probe HWCAPs we do not have);
# frame records in leaf functions too, for backtraces.
ARCH_CFLAGS := -march=armv8-a -mno-outline-atomics -mtune=generic -mcmodel=small \
	-fno-pic -mno-omit-leaf-frame-pointer
NEWLIB_CFLAGS := -march=armv8-a -mno-outline-atomics
LINKER_SCRIPT := linker/aarch64.ld

ARCH_SRCS := \
	arch/aarch64/head.S \
	arch/aarch64/vectors.S \
	arch/aarch64/cache.S \
	arch/aarch64/exception.c \
	arch/aarch64/mmu.c \
	arch/aarch64/setup.c \
	arch/aarch64/cpu.c \
	arch/aarch64/psci.c \
	arch/aarch64/gic.c \
	arch/aarch64/gicv2.c \
	arch/aarch64/gicv3.c \
	arch/aarch64/msi.c \
	arch/aarch64/timer.c \
	arch/aarch64/switch.S \
	arch/aarch64/context.c

# mmu.c builds the first page tables with the MMU off, when all memory is
# device memory: no unaligned accesses, no calls to memset/memcpy.
mmu_CFLAGS := -mstrict-align -fno-tree-loop-distribute-patterns
