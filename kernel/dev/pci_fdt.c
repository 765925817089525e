/*
 * PCI host bridges from the device tree ("pci-host-ecam-generic"):
 *   reg            the ECAM region, one MiB per bus of bus-range
 *   bus-range      first and last bus (default 0-255)
 *   ranges         (pci address: 3 cells, cpu address, size) windows; the
 *                  first cell's bits 24-25 say I/O (1), 32-bit (2) or
 *                  64-bit (3) memory
 *   interrupt-map  (pci address: 3 cells, pin, controller phandle,
 *                  controller address, controller specifier), matched
 *                  under interrupt-map-mask
 * QEMU's virt machine (the layout: hw/arm/virt.c) has one such host.
 */
#include <errno.h>
#include <kernel/dev/pci_fdt.h>
#include <kernel/fdt.h>
#include <kernel/log.h>
#include <stdlib.h>

#define SPACE(hi)	((hi) >> 24 & 3)
#define SPACE_IO	1
#define SPACE_MEM32	2
#define SPACE_MEM64	3
#define MAP_MAX_CELLS	16	/* one interrupt-map entry, at most */

struct fdt_host {
	struct pci_host host;	/* first: the intx callback gets this */
	const void *fdt;
	int node;
	pci_fdt_irq_fn *irq;
};

static uint32_t cell(const uint32_t *p) { return (uint32_t)fdt_read_cells(p, 1); }

static int cells_of(const void *fdt, int node, const char *name, int dflt)
{
	int len;
	const uint32_t *p = fdt_prop(fdt, node, name, &len);
	return p && len == 4 ? (int)cell(p) : dflt;
}

int pci_fdt_parse_host(const void *fdt, int node, struct pci_host *h)
{
	uint64_t base, size;
	if (fdt_reg(fdt, node, 0, &base, &size) || !size)
		return -EINVAL;
	h->ecam = (uintptr_t)base;
	int len;
	const uint32_t *br = fdt_prop(fdt, node, "bus-range", &len);
	h->bus_start = br && len == 8 ? (uint8_t)cell(br) : 0;
	h->bus_end = br && len == 8 ? (uint8_t)cell(br + 1) : 255;
	/* No more buses than the ECAM region covers. */
	if (h->bus_end < h->bus_start)
		return -EINVAL;
	if ((uint64_t)(h->bus_end - h->bus_start + 1) << 20 > size)
		h->bus_end = (uint8_t)(h->bus_start + (size >> 20) - 1);
	if (size < (1u << 20))
		return -EINVAL;

	/* CPU addresses use the parent's cells: the root's (hosts sit there). */
	int pa = fdt_address_cells(fdt, fdt_root(fdt));
	int ca = fdt_address_cells(fdt, node), cs = fdt_size_cells(fdt, node);
	const uint32_t *r = fdt_prop(fdt, node, "ranges", &len);
	int entry = ca + pa + cs;
	if (!r || ca != 3 || pa < 1 || pa > 2 || cs < 1 || cs > 2 || len % (entry * 4))
		return -EINVAL;
	for (int i = 0; i < len / (entry * 4); i++) {
		const uint32_t *e = r + i * entry;
		uint32_t hi = cell(e);
		uint64_t pci = fdt_read_cells(e + 1, 2);
		uint64_t cpu = fdt_read_cells(e + ca, pa);
		uint64_t sz = fdt_read_cells(e + ca + pa, cs);
		enum pci_window_kind k = SPACE(hi) == SPACE_IO      ? PCI_WIN_IO
					 : SPACE(hi) == SPACE_MEM32 ? PCI_WIN_MEM
					 : SPACE(hi) == SPACE_MEM64 ? PCI_WIN_MEM64
								    : PCI_WIN_KINDS;
		if (k == PCI_WIN_KINDS || !sz || h->win[k].size)
			continue;	/* config space, empty, or a second one */
		h->win[k] = (struct pci_window){ .pci_base = pci, .cpu_base = cpu, .size = sz };
	}
	/* Bus address 0 is "unassigned" to the BAR code: never hand it out. */
	for (unsigned k = 0; k < PCI_WIN_KINDS; k++)
		if (h->win[k].size && h->win[k].pci_base == 0) {
			uint64_t skip = k == PCI_WIN_IO ? 0x1000 : 0x100000;
			if (h->win[k].size <= skip) {
				h->win[k].size = 0;
				continue;
			}
			h->win[k].pci_base += skip;
			h->win[k].cpu_base += skip;
			h->win[k].size -= skip;
		}
	return 0;
}

