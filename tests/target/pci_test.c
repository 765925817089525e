/*
 * PCI and the virtio PCI transport on the board's real (QEMU) devices:
 * enumeration finds virtio-net and virtio-rng with their ids and mapped
 * BARs, the capability walk finds the four virtio structures and MSI-X,
 * the transport reads VERSION_1 and uses MSI-X where the port has MSI
 * (x86). With VIRTIO=mmio (aarch64) the virtio devices are not on PCI;
 * then only the host bridge is checked.
 *
 * virtio_pci_reset_and_features is a MANUAL_TEST (run alone by the
 * runner, tests/run_target.py): it resets virtio-rng under its driver and
 * drives it itself, which would break the driver for any test after it.
 * It is also where an interrupt must really arrive: it waits for its
 * request's interrupt alone, never polling the ring (a driver that polls
 * first may never need one, so counting a driver's interrupts is not a
 * test).
 */
#include <arch/msi.h>
#include <errno.h>
#include <kernel/dev/netdev.h>
#include <kernel/dev/pci.h>
#include <kernel/dev/virtio.h>
#include <kernel/dev/virtio_pci.h>
#include <kernel/dev/virtqueue.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/time.h>
#include <string.h>

#define VIRTIO_VENDOR 0x1af4

/* The virtio function with this virtio device id, or NULL. */
static struct virtio_dev *virtio_by_id(uint16_t id)
{
	struct virtio_dev *vd;
	for (unsigned i = 0; (vd = virtio_pci_get(i)); i++)
		if (vd->device_id == id)
			return vd;
	return NULL;
}

/* Is vd's PCI function the one QEMU made for this virtio id: transitional
 * 0x1000 + n (net 0x1000, rng 0x1005) or modern 0x1040 + id? */
static bool ids_match(const struct pci_dev *d, uint16_t id, uint16_t transitional)
{
	return d->vendor == VIRTIO_VENDOR &&
	       (d->device == 0x1040 + id || (d->device == transitional && d->subsys_id == id));
}

static bool port_has_msi(void)
{
	int irq = arch_msi_alloc();
	if (irq < 0)
		return false;
	arch_msi_free((unsigned)irq);
	return true;
}

/* Every memory BAR d has: assigned inside a host window, register equal
 * to what enumeration recorded, mapped, and memory decoding on. */
static unsigned check_bars(struct pci_dev *d)
{
	unsigned mem = 0;
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		if (b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64)
			continue;
		mem++;
		EXPECT(b->pci_addr != 0);
		EXPECT_EQ(b->pci_addr % b->size, 0);
		EXPECT_EQ(pci_read32(d, PCI_BAR0 + 4 * i) & ~0xfu, (uint32_t)b->pci_addr);
		if (b->kind == PCI_BAR_MEM64)
			EXPECT_EQ(pci_read32(d, PCI_BAR0 + 4 * i + 4), (uint32_t)(b->pci_addr >> 32));
		bool inside = false;
		for (unsigned k = PCI_WIN_MEM; k < PCI_WIN_KINDS; k++) {
			const struct pci_window *w = &d->host->win[k];
			inside |= w->size && b->pci_addr >= w->pci_base &&
				  b->pci_addr + b->size <= w->pci_base + w->size;
		}
		/* Firmware (x86) may use addresses outside the windows we
		 * know of; ours must be inside. */
		EXPECT(inside || !d->host->assign_all);
		EXPECT(pci_bar_map(d, i, 0, b->size) != 0);
		EXPECT_EQ(pci_bar_map(d, i, b->size, 1), 0);	/* past its end */
	}
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	EXPECT(cmd & PCI_COMMAND_MEMORY);
	EXPECT(cmd & PCI_COMMAND_MASTER);
	return mem;
}

TEST(pci_enumeration_finds_virtio_net_and_rng)
{
	/* The host bridge, at 00:00.0, class 06 subclass 00: always. */
	struct pci_dev *d = pci_next(NULL);
	EXPECT(d != NULL);
	if (!d)
		return;
	EXPECT_EQ(d->bus, 0);
	EXPECT_EQ(d->slot, 0);
	EXPECT_EQ(d->class, 0x06);
	EXPECT_EQ(d->subclass, 0x00);

	struct virtio_dev *net = virtio_by_id(VIRTIO_ID_NET), *rng = virtio_by_id(VIRTIO_ID_RNG);
	if (!net && !rng && netdev_count() > 0)
		return;		/* VIRTIO=mmio: the devices are on another transport */
	EXPECT(net != NULL);
	EXPECT(rng != NULL);
	if (!net || !rng)
		return;
	struct pci_dev *pn = virtio_pci_dev(net), *pr = virtio_pci_dev(rng);
	EXPECT(ids_match(pn, VIRTIO_ID_NET, 0x1000));
	EXPECT(ids_match(pr, VIRTIO_ID_RNG, 0x1005));
	EXPECT_EQ(pn->class, 0x02);	/* network controller */
	/* Both are on the list pci_next() walks. */
	bool seen_net = false, seen_rng = false;
	for (struct pci_dev *p = pci_next(NULL); p; p = pci_next(p)) {
		seen_net |= p == pn;
		seen_rng |= p == pr;
	}
	EXPECT(seen_net && seen_rng);
	EXPECT(check_bars(pn) >= 1);
	EXPECT(check_bars(pr) >= 1);
}

