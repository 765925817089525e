/*
 * echo: UDP and TCP echo on port 7 (RFC 862), one task per TCP connection,
 * the same UDP echo on port 8 from a kernel thread (the sockets used from
 * outside the loop),
 * and a test port on TCP 9 taking one command line per connection:
 *   counters     the stack's counters as `name value` lines (the host-side
 *                tests read them to explain any drop);
 *   stall <ms>   hold the loop busy that long (at most 2000 ms), as a slow
 *                callback would: frames pile up in the RX ring meanwhile.
 *
 *   make run APP=echo NET_FWD=hostfwd=udp:127.0.0.1:7007-:7,hostfwd=tcp:127.0.0.1:7007-:7
 *
 * Runs until powered off (with `quit=on`, a UDP datagram "quit" to port 7
 * powers off: how make bench-compare's load generator ends a run). The HTTP server runs the same servers beside
 * its own with `echo=on` (echo_serve()).
 */
#include "echo.h"
#include <errno.h>
#include <kernel/app.h>
#include <kernel/board.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <loop/task.h>
#include <net/net.h>
#include <net/sock.h>
#include <stdio.h>
#include <string.h>

#define ECHO_PORT 7
#define COUNTERS_PORT 9
#define ECHO_THREAD_PORT 8
#define UDP_MAX 65507

static uint64_t udp_truncated;	/* datagrams larger than our buffer (none from a 1500 MTU) */
static bool quit_on;		/* `quit=on`: a UDP "quit" powers off (make bench-compare) */

/* Bind port and echo every datagram until the socket fails; returns the
 * error. The same code serves from a task and from a thread: from the
 * thread each socket call is marshalled onto the loop. buf holds the
 * largest datagram. */
static int serve_udp_echo(uint16_t port, unsigned queue_len, char *buf)
{
	struct sock *s;
	int err = sock_udp_bind(&s, port, queue_len);
	if (err)
		return err;
	for (;;) {
		struct sock_addr from;
		ssize_t n = sock_recvfrom(s, buf, UDP_MAX, &from, SOCK_FOREVER);
		if (n < 0)
			return (int)n;
		if (n > UDP_MAX) {
			udp_truncated++;
			continue;
		}
		if (quit_on && n == 4 && memcmp(buf, "quit", 4) == 0)
			board_poweroff(0);	/* the load generator is done */
		sock_sendto(s, buf, (size_t)n, &from);	/* -ENOMEM is counted by the stack */
	}
}

static intptr_t udp_echo(void *arg)
{
	static char buf[UDP_MAX];
	return serve_udp_echo(ECHO_PORT, 512, buf);
}

/* The same UDP echo on port 8, from a kernel thread outside the loop. */
static void *udp_echo_thread(void *arg)
{
	static char buf[UDP_MAX];
	serve_udp_echo(ECHO_THREAD_PORT, 128, buf);
	return NULL;
}

static intptr_t tcp_echo_conn(void *arg)
{
	struct sock *c = arg;
	char buf[4096];
	ssize_t n;
	while ((n = sock_recv(c, buf, sizeof buf, SOCK_FOREVER)) > 0)
		if (sock_send_all(c, buf, (size_t)n, SOCK_FOREVER) < 0)
			break;
	sock_close(c);
	return 0;
}

/* Accept forever on ls, one detached task per connection running serve. */
static intptr_t accept_loop(struct sock *ls, loop_task_fn *serve, const char *name)
{
	for (;;) {
		struct sock *c;
		int err = sock_accept(ls, &c, NULL, SOCK_FOREVER);
		if (err)
			return err;
		struct loop_task_attr attr = { .name = name, .detached = true };
		if (loop_task_spawn(NULL, loop_current(), &attr, serve, c)) {
			kprintf("echo: no memory for a connection task; closing it\n");
			sock_close(c);
		}
	}
}

static intptr_t tcp_echo(void *arg)
{
	struct sock *ls;
	int err = sock_tcp_listen(&ls, ECHO_PORT, 128);
	return err ? err : accept_loop(ls, tcp_echo_conn, "echo-conn");
}

static void stall(unsigned ms)
{
	uint64_t until = time_now() + (uint64_t)ms * NS_PER_MS;
	while (time_now() < until)
		;	/* on purpose: the loop runs nothing else meanwhile */
}

