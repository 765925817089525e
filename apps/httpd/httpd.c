/*
 * httpd: an HTTP/1.1 server on port 80, one task per connection, with
 * persistent connections and pipelining. It serves the status page
 * (status.c): `/` as HTML, `/status.json` as JSON, `/status.txt` as text;
 * `/hello` is six bytes, to measure the server without the page.
 *
 *   make run APP=httpd          # then http://localhost:8080/
 *
 * Requests are parsed from a bounded buffer: a request line or headers
 * that do not fit get 431 and the connection closes; anything malformed
 * gets 400; methods other than GET and HEAD get 405; request bodies are
 * refused (413). An idle connection closes after 30 s.
 */
#include "../echo/echo.h"
#include "httpd.h"
#include <errno.h>
#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <loop/task.h>
#include <net/net.h>
#include <net/sock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_PORT 80
#define REQUEST_MAX 8192
#define IDLE_NS (30 * 1000000000ull)
#define SEND_NS (10 * 1000000000ull)

struct httpd_counters httpd_counters;

struct request {
	char method[8];
	char path[256];
	bool keep_alive;
	int status;		/* 0: good so far; else the error to answer with */
};

/* Where the header block ends (just past its empty line), or 0. */
static size_t header_end(const char *buf, size_t n)
{
	for (size_t i = 3; i < n; i++)
		if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
			return i + 1;
	return 0;
}

/* Split off one line (CRLF-terminated) starting at *p; NUL-terminates it. */
static char *next_line(char **p)
{
	char *line = *p, *cr = strstr(line, "\r\n");
	if (!cr)
		return NULL;
	*cr = '\0';
	*p = cr + 2;
	return line;
}

static void parse_request(char *head, struct request *rq)
{
	*rq = (struct request){ 0 };
	char *p = head, *line = next_line(&p);
	char version[16];
	if (!line || sscanf(line, "%7s %255s %15s", rq->method, rq->path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0 || (version[7] != '0' && version[7] != '1') ||
	    version[8] || rq->path[0] != '/') {
		rq->status = 400;
		return;
	}
	rq->keep_alive = version[7] == '1';	/* HTTP/1.1 persists unless told */
	while ((line = next_line(&p)) && *line) {
		char *colon = strchr(line, ':');
		if (!colon || colon == line) {
			rq->status = 400;
			return;
		}
		*colon = '\0';
		char *value = colon + 1;
		value += strspn(value, " \t");
		if (strcasecmp(line, "Connection") == 0)
			rq->keep_alive = strcasecmp(value, "close") != 0 &&
					 (rq->keep_alive || strcasecmp(value, "keep-alive") == 0);
		else if ((strcasecmp(line, "Content-Length") == 0 && strtoul(value, NULL, 10) > 0) ||
			 strcasecmp(line, "Transfer-Encoding") == 0)
			rq->status = 413;
	}
	if (!rq->status && strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0)
		rq->status = 405;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 431: return "Request Header Fields Too Large";
	default: return "Internal Server Error";
	}
}

