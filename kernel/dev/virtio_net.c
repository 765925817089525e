/*
 * virtio-net (virtio 1.1 section 5.1), one queue pair, no offloads: the
 * netdev.h interface over any virtio transport. Every frame is one
 * descriptor: a 12-byte virtio_net_hdr (all zero: no checksum, no GSO)
 * followed by the Ethernet frame, in a driver-owned 2 KiB buffer. RX
 * buffers are preallocated and go straight back into the ring after the
 * owner's callback; TX frames are copied into a free TX buffer, which
 * returns to the pool when netdev_tx_reclaim() finds it used.
 *
 *   qemu-system-aarch64 -M virt ... -netdev user,id=net0 \
 *       -device virtio-net-device,netdev=net0,mac=52:54:00:12:34:56 \
 *       -global virtio-mmio.force-legacy=false      (make run VIRTIO=mmio)
 *   ... -device virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56  (VIRTIO=pci)
 */
#include <errno.h>
#include <kernel/dev/netdev.h>
#include <kernel/dev/virtio.h>
#include <kernel/dev/virtqueue.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MTU	3
#define VIRTIO_NET_F_MAC	5
#define VIRTIO_NET_F_STATUS	16

/* Configuration layout (5.1.4). */
#define NET_CFG_MAC		0
#define NET_CFG_STATUS		6
#define NET_CFG_MTU		10
#define VIRTIO_NET_S_LINK_UP	1u

#define NET_Q_RX		0
#define NET_Q_TX		1

/* 5.1.6: with VERSION_1 the header always has num_buffers: 12 bytes. */
#define NET_HDR_LEN		12u
#define NET_BUF_SIZE		2048u
#define NET_ETH_HLEN		14u
#define NET_MAX_MTU		(NET_BUF_SIZE - NET_HDR_LEN - NET_ETH_HLEN)
#define NET_DEFAULT_MTU		1500
#define NET_RING		128	/* RX and TX buffers each */

struct vnet {
	struct netdev nd;
	char name[16];
	struct virtio_dev *vd;
	struct virtqueue rx, tx;
	uint8_t *rx_buf, *tx_buf;	/* rx.size and tx.size buffers of NET_BUF_SIZE */
	uint16_t *tx_free;		/* stack of free TX buffer indices */
	unsigned tx_nfree;
};

static unsigned vnet_count;

static struct vnet *to_vnet(struct netdev *nd) { return nd->priv; }

static void vnet_stat_add(uint64_t *counter, uint64_t n) { __atomic_fetch_add(counter, n, __ATOMIC_RELAXED); }

/* The device failed (a queue found it breaking the rules, or virtio_fail
 * elsewhere): the interface is dead from now on. */
static bool vnet_dead(struct vnet *v)
{
	if (!v->nd.broken && (v->vd->failed || v->rx.broken || v->tx.broken)) {
		v->nd.broken = true;
		vnet_stat_add(&v->nd.stats.rx_errors, 1);
	}
	return v->nd.broken;
}

/* 2.4.1 (config generation): re-read until the device was not changing it. */
static void vnet_read_mac(struct vnet *v)
{
	uint32_t gen;
	do {
		gen = v->vd->ops->config_generation(v->vd);
		for (unsigned i = 0; i < NETDEV_MAC_LEN; i++)
			v->nd.mac[i] = (uint8_t)v->vd->ops->config_read(v->vd, NET_CFG_MAC + i, 1);
	} while (gen != v->vd->ops->config_generation(v->vd));
}

static void vnet_poll_link(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	if (v->vd->features & (1ull << VIRTIO_NET_F_STATUS))
		nd->link_up = v->vd->ops->config_read(v->vd, NET_CFG_STATUS, 2) & VIRTIO_NET_S_LINK_UP;
	else
		nd->link_up = true;	/* 5.1.4.2: no STATUS means always up */
}

static int vnet_rx_add(struct vnet *v, uint8_t *buf)
{
	struct virtq_buf b = { (uintptr_t)buf, NET_BUF_SIZE };
	return virtqueue_add(&v->rx, &b, 0, 1, buf);
}