static intptr_t counters_conn(void *arg)
{
	struct sock *c = arg;
	struct net_stats s;
	char text[1024];
	ssize_t got = sock_recv(c, text, sizeof text - 1, 5 * NS_PER_SEC);
	text[got > 0 ? got : 0] = '\0';
	unsigned ms;
	if (sscanf(text, "stall %u", &ms) == 1 && ms <= 2000) {
		stall(ms);
		sock_send_all(c, "stalled\n", 8, 5 * NS_PER_SEC);
	} else if (strncmp(text, "counters", 8) != 0) {
		sock_send_all(c, "error: counters | stall <ms up to 2000>\n", 40, 5 * NS_PER_SEC);
	} else if (net_get_stats(&s) == 0) {
		int n = snprintf(text, sizeof text,
			"rx_frames %llu\ntx_frames %llu\nrx_nobuf %llu\ntx_dropped %llu\n"
			"dev_rx_dropped %llu\ndev_rx_errors %llu\ndev_tx_full %llu\n"
			"ip_drop %llu\nip_chkerr %llu\nip_lenerr %llu\n"
			"udp_rx %llu\nudp_tx %llu\nudp_drop %llu\nudp_chkerr %llu\nudp_lenerr %llu\n"
			"tcp_drop %llu\ntcp_chkerr %llu\nlink_drop %llu\nmem_err %llu\n"
			"sock_udp_rx_dropped %llu\nsock_accept_dropped %llu\nudp_truncated %llu\n"
			"irq_to_tx_ns %llu\nirq_to_tx_count %llu\nbusy_ns %llu\n",
			(unsigned long long)s.rx_frames, (unsigned long long)s.tx_frames,
			(unsigned long long)s.rx_nobuf, (unsigned long long)s.tx_dropped,
			(unsigned long long)s.dev_rx_dropped, (unsigned long long)s.dev_rx_errors,
			(unsigned long long)s.dev_tx_full, (unsigned long long)s.ip_drop,
			(unsigned long long)s.ip_chkerr, (unsigned long long)s.ip_lenerr,
			(unsigned long long)s.udp_rx, (unsigned long long)s.udp_tx,
			(unsigned long long)s.udp_drop, (unsigned long long)s.udp_chkerr,
			(unsigned long long)s.udp_lenerr, (unsigned long long)s.tcp_drop,
			(unsigned long long)s.tcp_chkerr, (unsigned long long)s.link_drop,
			(unsigned long long)s.mem_err, (unsigned long long)s.sock_udp_rx_dropped,
			(unsigned long long)s.sock_accept_dropped, (unsigned long long)udp_truncated,
			(unsigned long long)s.irq_to_tx_ns, (unsigned long long)s.irq_to_tx_count,
			(unsigned long long)s.busy_ns);
		sock_send_all(c, text, (size_t)n, 5 * NS_PER_SEC);
	}
	sock_close(c);
	return 0;
}

static intptr_t counters(void *arg)
{
	struct sock *ls;
	int err = sock_tcp_listen(&ls, COUNTERS_PORT, 8);
	return err ? err : accept_loop(ls, counters_conn, "counters");
}

int echo_serve(struct loop_future *done[ECHO_SERVERS])
{
	char v[4];
	quit_on = cmdline_get("quit", v, sizeof v) && strcmp(v, "on") == 0;
	static loop_task_fn *const servers[ECHO_SERVERS] = { udp_echo, tcp_echo, counters };
	static const char *const names[ECHO_SERVERS] = { "udp-echo", "tcp-echo", "counters" };
	for (int i = 0; i < ECHO_SERVERS; i++) {
		struct loop_task *t;
		struct loop_task_attr attr = { .name = names[i] };
		int err = loop_task_spawn(&t, loop_current(), &attr, servers[i], NULL);
		if (err)
			return err;
		done[i] = loop_task_future(t);
	}
	struct thread *t;
	struct thread_attr tattr = { .name = "udp-echo-thread" };
	int terr = thread_create(&t, &tattr, udp_echo_thread, NULL);
	if (terr)
		return terr;
	thread_detach(t);
	char ip[16];
	kprintf("echo: serving UDP and TCP echo on port %d (tasks), UDP echo on port %d (a thread), "
		"test port (counters, stall) on TCP %d, at %s\n", ECHO_PORT, ECHO_THREAD_PORT,
		COUNTERS_PORT, net_ip_str(net_address(), ip));
	return 0;
}

static intptr_t echo_task(void *arg)
{
	int err = net_wait_up(30 * 1000000000ull);
	if (err) {
		kprintf("echo: no address (%d)\n", err);
		return err;
	}
	struct loop_future *done[ECHO_SERVERS];
	if ((err = echo_serve(done)))
		return err;
	/* The servers run until one fails: report which and why. */
	err = loop_gather(done, ECHO_SERVERS, LOOP_GATHER_FIRST_ERROR, NULL);
	kprintf("echo: a server stopped (%d)\n", err);
	return err;
}

static int echo_main(void)
{
	return net_run("echo", echo_task, NULL);
}
APP("echo", echo_main, "UDP and TCP echo on port 7 (counters on TCP 9)");
