/*
 * The network stack: lwIP (NO_SYS=1, raw API) owned by one event loop,
 * over the first registered network interface (kernel/dev/netdev.h).
 *
 * Every lwIP call happens in the loop's context (its callbacks and tasks).
 * The interface's interrupt only signals a loop source; the loop drains
 * the RX ring into lwIP, reclaims TX buffers, re-enables the interrupt and
 * checks once more (DESIGN.md, "From interrupt to future"). lwIP's timers
 * are one loop timer, re-armed for lwIP's next deadline.
 *
 * Sockets on top: net/sock.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct netdev;

/* IPv4 addresses in host byte order: NET_IP(10, 0, 2, 15). */
#define NET_IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

struct net_config {
	bool dhcp;			/* ask a DHCP server (QEMU's user network has one) */
	uint32_t ip, netmask, gateway;	/* static configuration, when !dhcp */
	const char *hostname;		/* for DHCP; NULL: "threadbare" */
};

/*
 * Read the configuration from the kernel command line: `ip=dhcp` (the
 * default) or `ip=A.B.C.D/prefix[,gw=A.B.C.D]`. 0, or -EINVAL for a value
 * that does not parse (reported).
 */
int net_config_from_cmdline(struct net_config *cfg);

/*
 * Thread context, the loop created but not running (or loop context):
 * bring up lwIP on l over interface nd (NULL: the first one), start it
 * and configure it. Once only. 0, -ENODEV (no interface), -EIO (the
 * interface failed), -EALREADY.
 */
int net_start(struct loop *l, struct netdev *nd, const struct net_config *cfg);
/* The loop the stack runs on, or NULL before net_start(). Any context. */
struct loop *net_loop(void);

/* Task, coroutine or thread: wait until the interface has an address
 * (DHCP bound, or at once for static). 0, -ETIMEDOUT, -ECANCELED. */
int net_wait_up(uint64_t timeout_ns);
/* Any context: the interface's address (0 until it has one). */
uint32_t net_address(void);

/* Counters of the stack and its interface, for the status page, the
 * shell and the tests. Copied in loop context (net_get_stats marshals). */
struct net_stats {
	uint32_t ip, netmask, gateway;
	bool link_up;
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t rx_nobuf;		/* frames dropped: no pbuf to copy into */
	uint64_t tx_dropped;		/* frames lwIP sent that the ring had no room for */
	uint64_t rx_drains, rx_rearm_rechecks;
	/* The driver's (struct netdev_stats) */
	uint64_t dev_rx_dropped, dev_rx_errors, dev_tx_full, dev_tx_errors, dev_irqs;
	/* lwIP's own: drops by reason (bad checksum, bad length, no route,
	 * protocol errors, memory) per layer */
	uint64_t link_drop, etharp_drop;
	uint64_t ip_drop, ip_chkerr, ip_lenerr, ip_proterr, ip_opterr, ip_err;
	uint64_t icmp_rx, icmp_drop;
	uint64_t udp_rx, udp_tx, udp_drop, udp_chkerr, udp_lenerr, udp_proterr;
	uint64_t tcp_rx, tcp_tx, tcp_drop, tcp_chkerr, tcp_lenerr, tcp_proterr;
	uint64_t mem_err;		/* lwIP heap and pool allocation failures */
	uint64_t sock_udp_rx_dropped;	/* datagrams dropped on full socket queues */
	uint64_t sock_accept_dropped;	/* connections refused on full accept queues */
	unsigned tcp_active;		/* TCP connections now */
	/* For the benchmarks (under -icount, ns are instructions): time from
	 * a device interrupt to the first frame sent after it, summed, and how
	 * many such pairs; and every CPU's time outside its idle thread. */
	uint64_t irq_to_tx_ns, irq_to_tx_count;
	uint64_t busy_ns;
};
/* Task, coroutine or thread. 0, or -ENODEV before net_start(). */
int net_get_stats(struct net_stats *out);
/* Thread context: print the counters (the shell's `net`). */
void net_dump(void);
/* "10.0.2.15" into buf (at least 16 bytes). */
const char *net_ip_str(uint32_t ip, char *buf);

/*
 * Thread context: what a network app's main() does. Make a loop named
 * name, start the stack on it from the command line's configuration
 * (net_config_from_cmdline), spawn main_task(arg) as its first task and
 * run the loop on the calling thread until the task ends. Returns the
 * task's result (its return value, or a negative errno), or -errno if the
 * stack could not start.
 */
#include <loop/task.h>
int net_run(const char *name, loop_task_fn *main_task, void *arg);
