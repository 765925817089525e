/*
 * PCI: configuration access through ECAM (PCIe 4.0 section 7.2.2: bus in
 * bits 20-27, device 15-19, function 12-14), enumeration, bridges and
 * BARs.
 *
 * pci_enumerate() works in two passes per host bridge:
 *  1. find every function, depth first, giving each bridge it meets a
 *     secondary bus number unless firmware gave it a valid one, and size
 *     every BAR (decoding off while probing);
 *  2. assign BARs. With assign_all (no firmware ran: aarch64 -kernel
 *     boots) every BAR and bridge window is bump-allocated from the host's
 *     windows, depth first, so a bridge's window is exactly the run its
 *     children took. Otherwise (x86: SeaBIOS assigned everything it could)
 *     the firmware's BARs stay, and a BAR it left at 0 on the root bus is
 *     placed above everything already in use in its window; one left at 0
 *     behind a bridge is reported and the function skipped.
 * Then decoding and bus mastering go on for every function that is whole.
 *
 *   qemu-system-aarch64 -M virt ... -device pcie-root-port,id=rp1,chassis=1 \
 *     -device virtio-rng-pci,bus=rp1	(a function behind a bridge: bus 1)
 */
#include <arch/mmio.h>
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/dev/pci.h>
#include <kernel/log.h>
#include <stdio.h>
#include <stdlib.h>

#define PCI_SLOTS	32
#define PCI_FUNCS	8
#define HEADER_MULTI	0x80
#define BRIDGE_IO_ALIGN	0x1000
#define BRIDGE_MEM_ALIGN 0x100000
#define MAX_BUS_DEPTH	16	/* bridges below bridges: more is a bad tree */

static struct pci_host *hosts;
static struct pci_dev *devs, **devs_tail = &devs;

uint8_t pci_read8(const struct pci_dev *d, unsigned off) { return mmio_read8(d->cfg + off); }
uint16_t pci_read16(const struct pci_dev *d, unsigned off) { return mmio_read16(d->cfg + off); }
uint32_t pci_read32(const struct pci_dev *d, unsigned off) { return mmio_read32(d->cfg + off); }
void pci_write8(const struct pci_dev *d, unsigned off, uint8_t v) { mmio_write8(d->cfg + off, v); }
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v) { mmio_write16(d->cfg + off, v); }
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v) { mmio_write32(d->cfg + off, v); }

static uintptr_t cfg_addr(const struct pci_host *h, unsigned bus, unsigned slot, unsigned func)
{
	return h->ecam + ((uintptr_t)(bus - h->bus_start) << 20 | slot << 15 | func << 12);
}

int pci_host_add(struct pci_host *h)
{
	if (!h->ecam || h->bus_end < h->bus_start)
		return -EINVAL;
	uint64_t size = (uint64_t)(h->bus_end - h->bus_start + 1) << 20;
	int err = arch_mmu_map_device(h->ecam, size);
	if (err) {
		kprintf("pci: cannot map ECAM at %#llx (%d); host skipped\n",
			(unsigned long long)h->ecam, err);
		return err;
	}
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++)
		h->win[k].next = h->win[k].pci_base;
	h->next = hosts;
	hosts = h;
	return 0;
}

struct pci_dev *pci_next(struct pci_dev *prev)
{
	struct pci_dev *d = prev ? prev->next : devs;
	while (d && d->broken)
		d = d->next;
	return d;
}

static void skip(struct pci_dev *d, const char *why)
{
	if (!d->broken)
		kprintf("%s: %04x:%04x %s; skipped\n", d->name, d->vendor, d->device, why);
	d->broken = true;
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) &
				    ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER));
}

static uint8_t cfg_byte(const void *ctx, unsigned off) { return pci_read8(ctx, off); }

unsigned pci_cap_next(struct pci_dev *d, unsigned from, uint8_t id)
{
	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	bool bad;
	unsigned at = pci_cap_walk(cfg_byte, d, from, id, &bad);
	if (bad && !d->cap_list_bad) {
		d->cap_list_bad = true;
		kprintf("%s: malformed capability list; ignored past the break\n", d->name);
	}
	return at;
}

/* --- pass 1: finding functions ---------------------------------------- */

/* Size the BARs of d (nbars: 6 for a device, 2 for a bridge) with
 * decoding off, so the all-ones probe never decodes anywhere. */
