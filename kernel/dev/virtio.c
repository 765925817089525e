/*
 * virtio core (OASIS virtio 1.1): the driver table, the common part of
 * device initialisation (section 3.1.1) and marking a device failed
 * (section 2.1.1). Transports (virtio_mmio.c, virtio_pci.c) call
 * virtio_probe() for each device they find.
 *
 *   qemu-system-aarch64 -M virt ... -device virtio-rng-device \
 *       -global virtio-mmio.force-legacy=false      (make run VIRTIO=mmio)
 */
#include <errno.h>
#include <kernel/dev/virtio.h>
#include <kernel/log.h>

extern const struct virtio_driver __virtio_drivers_start[], __virtio_drivers_end[];

int virtio_probe(struct virtio_dev *vd)
{
	for (const struct virtio_driver *d = __virtio_drivers_start; d < __virtio_drivers_end; d++) {
		if (d->device_id != vd->device_id)
			continue;
		int err = d->probe(vd);
		if (err)
			kprintf("%s: %s driver refused the device (%d)\n", vd->name, d->name, err);
		return err;
	}
	kprintf("%s: no driver for device id %u, left reset\n", vd->name, vd->device_id);
	vd->ops->set_status(vd, 0);
	return -ENODEV;
}

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	const struct virtio_transport_ops *ops = vd->ops;
	/* 1. Reset the device. */
	ops->set_status(vd, 0);
	/* 2. ACKNOWLEDGE: we have noticed the device. */
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE;
	ops->set_status(vd, status);
	/* 3. DRIVER: we know how to drive it. */
	status |= VIRTIO_STATUS_DRIVER;
	ops->set_status(vd, status);
	/* 4. Read the offer; accept the subset we understand. Only modern
	 * (VERSION_1) devices are driven; a legacy-only one is refused. */
	uint64_t offer = ops->get_features(vd);
	if (!(offer & (1ull << VIRTIO_F_VERSION_1))) {
		virtio_fail(vd, "device does not offer VIRTIO_F_VERSION_1 (legacy only)");
		return -ENOTSUP;
	}
	vd->features = offer & (wanted | (1ull << VIRTIO_F_VERSION_1));
	ops->set_features(vd, vd->features);
	/* 5. FEATURES_OK, then 6. re-read it: the device may refuse. */
	status |= VIRTIO_STATUS_FEATURES_OK;
	ops->set_status(vd, status);
	if (!(ops->get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_fail(vd, "device refused our features");
		return -ENOTSUP;
	}
	/* 7 (queues) and 8 (DRIVER_OK) are the driver's. */
	return 0;
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	/* Once: the first caller reports; later ones (another queue noticing
	 * the same broken device) stay quiet. */
	if (__atomic_exchange_n(&vd->failed, true, __ATOMIC_ACQ_REL))
		return;
	kprintf("%s: failed: %s\n", vd->name, why);
	vd->ops->set_status(vd, vd->ops->get_status(vd) | VIRTIO_STATUS_FAILED);
}