static int respond(struct sock *c, int status, const char *type, const char *body, size_t len,
		   bool head_only, bool keep_alive)
{
	/* Header and body in one send when they fit: two small writes would
	 * leave the second behind Nagle's algorithm, waiting for the peer's
	 * (delayed) acknowledgement of the first. */
	char out[4096];
	int n = snprintf(out, sizeof out,
			 "HTTP/1.1 %d %s\r\nServer: threadbare\r\nContent-Type: %s\r\n"
			 "Content-Length: %lu\r\nConnection: %s\r\n%s\r\n",
			 status, reason(status), type, (unsigned long)len,
			 keep_alive ? "keep-alive" : "close",
			 status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (head_only)
		len = 0;
	if ((size_t)n + len <= sizeof out) {
		memcpy(out + n, body, len);
		if (sock_send_all(c, out, (size_t)n + len, SEND_NS) < 0)
			return -EPIPE;
	} else if (sock_send_all(c, out, (size_t)n, SEND_NS) < 0 ||
		   sock_send_all(c, body, len, SEND_NS) < 0) {
		return -EPIPE;
	}
	httpd_counters.responses[status / 100 == 2 ? 0 : status / 100 == 4 ? 1 : 2]++;
	return 0;
}

static int serve(struct sock *c, struct request *rq, struct status_buf *page)
{
	bool head = strcmp(rq->method, "HEAD") == 0;
	if (rq->status) {
		const char *msg = reason(rq->status);
		return respond(c, rq->status, "text/plain", msg, strlen(msg), head, false);
	}
	httpd_counters.requests++;
	const char *type;
	if (strcmp(rq->path, "/") == 0 || strcmp(rq->path, "/index.html") == 0)
		type = status_html(page);
	else if (strcmp(rq->path, "/status.json") == 0)
		type = status_json(page);
	else if (strcmp(rq->path, "/status.txt") == 0)
		type = status_text(page);
	else if (strcmp(rq->path, "/hello") == 0)	/* the request path alone, for benchmarks */
		return respond(c, 200, "text/plain", "hello\n", 6, head, rq->keep_alive);
	else
		return respond(c, 404, "text/plain", "not found\n", 10, head, rq->keep_alive);
	if (page->overflow)
		return respond(c, 500, "text/plain", "status page too large\n", 22, head, false);
	return respond(c, 200, type, page->text, page->len, head, rq->keep_alive);
}

static intptr_t connection(void *arg)
{
	struct sock *c = arg;
	char *buf = malloc(REQUEST_MAX + 1);
	struct status_buf *page = malloc(sizeof *page);
	size_t have = 0;
	httpd_counters.connections++;
	while (buf && page) {
		size_t end = header_end(buf, have);
		if (!end) {
			if (have == REQUEST_MAX) {
				struct request big = { .status = 431 };
				serve(c, &big, page);
				break;
			}
			ssize_t n = sock_recv(c, buf + have, REQUEST_MAX - have, IDLE_NS);
			if (n <= 0)
				break;		/* closed, reset or idle */
			have += (size_t)n;
			continue;
		}
		char saved = buf[end];
		buf[end] = '\0';
		struct request rq;
		parse_request(buf, &rq);
		buf[end] = saved;
		if (serve(c, &rq, page) || !rq.keep_alive || rq.status)
			break;
		memmove(buf, buf + end, have - end);	/* a pipelined request may follow */
		have -= end;
	}
	free(page);
	free(buf);
	sock_close(c);
	return 0;
}

static intptr_t httpd_task(void *arg)
{
	struct sock *ls;
	int err = sock_tcp_listen(&ls, HTTP_PORT, 128);
	if (err) {
		kprintf("httpd: cannot listen on port %d (%d)\n", HTTP_PORT, err);
		return err;
	}
	err = net_wait_up(30 * 1000000000ull);
	char ip[16];
	if (err)
		kprintf("httpd: no address yet (%d); listening anyway\n", err);
	else
		kprintf("httpd: serving http://%s:%d/ (from the host: make run forwards "
			"http://localhost:8080/)\n", net_ip_str(net_address(), ip), HTTP_PORT);
	for (;;) {
		struct sock *c;
		if ((err = sock_accept(ls, &c, NULL, SOCK_FOREVER)))
			return err;
		struct loop_task_attr attr = { .name = "http-conn", .detached = true };
		if (loop_task_spawn(NULL, loop_current(), &attr, connection, c)) {
			httpd_counters.refused++;
			sock_close(c);
		}
	}
}

int httpd_serve(struct loop_task **out)
{
	struct loop_task_attr attr = { .name = "httpd" };
	return loop_task_spawn(out, loop_current(), &attr, httpd_task, NULL);
}

/* `echo=on` on the command line: the echo servers too (tests/net uses one
 * boot for both). */
static intptr_t httpd_main_task(void *arg)
{
	char v[4];
	if (cmdline_get("echo", v, sizeof v) && strcmp(v, "on") == 0) {
		struct loop_future *done[ECHO_SERVERS];
		int err = net_wait_up(30 * 1000000000ull);
		if (err || (err = echo_serve(done)))
			return err;
	}
	return httpd_task(arg);
}

static int httpd_main(void)
{
	return net_run("httpd", httpd_main_task, NULL);
}
APP("httpd", httpd_main, "HTTP/1.1 server on port 80: the status page");
