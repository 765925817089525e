/*
 * PCI's pure logic: BAR decoding from sizing probes, window choice and
 * allocation (bridges included), capability walks over good and broken
 * lists, the INTx swizzle, and the device-tree host description
 * (fixtures/pci.dts, QEMU virt's layout, and a malformed second host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <kernel/dev/pci_fdt.h>
#include <kernel/fdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pci_fdt.c's one call into pci.c: record instead. */
static int hosts_added;
static struct pci_host *last_host;
int pci_host_add(struct pci_host *h)
{
	hosts_added++;
	last_host = h;
	return 0;
}

/* --- BARs ---------------------------------------------------------------- */

static void bar_decode_32bit_memory(void **state)
{
	struct pci_bar b;
	/* 4 KiB, non-prefetchable, at 0x10001000. */
	assert_int_equal(pci_bar_decode(0x10001000, 0xfffff000, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_MEM32);
	assert_false(b.prefetch);
	assert_int_equal(b.size, 0x1000);
	assert_int_equal(b.pci_addr, 0x10001000);
}

static void bar_decode_64bit_prefetchable(void **state)
{
	struct pci_bar b;
	/* 16 KiB, 64-bit (type 2), prefetchable, unassigned. */
	assert_int_equal(pci_bar_decode(0x0000000c, 0xffffc00c, 0, 0xffffffff, &b), 2);
	assert_int_equal(b.kind, PCI_BAR_MEM64);
	assert_true(b.prefetch);
	assert_int_equal(b.size, 0x4000);
	assert_int_equal(b.pci_addr, 0);
	/* 8 GiB: the low register probes all zeros but the high does not. */
	assert_int_equal(pci_bar_decode(0x4, 0x4, 0x80, 0xfffffffe, &b), 2);
	assert_int_equal(b.size, 0x200000000ull);
	assert_int_equal(b.pci_addr, 0x8000000000ull);
}

static void bar_decode_io_and_unimplemented(void **state)
{
	struct pci_bar b;
	/* 32 ports; the upper half reads back 0 (16-bit decode). */
	assert_int_equal(pci_bar_decode(0xc001, 0xffe1, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_IO);
	assert_int_equal(b.size, 0x20);
	assert_int_equal(b.pci_addr, 0xc000);
	assert_int_equal(pci_bar_decode(0, 0, 0, 0, &b), 1);
	assert_int_equal(b.kind, PCI_BAR_NONE);
	assert_int_equal(pci_bar_decode(0x4, 0x4, 0, 0, &b), 2);	/* 64-bit, absent */
	assert_int_equal(b.kind, PCI_BAR_NONE);
}

static void bar_decode_rejects_malformed(void **state)
{
	struct pci_bar b;
	/* Reserved type 3, and a size mask with a hole (not a power of two). */
	assert_int_equal(pci_bar_decode(0x6, 0xfffff006, 0, 0, &b), 0);
	assert_int_equal(pci_bar_decode(0x0, 0xffff0f00, 0, 0, &b), 0);
	assert_int_equal(pci_bar_decode(0x1, 0xfff5, 0, 0, &b), 0);
}

static void window_choice(void **state)
{
	struct pci_bar m32 = { .kind = PCI_BAR_MEM32, .size = 0x1000 };
	struct pci_bar m64 = { .kind = PCI_BAR_MEM64, .size = 0x4000, .prefetch = true };
	struct pci_bar m64np = { .kind = PCI_BAR_MEM64, .size = 0x4000 };
	struct pci_bar io = { .kind = PCI_BAR_IO, .size = 0x20 };
	unsigned all = 1u << PCI_WIN_IO | 1u << PCI_WIN_MEM | 1u << PCI_WIN_MEM64;
	assert_int_equal(pci_bar_window(&m32, all), PCI_WIN_MEM);
	assert_int_equal(pci_bar_window(&m64, all), PCI_WIN_MEM64);
	assert_int_equal(pci_bar_window(&io, all), PCI_WIN_IO);
	/* No 64-bit window: a 64-bit BAR goes below 4 GiB. */
	assert_int_equal(pci_bar_window(&m64, 1u << PCI_WIN_MEM), PCI_WIN_MEM);
	/* Behind a bridge only prefetchable BARs take the prefetchable window. */
	assert_int_equal(pci_bar_window(&m64np, all | PCI_WIN_PREF_ONLY), PCI_WIN_MEM);
	assert_int_equal(pci_bar_window(&m64, all | PCI_WIN_PREF_ONLY), PCI_WIN_MEM64);
	/* Nothing fits. */
	assert_int_equal(pci_bar_window(&io, 1u << PCI_WIN_MEM), PCI_WIN_KINDS);
	assert_int_equal(pci_bar_window(&m32, 1u << PCI_WIN_MEM64), PCI_WIN_KINDS);
}

static void window_alloc_aligns_and_runs_out(void **state)
{
	struct pci_window w = { .pci_base = 0x10000000, .cpu_base = 0x10000000, .size = 0x10000 };
	w.next = w.pci_base;
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x1000), 0x10000000);
	/* 16 KiB aligned: skips to 0x10004000. */
	assert_int_equal(pci_window_alloc(&w, 0x4000, 0x4000), 0x10004000);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x1000), 0x10008000);
	/* Bigger than the window, and bigger than what is left: refused,
	 * the cursor unchanged. */
	assert_int_equal(pci_window_alloc(&w, 0x20000, 0x20000), UINT64_MAX);
	assert_int_equal(pci_window_alloc(&w, 0x8000, 0x8000), UINT64_MAX);
	assert_int_equal(w.next, 0x10009000);
	/* The rest fits exactly, then the window is exhausted. */
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x1000), 0x10009000);
	assert_int_equal(pci_window_alloc(&w, 0x6000, 0x2000), 0x1000a000);
	assert_int_equal(pci_window_alloc(&w, 0x1000, 0x1000), UINT64_MAX);
	/* No window, zero size, alignment not a power of two. */
	struct pci_window none = { 0 };
	assert_int_equal(pci_window_alloc(&none, 0x1000, 0x1000), UINT64_MAX);
	struct pci_window w2 = { .pci_base = 0x1000, .size = 0x10000, .next = 0x1000 };
	assert_int_equal(pci_window_alloc(&w2, 0, 0x1000), UINT64_MAX);
	assert_int_equal(pci_window_alloc(&w2, 0x1000, 0x3000), UINT64_MAX);
	/* A window at the top of the address space: no wrap-around. */
	struct pci_window top = { .pci_base = 0xfffffffffff00000ull, .size = 0x100000 };
	top.next = top.pci_base + 0x1000;
	assert_int_equal(pci_window_alloc(&top, 0x100000, 0x100000), UINT64_MAX);
}

