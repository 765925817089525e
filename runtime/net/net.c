/*
 * Bringing lwIP up on the network loop, its timers, the interface's
 * configuration (DHCP or static) and the counters (see net/net.h).
 */
#include "net_internal.h"
#include <errno.h>
#include <kernel/cmdline.h>
#include <kernel/dev/rng.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <lwip/dhcp.h>
#include <lwip/init.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/stats.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>
#include <stdio.h>
#include <string.h>

struct net_if net_if;

void net_rand_seed(uint64_t seed);	/* lwip_port.c */

struct loop *net_loop(void) { return __atomic_load_n(&net_if.loop, __ATOMIC_ACQUIRE); }

uint32_t net_address(void) { return __atomic_load_n(&net_if.address, __ATOMIC_ACQUIRE); }

const char *net_ip_str(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 255),
		 (unsigned)(ip >> 8 & 255), (unsigned)(ip & 255));
	return buf;
}

int net_errno(err_t err)
{
	switch (err) {
	case ERR_OK: return 0;
	case ERR_MEM: case ERR_BUF: return -ENOMEM;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -EHOSTUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL: case ERR_ARG: return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	default: return -EIO;
	}
}

intptr_t net_in_loop(intptr_t (*fn)(void *arg), void *arg)
{
	struct loop *l = net_loop();
	if (!l)
		return -ENODEV;
	if (loop_current() == l)
		return fn(arg);
	intptr_t r;
	int err = loop_call_sync(l, fn, arg, &r);
	return err ? err : r;
}

/* --- lwIP's timers: one loop timer at lwIP's next deadline ------------------ */

static void run_timers(void *arg)
{
	sys_check_timeouts();
	net_timers_rearm();
}

void net_timers_rearm(void)
{
	struct loop_handle *h = &net_if.timers;
	u32_t ms = sys_timeouts_sleeptime();
	if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
		loop_handle_cancel(h);
		return;
	}
	uint64_t due = loop_time() + (uint64_t)ms * 1000000u;
	if (loop_handle_pending(h)) {
		if (h->timer.deadline <= due)
			return;		/* already set for no later */
		loop_handle_cancel(h);
	}
	loop_call_at(net_if.loop, h, due, run_timers, NULL);
}

/* --- configuration ------------------------------------------------------------ */

static int parse_ip(const char *s, uint32_t *out, const char **end)
{
	uint32_t ip = 0;
	for (int i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned v = 0;
		while (*s >= '0' && *s <= '9' && v <= 255)
			v = v * 10 + (unsigned)(*s++ - '0');
		if (v > 255 || (i < 3 && *s++ != '.'))
			return -EINVAL;
		ip = ip << 8 | v;
	}
	*out = ip;
	*end = s;
	return 0;
}

int net_config_from_cmdline(struct net_config *cfg)
{
	*cfg = (struct net_config){ .dhcp = true };
	char v[64];
	if (!cmdline_get("ip", v, sizeof v) || strcmp(v, "dhcp") == 0)
		return 0;
	const char *s = v;
	unsigned prefix = 24;
	if (parse_ip(s, &cfg->ip, &s))
		goto bad;
	if (*s == '/') {
		char *e;
		prefix = (unsigned)strtoul(s + 1, &e, 10);
		if (e == s + 1 || prefix < 1 || prefix > 32)
			goto bad;
		s = e;
	}
	cfg->netmask = prefix == 32 ? ~0u : ~((1u << (32 - prefix)) - 1);
	cfg->gateway = (cfg->ip & cfg->netmask) | 1;	/* .1 unless gw= says */
	if (strncmp(s, ",gw=", 4) == 0 && parse_ip(s + 4, &cfg->gateway, &s))
		goto bad;
	if (*s)
		goto bad;
	cfg->dhcp = false;
	return 0;
bad:
	kprintf("net: ip=%s: expected dhcp or A.B.C.D[/prefix][,gw=A.B.C.D]\n", v);
	return -EINVAL;
}

/* --- start -------------------------------------------------------------------- */

static void status_changed(struct netif *netif)
{
	uint32_t ip = lwip_ntohl(netif_ip4_addr(netif)->addr);
	__atomic_store_n(&net_if.address, ip, __ATOMIC_RELEASE);
	if (ip) {
		char a[16], m[16], g[16];
		kprintf("net: %s address %s netmask %s gateway %s\n",
			dhcp_supplied_address(netif) ? "dhcp" : "static", net_ip_str(ip, a),
			net_ip_str(lwip_ntohl(netif_ip4_netmask(netif)->addr), m),
			net_ip_str(lwip_ntohl(netif_ip4_gw(netif)->addr), g));
		loop_future_set_result(&net_if.up, 0);	/* -EINVAL the 2nd time: fine */
	}
}

