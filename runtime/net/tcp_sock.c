/*
 * TCP sockets over lwIP's raw API (see net/sock.h). lwIP's callbacks run
 * in loop context and only queue data or connections and wake the caller
 * waiting in the socket's reader or writer slot; the calls' steps do the
 * rest. Received data stays in lwIP's pbufs until read (no copy before the
 * one into the caller's buffer), and the window opens as it is read.
 */
#include "sock_internal.h"
#include <errno.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <stdlib.h>

#define ACCEPT_BACKLOG_MAX 256

/* --- lwIP's callbacks ---------------------------------------------------------- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *s = arg;
	if (!p) {
		s->rx_eof = true;	/* the peer shut down its side */
	} else if (s->rx_shut) {
		tcp_recved(pcb, p->tot_len);	/* we said we would not read: discard */
		pbuf_free(p);
	} else if (s->rx) {
		pbuf_cat(s->rx, p);
	} else {
		s->rx = p;
	}
	sock_wake(&s->reader);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct sock *s = arg;
	sock_wake(&s->writer);
	return ERR_OK;
}

/* lwIP has freed the pcb (reset, abort, or a fatal error). */
static void on_err(void *arg, err_t err)
{
	struct sock *s = arg;
	s->tcp = NULL;
	s->error = err == ERR_RST && !s->connected ? -ECONNREFUSED : net_errno(err);
	if (!s->error)
		s->error = -ECONNABORTED;
	sock_wake(&s->reader);
	sock_wake(&s->writer);
}

/* lwIP's TCP timer, every half second per connection: a sender that
 * waits because the stack's shared memory ran out (tcp_write said ERR_MEM)
 * may have nothing in flight to be acknowledged, so no on_sent would ever
 * wake it. Try again. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct sock *s = arg;
	if (s)
		sock_wake(&s->writer);
	return ERR_OK;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;
	s->connected = true;
	sock_wake(&s->writer);
	return ERR_OK;
}

static void attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, on_recv);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_err);
	tcp_poll(pcb, on_poll, 1);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *ls = arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct sock *s = ls->ring_count < ls->ring_cap ? sock_alloc(SOCK_TYPE_TCP, 0) : NULL;
	int slot = s ? sock_ring_in(ls) : -1;
	if (slot < 0) {
		net_sock_accept_dropped++;	/* backlog full or no memory: refuse */
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	s->connected = true;
	attach(s, pcb);
	ls->ring[slot] = s;
	sock_wake(&ls->reader);
	return ERR_OK;
}

/* --- listen, accept, connect -------------------------------------------------- */

static intptr_t listen_step(void *arg)
{
	struct sock_op *op = arg;
	unsigned backlog = (unsigned)op->len;
	struct sock *s = sock_alloc(SOCK_TYPE_TCP_LISTEN, backlog);
	struct tcp_pcb *pcb = s ? tcp_new() : NULL;
	if (!pcb) {
		if (s)
			sock_free(s);
		return -ENOMEM;
	}
	err_t err = tcp_bind(pcb, IP4_ADDR_ANY, op->addr->port);
	struct tcp_pcb *lpcb = err == ERR_OK ? tcp_listen_with_backlog(pcb, 255) : NULL;
	if (!lpcb) {
		tcp_close(pcb);
		sock_free(s);
		return err == ERR_OK ? -ENOMEM : net_errno(err);
	}
	s->tcp = lpcb;
	tcp_arg(lpcb, s);
	tcp_accept(lpcb, on_accept);
	*op->out = s;
	return 0;
}

int sock_tcp_listen(struct sock **out, uint16_t port, unsigned backlog)
{
	if (!out || backlog == 0 || backlog > ACCEPT_BACKLOG_MAX)
		return -EINVAL;
	struct sock_addr a = { .port = port };
	struct sock_op op = { .addr = &a, .out = out, .len = backlog };
	return (int)net_in_loop(listen_step, &op);
}