/* --- capabilities ------------------------------------------------------ */

static uint8_t cfg[256];
static uint8_t rd(const void *ctx, unsigned off) { return ((const uint8_t *)ctx)[off & 0xff]; }

static void cap(unsigned at, uint8_t id, uint8_t next)
{
	cfg[at] = id;
	cfg[at + 1] = next;
}

static void cap_walk_good_list(void **state)
{
	memset(cfg, 0, sizeof cfg);
	cfg[PCI_CAP_PTR] = 0x98;
	cap(0x98, PCI_CAP_ID_MSIX, 0x84);
	cap(0x84, PCI_CAP_ID_VENDOR, 0x70);
	cap(0x70, PCI_CAP_ID_VENDOR, 0x60);
	cap(0x60, PCI_CAP_ID_VENDOR, 0x50);
	cap(0x50, PCI_CAP_ID_VENDOR, 0x40);
	cap(0x40, PCI_CAP_ID_VENDOR, 0x00);
	bool bad;
	unsigned order[] = { 0x84, 0x70, 0x60, 0x50, 0x40 };
	unsigned at = 0;
	for (unsigned i = 0; i < 5; i++) {
		at = pci_cap_walk(rd, cfg, at, PCI_CAP_ID_VENDOR, &bad);
		assert_int_equal(at, order[i]);
		assert_false(bad);
	}
	assert_int_equal(pci_cap_walk(rd, cfg, at, PCI_CAP_ID_VENDOR, &bad), 0);
	assert_false(bad);
	assert_int_equal(pci_cap_walk(rd, cfg, 0, PCI_CAP_ID_MSIX, &bad), 0x98);
	assert_int_equal(pci_cap_walk(rd, cfg, 0, PCI_CAP_ID_EXP, &bad), 0);
	assert_false(bad);
	/* Any id: the head. Low two pointer bits are ignored at the head. */
	cfg[PCI_CAP_PTR] = 0x9b;
	assert_int_equal(pci_cap_walk(rd, cfg, 0, 0, &bad), 0x98);
}

