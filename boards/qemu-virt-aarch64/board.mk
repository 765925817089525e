# QEMU's "virt" machine, aarch64. RAM at 0x40000000; everything else (UART,
# GIC, PSCI, CPUs) is read from the device tree QEMU passes in x0.
#   make BOARD=qemu-virt-aarch64 [CPU=cortex-a53] [GIC=2|3] [EL2=1] [CPUS=n] run
# GIC=2 allows at most 8 CPUs. EL2=1 enters at EL2 (virtualization=on) and
# makes PSCI go through smc.
ARCH := aarch64
CPU ?= cortex-a72
GIC ?= 3
EL2 ?= 0
MEMORY ?= 512M

# QEMU loads an arm64 Image at RAM base + its text_offset.
KERNEL_BASE := 0x40080000

comma := ,
QEMU := qemu-system-aarch64
# Semihosting lets board_poweroff() hand QEMU a non-zero exit status.
QEMU_MACHINE = -M virt,gic-version=$(GIC)$(if $(filter 1,$(EL2)),$(comma)virtualization=on) \
	-cpu $(CPU) -semihosting-config enable=on,target=native
QEMU_BOOT = -kernel $(BIN)

BOARD_SRCS := boards/qemu-virt-aarch64/board.c

# Network and entropy (virtio): on PCI, or with VIRTIO=mmio on the
# virt machine's virtio-mmio slots (modern devices only, hence the -global).
VIRTIO ?= pci
ifeq ($(VIRTIO),mmio)
QEMU_NET = $(QEMU_NETDEV) -device virtio-net-device,netdev=net0,mac=52:54:00:12:34:56 \
	-device virtio-rng-device -global virtio-mmio.force-legacy=false
else
QEMU_NET = $(QEMU_NETDEV) -device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56 -device virtio-rng-pci
endif

# `make check` also runs the full suite at CPUS=4 in each of these.
CHECK_VARIANTS := GIC=2; EL2=1; CPU=cortex-a53; GIC=2 EL2=1 CPU=cortex-a53; VIRTIO=mmio
