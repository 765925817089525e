/*
 * Sockets that suspend: TCP and UDP over the loop-owned lwIP stack.
 *
 * From a task of the network loop (net_loop()) each call runs directly and
 * suspends the task until it can go on. From any other thread or
 * coroutine the same call is marshalled onto the loop
 * (loop_call_soon_threadsafe) and the caller blocks or suspends meanwhile.
 * Either way nothing polls: lwIP's callbacks resolve the future the caller
 * waits on.
 *
 * Every blocking call takes a timeout (ns; SOCK_FOREVER for none) and
 * returns a negative errno on failure: -ETIMEDOUT, -ECANCELED (the calling
 * task was cancelled), -ECONNRESET, -ECONNREFUSED, -ECONNABORTED,
 * -ENOTCONN, -EPIPE (send after shutdown), -EADDRINUSE, -ENOMEM, -EINVAL,
 * -EBUSY (another caller already waits on the same direction of this
 * socket: one reader and one writer at a time).
 *
 * Data a timeout or a cancel interrupts is never lost: a readiness wait
 * ends, the bytes stay queued for the next call.
 *
 * Calls on one socket from several contexts at once: one receiver and one
 * sender may run concurrently; close refuses while either waits.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SOCK_FOREVER UINT64_MAX

struct sock;

struct sock_addr {
	uint32_t ip;		/* host byte order (NET_IP()); 0: any */
	uint16_t port;
};

/* --- TCP ------------------------------------------------------------------ */

/* Listen on port (any address) with room for backlog connections not yet
 * accepted (more are refused and counted). 0 and *out, -EADDRINUSE,
 * -ENOMEM, -EINVAL. */
int sock_tcp_listen(struct sock **out, uint16_t port, unsigned backlog);
/* Wait for a connection. 0 and *out (peer in *peer if not NULL). */
int sock_accept(struct sock *ls, struct sock **out, struct sock_addr *peer, uint64_t timeout_ns);
/* Connect to to. 0 and *out, -ECONNREFUSED, -ETIMEDOUT, ... */
int sock_tcp_connect(struct sock **out, const struct sock_addr *to, uint64_t timeout_ns);

/* Receive up to len bytes: how many (> 0), 0 at end of stream (the peer
 * shut down its side), or -errno. Waits only while nothing is queued. */
ssize_t sock_recv(struct sock *s, void *buf, size_t len, uint64_t timeout_ns);
/* Queue up to len bytes for sending (copied): how many (> 0; fewer than
 * len when the send buffer is short), or -errno. Waits only while the
 * send buffer is full. */
ssize_t sock_send(struct sock *s, const void *buf, size_t len, uint64_t timeout_ns);
/* sock_send until all len bytes are queued; len, or -errno (some bytes
 * may have been sent: the connection is then unusable). */
ssize_t sock_send_all(struct sock *s, const void *buf, size_t len, uint64_t timeout_ns);
/* Shut down receiving, sending or both (SHUT_RD/WR/RDWR values 0/1/2). */
int sock_shutdown(struct sock *s, int how);

/* --- UDP ------------------------------------------------------------------ */

/* A UDP socket bound to port (0: an ephemeral one). Up to queue_len
 * datagrams wait to be read (0: 64); more are dropped and counted. */
int sock_udp_bind(struct sock **out, uint16_t port, unsigned queue_len);
/* One datagram into buf: its full length (larger than len when it was
 * cut to fit: the rest is discarded, never silently), sender in *from. */
ssize_t sock_recvfrom(struct sock *s, void *buf, size_t len, struct sock_addr *from,
		      uint64_t timeout_ns);
/* Send one datagram of len bytes (at most 65507): len, -EMSGSIZE,
 * -ENOMEM (no buffer now: counted), -EHOSTUNREACH. Never waits. */
ssize_t sock_sendto(struct sock *s, const void *buf, size_t len, const struct sock_addr *to);

/* --- both ----------------------------------------------------------------- */

/* Close and free s. TCP: an orderly close (FIN); data already queued is
 * still sent, data received and not read is discarded (and the peer
 * reset, as POSIX close does). Never waits. 0, or -EBUSY (nothing done)
 * while another call waits on s. */
int sock_close(struct sock *s);
/* The local / remote address. */
int sock_local(struct sock *s, struct sock_addr *out);
int sock_peer(struct sock *s, struct sock_addr *out);
/* Task, coroutine or thread: how many sockets are open (for the status page). */
unsigned sock_count(void);