static int vnet_start(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	if (vnet_dead(v))
		return -EIO;
	for (unsigned i = 0; i < v->rx.size && virtqueue_num_free(&v->rx); i++) {
		int err = vnet_rx_add(v, v->rx_buf + (size_t)i * NET_BUF_SIZE);
		if (err)
			return err;
	}
	virtqueue_kick(&v->rx);
	virtqueue_enable_cb(&v->rx);
	virtqueue_enable_cb(&v->tx);
	return 0;
}

static int vnet_rx_poll(struct netdev *nd, netdev_rx_fn *fn, void *arg, unsigned budget)
{
	struct vnet *v = to_vnet(nd);
	int handed = 0;
	while ((unsigned)handed < budget && !vnet_dead(v)) {
		uint32_t len;
		uint8_t *buf = virtqueue_get_used(&v->rx, &len);
		if (!buf)
			break;
		if (len < NET_HDR_LEN + NET_ETH_HLEN || len > NET_HDR_LEN + NET_ETH_HLEN + nd->mtu) {
			nd->stats.rx_errors++;		/* runt or larger than we allowed */
		} else {
			handed++;
			if (fn(arg, buf + NET_HDR_LEN, len - NET_HDR_LEN) < 0) {
				nd->stats.rx_dropped++;
			} else {
				nd->stats.rx_packets++;
				nd->stats.rx_bytes += len - NET_HDR_LEN;
			}
		}
		/* The buffer goes straight back: the ring never runs dry. */
		if (vnet_rx_add(v, buf))
			nd->stats.rx_dropped++;	/* only if the queue broke meanwhile */
	}
	virtqueue_kick(&v->rx);
	return vnet_dead(v) ? -EIO : handed;
}

static int vnet_tx(struct netdev *nd, const struct netdev_seg *segs, unsigned nsegs)
{
	struct vnet *v = to_vnet(nd);
	if (vnet_dead(v))
		return -EIO;
	size_t len = 0;
	for (unsigned i = 0; i < nsegs; i++)
		len += segs[i].len;
	if (len > (size_t)nd->mtu + NET_ETH_HLEN || len == 0) {
		nd->stats.tx_errors++;
		return -EMSGSIZE;
	}
	if (v->tx_nfree == 0) {
		nd->stats.tx_full++;
		return -EAGAIN;
	}
	uint16_t slot = v->tx_free[v->tx_nfree - 1];
	uint8_t *buf = v->tx_buf + (size_t)slot * NET_BUF_SIZE;
	memset(buf, 0, NET_HDR_LEN);	/* no checksum offload, no GSO */
	size_t off = NET_HDR_LEN;
	for (unsigned i = 0; i < nsegs; i++) {
		memcpy(buf + off, segs[i].data, segs[i].len);
		off += segs[i].len;
	}
	struct virtq_buf b = { (uintptr_t)buf, (uint32_t)off };
	int err = virtqueue_add(&v->tx, &b, 1, 0, buf);
	if (err == -ENOSPC) {
		nd->stats.tx_full++;
		return -EAGAIN;
	}
	if (err) {
		nd->stats.tx_errors++;
		return -EIO;
	}
	v->tx_nfree--;
	virtqueue_kick(&v->tx);
	nd->stats.tx_packets++;
	nd->stats.tx_bytes += len;
	return 0;
}

static unsigned vnet_tx_reclaim(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	unsigned n = 0;
	uint8_t *buf;
	while (!vnet_dead(v) && (buf = virtqueue_get_used(&v->tx, NULL))) {
		v->tx_free[v->tx_nfree++] = (uint16_t)((buf - v->tx_buf) / NET_BUF_SIZE);
		n++;
	}
	return n;
}

static bool vnet_irq_rearm(struct netdev *nd)
{
	struct vnet *v = to_vnet(nd);
	if (vnet_dead(v))
		return false;
	bool rx = virtqueue_enable_cb(&v->rx);
	bool tx = virtqueue_enable_cb(&v->tx);
	return rx || tx;
}

/* Interrupt context (the transport has acknowledged the device): mask the
 * queues and tell the owner. The owner does all the work. */
static void vnet_irq(struct virtio_dev *vd, void *arg)
{
	struct vnet *v = arg;
	vnet_stat_add(&v->nd.stats.irqs, 1);
	virtqueue_disable_cb(&v->rx);
	virtqueue_disable_cb(&v->tx);
	netdev_notify_fn *notify = __atomic_load_n(&v->nd.notify, __ATOMIC_ACQUIRE);
	if (notify)
		notify(&v->nd, v->nd.notify_arg);
}