static void size_bars(struct pci_dev *d, unsigned nbars)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < nbars; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		uint32_t orig = pci_read32(d, off), hi = 0, hi_probe = 0;
		pci_write32(d, off, 0xffffffffu);
		uint32_t probe = pci_read32(d, off);
		pci_write32(d, off, orig);
		bool is64 = !(orig & 1) && (orig & 6) == 4;
		if (is64 && i + 1 < nbars) {
			hi = pci_read32(d, off + 4);
			pci_write32(d, off + 4, 0xffffffffu);
			hi_probe = pci_read32(d, off + 4);
			pci_write32(d, off + 4, hi);
		} else if (is64) {
			skip(d, "has a 64-bit BAR in its last slot");
			break;
		}
		unsigned used = pci_bar_decode(orig, probe, hi, hi_probe, &d->bar[i]);
		if (!used) {
			skip(d, "has a malformed BAR");
			break;
		}
		i += used - 1;
	}
	pci_write16(d, PCI_COMMAND, cmd);
}

static struct pci_dev *add_function(struct pci_host *h, struct pci_dev *parent, unsigned bus,
				    unsigned slot, unsigned func)
{
	struct pci_dev *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->host = h;
	d->parent = parent;
	d->bus = (uint8_t)bus;
	d->slot = (uint8_t)slot;
	d->func = (uint8_t)func;
	d->cfg = cfg_addr(h, bus, slot, func);
	d->intx_irq = -1;
	snprintf(d->name, sizeof d->name, "pci %02x:%02x.%x", bus, slot, func);
	d->vendor = pci_read16(d, PCI_VENDOR_ID);
	d->device = pci_read16(d, PCI_DEVICE_ID);
	uint32_t cr = pci_read32(d, PCI_CLASS_REV);
	d->revision = (uint8_t)cr;
	d->prog_if = (uint8_t)(cr >> 8);
	d->subclass = (uint8_t)(cr >> 16);
	d->class = (uint8_t)(cr >> 24);
	d->header_type = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
	d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	if (d->header_type == 0) {
		d->subsys_vendor = pci_read16(d, PCI_SUBSYS_ID - 2);
		d->subsys_id = pci_read16(d, PCI_SUBSYS_ID);
		size_bars(d, PCI_MAX_BARS);
	} else if (d->header_type == 1) {
		size_bars(d, 2);
	} else {
		skip(d, "has an unknown header type");
	}
	*devs_tail = d;
	devs_tail = &d->next;
	return d;
}

static unsigned scan_bus(struct pci_host *h, struct pci_dev *bridge, unsigned bus,
			 unsigned *next_bus, unsigned depth);

/* Bus numbers for a bridge on `bus`: firmware's, when they are inside the
 * host's range and after the parent bus; else the next free ones. Then
 * the bus behind it is scanned and the subordinate number closed. */
static void setup_bridge_buses(struct pci_host *h, struct pci_dev *b, unsigned bus,
			       unsigned *next_bus, unsigned depth)
{
	uint32_t r = pci_read32(b, PCI_PRIMARY_BUS);
	unsigned sec = (r >> 8) & 0xff, sub = (r >> 16) & 0xff;
	bool firmware = !h->assign_all && sec > bus && sec >= *next_bus && sub >= sec &&
			sub <= h->bus_end;
	if (!firmware) {
		if (*next_bus > h->bus_end) {
			skip(b, "has no bus number left for its secondary bus");
			return;
		}
		sec = (*next_bus)++;
		/* Open to the end while scanning, so config cycles reach
		 * every bus below. */
		pci_write32(b, PCI_PRIMARY_BUS, (r & 0xff000000u) | h->bus_end << 16 | sec << 8 | bus);
	} else if (*next_bus <= sec) {
		*next_bus = sec + 1;
	}
	if (depth >= MAX_BUS_DEPTH) {
		skip(b, "is nested too deep");
		return;
	}
	unsigned last = scan_bus(h, b, sec, next_bus, depth + 1);
	if (!firmware)
		pci_write32(b, PCI_PRIMARY_BUS, (r & 0xff000000u) | last << 16 | sec << 8 | bus);
}

