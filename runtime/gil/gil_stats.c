/*
 * The big lock's statistics: totals, maxima and histograms per domain, and
 * gil_dump(). Recorders run on the lock's own paths, so they only add.
 */
#include "gil_internal.h"
#include <stdio.h>
#include <string.h>

static struct spinlock domains_lock = SPINLOCK_INIT("gil domains");
static struct list_node domains = LIST_INIT(domains);

void gil_stats_register(struct gil *g)
{
	spin_lock(&domains_lock);
	list_push_back(&domains, &g->all_node);
	spin_unlock(&domains_lock);
}

void gil_stats_unregister(struct gil *g)
{
	spin_lock(&domains_lock);
	list_remove(&g->all_node);
	spin_unlock(&domains_lock);
}

unsigned gil_domain_count(void)
{
	unsigned n = 0;
	spin_lock(&domains_lock);
	struct list_node *it;
	list_for_each(it, &domains)
		n++;
	spin_unlock(&domains_lock);
	return n;
}

static void add(uint64_t *total, uint64_t *max, uint64_t *hist, uint64_t ns)
{
	*total += ns;
	if (ns > *max)
		*max = ns;
	hist[gil_hist_bucket(ns)]++;
}

void gil_stats_hold(struct gil *g, struct gil_member *m, uint64_t ns)
{
	__atomic_store_n(&m->hold_ns, m->hold_ns + ns, __ATOMIC_RELAXED);
	add(&g->stats.hold_ns, &g->stats.hold_max_ns, g->stats.hold_hist, ns);
}

void gil_stats_wait(struct gil *g, uint64_t ns)
{
	add(&g->stats.wait_ns, &g->stats.wait_max_ns, g->stats.wait_hist, ns);
}

void gil_stats_drop(struct gil *g, uint64_t latency_ns)
{
	add(&g->stats.drop_latency_ns, &g->stats.drop_latency_max_ns,
	    g->stats.drop_latency_hist, latency_ns);
}

void gil_stats_get(struct gil *g, struct gil_stats *out)
{
	spin_lock(&g->wq.lock);
	*out = g->stats;
	spin_unlock(&g->wq.lock);
}

void gil_stats_reset(struct gil *g)
{
	spin_lock(&g->wq.lock);
	memset(&g->stats, 0, sizeof g->stats);
	spin_unlock(&g->wq.lock);
}

static uint64_t mean(uint64_t total, uint64_t n) { return n ? total / n : 0; }

/* One line: the non-empty buckets, as "<upper bound>:count". */
static void print_hist(const char *what, const uint64_t *hist)
{
	printf("  %-13s", what);
	for (unsigned b = 0; b < GIL_HIST_BUCKETS; b++) {
		if (!hist[b])
			continue;
		if (b == GIL_HIST_BUCKETS - 1)
			printf(" more:%llu", (unsigned long long)hist[b]);
		else
			printf(" <%lluus:%llu", 1ull << b, (unsigned long long)hist[b]);
	}
	printf("\n");
}

static void dump_one(struct gil *g)
{
	struct gil_stats s;
	gil_stats_get(g, &s);
	printf("gil domain '%s': big-lock mode %s, interval %llu us, %u members\n", g->name,
	       g->enabled ? "on" : "off", (unsigned long long)(gil_interval(g) / 1000), g->members);
	printf("  acquisitions %llu (contended %llu), hand-offs %llu (to I/O %llu, to a "
	       "spinning waiter %llu; spins timed out %llu), drop requests %llu, forced drops %llu\n",
	       (unsigned long long)s.acquisitions, (unsigned long long)s.contended,
	       (unsigned long long)s.handoffs, (unsigned long long)s.io_handoffs,
	       (unsigned long long)s.spin_handoffs, (unsigned long long)s.spin_timeouts,
	       (unsigned long long)s.drop_requests, (unsigned long long)s.forced_drops);
	uint64_t holds = 0;
	for (unsigned b = 0; b < GIL_HIST_BUCKETS; b++)
		holds += s.hold_hist[b];
	printf("  hold mean %llu us max %llu us; wait mean %llu us max %llu us; "
	       "drop latency mean %llu us max %llu us\n",
	       (unsigned long long)(mean(s.hold_ns, holds) / 1000),
	       (unsigned long long)(s.hold_max_ns / 1000),
	       (unsigned long long)(mean(s.wait_ns, s.handoffs) / 1000),
	       (unsigned long long)(s.wait_max_ns / 1000),
	       (unsigned long long)(mean(s.drop_latency_ns, s.forced_drops) / 1000),
	       (unsigned long long)(s.drop_latency_max_ns / 1000));
	print_hist("hold", s.hold_hist);
	print_hist("wait", s.wait_hist);
	print_hist("drop latency", s.drop_latency_hist);
}

void gil_dump(struct gil *g)
{
	if (g) {
		dump_one(g);
		return;
	}
	/* The list is walked unlocked between entries: printing may block,
	 * and a spinlock must not be held then. Domains live as long as the
	 * program that dumps them. */
	spin_lock(&domains_lock);
	struct list_node *n = domains.next;
	spin_unlock(&domains_lock);
	while (n != &domains) {
		dump_one(list_entry(n, struct gil, all_node));
		spin_lock(&domains_lock);
		n = n->next;
		spin_unlock(&domains_lock);
	}
}
