/*
 * virtio drivers on the real (QEMU) devices, over whichever transport the
 * board gives (VIRTIO=mmio or pci on aarch64, pci on x86_64): rng_read's
 * bytes and bounds, virtio-net's MAC from the command line QEMU was given
 * (mac=52:54:00:12:34:56), an ARP round trip through QEMU's user network
 * (slirp answers for its gateway 10.0.2.2) that must arrive by interrupt,
 * and a TX ring filled to -EAGAIN that recovers after reclaim.
 */
#include <errno.h>
#include <kernel/dev/netdev.h>
#include <kernel/dev/rng.h>
#include <kernel/sem.h>
#include <kernel/test.h>
#include <kernel/time.h>
#include <string.h>

static const uint8_t qemu_mac[NETDEV_MAC_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* --- rng --------------------------------------------------------------- */
TEST(virtio_rng_bytes_vary_and_stay_in_bounds)
{
	static uint8_t buf[600];
	/* 273 bytes: more than one device request, not a round number. */
	memset(buf, 0xa5, sizeof buf);
	EXPECT_EQ(rng_read(buf + 8, 273), 0);
	for (unsigned i = 0; i < 8; i++)
		EXPECT_EQ(buf[i], 0xa5);
	for (unsigned i = 8 + 273; i < sizeof buf; i++)
		EXPECT_EQ(buf[i], 0xa5);
	/* Not constant: count distinct byte values (random data has ~170). */
	bool seen[256] = { false };
	unsigned distinct = 0;
	for (unsigned i = 8; i < 8 + 273; i++)
		if (!seen[buf[i]]) {
			seen[buf[i]] = true;
			distinct++;
		}
	EXPECT(distinct > 64);
	/* A second read differs from the first. */
	uint8_t again[32];
	EXPECT_EQ(rng_read(again, sizeof again), 0);
	EXPECT(memcmp(again, buf + 8, sizeof again) != 0);
	EXPECT_EQ(rng_read(again, 0), 0);
	/* Each request is answered by interrupt, not by the driver's 2 s
	 * timeout: eight in a row take far less than one. */
	uint64_t start = time_now();
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(rng_read(again, sizeof again), 0);
	EXPECT(time_now() - start < NS_PER_SEC);
}

/* --- net ---------------------------------------------------------------- */
static struct sem net_kicked = SEM_INIT(net_kicked, "virtio test notify", 0);
static unsigned net_notifies;

/* Interrupt context, as netdev.h requires: note and wake only. */
static void on_net_notify(struct netdev *nd, void *arg)
{
	__atomic_fetch_add(&net_notifies, 1, __ATOMIC_RELAXED);
	sem_post(&net_kicked);
}

/* The first interface, started once per boot with our notify callback. */
static struct netdev *test_netdev(void)
{
	static bool started;
	struct netdev *nd = netdev_get(0);
	if (!nd) {
		test_fail(__FILE__, __LINE__, "no network interface (is QEMU_NET on the command line?)");
		return NULL;
	}
	if (!started) {
		nd->notify = on_net_notify;
		EXPECT_EQ(netdev_start(nd), 0);
		started = true;
	}
	return nd;
}

TEST(virtio_net_mac_from_qemu)
{
	struct netdev *nd = test_netdev();
	if (!nd)
		return;
	EXPECT(memcmp(nd->mac, qemu_mac, NETDEV_MAC_LEN) == 0);
	EXPECT_EQ(nd->mtu, 1500);
	netdev_poll_link(nd);
	EXPECT(nd->link_up);
	EXPECT(!nd->broken);
}

/* An ARP request (RFC 826) from 10.0.2.15 for 10.0.2.2, as two segments. */
static const uint8_t our_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };

static int send_arp_request(struct netdev *nd)
{
	uint8_t eth[14], arp[28];
	memset(eth, 0xff, 6);
	memcpy(eth + 6, nd->mac, 6);
	eth[12] = 0x08, eth[13] = 0x06;
	const uint8_t head[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };	/* Ethernet, IPv4, request */
	memcpy(arp, head, 8);
	memcpy(arp + 8, nd->mac, 6);
	memcpy(arp + 14, our_ip, 4);
	memset(arp + 18, 0, 6);
	memcpy(arp + 24, gw_ip, 4);
	struct netdev_seg segs[2] = { { eth, sizeof eth }, { arp, sizeof arp } };
	return netdev_tx(nd, segs, 2);
}

struct arp_seen {
	struct netdev *nd;
	bool reply;
	unsigned frames;
};

