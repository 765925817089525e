/*
 * The modern virtio PCI transport (virtio 1.1 section 4.1). A virtio
 * function is vendor 0x1af4, device 0x1040 + the virtio device id
 * (modern) or 0x1000-0x103f (transitional, device id in the subsystem
 * id). Its registers are found through vendor-specific capabilities
 * (4.1.4), each naming a BAR, an offset and a length:
 *   common   feature bits, status, queue_select and the selected queue
 *   notify   where to write a queue's index to notify it: the queue's
 *            queue_notify_off times notify_off_multiplier
 *   isr      read-to-clear interrupt cause (INTx only)
 *   device   the device-specific configuration
 * Interrupts: one MSI-X vector (0) for configuration changes and every
 * queue where the port has MSI (x86), else INTx with the ISR read first.
 *
 *   qemu-system-x86_64 -M q35 ... -netdev user,id=net0 \
 *     -device virtio-net-pci,netdev=net0 -device virtio-rng-pci
 */
#include <arch/mmio.h>
#include <errno.h>
#include <kernel/dev/pci.h>
#include <kernel/dev/virtio.h>
#include <kernel/dev/virtio_pci.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>
#include <stdio.h>
#include <stdlib.h>

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_MODERN	0x1040
#define VIRTIO_PCI_LAST		0x107f

/* Vendor capability (struct virtio_pci_cap, 4.1.4). */
#define CAP_CFG_TYPE	3
#define CAP_BAR		4
#define CAP_OFFSET	8
#define CAP_LENGTH	12
#define CAP_NOTIFY_MULT	16	/* notify capability only */
#define CFG_COMMON	1
#define CFG_NOTIFY	2
#define CFG_ISR		3
#define CFG_DEVICE	4

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESCLO		0x20
#define COMMON_Q_DESCHI		0x24
#define COMMON_Q_AVAILLO	0x28
#define COMMON_Q_AVAILHI	0x2c
#define COMMON_Q_USEDLO		0x30
#define COMMON_Q_USEDHI		0x34
#define COMMON_SIZE		0x38
#define NO_VECTOR		0xffff

#define MAX_DEVICES	16
#define RESET_SPINS	1000000

struct vpci {
	struct virtio_dev vd;
	struct pci_dev *pci;
	uintptr_t common, isr, device, notify;
	uint32_t device_len, notify_len, notify_mult;
	uint16_t nqueues;
	uintptr_t *notify_at;	/* per queue, 0 until enabled */
	struct spinlock lock;	/* queue_select and what it selects */
	bool msix;
	virtio_irq_fn *fn;
	void *fn_arg;
	unsigned long irqs;
};

static struct vpci *found[MAX_DEVICES];
static unsigned nfound;

static struct vpci *vp_of(struct virtio_dev *vd) { return vd->transport; }

static uint8_t vp_get_status(struct virtio_dev *vd)
{
	return mmio_read8(vp_of(vd)->common + COMMON_STATUS);
}

static void vp_set_status(struct virtio_dev *vd, uint8_t status)
{
	struct vpci *vp = vp_of(vd);
	mmio_write8(vp->common + COMMON_STATUS, status);
	if (status)
		return;
	/* 4.1.4.3.2: after writing 0 the driver waits for it to read 0. */
	for (unsigned i = 0; i < RESET_SPINS; i++)
		if (mmio_read8(vp->common + COMMON_STATUS) == 0)
			return;
	kprintf("%s: reset did not finish\n", vd->name);
}

static uint64_t vp_get_features(struct virtio_dev *vd)
{
	struct vpci *vp = vp_of(vd);
	spin_lock(&vp->lock);
	mmio_write32(vp->common + COMMON_DFSELECT, 0);
	uint64_t lo = mmio_read32(vp->common + COMMON_DF);
	mmio_write32(vp->common + COMMON_DFSELECT, 1);
	uint64_t hi = mmio_read32(vp->common + COMMON_DF);
	spin_unlock(&vp->lock);
	return hi << 32 | lo;
}

static void vp_set_features(struct virtio_dev *vd, uint64_t features)
{
	struct vpci *vp = vp_of(vd);
	spin_lock(&vp->lock);
	mmio_write32(vp->common + COMMON_GFSELECT, 0);
	mmio_write32(vp->common + COMMON_GF, (uint32_t)features);
	mmio_write32(vp->common + COMMON_GFSELECT, 1);
	mmio_write32(vp->common + COMMON_GF, (uint32_t)(features >> 32));
	spin_unlock(&vp->lock);
}

static uint16_t vp_queue_max(struct virtio_dev *vd, unsigned q)
{
	struct vpci *vp = vp_of(vd);
	if (q >= vp->nqueues)
		return 0;
	spin_lock(&vp->lock);
	mmio_write16(vp->common + COMMON_Q_SELECT, (uint16_t)q);
	uint16_t size = mmio_read16(vp->common + COMMON_Q_SIZE);
	spin_unlock(&vp->lock);
	return size;
}

/* With q selected, lock held: route it to vector 0 (MSI-X) or none.
 * The device reads back NO_VECTOR when it could not take the vector. */
