/*
 * arch_early_init(): everything the boot CPU learns from the device tree
 * (the only thing the loader hands us) before the generic kernel runs, and
 * the matching per-CPU step for the others.
 */
#include <arch/a64.h>
#include <arch/boot.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>
#include <kernel/mem.h>
#include <kernel/panic.h>
#include <kernel/smp.h>
#include <stddef.h>
#include <string.h>

/* head.S reads these offsets of struct cpu. */
_Static_assert(offsetof(struct cpu, index) == A64_CPU_INDEX, "struct cpu index");
_Static_assert(offsetof(struct cpu, stack_top) == A64_CPU_STACK_TOP, "struct cpu stack_top");

#define FDT_MAX_SIZE (2u << 20)	/* the arm64 boot protocol's limit */

const void *a64_boot_fdt;	/* stored by head.S */
static struct a64_cpu a64_cpus[MAX_CPUS];
extern char __image_start[], __image_end[];

struct a64_cpu *a64_cpu_data(struct cpu *c) { return &a64_cpus[c->index]; }
const void *arch_fdt(void) { return a64_boot_fdt; }
const void *arch_acpi_rsdp(void) { return NULL; }

static bool prop_is(const void *fdt, int node, const char *name, const char *value)
{
	int len;
	const char *p = fdt_prop(fdt, node, name, &len);
	return p && len == (int)strlen(value) + 1 && !memcmp(p, value, (size_t)len);
}

/* RAM: every node with device_type "memory", each of its reg ranges. */
static void scan_memory(const void *fdt)
{
	for (int n = fdt_first_child(fdt, fdt_root(fdt)); n >= 0; n = fdt_next_sibling(fdt, n)) {
		if (!prop_is(fdt, n, "device_type", "memory") || !fdt_node_enabled(fdt, n))
			continue;
		uint64_t base, size;
		for (int i = 0; fdt_reg(fdt, n, i, &base, &size) == 0; i++) {
			if (!size)
				continue;
			mem_add_range((uintptr_t)base, size);
			if (a64_mmu_map_ram(base, size))
				panic("mmu: out of page tables mapping RAM at %#llx",
				      (unsigned long long)base);
		}
	}
	a64_mmu_map_done();
}

/* What RAM must not be used for: this image, the tree itself, the tree's
 * memory reservation block and /reserved-memory. */
static void scan_reserved(const void *fdt)
{
	mem_reserve((uintptr_t)__image_start, (uint64_t)(__image_end - __image_start));
	mem_reserve((uintptr_t)fdt, fdt_total_size(fdt));

	/* The reservation block: big-endian (address, size) pairs ending in a
	 * zero pair, at header offset off_mem_rsvmap. */
	const uint8_t *blob = fdt;
	uint32_t off, total = (uint32_t)fdt_total_size(fdt);
	memcpy(&off, blob + 16, 4);
	off = __builtin_bswap32(off);
	for (; off + 16 <= total; off += 16) {
		uint64_t pair[2];
		memcpy(pair, blob + off, 16);
		uint64_t base = __builtin_bswap64(pair[0]), size = __builtin_bswap64(pair[1]);
		if (!base && !size)
			break;
		mem_reserve((uintptr_t)base, size);
	}

	int rm = fdt_path(fdt, "/reserved-memory");
	for (int n = rm >= 0 ? fdt_first_child(fdt, rm) : -1; n >= 0; n = fdt_next_sibling(fdt, n)) {
		uint64_t base, size;
		for (int i = 0; fdt_node_enabled(fdt, n) && fdt_reg(fdt, n, i, &base, &size) == 0; i++)
			mem_reserve((uintptr_t)base, size);
	}
}

static void scan_cmdline(const void *fdt)
{
	int chosen = fdt_path(fdt, "/chosen");
	int len = 0;
	const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : NULL;
	cmdline_set(args && len > 0 && args[len - 1] == '\0' ? args : "");
}

static void add_cpu(uint64_t hwid)
{
	struct cpu *c = smp_add_cpu(hwid);
	if (c)
		c->arch = &a64_cpus[c->index];
}

/* CPUs: /cpus children with device_type "cpu"; "reg" is the MPIDR
 * affinity. The CPU running this goes first (it becomes CPU 0), then the
 * rest in tree order. */
static void scan_cpus(const void *fdt)
{
	uint64_t self = a64_read_sysreg(mpidr_el1) & A64_MPIDR_AFF_MASK;
	add_cpu(self);
	int cpus = fdt_path(fdt, "/cpus");
	if (cpus < 0)
		return;
	int cells = fdt_address_cells(fdt, cpus);
	for (int n = fdt_first_child(fdt, cpus); n >= 0; n = fdt_next_sibling(fdt, n)) {
		int len;
		const uint32_t *reg = fdt_prop(fdt, n, "reg", &len);
		if (!prop_is(fdt, n, "device_type", "cpu") || !fdt_node_enabled(fdt, n) || !reg ||
		    cells < 1 || cells > 2 || len < cells * 4)
			continue;
		uint64_t hwid = fdt_read_cells(reg, cells) & A64_MPIDR_AFF_MASK;
		if (hwid != self)
			add_cpu(hwid);
	}
}

/* Boot order for this port, each step needing the ones above it. The MMU
 * is already on (head.S, with the image and tree mapped) so C runs cached
 * and may make unaligned accesses. */
void arch_early_init(void)
{
	a64_exceptions_init();	/* faults reach exception_report() */
	const void *fdt = a64_boot_fdt;
	if (!fdt || fdt_check(fdt, FDT_MAX_SIZE) < 0)
		panic("no valid device tree at %p (x0 at entry)", fdt);
	scan_memory(fdt);	/* RAM into the allocator and the MMU */
	scan_reserved(fdt);	/* image, tree, firmware reservations */
	scan_cmdline(fdt);	/* /chosen bootargs */
	scan_cpus(fdt);		/* boot CPU first */
	a64_psci_init(fdt);	/* how to start the others */
	a64_gic_init(fdt);	/* distributor, this CPU's interface */
	a64_timer_init(fdt);	/* its PPI; the timer itself stays off */
}

/* A secondary CPU, from head.S: vectors and MMU are on already. */
void arch_init_secondary(void)
{
	a64_exceptions_init();
	a64_gic_cpu_init();	/* disables every PPI, so before the timer's */
	a64_timer_cpu_init();
}