/* Scan one bus; returns the highest bus number used at or below it. */
static unsigned scan_bus(struct pci_host *h, struct pci_dev *bridge, unsigned bus,
			 unsigned *next_bus, unsigned depth)
{
	for (unsigned slot = 0; slot < PCI_SLOTS; slot++) {
		for (unsigned func = 0; func < PCI_FUNCS; func++) {
			if (mmio_read16(cfg_addr(h, bus, slot, func) + PCI_VENDOR_ID) == 0xffff) {
				if (func == 0)
					break;	/* no device in this slot */
				continue;
			}
			struct pci_dev *d = add_function(h, bridge, bus, slot, func);
			if (!d) {
				kprintf("pci: out of memory at %02x:%02x.%x\n", bus, slot, func);
				return *next_bus - 1;
			}
			if (d->header_type == 1 && !d->broken)
				setup_bridge_buses(h, d, bus, next_bus, depth);
			if (func == 0 && !(pci_read8(d, PCI_HEADER_TYPE) & HEADER_MULTI))
				break;
		}
	}
	return *next_bus - 1;
}

/* --- pass 2: addresses ------------------------------------------------ */

static unsigned window_bits(const struct pci_window *w, bool pref_only)
{
	unsigned have = 0;
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++)
		if (w[k].size)
			have |= 1u << k;
	return have | (pref_only ? PCI_WIN_PREF_ONLY : 0);
}

static void write_bar(struct pci_dev *d, unsigned i)
{
	struct pci_bar *b = &d->bar[i];
	uint32_t low = pci_read32(d, PCI_BAR0 + 4 * i);
	uint32_t flags = low & (b->kind == PCI_BAR_IO ? 0x3u : 0xfu);
	pci_write32(d, PCI_BAR0 + 4 * i, (uint32_t)b->pci_addr | flags);
	if (b->kind == PCI_BAR_MEM64)
		pci_write32(d, PCI_BAR0 + 4 * i + 4, (uint32_t)(b->pci_addr >> 32));
}

/* Give BAR i of d an address from w (the windows of its bus). */
static int place_bar(struct pci_dev *d, unsigned i, struct pci_window *w, bool pref_only)
{
	struct pci_bar *b = &d->bar[i];
	enum pci_window_kind k = pci_bar_window(b, window_bits(w, pref_only));
	if (k == PCI_WIN_KINDS) {
		skip(d, "needs a window its bus does not have");
		return -ENOSPC;
	}
	uint64_t at = pci_window_alloc(&w[k], b->size, b->size);
	if (at == UINT64_MAX) {
		kprintf("%s: BAR%u (%#llx bytes) does not fit its window\n", d->name, i,
			(unsigned long long)b->size);
		skip(d, "cannot be given its BARs");
		return -ENOSPC;
	}
	b->pci_addr = at;
	write_bar(d, i);
	return 0;
}

static void assign_bus(struct pci_host *h, struct pci_dev *bridge, struct pci_window *w,
		       bool pref_only);

/* Program a bridge's forwarding windows from the child windows' runs. */
static void close_bridge(struct pci_dev *b, const struct pci_window *cw)
{
	/* I/O: 4 KiB granules, base and limit bits 15-12 in the low bytes,
	 * 31-16 in the upper registers. Empty: base above limit. */
	uint64_t io_lo = cw[PCI_WIN_IO].pci_base, io_hi = cw[PCI_WIN_IO].next;
	if (io_hi > io_lo) {
		pci_write16(b, PCI_IO_BASE, (uint16_t)((io_lo >> 8 & 0xf0) | ((io_hi - 1) >> 8 & 0xf0) << 8));
		pci_write32(b, PCI_IO_BASE_UPPER, (uint32_t)(io_lo >> 16 & 0xffff) |
						  (uint32_t)((io_hi - 1) >> 16 & 0xffff) << 16);
	} else {
		pci_write16(b, PCI_IO_BASE, 0x00f0);
		pci_write32(b, PCI_IO_BASE_UPPER, 0);
	}
	/* Memory: 1 MiB granules, address bits 31-20 in bits 15-4. */
	uint64_t m_lo = cw[PCI_WIN_MEM].pci_base, m_hi = cw[PCI_WIN_MEM].next;
	if (m_hi > m_lo)
		pci_write32(b, PCI_MEM_BASE, (uint32_t)(m_lo >> 16 & 0xfff0) |
					     (uint32_t)((m_hi - 1) >> 16 & 0xfff0) << 16);
	else
		pci_write32(b, PCI_MEM_BASE, 0x0000fff0);
	uint64_t p_lo = cw[PCI_WIN_MEM64].pci_base, p_hi = cw[PCI_WIN_MEM64].next;
	if (p_hi > p_lo) {
		pci_write32(b, PCI_PREF_BASE, (uint32_t)(p_lo >> 16 & 0xfff0) |
					      (uint32_t)((p_hi - 1) >> 16 & 0xfff0) << 16);
		pci_write32(b, PCI_PREF_BASE_UPPER, (uint32_t)(p_lo >> 32));
		pci_write32(b, PCI_PREF_LIMIT_UPPER, (uint32_t)((p_hi - 1) >> 32));
	} else {
		pci_write32(b, PCI_PREF_BASE, 0x0000fff0);
		pci_write32(b, PCI_PREF_BASE_UPPER, 0);
		pci_write32(b, PCI_PREF_LIMIT_UPPER, 0);
	}
}

