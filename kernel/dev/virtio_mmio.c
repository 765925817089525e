/*
 * The virtio MMIO transport, version 2 only (virtio 1.1 section 4.2): the
 * register block a device-tree "virtio,mmio" node names, and its one
 * interrupt line. QEMU's virt machine has 32 such slots; unused ones read
 * device id 0. QEMU gives legacy (version 1) devices unless told not to:
 *
 *   qemu-system-aarch64 -M virt ... -netdev user,id=net0 \
 *       -device virtio-net-device,netdev=net0 -device virtio-rng-device \
 *       -global virtio-mmio.force-legacy=false    (make run VIRTIO=mmio)
 */
#include <arch/mmio.h>
#include <errno.h>
#include <kernel/dev/virtio.h>
#include <kernel/dev/virtio_mmio.h>
#include <kernel/fdt.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <stdio.h>
#include <stdlib.h>

/* Registers (4.2.2), offsets from the block's base. */
#define MMIO_MAGIC		0x000	/* "virt" */
#define MMIO_VERSION		0x004
#define MMIO_DEVICE_ID		0x008
#define MMIO_DEVICE_FEATURES	0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES	0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL		0x030
#define MMIO_QUEUE_NUM_MAX	0x034
#define MMIO_QUEUE_NUM		0x038
#define MMIO_QUEUE_READY	0x044
#define MMIO_QUEUE_NOTIFY	0x050
#define MMIO_INTERRUPT_STATUS	0x060
#define MMIO_INTERRUPT_ACK	0x064
#define MMIO_STATUS		0x070
#define MMIO_QUEUE_DESC		0x080	/* low, high at +4 */
#define MMIO_QUEUE_DRIVER	0x090
#define MMIO_QUEUE_DEVICE	0x0a0
#define MMIO_CONFIG_GENERATION	0x0fc
#define MMIO_CONFIG		0x100

#define MMIO_MAGIC_VALUE	0x74726976u

struct virtio_mmio {
	struct virtio_dev vd;
	uintptr_t base;
	int irq;
	virtio_irq_fn *fn;
	void *arg;
};

static struct virtio_mmio *to_mmio(struct virtio_dev *vd) { return vd->transport; }
static uint32_t rd(struct virtio_dev *vd, unsigned reg) { return mmio_read32(to_mmio(vd)->base + reg); }
static void wr(struct virtio_dev *vd, unsigned reg, uint32_t v) { mmio_write32(to_mmio(vd)->base + reg, v); }

static uint8_t mmio_get_status(struct virtio_dev *vd) { return (uint8_t)rd(vd, MMIO_STATUS); }

static void mmio_set_status(struct virtio_dev *vd, uint8_t status)
{
	wr(vd, MMIO_STATUS, status);
	/* 4.2.3.1: a reset is done when status reads back 0. QEMU resets
	 * synchronously; bound the wait anyway rather than hang. */
	for (unsigned i = 0; status == 0 && rd(vd, MMIO_STATUS) != 0 && i < 1000000; i++)
		;
}

