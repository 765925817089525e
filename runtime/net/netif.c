/*
 * lwIP's netif over a netdev (kernel/dev/netdev.h): frames up from the RX
 * ring, frames down into the TX ring. Each frame is copied exactly once on
 * each way: from the driver's RX buffer into a pbuf, from the pbuf chain
 * into the driver's TX buffer.
 *
 * The device interrupt only signals the loop source; net_netif_drain()
 * runs on the loop, hands a bounded batch of frames to lwIP, reclaims TX
 * buffers, and re-enables the interrupt, draining again if frames arrived
 * meanwhile. A full batch re-signals the source instead of looping, so one
 * flood of frames cannot hold the loop against every other task.
 */
#include "net_internal.h"
#include <errno.h>
#include <kernel/time.h>
#include <lwip/etharp.h>
#include <lwip/pbuf.h>
#include <lwip/snmp.h>
#include <netif/ethernet.h>
#include <string.h>

#define RX_BATCH 64		/* frames per drain before other work runs */
#define TX_MAX_SEGS 16		/* a pbuf chain longer than this is flattened */
#define IRQ_TO_TX_MAX 1000000	/* ns: see link_output() */

void net_netif_notify(struct netdev *nd, void *arg)
{
	/* Interrupt context: only note and wake. The time is for the
	 * interrupt-to-reply benchmark; the first interrupt of a burst counts. */
	uint64_t none = 0;
	__atomic_compare_exchange_n(&net_if.irq_at, &none, time_now(), false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	loop_source_signal(arg);
}

static int rx_frame(void *arg, const void *frame, size_t len)
{
	struct net_if *nif = arg;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p) {
		nif->counts.rx_nobuf++;
		return -ENOMEM;		/* counted by the driver as rx_dropped too */
	}
	pbuf_take(p, frame, (u16_t)len);
	nif->counts.rx_frames++;
	nif->counts.rx_bytes += len;
	if (nif->netif.input(p, &nif->netif) != ERR_OK)
		pbuf_free(p);		/* lwIP counted why */
	return 0;
}

void net_netif_drain(struct loop_source *src)
{
	struct net_if *nif = src->arg;
	struct netdev *nd = nif->dev;
	nif->counts.rx_drains++;
	int frames = 0;
	for (;;) {
		int n = netdev_rx_poll(nd, rx_frame, nif, RX_BATCH);
		frames += n > 0 ? n : 0;
		netdev_tx_reclaim(nd);
		if (n < 0)
			break;			/* the device was disabled (reported by the driver) */
		if (n == RX_BATCH) {
			loop_source_signal(src);	/* more waits: after the others */
			break;
		}
		if (!netdev_irq_rearm(nd))
			break;
		nif->counts.rx_rearm_rechecks++;	/* arrived while re-enabling */
	}
	if (!frames)
		__atomic_store_n(&nif->irq_at, 0, __ATOMIC_RELAXED);	/* TX completions only: no reply to time */
	bool link = nd->link_up;
	netdev_poll_link(nd);
	if (nd->link_up != link) {
		if (nd->link_up)
			netif_set_link_up(&nif->netif);
		else
			netif_set_link_down(&nif->netif);
	}
	net_timers_rearm();	/* input may have started timers (TCP, ARP) */
}

static err_t link_output(struct netif *netif, struct pbuf *p)
{
	struct net_if *nif = netif->state;
	struct netdev_seg segs[TX_MAX_SEGS];
	unsigned n = 0;
	for (struct pbuf *q = p; q && n < TX_MAX_SEGS; q = q->next)
		segs[n++] = (struct netdev_seg){ q->payload, q->len };
	struct pbuf *flat = NULL;
	if (pbuf_clen(p) > TX_MAX_SEGS) {
		/* Rare (lwIP chains a header and a few data pbufs): one more copy. */
		flat = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
		if (!flat) {
			nif->counts.tx_dropped++;
			return ERR_MEM;
		}
		segs[0] = (struct netdev_seg){ flat->payload, flat->len };
		n = 1;
	}
	int err = netdev_tx(nif->dev, segs, n);
	if (err == -EAGAIN) {
		netdev_tx_reclaim(nif->dev);	/* the ring may have room by now */
		err = netdev_tx(nif->dev, segs, n);
	}
	if (flat)
		pbuf_free(flat);
	if (err) {
		nif->counts.tx_dropped++;	/* TCP retransmits; UDP is best effort */
		return err == -EAGAIN ? ERR_MEM : ERR_IF;
	}
	nif->counts.tx_frames++;
	nif->counts.tx_bytes += p->tot_len;
	/* A frame that needed no answer (an ACK) leaves its time behind until
	 * the next send, across idle time: a pair longer than IRQ_TO_TX_MAX is
	 * not an answer and is not counted. */
	uint64_t irq_at = __atomic_exchange_n(&nif->irq_at, 0, __ATOMIC_RELAXED);
	uint64_t took = time_now() - irq_at;
	if (irq_at && took < IRQ_TO_TX_MAX) {
		nif->counts.irq_to_tx_ns += took;
		nif->counts.irq_to_tx_count++;
	}
	return ERR_OK;
}

err_t net_netif_init(struct netif *netif)
{
	struct net_if *nif = netif->state;
	struct netdev *nd = nif->dev;
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, nd->mac, ETH_HWADDR_LEN);
	netif->mtu = nd->mtu ? nd->mtu : 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	netif->output = etharp_output;
	netif->linkoutput = link_output;
	return ERR_OK;
}
