/*
 * The scheduling trace (kernel/trace.h): per-CPU rings, recording, and the
 * framed dump over the console.
 *
 * Dump format, one line each, every line starting "@TRACE ":
 *	@TRACE begin v1 cpus=<n> events=<per cpu>
 *	@TRACE cpu <i> count=<events that follow> lost=<overwritten>
 *	@TRACE e <ts> <type> <arg> <a> <b>	(hex; oldest first)
 *	@TRACE name <kind> <obj> <name>	(threads alive at the dump)
 *	@TRACE end events=<total> crc=<crc32>
 * The CRC-32 (IEEE) covers every event as 32 little-endian bytes in the
 * order printed, so the reader can tell a damaged dump from a good one.
 */
#include <errno.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <stdlib.h>
#include <string.h>

#define TRACE_EVENTS_DEFAULT 4096u

struct trace_ring {
	uint64_t head;			/* events ever written */
	unsigned size;			/* slots, a power of two */
	size_t pages;
	struct trace_event ev[];
};

static unsigned ring_size;		/* slots of the rings now allocated */
static bool recorded;			/* some trace_start() ran */

void trace_record(uint32_t type, uint32_t arg, uint64_t a, uint64_t b)
{
	unsigned long irq = arch_irq_save();
	struct cpu *c = this_cpu();
	struct trace_ring *r = c->trace;
	if (c->trace_on && r) {
		struct trace_event *e = &r->ev[r->head & (r->size - 1)];
		e->ts = time_now();
		e->type = type;
		e->arg = arg;
		e->a = a;
		e->b = b;
		r->head++;
	}
	arch_irq_restore(irq);
}

void trace_name(unsigned kind, const void *obj, const char *name)
{
	if (!trace_on(this_cpu()))
		return;
	char buf[24] = { 0 };
	strncpy(buf, name, sizeof buf - 1);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t chunk;
		memcpy(&chunk, buf + 8 * i, 8);
		trace_record(TRACE_NAME, i | kind << 8, (uintptr_t)obj, chunk);
	}
}

static void set_all(bool on)
{
	for (unsigned i = 0; i < cpu_count(); i++)
		__atomic_store_n(&cpu_get(i)->trace_on, on, __ATOMIC_RELEASE);
}

static void name_thread(struct thread *t, void *arg) { trace_name(TRACE_NAME_THREAD, t, t->name); }

static unsigned round_pow2(unsigned n)
{
	unsigned p = 64;
	while (p < n && p < (1u << 24))
		p <<= 1;
	return p;
}

int trace_start(unsigned events)
{
	if (!events) {
		char buf[16];
		events = cmdline_get("trace_events", buf, sizeof buf) ? (unsigned)strtoul(buf, NULL, 0)
								       : TRACE_EVENTS_DEFAULT;
	}
	events = round_pow2(events);
	set_all(false);
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		struct trace_ring *r = c->trace;
		if (r && r->size != events) {
			/* Stopped above; a CPU still inside trace_record() has
			 * interrupts off for a few instructions only. */
			c->trace = NULL;
			thread_sleep(NS_PER_MS);
			page_free(r, r->pages);
			r = NULL;
		}
		if (!r) {
			size_t pages = (sizeof *r + events * sizeof r->ev[0] + PAGE_SIZE - 1) / PAGE_SIZE;
			r = page_alloc(pages);
			if (!r)
				return -ENOMEM;
			r->size = events;
			r->pages = pages;
		}
		r->head = 0;
		__atomic_store_n(&c->trace, r, __ATOMIC_RELEASE);
	}
	ring_size = events;
	recorded = true;
	set_all(true);
	thread_for_each(name_thread, NULL);
	return 0;
}

void trace_stop(void) { set_all(false); }

uint64_t trace_recorded(unsigned cpu)
{
	struct cpu *c = cpu_get(cpu);
	struct trace_ring *r = c ? __atomic_load_n(&c->trace, __ATOMIC_ACQUIRE) : NULL;
	return r ? __atomic_load_n(&r->head, __ATOMIC_RELAXED) : 0;
}

bool trace_running(void) { return cpu_get(0) && cpu_get(0)->trace_on; }

static uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static void print_name(struct thread *t, void *arg)
{
	kprintf("@TRACE name %u %llx %s\n", TRACE_NAME_THREAD, (unsigned long long)(uintptr_t)t,
		t->name);
}

int trace_dump(void)
{
	if (!recorded)
		return -ENOENT;
	bool was_on = trace_running();
	set_all(false);
	thread_sleep(NS_PER_MS);	/* let a CPU inside trace_record() finish */
	kprintf("@TRACE begin v1 cpus=%u events=%u\n", cpu_count(), ring_size);
	uint32_t crc = 0;
	unsigned long total = 0;
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct trace_ring *r = cpu_get(i)->trace;
		uint64_t head = r ? r->head : 0;
		uint64_t n = r ? (head < r->size ? head : r->size) : 0;
		kprintf("@TRACE cpu %u count=%llu lost=%llu\n", i, (unsigned long long)n,
			(unsigned long long)(head - n));
		for (uint64_t k = head - n; k < head; k++) {
			const struct trace_event *e = &r->ev[k & (r->size - 1)];
			kprintf("@TRACE e %llx %x %x %llx %llx\n", (unsigned long long)e->ts, e->type,
				e->arg, (unsigned long long)e->a, (unsigned long long)e->b);
			crc = crc32_update(crc, e, sizeof *e);
			total++;
		}
	}
	thread_for_each(print_name, NULL);
	kprintf("@TRACE end events=%lu crc=%08lx\n", total, (unsigned long)crc);
	if (was_on)
		set_all(true);
	return 0;
}

void trace_boot_start(void)
{
	char buf[8];
	if (cmdline_get("trace", buf, sizeof buf) && strcmp(buf, "on") == 0) {
		int err = trace_start(0);
		if (err)
			kprintf("trace: cannot start (%d)\n", err);
	}
}

void trace_boot_finish(void)
{
	char buf[8];
	if (cmdline_get("trace", buf, sizeof buf) && strcmp(buf, "on") == 0)
		trace_dump();
}