static void peer_of(struct tcp_pcb *pcb, struct sock_addr *out)
{
	out->ip = lwip_ntohl(ip4_addr_get_u32(&pcb->remote_ip));
	out->port = pcb->remote_port;
}

static intptr_t accept_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *ls = op->s;
	for (;;) {
		int slot = sock_ring_out(ls);
		if (slot < 0)
			return ls->error ? ls->error : sock_arm(op, &ls->reader);
		struct sock *s = ls->ring[slot];
		if (!s->tcp) {		/* reset before it was accepted */
			sock_free(s);
			continue;
		}
		if (op->addr)
			peer_of(s->tcp, op->addr);
		*op->out = s;
		return 0;
	}
}

int sock_accept(struct sock *ls, struct sock **out, struct sock_addr *peer, uint64_t timeout_ns)
{
	if (!ls || !out || ls->type != SOCK_TYPE_TCP_LISTEN)
		return -EINVAL;
	struct sock_op op = { .s = ls, .out = out, .addr = peer };
	return (int)sock_call(&op, accept_step, timeout_ns);
}

static intptr_t connect_start(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = sock_alloc(SOCK_TYPE_TCP, 0);
	struct tcp_pcb *pcb = s ? tcp_new() : NULL;
	if (!pcb) {
		if (s)
			sock_free(s);
		return -ENOMEM;
	}
	attach(s, pcb);
	ip4_addr_t ip;
	ip4_addr_set_u32(&ip, lwip_htonl(op->addr->ip));
	err_t err = tcp_connect(pcb, &ip, op->addr->port, on_connected);
	if (err != ERR_OK) {
		tcp_arg(pcb, NULL);
		tcp_abort(pcb);
		sock_free(s);
		return net_errno(err);
	}
	op->s = s;
	return 0;
}

static intptr_t connect_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = op->s;
	if (s->error)
		return s->error;
	return s->connected ? 0 : sock_arm(op, &s->writer);
}

int sock_tcp_connect(struct sock **out, const struct sock_addr *to, uint64_t timeout_ns)
{
	if (!out || !to || !to->port)
		return -EINVAL;
	struct sock_addr a = *to;
	struct sock_op op = { .addr = &a };
	int err = (int)net_in_loop(connect_start, &op);
	if (err)
		return err;
	err = (int)sock_call(&op, connect_step, timeout_ns);
	if (err) {
		sock_close(op.s);	/* aborts the attempt */
		return err;
	}
	*out = op.s;
	return 0;
}

/* --- data ------------------------------------------------------------------------ */

static intptr_t recv_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = op->s;
	if (s->rx) {
		size_t n = pbuf_copy_partial(s->rx, op->buf, (u16_t)(op->len > 0xffff ? 0xffff : op->len), 0);
		s->rx = pbuf_free_header(s->rx, (u16_t)n);
		if (s->tcp)
			tcp_recved(s->tcp, (u16_t)n);
		return (intptr_t)n;
	}
	if (s->rx_eof || s->rx_shut)
		return 0;
	if (s->error)
		return s->error;
	if (!s->tcp)
		return -ENOTCONN;
	return sock_arm(op, &s->reader);
}

ssize_t sock_recv(struct sock *s, void *buf, size_t len, uint64_t timeout_ns)
{
	if (!s || s->type != SOCK_TYPE_TCP || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	struct sock_op op = { .s = s, .buf = buf, .len = len };
	return sock_call(&op, recv_step, timeout_ns);
}

static intptr_t send_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = op->s;
	if (s->error)
		return s->error;
	if (s->tx_shut)
		return -EPIPE;
	if (!s->tcp)
		return -ENOTCONN;
	size_t room = tcp_sndbuf(s->tcp);
	if (room == 0 || tcp_sndqueuelen(s->tcp) >= TCP_SND_QUEUELEN - 1)
		return sock_arm(op, &s->writer);
	size_t n = op->len < room ? op->len : room;
	if (n > 0xffff)
		n = 0xffff;
	err_t err = tcp_write(s->tcp, op->buf, (u16_t)n, TCP_WRITE_FLAG_COPY);
	if (err == ERR_MEM)
		return sock_arm(op, &s->writer);	/* segments run out: wait for acks */
	if (err != ERR_OK)
		return net_errno(err);
	tcp_output(s->tcp);
	return (intptr_t)n;
}