TEST(pci_capability_walk_finds_virtio_caps)
{
	struct virtio_dev *vd;
	unsigned devices = 0;
	for (unsigned i = 0; (vd = virtio_pci_get(i)); i++, devices++) {
		struct pci_dev *d = virtio_pci_dev(vd);
		unsigned types = 0, all = 0;
		for (unsigned cap = pci_cap_next(d, 0, PCI_CAP_ID_VENDOR); cap;
		     cap = pci_cap_next(d, cap, PCI_CAP_ID_VENDOR)) {
			EXPECT_EQ(pci_read8(d, cap), PCI_CAP_ID_VENDOR);
			types |= 1u << (pci_read8(d, cap + 3) & 31);
		}
		/* common, notify, isr, device config */
		EXPECT_EQ(types & 0x1e, 0x1e);
		EXPECT(pci_cap_next(d, 0, PCI_CAP_ID_MSIX) != 0);
		for (unsigned cap = pci_cap_next(d, 0, 0); cap && all < 64; cap = pci_cap_next(d, cap, 0))
			all++;
		EXPECT(all >= 5 && all < 48);	/* the list ends */
	}
	EXPECT(devices >= 2 || netdev_count() > 0);
}

TEST(virtio_pci_transport_features_and_msix)
{
	struct virtio_dev *rng = virtio_by_id(VIRTIO_ID_RNG), *net = virtio_by_id(VIRTIO_ID_NET);
	if (!rng && !net && netdev_count() > 0)
		return;		/* VIRTIO=mmio */
	EXPECT(rng && net);
	if (!rng || !net)
		return;
	struct virtio_dev *both[] = { rng, net };
	for (unsigned i = 0; i < 2; i++) {
		struct virtio_dev *vd = both[i];
		EXPECT(vd->ops->get_features(vd) & (1ull << VIRTIO_F_VERSION_1));
		EXPECT(vd->features & (1ull << VIRTIO_F_VERSION_1));
		EXPECT(vd->ops->get_status(vd) & VIRTIO_STATUS_DRIVER_OK);
		/* Where the port takes MSIs the transport must have used them. */
		EXPECT_EQ(virtio_pci_uses_msix(vd), port_has_msi());
	}
}

/* --- run alone: takes the rng device from its driver ------------------- */

static struct sem took;
static void took_irq(struct virtio_dev *vd, void *arg) { sem_post(arg); }

MANUAL_TEST(virtio_pci_reset_and_features)
{
	struct virtio_dev *vd = virtio_by_id(VIRTIO_ID_RNG);
	EXPECT(vd != NULL);
	if (!vd)
		return;
	/* Reset: status reads 0 again; the offer still has VERSION_1. */
	vd->ops->set_status(vd, 0);
	EXPECT_EQ(vd->ops->get_status(vd), 0);
	EXPECT(vd->ops->get_features(vd) & (1ull << VIRTIO_F_VERSION_1));
	/* Bring it up again ourselves: one request must complete by
	 * interrupt through the transport's queue and notify setup. */
	EXPECT_EQ(virtio_negotiate(vd, 0), 0);
	static struct virtqueue q;
	EXPECT_EQ(virtqueue_create(&q, vd, 0, 4), 0);
	EXPECT_EQ(vd->ops->queue_max(vd, 1), 0);	/* rng has one queue */
	sem_init(&took, "pci test", 0);
	EXPECT_EQ(vd->ops->irq_attach(vd, took_irq, &took, NULL), 0);
	vd->ops->set_status(vd, vd->ops->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
	static uint8_t buf[64];
	memset(buf, 0, sizeof buf);
	struct virtq_buf b = { (uintptr_t)buf, sizeof buf };
	unsigned long before = virtio_pci_irqs(vd);
	EXPECT_EQ(virtqueue_add(&q, &b, 0, 1, buf), 0);
	virtqueue_kick(&q);
	EXPECT_EQ(sem_wait_until(&took, time_now() + 2000000000ull), 0);
	uint32_t len = 0;
	EXPECT(virtqueue_get_used(&q, &len) == buf);
	EXPECT(len > 0 && len <= sizeof buf);
	EXPECT(virtio_pci_irqs(vd) > before);
	EXPECT_EQ(virtio_pci_uses_msix(vd), port_has_msi());
	vd->ops->set_status(vd, 0);
}
