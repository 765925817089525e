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