static void cap_walk_malformed_lists(void **state)
{
	bool bad;
	/* A loop: 0x40 -> 0x50 -> 0x40 ... ends, reported, never spins. */
	memset(cfg, 0, sizeof cfg);
	cfg[PCI_CAP_PTR] = 0x40;
	cap(0x40, PCI_CAP_ID_VENDOR, 0x50);
	cap(0x50, PCI_CAP_ID_VENDOR, 0x40);
	assert_int_equal(pci_cap_walk(rd, cfg, 0, PCI_CAP_ID_MSIX, &bad), 0);
	assert_true(bad);
	/* A self loop, searched from inside the loop. */
	cap(0x40, PCI_CAP_ID_VENDOR, 0x40);
	assert_int_equal(pci_cap_walk(rd, cfg, 0x40, PCI_CAP_ID_VENDOR, &bad), 0);
	assert_true(bad);
	/* A pointer into the standard header. */
	cap(0x40, PCI_CAP_ID_VENDOR, 0x10);
	assert_int_equal(pci_cap_walk(rd, cfg, 0x40, PCI_CAP_ID_VENDOR, &bad), 0);
	assert_true(bad);
	/* A misaligned next pointer. */
	cap(0x40, PCI_CAP_ID_VENDOR, 0x51);
	assert_int_equal(pci_cap_walk(rd, cfg, 0x40, 0, &bad), 0);
	assert_true(bad);
	/* The head itself in the header. */
	cfg[PCI_CAP_PTR] = 0x08;
	assert_int_equal(pci_cap_walk(rd, cfg, 0, 0, &bad), 0);
	assert_true(bad);
	/* What came before a break is still found. */
	cfg[PCI_CAP_PTR] = 0x40;
	cap(0x40, PCI_CAP_ID_MSIX, 0x48);
	cap(0x48, PCI_CAP_ID_VENDOR, 0x05);
	assert_int_equal(pci_cap_walk(rd, cfg, 0, PCI_CAP_ID_MSIX, &bad), 0x40);
	assert_false(bad);
	/* A list that fills all of 0x40-0xff and loops at the end. */
	cfg[PCI_CAP_PTR] = 0x40;
	for (unsigned p = 0x40; p < 0x100; p += 4)
		cap(p, PCI_CAP_ID_VENDOR, p + 4 < 0x100 ? p + 4 : 0x40);
	assert_int_equal(pci_cap_walk(rd, cfg, 0, PCI_CAP_ID_EXP, &bad), 0);
	assert_true(bad);
}

/* --- INTx and the device tree ------------------------------------------ */

static uint8_t *blob;

