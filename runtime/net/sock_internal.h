/*
 * The socket layer's shared parts: the socket record and how a blocking
 * call waits (sock_wait.c). A socket is touched in loop context only; a
 * caller elsewhere reaches it through net_in_loop().
 */
#pragma once

#include "net_internal.h"
#include <net/sock.h>

struct tcp_pcb;
struct udp_pcb;
struct pbuf;

enum sock_type { SOCK_TYPE_TCP, SOCK_TYPE_TCP_LISTEN, SOCK_TYPE_UDP };

struct sock_dgram {
	struct pbuf *p;
	uint32_t ip;
	uint16_t port;
};

struct sock {
	enum sock_type type;
	struct tcp_pcb *tcp;		/* NULL once lwIP has freed it (error) */
	struct udp_pcb *udp;
	struct loop_future *reader;	/* the caller waiting to receive/accept */
	struct loop_future *writer;	/* the caller waiting to send/connect */
	int error;			/* sticky, from lwIP's error callback */
	bool rx_eof, rx_shut, tx_shut, connected;
	struct pbuf *rx;		/* TCP: data not yet read */
	/* Accepted connections (listening: ring) or datagrams (UDP: dgrams). */
	void **ring;
	struct sock_dgram *dgrams;
	unsigned ring_head, ring_count, ring_cap;
};

/* A blocking call in progress: the caller's memory. */
struct sock_op {
	struct sock *s;
	struct loop_future fut;		/* settled when it is worth trying again */
	struct loop_future **slot;	/* &s->reader or &s->writer while armed */
	void *buf;
	size_t len;
	struct sock_addr *addr;
	struct sock **out;
	int how;
};

typedef intptr_t sock_step_fn(void *op);

/* Loop context, from a step: wait in *slot (&s->reader or &s->writer) for
 * the next event. -EAGAIN (the step's return value), or -EBUSY when
 * another caller already waits there. */
intptr_t sock_arm(struct sock_op *op, struct loop_future **slot);
/* Loop context, from lwIP's callbacks: the caller waiting in *slot goes on. */
void sock_wake(struct loop_future **slot);
/* Any caller: run step in loop context until it returns something other
 * than -EAGAIN, waiting in between, up to timeout_ns. */
intptr_t sock_call(struct sock_op *op, sock_step_fn *step, uint64_t timeout_ns);

/* Loop context: a socket record, counted in sock_count(), with room for
 * ring_cap queued connections (listening) or datagrams (UDP). */
struct sock *sock_alloc(enum sock_type type, unsigned ring_cap);
void sock_free(struct sock *s);
/* Loop context: the ring's next free slot (taken), or -1 when full; its
 * oldest slot (given back), or -1 when empty. The slot indexes ring[]
 * (listening) or dgrams[] (UDP). */
int sock_ring_in(struct sock *s);
int sock_ring_out(struct sock *s);

/* Loop context: close one kind of socket (tcp_sock.c / udp_sock.c). */
void sock_tcp_close_locked(struct sock *s);
void sock_udp_close_locked(struct sock *s);