struct start_args {
	struct netdev *nd;
	const struct net_config *cfg;
};

static intptr_t start_in_loop(void *arg)
{
	struct start_args *a = arg;
	struct net_if *nif = &net_if;
	uint64_t seed = 0;
	if (rng_read(&seed, sizeof seed) != 0)
		seed = time_now() ^ ((uint64_t)a->nd->mac[5] << 40);	/* no entropy device: weaker */
	net_rand_seed(seed);
	lwip_init();
	ip4_addr_t ip, mask, gw;
	ip4_addr_set_u32(&ip, a->cfg->dhcp ? 0 : lwip_htonl(a->cfg->ip));
	ip4_addr_set_u32(&mask, a->cfg->dhcp ? 0 : lwip_htonl(a->cfg->netmask));
	ip4_addr_set_u32(&gw, a->cfg->dhcp ? 0 : lwip_htonl(a->cfg->gateway));
	if (!netif_add(&nif->netif, &ip, &mask, &gw, nif, net_netif_init, ethernet_input))
		return -EIO;
	netif_set_hostname(&nif->netif, a->cfg->hostname ? a->cfg->hostname : "threadbare");
	netif_set_status_callback(&nif->netif, status_changed);
	netif_set_default(&nif->netif);
	loop_source_init(&nif->rx_source, nif->loop, net_netif_drain, nif);
	a->nd->notify = net_netif_notify;
	a->nd->notify_arg = &nif->rx_source;
	int err = netdev_start(a->nd);
	if (err) {
		kprintf("net: %s did not start (%d)\n", a->nd->name, err);
		return err;
	}
	netdev_poll_link(a->nd);
	if (a->nd->link_up)
		netif_set_link_up(&nif->netif);
	netif_set_up(&nif->netif);
	if (a->cfg->dhcp && (err = net_errno(dhcp_start(&nif->netif))))
		return err;
	net_timers_rearm();
	return 0;
}

int net_start(struct loop *l, struct netdev *nd, const struct net_config *cfg)
{
	if (net_loop())
		return -EALREADY;
	if (!nd)
		nd = netdev_get(0);
	if (!nd)
		return -ENODEV;
	if (nd->broken)
		return -EIO;
	net_if.dev = nd;
	net_if.loop = l;
	loop_future_init(&net_if.up, NULL, "net up");
	struct start_args a = { nd, cfg };
	/* Before the loop runs, its owner thread is in loop context. */
	intptr_t err = start_in_loop(&a);
	if (err) {
		__atomic_store_n(&net_if.loop, NULL, __ATOMIC_RELEASE);
		return (int)err;
	}
	__atomic_store_n(&net_if.loop, l, __ATOMIC_RELEASE);
	return 0;
}

int net_wait_up(uint64_t timeout_ns)
{
	if (!net_loop())
		return -ENODEV;
	uint64_t deadline = timeout_ns == UINT64_MAX ? WAIT_FOREVER : time_now() + timeout_ns;
	return loop_await_until(&net_if.up, deadline, NULL);
}

/* --- counters ----------------------------------------------------------------- */

