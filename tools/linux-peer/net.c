/*
 * The Linux peer's network servers on the virtio-net device, the way a
 * Linux user writes them: one epoll loop with a UDP echo socket on port 7
 * and a non-blocking TCP HTTP/1.1 responder on port 80 (keep-alive; a
 * fixed small body). The host drives them through QEMU user networking's
 * forwards (tools/netload.py). The kernel's virtio-net driver is a module
 * in Debian's kernel: /modules.order in the initramfs lists it and what it
 * needs (tools/bench_linux.py writes it), and they are loaded first.
 */
#define _GNU_SOURCE
#include "peer.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256
#define REQ_MAX 2048

static const char http_reply[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n";

/* Every module named in /modules.order, in order; one already built in or
 * loaded is no error. */
static int load_modules(void)
{
	FILE *f = fopen("/modules.order", "r");
	if (!f) {
		printf("peer: no /modules.order in the initramfs\n");
		return -1;
	}
	char path[256];
	int err = 0;
	while (fgets(path, sizeof path, f)) {
		path[strcspn(path, "\n")] = 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
			printf("peer: loading %s: %s\n", path, strerror(errno));
			err = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	return err;
}

static int if_set(int s, const char *name, unsigned long req, const char *addr)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(s, req, &ifr);
}

static int if_up(int s, const char *name)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* lo and eth0 up, eth0 at QEMU user networking's guest address; waits
 * up to 10 s (guest time) for the driver to register eth0. */
static int configure(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -1;
	if_up(s, "lo");
	for (int i = 0; i < 1000 && !if_nametoindex("eth0"); i++) {
		struct timespec t = { 0, 10000000 };
		nanosleep(&t, NULL);
	}
	int err = if_set(s, "eth0", SIOCSIFADDR, "10.0.2.15") ||
		  if_set(s, "eth0", SIOCSIFNETMASK, "255.255.255.0") || if_up(s, "eth0");
	if (err)
		printf("peer: configuring eth0: %s\n", strerror(errno));
	close(s);
	return err ? -1 : 0;
}

static int bound(int type, int port)
{
	int s = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
	    (type == SOCK_STREAM && listen(s, 128) != 0)) {
		printf("peer: port %d: %s\n", port, strerror(errno));
		return -1;
	}
	return s;
}

struct conn {
	int fd;
	size_t have;
	char req[REQ_MAX];
};

/* Answer every whole request in the buffer; -1 when the connection is to
 * be closed (peer closed, error, or a request too large). */
static int http_serve(struct conn *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->req + c->have, sizeof c->req - c->have - 1);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n < 0)
			return 0;
		c->have += (size_t)n;
		c->req[c->have] = 0;
		char *end;
		while ((end = strstr(c->req, "\r\n\r\n"))) {
			if (write(c->fd, http_reply, sizeof http_reply - 1) != sizeof http_reply - 1)
				return -1;
			size_t used = (size_t)(end + 4 - c->req);
			memmove(c->req, end + 4, c->have - used + 1);
			c->have -= used;
		}
		if (c->have == sizeof c->req - 1)
			return -1;
	}
}

int peer_net_serve(void)
{
	if (load_modules() != 0 || configure() != 0)
		return -1;
	int udp = bound(SOCK_DGRAM, 7), tcp = bound(SOCK_STREAM, 80), ep = epoll_create1(0);
	if (udp < 0 || tcp < 0 || ep < 0)
		return -1;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	ev.data.fd = udp;
	epoll_ctl(ep, EPOLL_CTL_ADD, udp, &ev);
	ev.data.fd = tcp;
	epoll_ctl(ep, EPOLL_CTL_ADD, tcp, &ev);
	static struct conn conns[MAX_CONNS];
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	unsigned long udp_echoed = 0, http_conns = 0, refused = 0;
	printf("peer: net ready: udp echo on 7, http on 80\n");
	fflush(stdout);
	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(ep, evs, 32, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == udp) {
				char buf[2048];
				struct sockaddr_in from;
				socklen_t len;
				ssize_t got;
				while ((len = sizeof from,
					got = recvfrom(udp, buf, sizeof buf, 0, (struct sockaddr *)&from, &len)) >= 0) {
					if (got == 4 && memcmp(buf, "quit", 4) == 0) {
						printf("peer: net stop: %lu datagrams echoed, %lu http connections, "
						       "%lu refused\n", udp_echoed, http_conns, refused);
						return 0;
					}
					sendto(udp, buf, (size_t)got, 0, (struct sockaddr *)&from, len);
					udp_echoed++;
				}
			} else if (fd == tcp) {
				int c;
				while ((c = accept4(tcp, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					int slot = 0;
					while (slot < MAX_CONNS && conns[slot].fd >= 0)
						slot++;
					if (slot == MAX_CONNS) {	/* full: a counted refusal */
						close(c);
						refused++;
						continue;
					}
					int one = 1;
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					conns[slot].fd = c;
					conns[slot].have = 0;
					struct epoll_event cev = { .events = EPOLLIN, .data.fd = MAX_CONNS + slot };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
					http_conns++;
				}
			} else {
				struct conn *c = &conns[fd - MAX_CONNS];
				if (http_serve(c) != 0) {
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
					close(c->fd);
					c->fd = -1;
				}
			}
		}
	}
}