static int load_fixture(void **state)
{
	FILE *f = fopen("pci.dtb", "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	blob = malloc((size_t)n);
	assert_int_equal(fread(blob, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return 0;
}

static int free_fixture(void **state)
{
	free(blob);
	return 0;
}

/* A GIC specifier (type, number, flags): SPIs only, as INTIDs. */
static int gic_spi(const void *fdt, int ctrl, const uint32_t *cells, int ncells)
{
	if (ncells != 3 || fdt_read_cells(cells, 1) != 0)
		return -1;
	return 32 + (int)fdt_read_cells(cells + 1, 1);
}

static void swizzle_rotates_by_slot(void **state)
{
	assert_int_equal(pci_intx_swizzle(1, 0), 1);
	assert_int_equal(pci_intx_swizzle(1, 1), 2);
	assert_int_equal(pci_intx_swizzle(4, 1), 1);
	assert_int_equal(pci_intx_swizzle(2, 3), 1);
	assert_int_equal(pci_intx_swizzle(3, 31), 2);
	/* Two bridges deep: slot 1 under slot 2 under the host. */
	assert_int_equal(pci_intx_swizzle(pci_intx_swizzle(1, 1), 2), 4);
}

static void interrupt_map_lookup(void **state)
{
	int host = fdt_path(blob, "/pcie@10000000");
	assert_true(host >= 0);
	/* QEMU virt: slot s pin p -> SPI 3 + (s + p - 1) % 4. */
	for (unsigned slot = 0; slot < 32; slot++)
		for (unsigned pin = 1; pin <= 4; pin++)
			assert_int_equal(pci_fdt_intx_lookup(blob, host, 0, slot, 0, pin, gic_spi),
					 32 + 3 + (int)((slot + pin - 1) % 4));
	/* The mask ignores bus and function. */
	assert_int_equal(pci_fdt_intx_lookup(blob, host, 5, 2, 7, 1, gic_spi), 32 + 5);
	/* Pin 0 (none) and pin 5 (no such pin) are not in the map. */
	assert_int_equal(pci_fdt_intx_lookup(blob, host, 0, 1, 0, 0, gic_spi), -1);
	assert_int_equal(pci_fdt_intx_lookup(blob, host, 0, 1, 0, 5, gic_spi), -1);
	/* A map cut short: nothing read past it. */
	int bad = fdt_path(blob, "/pcie@20000000");
	assert_true(bad >= 0);
	assert_int_equal(pci_fdt_intx_lookup(blob, bad, 0, 0, 0, 1, gic_spi), -1);
}

static void host_from_ranges(void **state)
{
	int host = fdt_path(blob, "/pcie@10000000");
	struct pci_host h = { 0 };
	assert_int_equal(pci_fdt_parse_host(blob, host, &h), 0);
	assert_int_equal(h.ecam, 0x4010000000ull);
	assert_int_equal(h.bus_start, 0);
	assert_int_equal(h.bus_end, 255);
	/* I/O at bus address 0: the first 4 KiB is kept back (0 means
	 * unassigned to the BAR code). */
	assert_int_equal(h.win[PCI_WIN_IO].pci_base, 0x1000);
	assert_int_equal(h.win[PCI_WIN_IO].cpu_base, 0x3eff1000);
	assert_int_equal(h.win[PCI_WIN_IO].size, 0xf000);
	assert_int_equal(h.win[PCI_WIN_MEM].pci_base, 0x10000000);
	assert_int_equal(h.win[PCI_WIN_MEM].cpu_base, 0x10000000);
	assert_int_equal(h.win[PCI_WIN_MEM].size, 0x2eff0000);
	assert_int_equal(h.win[PCI_WIN_MEM64].pci_base, 0x8000000000ull);
	assert_int_equal(h.win[PCI_WIN_MEM64].size, 0x8000000000ull);

	int bad = fdt_path(blob, "/pcie@20000000");
	struct pci_host hb = { 0 };
	assert_int_equal(pci_fdt_parse_host(blob, bad, &hb), -EINVAL);	/* ranges cut short */
	/* 1 MiB of ECAM covers one bus, whatever bus-range claims. */
	assert_int_equal(hb.bus_end, 0);
}

static void init_adds_only_good_hosts(void **state)
{
	hosts_added = 0;
	assert_int_equal(pci_fdt_init(blob, gic_spi), 1);
	assert_int_equal(hosts_added, 1);
	assert_non_null(last_host->intx);
	assert_true(last_host->assign_all);
	assert_int_equal(last_host->ecam, 0x4010000000ull);
	free(last_host);	/* the host record starts pci_fdt.c's allocation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bar_decode_32bit_memory),
		cmocka_unit_test(bar_decode_64bit_prefetchable),
		cmocka_unit_test(bar_decode_io_and_unimplemented),
		cmocka_unit_test(bar_decode_rejects_malformed),
		cmocka_unit_test(window_choice),
		cmocka_unit_test(window_alloc_aligns_and_runs_out),
		cmocka_unit_test(cap_walk_good_list),
		cmocka_unit_test(cap_walk_malformed_lists),
		cmocka_unit_test(swizzle_rotates_by_slot),
		cmocka_unit_test(interrupt_map_lookup),
		cmocka_unit_test(host_from_ranges),
		cmocka_unit_test(init_adds_only_good_hosts),
	};
	return cmocka_run_group_tests_name("pci", tests, load_fixture, free_fixture);
}