static const struct netdev_ops vnet_ops = {
	.start = vnet_start,
	.rx_poll = vnet_rx_poll,
	.tx = vnet_tx,
	.tx_reclaim = vnet_tx_reclaim,
	.irq_rearm = vnet_irq_rearm,
	.poll_link = vnet_poll_link,
};

static void *vnet_alloc_bufs(uint16_t n)
{
	return page_alloc(((size_t)n * NET_BUF_SIZE + PAGE_SIZE - 1) / PAGE_SIZE);
}

static int vnet_probe(struct virtio_dev *vd)
{
	/* 3.1.1 steps 1-6, offering nothing we would have to honour: no
	 * checksum or segmentation offload, no mergeable RX buffers, no
	 * control queue, no multiqueue. */
	int err = virtio_negotiate(vd, 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
					       1ull << VIRTIO_NET_F_MTU | 1ull << VIRTIO_F_RING_EVENT_IDX);
	if (err)
		return err;
	struct vnet *v = calloc(1, sizeof *v);
	if (!v) {
		virtio_fail(vd, "virtio-net: out of memory");
		return -ENOMEM;
	}
	v->vd = vd;
	snprintf(v->name, sizeof v->name, "virtio-net%u", vnet_count);
	v->nd = (struct netdev){ .name = v->name, .mtu = NET_DEFAULT_MTU, .ops = &vnet_ops, .priv = v };
	/* 7. Device-specific setup: configuration, then the queues. */
	if (vd->features & (1ull << VIRTIO_NET_F_MTU)) {
		unsigned mtu = (unsigned)vd->ops->config_read(vd, NET_CFG_MTU, 2);
		if (mtu > NET_MAX_MTU || mtu < 68) {
			virtio_fail(vd, "virtio-net: device MTU outside 68..2022 (our buffers)");
			free(v);
			return -ENOTSUP;
		}
		v->nd.mtu = (uint16_t)mtu;
	}
	if (vd->features & (1ull << VIRTIO_NET_F_MAC))
		vnet_read_mac(v);
	else	/* 5.1.5: no MAC offered: a locally administered one of our own */
		memcpy(v->nd.mac, (uint8_t[]){ 0x02, 0, 0, 0, 0, (uint8_t)vnet_count }, NETDEV_MAC_LEN);
	err = virtqueue_create(&v->rx, vd, NET_Q_RX, NET_RING);
	if (!err)
		err = virtqueue_create(&v->tx, vd, NET_Q_TX, NET_RING);
	if (!err) {
		v->rx_buf = vnet_alloc_bufs(v->rx.size);
		v->tx_buf = vnet_alloc_bufs(v->tx.size);
		v->tx_free = calloc(v->tx.size, sizeof *v->tx_free);
		if (!v->rx_buf || !v->tx_buf || !v->tx_free)
			err = -ENOMEM;
	}
	if (!err) {
		for (unsigned i = 0; i < v->tx.size; i++)
			v->tx_free[v->tx_nfree++] = (uint16_t)(v->tx.size - 1 - i);
		/* Quiet until the owner's netdev_start(). */
		virtqueue_disable_cb(&v->rx);
		virtqueue_disable_cb(&v->tx);
		err = vd->ops->irq_attach(vd, vnet_irq, v, NULL);
	}
	if (err) {
		/* Leave the memory: the device may have seen the rings. */
		virtio_fail(vd, "virtio-net: queue or interrupt setup failed");
		return err;
	}
	/* 8. DRIVER_OK: the device is live. */
	vd->ops->set_status(vd, vd->ops->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
	vd->driver_data = v;
	vnet_poll_link(&v->nd);
	const uint8_t *m = v->nd.mac;
	kprintf("%s: %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, link %s (%s)\n", v->name, m[0], m[1],
		m[2], m[3], m[4], m[5], v->nd.mtu, v->nd.link_up ? "up" : "down", vd->name);
	vnet_count++;
	netdev_register(&v->nd);
	return 0;
}

VIRTIO_DRIVER("virtio-net", VIRTIO_ID_NET, vnet_probe);
