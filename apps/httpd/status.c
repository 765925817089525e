/*
 * The status page: what the machine is doing, as text, HTML (the text,
 * refreshed every 2 s) or JSON. Every figure is read when the page is
 * asked for.
 */
#include "httpd.h"
#include <coro/coro.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/board.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <loop/loop.h>
#include <net/net.h>
#include <net/sock.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put(struct status_buf *b, const char *fmt, ...)
{
	size_t room = sizeof b->text - b->len;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->text + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		b->overflow = true;
		b->len = sizeof b->text - 1;
		return;
	}
	b->len += (size_t)n;
}

#define U(x) ((unsigned long long)(x))

/* One visitor per thread, in the format asked for. */
struct thread_visit {
	struct status_buf *b;
	bool json;
	unsigned n;
};

static void visit_thread(struct thread *t, void *arg)
{
	struct thread_visit *v = arg;
	const char *state = thread_state_name(t->state);
	unsigned cpu = t->cpu ? t->cpu->index : 0;
	if (v->json)
		put(v->b, "%s{\"name\":\"%s\",\"state\":\"%s\",\"cpu\":%u,\"prio\":%u,\"run_us\":%llu}",
		    v->n ? "," : "", t->name, state, cpu, t->prio, U(t->run_ns / NS_PER_US));
	else
		put(v->b, "  %-20s %-8s cpu %u prio %2u run %llu us\n", t->name, state, cpu, t->prio,
		    U(t->run_ns / NS_PER_US));
	v->n++;
}

static void render(struct status_buf *b, bool json)
{
	b->len = 0;
	b->overflow = false;
	uint64_t up = time_now();
	struct coro_stats cs;
	coro_get_stats(&cs);
	struct loop_stats ls = { 0 };
	if (net_loop())
		loop_get_stats(net_loop(), &ls);
	struct net_stats ns = { 0 };
	net_get_stats(&ns);
	char ip[16];
	if (json) {
		put(b, "{\"board\":\"%s\",\"uptime_ms\":%llu,\"cpus\":[", board_name, U(up / NS_PER_MS));
		for (unsigned i = 0; i < cpu_count(); i++) {
			struct thread_cpu_stats st;
			thread_cpu_stats(cpu_get(i), &st);
			put(b, "%s{\"cpu\":%u,\"online\":%s,\"running\":\"%s\",\"ready\":%u,\"idle_ms\":%llu,\"irqs\":%lu}",
			    i ? "," : "", i, cpu_get(i)->online ? "true" : "false", st.current, st.ready,
			    U(st.idle_ns / NS_PER_MS), irq_count(cpu_get(i)));
		}
		put(b, "],\"threads\":[");
	} else {
		put(b, "threadbare on %s, up %llu ms\n\ncpus (%u/%u online)\n", board_name,
		    U(up / NS_PER_MS), cpu_online_count(), cpu_count());
		for (unsigned i = 0; i < cpu_count(); i++) {
			struct thread_cpu_stats st;
			thread_cpu_stats(cpu_get(i), &st);
			put(b, "  cpu %u: running %-20s ready %u idle %llu ms irqs %lu\n", i, st.current,
			    st.ready, U(st.idle_ns / NS_PER_MS), irq_count(cpu_get(i)));
		}
		put(b, "\nthreads\n");
	}
	struct thread_visit v = { b, json, 0 };
	thread_for_each(visit_thread, &v);
	if (json) {
		put(b, "],\"coroutines\":{\"alive\":%llu,\"spawned\":%llu,\"steals\":%llu,\"pooled_bytes\":%llu},",
		    U(cs.alive), U(cs.spawned), U(cs.steals), U(cs.pooled_bytes));
		put(b, "\"loop\":{\"ticks\":%llu,\"callbacks\":%llu,\"timers_fired\":%llu,\"threadsafe_calls\":%llu,\"tasks_spawned\":%llu,\"tasks_ended\":%llu},",
		    U(ls.ticks), U(ls.callbacks), U(ls.timers_fired), U(ls.threadsafe_calls),
		    U(ls.tasks_spawned), U(ls.tasks_ended));
		put(b, "\"net\":{\"ip\":\"%s\",\"link_up\":%s,\"rx_frames\":%llu,\"tx_frames\":%llu,\"rx_nobuf\":%llu,\"tx_dropped\":%llu,\"dev_rx_dropped\":%llu,\"ip_drop\":%llu,\"udp_drop\":%llu,\"tcp_drop\":%llu,\"tcp_active\":%u,\"sockets\":%u},",
		    net_ip_str(ns.ip, ip), ns.link_up ? "true" : "false", U(ns.rx_frames),
		    U(ns.tx_frames), U(ns.rx_nobuf), U(ns.tx_dropped), U(ns.dev_rx_dropped),
		    U(ns.ip_drop), U(ns.udp_drop), U(ns.tcp_drop), ns.tcp_active, sock_count());
		put(b, "\"http\":{\"connections\":%llu,\"requests\":%llu,\"2xx\":%llu,\"4xx\":%llu,\"5xx\":%llu}}\n",
		    U(httpd_counters.connections), U(httpd_counters.requests),
		    U(httpd_counters.responses[0]), U(httpd_counters.responses[1]),
		    U(httpd_counters.responses[2]));
		return;
	}
	put(b, "\ncoroutines: %llu alive, %llu spawned, %llu stolen, %llu KiB of pooled stacks\n",
	    U(cs.alive), U(cs.spawned), U(cs.steals), U(cs.pooled_bytes / 1024));
	put(b, "\nloop: %llu ticks, %llu callbacks, %llu timers, %llu threadsafe calls, tasks %llu spawned %llu ended\n",
	    U(ls.ticks), U(ls.callbacks), U(ls.timers_fired), U(ls.threadsafe_calls),
	    U(ls.tasks_spawned), U(ls.tasks_ended));
	put(b, "\nnetwork: %s, link %s, %u TCP connections, %u sockets\n", net_ip_str(ns.ip, ip),
	    ns.link_up ? "up" : "down", ns.tcp_active, sock_count());
	put(b, "  frames rx %llu tx %llu; dropped: rx no buffer %llu, tx ring full %llu, device rx %llu\n",
	    U(ns.rx_frames), U(ns.tx_frames), U(ns.rx_nobuf), U(ns.tx_dropped), U(ns.dev_rx_dropped));
	put(b, "  ip drop %llu (checksum %llu, length %llu); udp drop %llu (checksum %llu); tcp drop %llu (checksum %llu)\n",
	    U(ns.ip_drop), U(ns.ip_chkerr), U(ns.ip_lenerr), U(ns.udp_drop), U(ns.udp_chkerr),
	    U(ns.tcp_drop), U(ns.tcp_chkerr));
	put(b, "\nhttp: %llu connections, %llu requests, responses 2xx %llu 4xx %llu 5xx %llu\n",
	    U(httpd_counters.connections), U(httpd_counters.requests),
	    U(httpd_counters.responses[0]), U(httpd_counters.responses[1]),
	    U(httpd_counters.responses[2]));
}

