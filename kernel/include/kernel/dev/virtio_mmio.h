/*
 * The virtio MMIO transport (virtio 1.1 section 4.2), version 2 devices.
 */
#pragma once

/* How the board turns a device-tree node's "interrupts" into an interrupt
 * number for irq_register(); negative when it cannot. */
typedef int virtio_mmio_irq_fn(const void *fdt, int node);

/* Thread context, board_devices_init(): probe every enabled "virtio,mmio"
 * node of fdt. Empty slots (device id 0) are skipped quietly; legacy
 * (version 1) devices are refused with a message. Returns the number of
 * devices handed to virtio_probe(). */
int virtio_mmio_scan(const void *fdt, virtio_mmio_irq_fn *irq_of);