ssize_t sock_send(struct sock *s, const void *buf, size_t len, uint64_t timeout_ns)
{
	if (!s || s->type != SOCK_TYPE_TCP || (!buf && len))
		return -EINVAL;
	if (!len)
		return 0;
	struct sock_op op = { .s = s, .buf = (void *)buf, .len = len };
	return sock_call(&op, send_step, timeout_ns);
}

ssize_t sock_send_all(struct sock *s, const void *buf, size_t len, uint64_t timeout_ns)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = sock_send(s, (const char *)buf + done, len - done, timeout_ns);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	return (ssize_t)len;
}

static intptr_t shutdown_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = op->s;
	bool rx = op->how != 1, tx = op->how != 0;
	if (!s->tcp)
		return s->error ? s->error : -ENOTCONN;
	if (rx)
		s->rx_shut = true;
	if (tx)
		s->tx_shut = true;
	/* lwIP's shutdown of both halves closes the pcb: keep it for close. */
	err_t err = tx ? tcp_shutdown(s->tcp, 0, 1) : ERR_OK;
	sock_wake(&s->reader);
	sock_wake(&s->writer);
	return net_errno(err);
}

int sock_shutdown(struct sock *s, int how)
{
	if (!s || s->type != SOCK_TYPE_TCP || how < 0 || how > 2)
		return -EINVAL;
	struct sock_op op = { .s = s, .how = how };
	return (int)net_in_loop(shutdown_step, &op);
}

/* --- close, addresses ------------------------------------------------------------ */

static void detach_close(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);	/* the only callback a listener has */
	} else {
		tcp_recv(pcb, NULL);	/* lwIP's default discards (and acks) what still comes */
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
		tcp_poll(pcb, NULL, 0);
	}
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);	/* no memory for the FIN: reset instead */
}

void sock_tcp_close_locked(struct sock *s)
{
	if (s->type == SOCK_TYPE_TCP_LISTEN) {
		int slot;
		while ((slot = sock_ring_out(s)) >= 0)
			sock_tcp_close_locked(s->ring[slot]);	/* accepted, never taken */
	}
	if (s->rx) {
		if (s->tcp)
			tcp_recved(s->tcp, s->rx->tot_len);
		pbuf_free(s->rx);
	}
	if (s->tcp)
		detach_close(s->tcp);
	sock_free(s);
}

static intptr_t addr_step(void *arg)
{
	struct sock_op *op = arg;
	struct sock *s = op->s;
	if (s->type == SOCK_TYPE_UDP) {
		if (op->how) {
			op->addr->ip = lwip_ntohl(ip4_addr_get_u32(&s->udp->remote_ip));
			op->addr->port = s->udp->remote_port;
		} else {
			op->addr->ip = lwip_ntohl(ip4_addr_get_u32(&s->udp->local_ip));
			op->addr->port = s->udp->local_port;
		}
		return 0;
	}
	if (!s->tcp)
		return s->error ? s->error : -ENOTCONN;
	if (op->how) {
		peer_of(s->tcp, op->addr);
	} else {
		op->addr->ip = lwip_ntohl(ip4_addr_get_u32(&s->tcp->local_ip));
		op->addr->port = s->tcp->local_port;
	}
	return 0;
}

int sock_local(struct sock *s, struct sock_addr *out)
{
	if (!s || !out)
		return -EINVAL;
	struct sock_op op = { .s = s, .addr = out, .how = 0 };
	return (int)net_in_loop(addr_step, &op);
}

int sock_peer(struct sock *s, struct sock_addr *out)
{
	if (!s || !out)
		return -EINVAL;
	struct sock_op op = { .s = s, .addr = out, .how = 1 };
	return (int)net_in_loop(addr_step, &op);
}