/* assign_all: the bridge's child windows start at its parent's cursors,
 * aligned to the bridge granules; the children take what they need, the
 * windows close around it and the parent's cursors move past. */
static void assign_bridge(struct pci_host *h, struct pci_dev *b, struct pci_window *w)
{
	static const uint64_t align[PCI_WIN_KINDS] = { BRIDGE_IO_ALIGN, BRIDGE_MEM_ALIGN,
						       BRIDGE_MEM_ALIGN };
	struct pci_window cw[PCI_WIN_KINDS] = { 0 };
	/* The prefetchable window takes the parent's 64-bit window when it
	 * can decode 64-bit addresses (low nibble 1); otherwise it stays
	 * closed and prefetchable BARs share the 32-bit one. */
	bool pref64 = (pci_read32(b, PCI_PREF_BASE) & 0xf) == 1;
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++) {
		const struct pci_window *src = &w[k];
		uint64_t at = (src->next + align[k] - 1) & ~(align[k] - 1);
		uint64_t end = src->pci_base + src->size;
		if (!src->size || (k == PCI_WIN_MEM64 && !pref64) || at < src->next || at >= end)
			continue;
		cw[k] = (struct pci_window){ .pci_base = at, .cpu_base = src->cpu_base + (at - src->pci_base),
					     .size = end - at, .next = at };
	}
	assign_bus(h, b, cw, true);
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++) {
		if (!cw[k].size || cw[k].next == cw[k].pci_base)
			continue;
		uint64_t end = (cw[k].next + align[k] - 1) & ~(align[k] - 1);
		cw[k].next = end;
		w[k].next = end;
	}
	close_bridge(b, cw);
}

/* The CPU address of a bus address, through the host window holding it. */
static void bar_cpu_addr(struct pci_dev *d, struct pci_bar *b)
{
	const struct pci_host *h = d->host;
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++) {
		const struct pci_window *w = &h->win[k];
		if ((b->kind == PCI_BAR_IO) != (k == PCI_WIN_IO) || !w->size)
			continue;
		if (b->pci_addr >= w->pci_base && b->pci_addr - w->pci_base < w->size &&
		    b->size <= w->size - (b->pci_addr - w->pci_base)) {
			b->cpu_addr = w->cpu_base + (b->pci_addr - w->pci_base);
			return;
		}
	}
	b->cpu_addr = b->kind == PCI_BAR_IO ? 0 : b->pci_addr;	/* identity, no window known */
}

static bool bar_unassigned(const struct pci_bar *b)
{
	return b->size && !b->pci_addr;
}

/* Assign every BAR on the bus below `bridge` (NULL: the root bus). */
static void assign_bus(struct pci_host *h, struct pci_dev *bridge, struct pci_window *w,
		       bool pref_only)
{
	for (struct pci_dev *d = devs; d; d = d->next) {
		if (d->host != h || d->parent != bridge || d->broken)
			continue;
		unsigned nbars = d->header_type == 1 ? 2 : PCI_MAX_BARS;
		for (unsigned i = 0; i < nbars && !d->broken; i++) {
			struct pci_bar *b = &d->bar[i];
			if (!b->size)
				continue;
			if (h->assign_all || bar_unassigned(b)) {
				if (!h->assign_all && bridge) {
					skip(d, "has a BAR firmware left unassigned behind a bridge");
					break;
				}
				place_bar(d, i, w, pref_only);
			}
		}
		/* Firmware's bridges keep their windows: below them only
		 * look for BARs it left unassigned (and skip those). */
		if (d->header_type == 1 && !d->broken)
			h->assign_all ? assign_bridge(h, d, w) : assign_bus(h, d, w, true);
	}
}