int pci_fdt_intx_lookup(const void *fdt, int node, unsigned bus, unsigned slot, unsigned func,
			unsigned pin, pci_fdt_irq_fn *irq)
{
	int len, mlen;
	const uint32_t *map = fdt_prop(fdt, node, "interrupt-map", &len);
	const uint32_t *mask = fdt_prop(fdt, node, "interrupt-map-mask", &mlen);
	int ca = fdt_address_cells(fdt, node);
	int ic = cells_of(fdt, node, "#interrupt-cells", 1);
	if (!map || ca != 3 || ic != 1 || (mask && mlen != 16) || len % 4)
		return -1;
	uint32_t key[4] = { bus << 16 | slot << 11 | func << 8, 0, 0, pin };
	uint32_t m[4] = { ~0u, ~0u, ~0u, ~0u };
	for (int i = 0; mask && i < 4; i++)
		m[i] = cell(mask + i);
	int n = len / 4;
	for (int at = 0; at + 5 <= n;) {
		const uint32_t *e = map + at;
		int ctrl = fdt_by_phandle(fdt, cell(e + 4));
		if (ctrl < 0)
			return -1;
		/* The controller's address cells default to 0 here (the
		 * interrupt-map binding), not to 2. */
		int pac = cells_of(fdt, ctrl, "#address-cells", 0);
		int pic = cells_of(fdt, ctrl, "#interrupt-cells", -1);
		int size = 5 + pac + pic;
		if (pic < 1 || pac < 0 || pac > 3 || size > MAP_MAX_CELLS || at + size > n)
			return -1;
		bool match = true;
		for (int i = 0; i < 4; i++)
			if ((cell(e + i) & m[i]) != (key[i] & m[i]))
				match = false;
		if (match)
			return irq(fdt, ctrl, e + 5 + pac, pic);
		at += size;
	}
	return -1;
}

/* Swizzle up to the function on the host's bus, then look it up. */
static int fdt_intx(const struct pci_host *h, const struct pci_dev *d, unsigned pin)
{
	const struct fdt_host *fh = (const struct fdt_host *)h;
	const struct pci_dev *top = d;
	for (; top->parent; top = top->parent)
		pin = pci_intx_swizzle(pin, top->slot);
	int irq = pci_fdt_intx_lookup(fh->fdt, fh->node, top->bus, top->slot, top->func, pin, fh->irq);
	if (irq < 0)
		kprintf("%s: no interrupt-map entry for INT%c\n", d->name, 'A' + pin - 1);
	return irq;
}

int pci_fdt_init(const void *fdt, pci_fdt_irq_fn *irq)
{
	int added = 0;
	for (int n = fdt_find_compatible(fdt, -1, "pci-host-ecam-generic"); n >= 0;
	     n = fdt_find_compatible(fdt, n, "pci-host-ecam-generic")) {
		if (!fdt_node_enabled(fdt, n))
			continue;
		struct fdt_host *fh = calloc(1, sizeof *fh);
		if (!fh)
			return added;
		fh->fdt = fdt;
		fh->node = n;
		fh->irq = irq;
		fh->host.assign_all = true;
		fh->host.intx = fdt_intx;
		if (pci_fdt_parse_host(fdt, n, &fh->host) || pci_host_add(&fh->host)) {
			kprintf("pci: host bridge %s has a malformed description; skipped\n",
				fdt_node_name(fdt, n));
			free(fh);
			continue;
		}
		added++;
	}
	return added;
}
