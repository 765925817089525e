# kernel/dev/: device drivers that any board may use.
DEV_SRCS := \
	kernel/dev/pl011.c \
	kernel/dev/uart16550.c \
	kernel/dev/virtio.c \
	kernel/dev/netdev.c \
	kernel/dev/virtqueue.c \
	kernel/dev/virtio_mmio.c \
	kernel/dev/virtio_net.c \
	kernel/dev/virtio_rng.c
# PCI (ECAM, enumeration, BARs, MSI-X/INTx, device-tree hosts) and the
# virtio PCI transport.
DEV_SRCS += \
	kernel/dev/pci.c \
	kernel/dev/pci_res.c \
	kernel/dev/pci_cap.c \
	kernel/dev/pci_irq.c \
	kernel/dev/pci_fdt.c \
	kernel/dev/virtio_pci.c