static uint64_t mmio_get_features(struct virtio_dev *vd)
{
	wr(vd, MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = rd(vd, MMIO_DEVICE_FEATURES);
	wr(vd, MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | rd(vd, MMIO_DEVICE_FEATURES);
}

static void mmio_set_features(struct virtio_dev *vd, uint64_t features)
{
	wr(vd, MMIO_DRIVER_FEATURES_SEL, 1);
	wr(vd, MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(vd, MMIO_DRIVER_FEATURES_SEL, 0);
	wr(vd, MMIO_DRIVER_FEATURES, (uint32_t)features);
}

static uint16_t mmio_queue_max(struct virtio_dev *vd, unsigned q)
{
	wr(vd, MMIO_QUEUE_SEL, q);
	if (rd(vd, MMIO_QUEUE_READY))
		return 0;	/* 4.2.3.2: already live, not ours to set up */
	uint32_t max = rd(vd, MMIO_QUEUE_NUM_MAX);
	return max > 32768 ? 32768 : (uint16_t)max;	/* split rings hold at most 32768 */
}

static void wr64(struct virtio_dev *vd, unsigned reg, uint64_t v)
{
	wr(vd, reg, (uint32_t)v);
	wr(vd, reg + 4, (uint32_t)(v >> 32));
}

/* 4.2.3.2, steps 1-8. */
static int mmio_queue_enable(struct virtio_dev *vd, unsigned q, uint16_t size,
			     uint64_t desc, uint64_t driver, uint64_t device)
{
	wr(vd, MMIO_QUEUE_SEL, q);
	if (rd(vd, MMIO_QUEUE_READY) || size == 0 || size > rd(vd, MMIO_QUEUE_NUM_MAX))
		return -EINVAL;
	wr(vd, MMIO_QUEUE_NUM, size);
	wr64(vd, MMIO_QUEUE_DESC, desc);
	wr64(vd, MMIO_QUEUE_DRIVER, driver);
	wr64(vd, MMIO_QUEUE_DEVICE, device);
	wr(vd, MMIO_QUEUE_READY, 1);
	return 0;
}

static void mmio_queue_notify(struct virtio_dev *vd, unsigned q) { wr(vd, MMIO_QUEUE_NOTIFY, q); }

/* Widths the register block takes natively; 2 and 8 are built from 1 and
 * 4 (the caller's generation check covers the tearing). */
static uint64_t mmio_config_read(struct virtio_dev *vd, unsigned off, unsigned len)
{
	uintptr_t a = to_mmio(vd)->base + MMIO_CONFIG + off;
	switch (len) {
	case 1: return mmio_read8(a);
	case 2: return mmio_read8(a) | (uint64_t)mmio_read8(a + 1) << 8;
	case 4: return mmio_read32(a);
	case 8: return mmio_read32(a) | (uint64_t)mmio_read32(a + 4) << 32;
	default: return 0;
	}
}

static uint32_t mmio_config_generation(struct virtio_dev *vd) { return rd(vd, MMIO_CONFIG_GENERATION); }

/* Interrupt context: acknowledge what the device raised (the line is
 * level-triggered and drops with the ack), then tell the driver. */
static void mmio_irq(unsigned irq, void *arg)
{
	struct virtio_mmio *m = arg;
	uint32_t why = mmio_read32(m->base + MMIO_INTERRUPT_STATUS);
	if (!why)
		return;		/* not ours, or already acknowledged */
	mmio_write32(m->base + MMIO_INTERRUPT_ACK, why);
	if (m->fn)
		m->fn(&m->vd, m->arg);
}

static int mmio_irq_attach(struct virtio_dev *vd, virtio_irq_fn *fn, void *arg, struct cpu *target)
{
	struct virtio_mmio *m = to_mmio(vd);
	if (m->irq < 0)
		return -ENODEV;
	m->arg = arg;
	__atomic_store_n(&m->fn, fn, __ATOMIC_RELEASE);
	return irq_register((unsigned)m->irq, mmio_irq, m, target);
}

static const struct virtio_transport_ops mmio_ops = {
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.queue_max = mmio_queue_max,
	.queue_enable = mmio_queue_enable,
	.queue_notify = mmio_queue_notify,
	.config_read = mmio_config_read,
	.config_generation = mmio_config_generation,
	.irq_attach = mmio_irq_attach,
};

/* One node: check the block is a modern virtio device and probe it. */
static bool mmio_probe_node(const void *fdt, int node, virtio_mmio_irq_fn *irq_of)
{
	uint64_t base, size;
	if (fdt_reg(fdt, node, 0, &base, &size) || size < MMIO_CONFIG)
		return false;
	uintptr_t b = (uintptr_t)base;
	if (mmio_read32(b + MMIO_MAGIC) != MMIO_MAGIC_VALUE) {
		kprintf("virtio-mmio@%lx: bad magic, ignored\n", (unsigned long)b);
		return false;
	}
	uint32_t id = mmio_read32(b + MMIO_DEVICE_ID);
	if (id == 0)
		return false;	/* an empty slot */
	uint32_t version = mmio_read32(b + MMIO_VERSION);
	if (version != 2) {
		kprintf("virtio-mmio@%lx: device %u is version %u (legacy); only version 2 is "
			"driven (QEMU: -global virtio-mmio.force-legacy=false)\n",
			(unsigned long)b, id, version);
		return false;
	}
	struct virtio_mmio *m = calloc(1, sizeof *m);
	if (!m) {
		kprintf("virtio-mmio@%lx: out of memory\n", (unsigned long)b);
		return false;
	}
	m->base = b;
	m->irq = irq_of ? irq_of(fdt, node) : -1;
	m->vd.device_id = (uint16_t)id;
	m->vd.ops = &mmio_ops;
	m->vd.transport = m;
	snprintf(m->vd.name, sizeof m->vd.name, "virtio-mmio@%lx", (unsigned long)b);
	virtio_probe(&m->vd);	/* the device stays (failed or reset) if no driver takes it */
	return true;
}

int virtio_mmio_scan(const void *fdt, virtio_mmio_irq_fn *irq_of)
{
	int n = 0;
	for (int node = fdt_find_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_find_compatible(fdt, node, "virtio,mmio"))
		if (fdt_node_enabled(fdt, node) && mmio_probe_node(fdt, node, irq_of))
			n++;
	return n;
}