static bool set_queue_vector(struct vpci *vp)
{
	uint16_t want = vp->msix ? 0 : NO_VECTOR;
	mmio_write16(vp->common + COMMON_Q_MSIX, want);
	return mmio_read16(vp->common + COMMON_Q_MSIX) == want;
}

static int vp_queue_enable(struct virtio_dev *vd, unsigned q, uint16_t size, uint64_t desc,
			   uint64_t driver, uint64_t device)
{
	struct vpci *vp = vp_of(vd);
	if (q >= vp->nqueues || !size || (size & (size - 1)))
		return -EINVAL;
	uintptr_t c = vp->common;
	spin_lock(&vp->lock);
	mmio_write16(c + COMMON_Q_SELECT, (uint16_t)q);
	uint16_t max = mmio_read16(c + COMMON_Q_SIZE);
	uint64_t notify_off = (uint64_t)mmio_read16(c + COMMON_Q_NOFF) * vp->notify_mult;
	int err = 0;
	if (!max || size > max)
		err = -EINVAL;
	else if (notify_off + 2 > vp->notify_len)
		err = -EIO;	/* the device points outside its own capability */
	else if (!set_queue_vector(vp))
		err = -EIO;
	if (!err) {
		mmio_write16(c + COMMON_Q_SIZE, size);
		mmio_write32(c + COMMON_Q_DESCLO, (uint32_t)desc);
		mmio_write32(c + COMMON_Q_DESCHI, (uint32_t)(desc >> 32));
		mmio_write32(c + COMMON_Q_AVAILLO, (uint32_t)driver);
		mmio_write32(c + COMMON_Q_AVAILHI, (uint32_t)(driver >> 32));
		mmio_write32(c + COMMON_Q_USEDLO, (uint32_t)device);
		mmio_write32(c + COMMON_Q_USEDHI, (uint32_t)(device >> 32));
		__atomic_store_n(&vp->notify_at[q], vp->notify + notify_off, __ATOMIC_RELEASE);
		mmio_write16(c + COMMON_Q_ENABLE, 1);
	}
	spin_unlock(&vp->lock);
	if (err == -EIO)
		kprintf("%s: queue %u: %s\n", vd->name, q,
			notify_off + 2 > vp->notify_len ? "notify offset outside the notify area"
							: "device refused its MSI-X vector");
	return err;
}

static void vp_queue_notify(struct virtio_dev *vd, unsigned q)
{
	struct vpci *vp = vp_of(vd);
	uintptr_t at = q < vp->nqueues ? __atomic_load_n(&vp->notify_at[q], __ATOMIC_ACQUIRE) : 0;
	if (at)
		mmio_write16(at, (uint16_t)q);
}

static uint64_t vp_config_read(struct virtio_dev *vd, unsigned off, unsigned len)
{
	struct vpci *vp = vp_of(vd);
	if ((len != 1 && len != 2 && len != 4 && len != 8) || off > vp->device_len ||
	    len > vp->device_len - off || off % len)
		return 0;
	uintptr_t a = vp->device + off;
	switch (len) {
	case 1:
		return mmio_read8(a);
	case 2:
		return mmio_read16(a);
	case 4:
		return mmio_read32(a);
	case 8:
		return mmio_read32(a) | (uint64_t)mmio_read32(a + 4) << 32;
	default:
		return 0;
	}
}

static uint32_t vp_config_generation(struct virtio_dev *vd)
{
	return mmio_read8(vp_of(vd)->common + COMMON_CFGGEN);
}

/* Interrupt context. With INTx the ISR read both says whether this device
 * raised the (shared) line and lowers it. */
static void vp_interrupt(void *arg)
{
	struct vpci *vp = arg;
	if (!vp->msix && !mmio_read8(vp->isr))
		return;
	__atomic_add_fetch(&vp->irqs, 1, __ATOMIC_RELAXED);
	virtio_irq_fn *fn = __atomic_load_n(&vp->fn, __ATOMIC_ACQUIRE);
	if (fn)
		fn(&vp->vd, vp->fn_arg);
}

static int vp_irq_attach(struct virtio_dev *vd, virtio_irq_fn *fn, void *arg, struct cpu *target)
{
	struct vpci *vp = vp_of(vd);
	if (vp->fn) {
		/* Attached already (a new owner after a reset, with the
		 * device quiet): the line stays, the handler changes. */
		__atomic_store_n(&vp->fn, NULL, __ATOMIC_RELEASE);
		vp->fn_arg = arg;
		__atomic_store_n(&vp->fn, fn, __ATOMIC_RELEASE);
		return 0;
	}
	vp->fn_arg = arg;
	__atomic_store_n(&vp->fn, fn, __ATOMIC_RELEASE);
	int r = pci_irq_attach(vp->pci, 0, vp_interrupt, vp, target);
	if (r < 0) {
		__atomic_store_n(&vp->fn, NULL, __ATOMIC_RELEASE);
		return r;
	}
	vp->msix = r != PCI_IRQ_INTX;
	spin_lock(&vp->lock);
	mmio_write16(vp->common + COMMON_MSIX, vp->msix ? 0 : NO_VECTOR);
	bool ok = !vp->msix || mmio_read16(vp->common + COMMON_MSIX) == 0;
	/* Queues enabled before now get the vector too. */
	for (unsigned q = 0; q < vp->nqueues && ok; q++) {
		if (!vp->notify_at[q])
			continue;
		mmio_write16(vp->common + COMMON_Q_SELECT, (uint16_t)q);
		ok = set_queue_vector(vp);
	}
	spin_unlock(&vp->lock);
	if (!ok) {
		kprintf("%s: device refused its MSI-X vector\n", vd->name);
		return -EIO;
	}
	return 0;
}

