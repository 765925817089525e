/*
 * UDP sockets over lwIP's raw API (see net/sock.h). Arriving datagrams
 * wait in a bounded ring of lwIP's own pbufs (not copied until read); a
 * datagram that finds the ring full is dropped and counted
 * (net_stats.sock_udp_rx_dropped), never queued without bound.
 */
#include "sock_internal.h"
#include <errno.h>
#include <lwip/udp.h>

#define UDP_QUEUE_DEFAULT 64
#define UDP_QUEUE_MAX 4096
#define UDP_PAYLOAD_MAX 65507	/* 65535 - IP header (20) - UDP header (8) */

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
		    u16_t port)
{
	struct sock *s = arg;
	int slot = sock_ring_in(s);
	if (slot < 0) {
		pbuf_free(p);
		net_sock_udp_rx_dropped++;
		return;
	}
	s->dgrams[slot] =
		(struct sock_dgram){ .p = p, .ip = lwip_ntohl(ip4_addr_get_u32(addr)), .port = port };
	sock_wake(&s->reader);
}

static intptr_t bind_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = sock_alloc(SOCK_TYPE_UDP, (unsigned)op->len);
	struct udp_pcb *pcb = s ? udp_new() : NULL;
	if (!pcb) {
		if (s)
			sock_free(s);
		return -ENOMEM;
	}
	err_t err = udp_bind(pcb, IP4_ADDR_ANY, op->addr->port);
	if (err != ERR_OK) {
		udp_remove(pcb);
		sock_free(s);
		return net_errno(err);
	}
	s->udp = pcb;
	udp_recv(pcb, on_recv, s);
	*op->out = s;
	return 0;
}

int sock_udp_bind(struct sock **out, uint16_t port, unsigned queue_len)
{
	if (!out || queue_len > UDP_QUEUE_MAX)
		return -EINVAL;
	struct sock_addr a = { .port = port };
	struct sock_op op = { .addr = &a, .out = out, .len = queue_len ? queue_len : UDP_QUEUE_DEFAULT };
	return (int)net_in_loop(bind_step, &op);
}

/* The oldest queued datagram, taken off the ring (valid until the next
 * arrival can reuse its slot: copy out before returning to lwIP). */
static struct sock_dgram *pop_dgram(struct sock *s)
{
	int slot = sock_ring_out(s);
	return slot < 0 ? NULL : &s->dgrams[slot];
}

static intptr_t recvfrom_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock_dgram *d = pop_dgram(op->s);
	if (!d)
		return sock_arm(op, &op->s->reader);
	size_t n = d->p->tot_len;
	pbuf_copy_partial(d->p, op->buf, (u16_t)(op->len < n ? op->len : n), 0);
	if (op->addr)
		*op->addr = (struct sock_addr){ .ip = d->ip, .port = d->port };
	pbuf_free(d->p);
	return (intptr_t)n;
}

ssize_t sock_recvfrom(struct sock *s, void *buf, size_t len, struct sock_addr *from,
		      uint64_t timeout_ns)
{
	if (!s || s->type != SOCK_TYPE_UDP || (!buf && len))
		return -EINVAL;
	struct sock_op op = { .s = s, .buf = buf, .len = len, .addr = from };
	return sock_call(&op, recvfrom_step, timeout_ns);
}

static intptr_t sendto_step(void *arg)
{
	struct sock_op *op = arg;
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)op->len, PBUF_RAM);
	if (!p)
		return -ENOMEM;
	pbuf_take(p, op->buf, (u16_t)op->len);
	ip4_addr_t ip;
	ip4_addr_set_u32(&ip, lwip_htonl(op->addr->ip));
	err_t err = udp_sendto(op->s->udp, p, &ip, op->addr->port);
	pbuf_free(p);
	return err == ERR_OK ? (intptr_t)op->len : net_errno(err);
}

ssize_t sock_sendto(struct sock *s, const void *buf, size_t len, const struct sock_addr *to)
{
	if (!s || s->type != SOCK_TYPE_UDP || !to || !to->port || (!buf && len))
		return -EINVAL;
	if (len > UDP_PAYLOAD_MAX)
		return -EMSGSIZE;
	struct sock_addr a = *to;
	struct sock_op op = { .s = s, .buf = (void *)buf, .len = len, .addr = &a };
	return net_in_loop(sendto_step, &op);
}

void sock_udp_close_locked(struct sock *s)
{
	struct sock_dgram *d;
	while ((d = pop_dgram(s)))
		pbuf_free(d->p);
	udp_remove(s->udp);
	sock_free(s);
}