const char *status_text(struct status_buf *b)
{
	render(b, false);
	return "text/plain; charset=utf-8";
}

const char *status_json(struct status_buf *b)
{
	render(b, true);
	return "application/json";
}

const char *status_html(struct status_buf *b)
{
	static const char head[] = "<!doctype html><html><head><meta charset=\"utf-8\">"
				   "<meta http-equiv=\"refresh\" content=\"2\">"
				   "<title>threadbare status</title></head><body><pre>";
	static const char tail[] = "</pre></body></html>\n";
	render(b, false);
	/* The text goes into a <pre>: escape <, > and & (thread names are
	 * not ours). One static copy is enough: rendering never suspends, so
	 * no other task of the loop can be here at the same time. */
	struct status_buf *text = b;
	static char body[sizeof b->text];
	size_t n = 0;
	for (size_t i = 0; i < text->len && n + 6 < sizeof body; i++) {
		char c = text->text[i];
		const char *esc = c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : NULL;
		if (esc) {
			memcpy(body + n, esc, strlen(esc));
			n += strlen(esc);
		} else {
			body[n++] = c;
		}
	}
	bool cut = text->overflow || n + 6 >= sizeof body;
	b->len = 0;
	b->overflow = false;
	put(b, "%s", head);
	if (b->len + n + sizeof tail > sizeof b->text) {
		b->overflow = true;
		return "text/html; charset=utf-8";
	}
	memcpy(b->text + b->len, body, n);
	b->len += n;
	put(b, "%s", tail);
	b->overflow |= cut;
	return "text/html; charset=utf-8";
}