/* Firmware mode: move each root window's cursor past every address a BAR
 * or a bridge below already uses, so new BARs land in free space. */
static void cursors_past_firmware(struct pci_host *h)
{
	for (struct pci_dev *d = devs; d; d = d->next) {
		if (d->host != h)
			continue;
		for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
			const struct pci_bar *b = &d->bar[i];
			if (!b->size || !b->pci_addr)
				continue;
			for (unsigned k = 0; k < PCI_WIN_KINDS; k++) {
				struct pci_window *w = &h->win[k];
				bool io = k == PCI_WIN_IO;
				if ((b->kind == PCI_BAR_IO) == io && b->pci_addr >= w->pci_base &&
				    b->pci_addr < w->pci_base + w->size && b->pci_addr + b->size > w->next)
					w->next = b->pci_addr + b->size;
			}
		}
		if (d->header_type != 1)
			continue;
		/* A bridge's memory windows as firmware set them: 1 MiB
		 * granules, base in bits 15-4, limit in bits 31-20. */
		uint32_t mem = pci_read32(d, PCI_MEM_BASE), pref = pci_read32(d, PCI_PREF_BASE);
		uint64_t base[2] = { (uint64_t)(mem & 0xfff0) << 16,
				     (uint64_t)pci_read32(d, PCI_PREF_BASE_UPPER) << 32 |
					     (uint64_t)(pref & 0xfff0) << 16 };
		uint64_t limit[2] = { (uint64_t)(mem >> 16 & 0xfff0) << 16 | 0xfffff,
				      (uint64_t)pci_read32(d, PCI_PREF_LIMIT_UPPER) << 32 |
					      (uint64_t)(pref >> 16 & 0xfff0) << 16 | 0xfffff };
		for (unsigned j = 0; j < 2; j++) {
			if (limit[j] < base[j])
				continue;	/* closed */
			for (unsigned k = PCI_WIN_MEM; k < PCI_WIN_KINDS; k++) {
				struct pci_window *w = &h->win[k];
				if (base[j] >= w->pci_base && base[j] - w->pci_base < w->size &&
				    limit[j] + 1 > w->next)
					w->next = limit[j] + 1;
			}
		}
	}
}

static void enable(struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	bool io = false, mem = false;
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		if (!b->size)
			continue;
		bar_cpu_addr(d, b);
		if (b->kind == PCI_BAR_IO)
			io = true;
		else
			mem = true;
	}
	if (d->header_type == 1)
		io = mem = true;	/* forward whatever its windows hold */
	cmd |= (io ? PCI_COMMAND_IO : 0) | (mem ? PCI_COMMAND_MEMORY : 0) | PCI_COMMAND_MASTER;
	pci_write16(d, PCI_COMMAND, cmd);
}

static void resolve_intx(struct pci_dev *d)
{
	if (d->irq_pin && d->host->intx)
		d->intx_irq = d->host->intx(d->host, d, d->irq_pin);
}

int pci_enumerate(void)
{
	int found = 0;
	for (struct pci_host *h = hosts; h; h = h->next) {
		unsigned next_bus = h->bus_start + 1;
		struct pci_dev **first = devs_tail;
		scan_bus(h, NULL, h->bus_start, &next_bus, 0);
		if (!h->assign_all)
			cursors_past_firmware(h);
		assign_bus(h, NULL, h->win, false);
		for (struct pci_dev *d = *first; d; d = d->next) {
			found++;
			if (d->broken)
				continue;
			enable(d);
			resolve_intx(d);
			kprintf("%s: %04x:%04x class %02x%02x%s\n", d->name, d->vendor, d->device,
				d->class, d->subclass, d->header_type == 1 ? " bridge" : "");
		}
	}
	return found;
}

uintptr_t pci_bar_map(const struct pci_dev *d, unsigned bar, uint64_t off, uint64_t len)
{
	if (bar >= PCI_MAX_BARS)
		return 0;
	const struct pci_bar *b = &d->bar[bar];
	if ((b->kind != PCI_BAR_MEM32 && b->kind != PCI_BAR_MEM64) || !b->cpu_addr ||
	    off > b->size || len > b->size - off || !len)
		return 0;
	if (arch_mmu_map_device(b->cpu_addr + off, len))
		return 0;
	return (uintptr_t)(b->cpu_addr + off);
}
