/*
 * virtio (OASIS virtio 1.1 or later, modern devices only): what a device
 * driver (virtio-net, virtio-rng) sees of a transport (PCI, MMIO v2), so a
 * driver is written once. Transports live in virtio_pci.c and
 * virtio_mmio.c, the split ring in virtqueue.c, drivers in their own files.
 *
 * A transport that finds a device fills a struct virtio_dev and calls
 * virtio_probe(), which hands it to the driver for its device id.
 * Drivers follow the spec's initialisation (3.1.1): reset, ACKNOWLEDGE,
 * DRIVER, features, FEATURES_OK (re-read), queues, DRIVER_OK.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_NEEDS_RESET	64u
#define VIRTIO_STATUS_FAILED		128u

/* Reserved feature bits (spec 6). */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33

/* Device ids (spec 5). */
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_RNG	4

struct cpu;
struct virtio_dev;

/* Interrupt context: the device signalled (a used buffer or a config
 * change). Only note and wake; the driver's owner does the work. */
typedef void virtio_irq_fn(struct virtio_dev *vd, void *arg);

struct virtio_transport_ops {
	uint8_t (*get_status)(struct virtio_dev *vd);
	/* Writes status; 0 resets the device and waits for the reset to finish. */
	void (*set_status)(struct virtio_dev *vd, uint8_t status);
	uint64_t (*get_features)(struct virtio_dev *vd);
	void (*set_features)(struct virtio_dev *vd, uint64_t features);
	/* The largest size queue q allows; 0 when q does not exist. */
	uint16_t (*queue_max)(struct virtio_dev *vd, unsigned q);
	/* Give queue q its size and the physical addresses of its three
	 * parts, and enable it. 0 or -errno. */
	int (*queue_enable)(struct virtio_dev *vd, unsigned q, uint16_t size,
			    uint64_t desc, uint64_t driver, uint64_t device);
	/* Any context: tell the device queue q has new buffers. */
	void (*queue_notify)(struct virtio_dev *vd, unsigned q);
	/* Device-specific configuration, len bytes at off (len 1, 2, 4 or 8). */
	uint64_t (*config_read)(struct virtio_dev *vd, unsigned off, unsigned len);
	uint32_t (*config_generation)(struct virtio_dev *vd);
	/* Route the device's interrupts (MSI-X, INTx or the MMIO line) to fn
	 * on CPU target (NULL: any). The transport acknowledges the device's
	 * interrupt status before calling fn. 0 or -errno. */
	int (*irq_attach)(struct virtio_dev *vd, virtio_irq_fn *fn, void *arg, struct cpu *target);
};

struct virtio_dev {
	char name[24];			/* "virtio-pci 00:02.0", "virtio-mmio@a003e00" */
	uint16_t device_id;
	const struct virtio_transport_ops *ops;
	void *transport;		/* the transport's own state */
	uint64_t features;		/* negotiated */
	void *driver_data;
	bool failed;			/* virtio_fail() was called: hands off */
};

/*
 * A driver for one device id, registered with VIRTIO_DRIVER() (a linker
 * table, like APP()). probe runs in thread context at boot, once per
 * device; it does its own virtio_negotiate() and queue setup and returns 0
 * or -errno (the device is then reported and left reset or failed).
 */
struct virtio_driver {
	const char *name;
	uint16_t device_id;
	int (*probe)(struct virtio_dev *vd);
};

#define VIRTIO_DRIVER(drvname, id, fn)                                        \
	static const struct virtio_driver virtio_driver_##fn                   \
		__attribute__((used, section(".virtio_drivers"), aligned(8))) = { \
			.name = (drvname), .device_id = (id), .probe = (fn) }

/* Thread context, boot: hand vd to the driver for vd->device_id. 0, or
 * -ENODEV when no driver takes it (reported, left reset). */
int virtio_probe(struct virtio_dev *vd);

/*
 * The common part of the spec's 3.1.1: reset, ACKNOWLEDGE, DRIVER, read
 * the offer, accept offer & wanted (VIRTIO_F_VERSION_1 is required and
 * added here), FEATURES_OK and check it stuck. 0, or -ENOTSUP (the device
 * is not modern or refused the features; status set to FAILED).
 */
int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);
/* Any context: mark vd broken: reported once with why, status FAILED,
 * vd->failed set so its driver never touches it again. */
void virtio_fail(struct virtio_dev *vd, const char *why);