static intptr_t copy_stats(void *arg)
{
	struct net_stats *s = arg;
	struct net_if *nif = &net_if;
	*s = nif->counts;
	s->ip = lwip_ntohl(netif_ip4_addr(&nif->netif)->addr);
	s->netmask = lwip_ntohl(netif_ip4_netmask(&nif->netif)->addr);
	s->gateway = lwip_ntohl(netif_ip4_gw(&nif->netif)->addr);
	s->link_up = nif->dev->link_up;
	const struct netdev_stats *d = &nif->dev->stats;
	s->dev_rx_dropped = d->rx_dropped;
	s->dev_rx_errors = d->rx_errors;
	s->dev_tx_full = d->tx_full;
	s->dev_tx_errors = d->tx_errors;
	s->dev_irqs = d->irqs;
	s->link_drop = lwip_stats.link.drop;
	s->etharp_drop = lwip_stats.etharp.drop;
	s->ip_drop = lwip_stats.ip.drop;
	s->ip_chkerr = lwip_stats.ip.chkerr;
	s->ip_lenerr = lwip_stats.ip.lenerr;
	s->ip_proterr = lwip_stats.ip.proterr;
	s->ip_opterr = lwip_stats.ip.opterr;
	s->ip_err = lwip_stats.ip.err;
	s->icmp_rx = lwip_stats.icmp.recv;
	s->icmp_drop = lwip_stats.icmp.drop;
	s->udp_rx = lwip_stats.udp.recv;
	s->udp_tx = lwip_stats.udp.xmit;
	s->udp_drop = lwip_stats.udp.drop;
	s->udp_chkerr = lwip_stats.udp.chkerr;
	s->udp_lenerr = lwip_stats.udp.lenerr;
	s->udp_proterr = lwip_stats.udp.proterr;
	s->tcp_rx = lwip_stats.tcp.recv;
	s->tcp_tx = lwip_stats.tcp.xmit;
	s->tcp_drop = lwip_stats.tcp.drop;
	s->tcp_chkerr = lwip_stats.tcp.chkerr;
	s->tcp_lenerr = lwip_stats.tcp.lenerr;
	s->tcp_proterr = lwip_stats.tcp.proterr;
	s->mem_err = lwip_stats.mem.err;
	for (int i = 0; i < MEMP_MAX; i++)
		s->mem_err += lwip_stats.memp[i]->err;
	s->sock_udp_rx_dropped = net_sock_udp_rx_dropped;
	s->sock_accept_dropped = net_sock_accept_dropped;
	unsigned n = 0;
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		n++;
	s->tcp_active = n;
	uint64_t now = time_now();
	s->busy_ns = 0;
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct thread_cpu_stats st;
		thread_cpu_stats(cpu_get(i), &st);
		s->busy_ns += now - st.idle_ns;
	}
	return 0;
}

int net_get_stats(struct net_stats *out)
{
	return (int)net_in_loop(copy_stats, out);
}

void net_dump(void)
{
	struct net_stats s;
	if (net_get_stats(&s)) {
		kprintf("net: not started\n");
		return;
	}
	char a[16];
	kprintf("net: %s %s, link %s, address %s, %u tcp connections\n", net_if.dev->name,
		netif_is_up(&net_if.netif) ? "up" : "down", s.link_up ? "up" : "down",
		net_ip_str(s.ip, a), s.tcp_active);
	kprintf("  frames rx %llu (%llu B) tx %llu (%llu B); dropped rx no-buffer %llu, tx ring-full %llu\n",
		(unsigned long long)s.rx_frames, (unsigned long long)s.rx_bytes,
		(unsigned long long)s.tx_frames, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_nobuf, (unsigned long long)s.tx_dropped);
	kprintf("  device: irqs %llu, rx dropped %llu, rx errors %llu, tx full %llu, tx errors %llu\n",
		(unsigned long long)s.dev_irqs, (unsigned long long)s.dev_rx_dropped,
		(unsigned long long)s.dev_rx_errors, (unsigned long long)s.dev_tx_full,
		(unsigned long long)s.dev_tx_errors);
	kprintf("  ip drop %llu (checksum %llu, length %llu, protocol %llu, options %llu)\n",
		(unsigned long long)s.ip_drop, (unsigned long long)s.ip_chkerr,
		(unsigned long long)s.ip_lenerr, (unsigned long long)s.ip_proterr,
		(unsigned long long)s.ip_opterr);
	kprintf("  udp rx %llu tx %llu drop %llu (checksum %llu, length %llu, no socket %llu, socket queue full %llu)\n",
		(unsigned long long)s.udp_rx, (unsigned long long)s.udp_tx,
		(unsigned long long)s.udp_drop, (unsigned long long)s.udp_chkerr,
		(unsigned long long)s.udp_lenerr, (unsigned long long)s.udp_proterr,
		(unsigned long long)s.sock_udp_rx_dropped);
	kprintf("  tcp rx %llu tx %llu drop %llu (checksum %llu, length %llu, protocol %llu), refused on full backlog %llu\n",
		(unsigned long long)s.tcp_rx, (unsigned long long)s.tcp_tx,
		(unsigned long long)s.tcp_drop, (unsigned long long)s.tcp_chkerr,
		(unsigned long long)s.tcp_lenerr, (unsigned long long)s.tcp_proterr,
		(unsigned long long)s.sock_accept_dropped);
	kprintf("  icmp rx %llu drop %llu; link drop %llu, arp drop %llu; lwip memory errors %llu\n",
		(unsigned long long)s.icmp_rx, (unsigned long long)s.icmp_drop,
		(unsigned long long)s.link_drop, (unsigned long long)s.etharp_drop,
		(unsigned long long)s.mem_err);
}