static const struct virtio_transport_ops vp_ops = {
	.get_status = vp_get_status,
	.set_status = vp_set_status,
	.get_features = vp_get_features,
	.set_features = vp_set_features,
	.queue_max = vp_queue_max,
	.queue_enable = vp_queue_enable,
	.queue_notify = vp_queue_notify,
	.config_read = vp_config_read,
	.config_generation = vp_config_generation,
	.irq_attach = vp_irq_attach,
};

/* Map the first usable capability of each type (4.1.4: a driver uses the
 * first it understands). Returns true when common, notify and isr (and
 * device config, which a device may lack) were all found. */
static bool find_caps(struct vpci *vp)
{
	struct pci_dev *d = vp->pci;
	for (unsigned cap = pci_cap_next(d, 0, PCI_CAP_ID_VENDOR); cap;
	     cap = pci_cap_next(d, cap, PCI_CAP_ID_VENDOR)) {
		uint8_t type = pci_read8(d, cap + CAP_CFG_TYPE), bar = pci_read8(d, cap + CAP_BAR);
		uint32_t off = pci_read32(d, cap + CAP_OFFSET), len = pci_read32(d, cap + CAP_LENGTH);
		uintptr_t *where = type == CFG_COMMON ? &vp->common
				   : type == CFG_NOTIFY ? &vp->notify
				   : type == CFG_ISR	? &vp->isr
				   : type == CFG_DEVICE ? &vp->device
							: NULL;
		if (!where || *where || bar >= PCI_MAX_BARS)
			continue;	/* PCI config access cap, unknown, or a later copy */
		if (type == CFG_COMMON && len < COMMON_SIZE)
			continue;
		uintptr_t va = pci_bar_map(d, bar, off, len ? len : 1);
		if (!va) {
			kprintf("%s: virtio capability %u points outside BAR%u\n", vp->vd.name, type, bar);
			continue;
		}
		*where = va;
		if (type == CFG_NOTIFY) {
			vp->notify_len = len;
			vp->notify_mult = pci_read32(d, cap + CAP_NOTIFY_MULT);
		} else if (type == CFG_DEVICE) {
			vp->device_len = len;
		}
	}
	return vp->common && vp->notify && vp->isr;
}

static void probe_function(struct pci_dev *d)
{
	uint16_t id;
	if (d->device >= VIRTIO_PCI_MODERN)
		id = d->device - VIRTIO_PCI_MODERN;
	else
		id = d->subsys_id;	/* transitional: 4.1.2.1 */
	if (nfound == MAX_DEVICES) {
		kprintf("%s: too many virtio devices; ignored\n", d->name);
		return;
	}
	struct vpci *vp = calloc(1, sizeof *vp);
	if (!vp)
		return;
	vp->pci = d;
	vp->lock = (struct spinlock)SPINLOCK_INIT("virtio-pci");
	vp->vd.device_id = id;
	vp->vd.ops = &vp_ops;
	vp->vd.transport = vp;
	snprintf(vp->vd.name, sizeof vp->vd.name, "virtio-pci %02x:%02x.%x", d->bus, d->slot,
		 d->func);
	if (!find_caps(vp)) {
		kprintf("%s: legacy-only virtio device %04x (no modern capabilities); not supported\n",
			vp->vd.name, d->device);
		free(vp);
		return;
	}
	vp->nqueues = mmio_read16(vp->common + COMMON_NUMQ);
	vp->notify_at = calloc(vp->nqueues ? vp->nqueues : 1, sizeof *vp->notify_at);
	if (!vp->notify_at) {
		free(vp);
		return;
	}
	found[nfound++] = vp;
	virtio_probe(&vp->vd);
}

int virtio_pci_init(void)
{
	unsigned before = nfound;
	for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d))
		if (d->vendor == VIRTIO_PCI_VENDOR && d->device >= 0x1000 && d->device <= VIRTIO_PCI_LAST &&
		    d->header_type == 0)
			probe_function(d);
	return (int)(nfound - before);
}

struct virtio_dev *virtio_pci_get(unsigned i) { return i < nfound ? &found[i]->vd : NULL; }
struct pci_dev *virtio_pci_dev(struct virtio_dev *vd) { return vp_of(vd)->pci; }
unsigned long virtio_pci_irqs(struct virtio_dev *vd)
{
	return __atomic_load_n(&vp_of(vd)->irqs, __ATOMIC_RELAXED);
}
bool virtio_pci_uses_msix(struct virtio_dev *vd) { return vp_of(vd)->msix; }