static int on_frame(void *arg, const void *frame, size_t len)
{
	struct arp_seen *s = arg;
	const uint8_t *f = frame;
	s->frames++;
	if (len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
	    memcmp(f, s->nd->mac, 6) == 0 && memcmp(f + 28, gw_ip, 4) == 0 &&
	    memcmp(f + 32, s->nd->mac, 6) == 0 && memcmp(f + 38, our_ip, 4) == 0)
		s->reply = true;
	return 0;
}

TEST(virtio_net_arp_round_trip_by_interrupt)
{
	struct netdev *nd = test_netdev();
	if (!nd)
		return;
	struct netdev_stats before = nd->stats;
	unsigned notifies = __atomic_load_n(&net_notifies, __ATOMIC_RELAXED);
	while (sem_trywait(&net_kicked))
		;
	netdev_irq_rearm(nd);
	EXPECT_EQ(send_arp_request(nd), 0);
	/* The owner's loop: sleep until notified, drain, re-arm, re-check. */
	struct arp_seen seen = { .nd = nd };
	uint64_t deadline = time_now() + 5 * NS_PER_SEC;
	while (!seen.reply && sem_wait_until(&net_kicked, deadline) == 0) {
		do {
			EXPECT(netdev_rx_poll(nd, on_frame, &seen, 64) >= 0);
			netdev_tx_reclaim(nd);
		} while (netdev_irq_rearm(nd));
	}
	EXPECT(seen.reply);
	EXPECT(__atomic_load_n(&net_notifies, __ATOMIC_RELAXED) > notifies);
	EXPECT(nd->stats.irqs > before.irqs);
	EXPECT_EQ(nd->stats.tx_packets, before.tx_packets + 1);
	EXPECT_EQ(nd->stats.tx_bytes, before.tx_bytes + 42);
	EXPECT_EQ(nd->stats.rx_packets, before.rx_packets + seen.frames);
	EXPECT(nd->stats.rx_bytes >= before.rx_bytes + 42);
	EXPECT_EQ(nd->stats.rx_errors, before.rx_errors);
	EXPECT_EQ(nd->stats.rx_dropped, before.rx_dropped);
	EXPECT(!nd->broken);
}

/* A frame slirp ignores (an IEEE local experimental ethertype). */
static int send_junk(struct netdev *nd)
{
	uint8_t f[60] = { 0 };
	memset(f, 0xff, 6);
	memcpy(f + 6, nd->mac, 6);
	f[12] = 0x88, f[13] = 0xb5;
	struct netdev_seg seg = { f, sizeof f };
	return netdev_tx(nd, &seg, 1);
}

/* Reclaim until n buffers have come back, or a second passes. */
static unsigned reclaim_upto(struct netdev *nd, unsigned n)
{
	unsigned got = 0;
	for (uint64_t end = time_now() + NS_PER_SEC; got < n && time_now() < end;)
		got += netdev_tx_reclaim(nd);
	return got;
}

TEST(virtio_net_tx_full_then_recovers)
{
	struct netdev *nd = test_netdev();
	if (!nd)
		return;
	reclaim_upto(nd, ~0u >> 1);	/* everything earlier tests left in flight */
	/* Oversized: refused and counted, never truncated. */
	static uint8_t big[1515];
	struct netdev_seg seg = { big, sizeof big };
	uint64_t errs = nd->stats.tx_errors;
	EXPECT_EQ(netdev_tx(nd, &seg, 1), -EMSGSIZE);
	EXPECT_EQ(nd->stats.tx_errors, errs + 1);
	/* Fill: without reclaim every buffer stays ours-in-flight. */
	uint64_t full = nd->stats.tx_full;
	unsigned sent = 0;
	int err;
	while ((err = send_junk(nd)) == 0 && sent < 100000)
		sent++;
	EXPECT_EQ(err, -EAGAIN);
	EXPECT(sent >= 16);
	EXPECT_EQ(nd->stats.tx_full, full + 1);
	EXPECT_EQ(send_junk(nd), -EAGAIN);
	EXPECT_EQ(nd->stats.tx_full, full + 2);
	/* The device finishes them all; each reclaimed buffer takes a frame. */
	unsigned back = reclaim_upto(nd, sent);
	EXPECT_EQ(back, sent);
	for (unsigned i = 0; i < back; i++)
		EXPECT_EQ(send_junk(nd), 0);
	EXPECT_EQ(send_junk(nd), -EAGAIN);
	EXPECT_EQ(reclaim_upto(nd, sent), sent);
	EXPECT(!nd->broken);
}
