# QEMU's q35 PC (ICH9 chipset), x86_64, booted with `-kernel` through the
# PVH entry note. COM1 is the console; isa-debug-exit at port 0xf4 turns a
# failure status into QEMU's exit code ((status << 1) | 1), and ACPI
# soft-off ends a good run with exit code 0.
ARCH := x86_64
# qemu64 has what the port needs (NX, APIC, SSE2) under TCG and KVM alike.
CPU ?= qemu64
QEMU := qemu-system-x86_64
MEMORY ?= 512M
# The image's physical (= virtual) address: 2 MiB, clear of real-mode
# memory and of the AP trampoline page.
KERNEL_BASE := 0x200000
QEMU_MACHINE := -M q35 -cpu $(CPU) -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_BOOT = -kernel $(ELF)
BOARD_SRCS := boards/qemu-q35-x86_64/board.c

# The network: a virtio-net PCI NIC on QEMU's user networking (QEMU_NETDEV,
# from the Makefile) and a virtio-rng PCI device.
QEMU_NET = $(QEMU_NETDEV) -device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56 -device virtio-rng-pci
