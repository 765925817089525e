/*
 * What runtime/net/'s files share: the one interface's state, owned by the
 * network loop. Everything here is touched in loop context only, except
 * where a field says otherwise.
 */
#pragma once

#include <kernel/dev/netdev.h>
#include <lwip/netif.h>
#include <loop/future.h>
#include <loop/loop.h>
#include <loop/sync.h>
#include <net/net.h>

struct net_if {
	struct loop *loop;
	struct netdev *dev;
	struct netif netif;
	struct loop_source rx_source;	/* signalled from the device's interrupt */
	struct loop_handle timers;	/* lwIP's timeouts */
	struct loop_future up;		/* settled once the interface has an address */
	uint32_t address;		/* any context: read with an atomic load */
	struct net_stats counts;	/* the stack's own counters (rx_frames...) */
	uint64_t irq_at;		/* when the device last interrupted, until a frame goes out */
};

extern struct net_if net_if;

/* netif.c: the lwIP netif over a netdev. */
err_t net_netif_init(struct netif *netif);
void net_netif_drain(struct loop_source *src);
void net_netif_notify(struct netdev *nd, void *arg);

/* net.c: lwIP's timers run again at their next deadline (after anything
 * that may have added a timeout). */
void net_timers_rearm(void);

/* sock counters for net_get_stats (sock_common.c). */
extern uint64_t net_sock_udp_rx_dropped, net_sock_accept_dropped;

/* Run fn(arg) in loop context: directly from the loop, else marshalled. */
intptr_t net_in_loop(intptr_t (*fn)(void *arg), void *arg);

/* lwIP's err_t as a negative errno. */
int net_errno(err_t err);
