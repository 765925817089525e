/*
 * arch_early_init(): from the PVH start info and the ACPI tables to a
 * machine the generic kernel can use. Runs on the boot CPU with interrupts
 * off; kprintf() output waits in the console's early buffer until
 * board_init() registers the UART.
 */
#include <arch/boot.h>
#include <arch/x86/acpi.h>
#include <arch/x86/insn.h>
#include <arch/x86/layout.h>
#include <arch/x86/madt.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/mem.h>
#include <kernel/smp.h>
#include <stddef.h>

/* The PVH boot ABI's start info (Xen public/arch-x86/hvm/start_info.h). */
#define HVM_START_MAGIC 0x336ec578
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version 1 and later */
	uint32_t memmap_entries;
	uint32_t reserved;
};
struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

#define MEMMAP_MAX 64
static struct x86_mem_region memmap[MEMMAP_MAX];
static unsigned memmap_count;
static uint64_t rsdp_paddr;

extern char __image_start[], __image_end[];

const struct x86_mem_region *x86_memmap(unsigned *count)
{
	*count = memmap_count;
	return memmap;
}

static void memmap_add(uint64_t base, uint64_t size, uint32_t type)
{
	if (memmap_count == MEMMAP_MAX) {
		kprintf("x86: memory map longer than %u entries; the rest is ignored\n", MEMMAP_MAX);
		return;
	}
	memmap[memmap_count++] = (struct x86_mem_region){ base, size, type };
}

/* Without a PVH memory map, ask the CMOS as the BIOS left it: KiB above
 * 1 MiB (to 64 MiB) and 64 KiB blocks above 16 MiB (to 4 GiB). */
static void memmap_from_cmos(void)
{
	outb(0x70, 0x30);
	uint64_t ext_kib = inb(0x71);
	outb(0x70, 0x31);
	ext_kib |= (uint64_t)inb(0x71) << 8;
	outb(0x70, 0x34);
	uint64_t above16 = inb(0x71);
	outb(0x70, 0x35);
	above16 |= (uint64_t)inb(0x71) << 8;

	uint64_t top = above16 ? (16ull << 20) + (above16 << 16) : (1ull << 20) + (ext_kib << 10);
	kprintf("x86: no memory map from the loader; CMOS says RAM ends at %#llx\n",
		(unsigned long long)top);
	memmap_add(0, 0x9f000, X86_MEM_RAM);
	memmap_add(1ull << 20, top - (1ull << 20), X86_MEM_RAM);
}

/* Copy what we need out of the start info before the final page tables
 * unmap page 0 (the loader may keep these anywhere in low memory). */
static void read_start_info(void)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)x86_start_info_paddr;
	if (!si || si->magic != HVM_START_MAGIC) {
		kprintf("x86: no PVH start info (ebx %#x)\n", x86_start_info_paddr);
		si = NULL;
	}

	const char *cmdline = si && si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr : "";
	cmdline_set(cmdline);

	if (si && si->version >= 1 && si->memmap_paddr && si->memmap_entries) {
		const struct hvm_memmap_entry *e = (const void *)(uintptr_t)si->memmap_paddr;
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			memmap_add(e[i].addr, e[i].size, e[i].type);
	} else {
		memmap_from_cmos();
	}

	rsdp_paddr = si ? si->rsdp_paddr : 0;
}

/* Tell the generic kernel which RAM it may use. */
static void report_memory(void)
{
	for (unsigned i = 0; i < memmap_count; i++) {
		const struct x86_mem_region *r = &memmap[i];
		if (r->type != X86_MEM_RAM)
			continue;
		uint64_t end = r->base + r->size;
		if (end > x86_mmu_mapped_top()) {
			kprintf("x86: RAM above %#llx is not mapped; left out\n",
				(unsigned long long)x86_mmu_mapped_top());
			end = x86_mmu_mapped_top();
		}
		if (end > r->base)
			mem_add_range(r->base, end - r->base);
	}
	/* Below 1 MiB: real-mode structures, the BIOS, the PVH start info
	 * and command line, the AP trampoline page. */
	mem_reserve(0, 1u << 20);
	mem_reserve((uintptr_t)__image_start, (uintptr_t)(__image_end - __image_start));
	if (x86_start_info_paddr)
		mem_reserve(x86_start_info_paddr, sizeof(struct hvm_start_info));
}

static struct x86_madt_info madt;

/* Register every CPU the MADT lists, the one running this first. */
static void find_cpus(void)
{
	uint32_t boot_id = x86_cpuid_apic_id();
	size_t len;
	const void *table = x86_acpi_find("APIC", &len);
	int err = table ? x86_madt_parse(table, len, &madt) : X86_MADT_ENOTABLE;
	if (err)
		kprintf("acpi: MADT: %s\n", x86_madt_strerror(err));
	if (!madt.lapic_paddr)
		madt.lapic_paddr = rdmsr(0x1b) & ~0xfffull;	/* IA32_APIC_BASE */

	smp_add_cpu(boot_id);
	for (unsigned i = 0; i < madt.ncpus; i++) {
		uint32_t id = madt.apic_ids[i];
		if (id == boot_id)
			continue;
		if (id > 0xfe) {
			/* xAPIC ICR destinations are 8 bits (0xff broadcasts). */
			kprintf("x86: cpu with APIC id %u needs x2APIC; left out\n", id);
			continue;
		}
		smp_add_cpu(id);
	}
	if (madt.cpus_dropped)
		kprintf("acpi: MADT lists more than %u cpus; left out %u\n", X86_MADT_MAX_CPUS,
			madt.cpus_dropped);
}

const struct x86_madt_info *x86_madt(void) { return &madt; }

void arch_early_init(void)
{
	x86_gdt_load();		/* this CPU's GDT and TSS (IST stacks for #DF and NMI) */
	x86_idt_init();		/* every vector to entry.S ... */
	x86_idt_load();		/* ... so a fault from here on is reported */
	read_start_info();	/* memory map, command line, RSDP: before page 0 goes */
	x86_mmu_init();		/* final page tables: W^X image, devices uncached */
	report_memory();	/* mem_add_range / mem_reserve */
	x86_acpi_init(rsdp_paddr);	/* find the RSDT/XSDT */
	find_cpus();		/* MADT -> smp_add_cpu(), boot CPU first */
	x86_pic_disable();	/* legacy 8259s off: the LAPIC/IOAPIC take over */
	x86_lapic_init(madt.lapic_paddr);
	x86_lapic_enable();
	x86_ioapic_init();	/* every entry masked until arch_irq_route() */
	x86_tsc_calibrate();	/* arch_counter_hz(), and delays for INIT-SIPI-SIPI */
	x86_timer_calibrate();	/* TSC-deadline, or the LAPIC timer's rate */
	x86_timer_init_cpu();	/* timer vector set, nothing armed */
	x86_this_percpu()->ready = true;
}

const void *arch_fdt(void) { return NULL; }
