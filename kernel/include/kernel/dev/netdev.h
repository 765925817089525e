/*
 * A network interface as the layers above a driver see it: frames in,
 * frames out, a MAC address and counters. virtio-net is the one driver
 * today; the lwIP glue (runtime/net/) is the one user.
 *
 * The interrupt path follows the design's "from interrupt to future": the
 * driver's handler acknowledges the device, masks its queue interrupts and
 * calls `notify` (set by the owner) — nothing more. The owner (the event
 * loop) then calls netdev_rx_poll() and netdev_tx_reclaim() until they find
 * nothing, and netdev_irq_rearm(), which re-enables interrupts and says
 * whether work arrived meanwhile (then the owner polls again).
 *
 * One owner drives an interface at a time: rx_poll, tx, tx_reclaim and
 * irq_rearm are not safe to call concurrently with each other.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAC_LEN 6

/* Every frame the driver did not pass on or send is counted in one of
 * these; nothing is dropped silently. */
struct netdev_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_dropped;	/* no buffer to refill the ring with, or rx callback refused */
	uint64_t rx_errors;	/* device broke the rules (bad id or length) or frame malformed */
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_full;	/* netdev_tx() returned -EAGAIN: ring full */
	uint64_t tx_errors;	/* oversized frame, device error */
	uint64_t irqs;		/* interrupts taken */
};

struct netdev;

/* Interrupt context: the device has work (RX arrived, TX completed, link
 * changed). Must only note and wake; the owner polls later. */
typedef void netdev_notify_fn(struct netdev *nd, void *arg);

/* Owner context: one received Ethernet frame (no virtio header), valid
 * only during the call; copy what you keep. Returns 0, or a negative errno
 * to have the frame counted as rx_dropped. */
typedef int netdev_rx_fn(void *arg, const void *frame, size_t len);

struct netdev {
	const char *name;		/* "virtio-net0" */
	uint8_t mac[NETDEV_MAC_LEN];
	uint16_t mtu;			/* largest IP packet; frames are mtu + 14 */
	bool link_up;
	bool broken;			/* device misbehaved and was disabled; calls return -EIO */
	struct netdev_stats stats;
	netdev_notify_fn *notify;	/* set by the owner before netdev_start() */
	void *notify_arg;
	const struct netdev_ops *ops;
	void *priv;			/* the driver's */
};

/* A gather list for netdev_tx: the frame is the concatenation. */
struct netdev_seg {
	const void *data;
	size_t len;
};

struct netdev_ops {
	int (*start)(struct netdev *nd);
	int (*rx_poll)(struct netdev *nd, netdev_rx_fn *fn, void *arg, unsigned budget);
	int (*tx)(struct netdev *nd, const struct netdev_seg *segs, unsigned nsegs);
	unsigned (*tx_reclaim)(struct netdev *nd);
	bool (*irq_rearm)(struct netdev *nd);
	void (*poll_link)(struct netdev *nd);
};

/* Thread context, at boot (drivers' probe): add nd to the list. */
void netdev_register(struct netdev *nd);
/* Any context: the i-th registered interface, or NULL. */
struct netdev *netdev_get(unsigned i);
unsigned netdev_count(void);

/* Owner, thread context: fill the RX ring and enable interrupts. 0 or -errno. */
static inline int netdev_start(struct netdev *nd) { return nd->ops->start(nd); }
/* Owner: hand up to budget received frames to fn, refilling the ring;
 * returns how many were handed (>= 0) or -EIO if the device is broken. */
static inline int netdev_rx_poll(struct netdev *nd, netdev_rx_fn *fn, void *arg, unsigned budget)
{
	return nd->ops->rx_poll(nd, fn, arg, budget);
}
/* Owner: queue one frame (copied into a driver buffer: the caller's memory
 * is free on return) and notify the device. 0, -EAGAIN when the TX ring is
 * full (reclaim, then retry or drop), -EMSGSIZE when longer than mtu + 14,
 * -EIO if broken. */
static inline int netdev_tx(struct netdev *nd, const struct netdev_seg *segs, unsigned nsegs)
{
	return nd->ops->tx(nd, segs, nsegs);
}
/* Owner: free the TX buffers the device has finished with; returns how many. */
static inline unsigned netdev_tx_reclaim(struct netdev *nd) { return nd->ops->tx_reclaim(nd); }
/* Owner: re-enable interrupts; true if work is already waiting (poll again). */
static inline bool netdev_irq_rearm(struct netdev *nd) { return nd->ops->irq_rearm(nd); }
/* Owner: refresh nd->link_up from the device. */
static inline void netdev_poll_link(struct netdev *nd) { nd->ops->poll_link(nd); }
