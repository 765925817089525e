/*
 * The legacy interrupt controllers: the 8259 pair masked for good, and the
 * IOAPICs, every entry masked at boot until a driver routes its interrupt
 * (arch/irq.h).
 *
 * Interrupt numbers are GSIs. GSI n arrives on vector X86_VEC_IRQ_BASE + n
 * at one CPU (physical destination mode, fixed delivery). Trigger mode and
 * polarity come from the MADT's interrupt source overrides; without one,
 * GSIs 0-15 are ISA (edge, active high) and the rest PCI (level, active
 * low). The DSDT's _PRT is not read. Numbers above the IOAPICs' are MSI
 * vectors (msi.c).
 */
#include <arch/irq.h>
#include <arch/mmio.h>
#include <arch/x86/acpi.h>
#include <arch/x86/insn.h>
#include <arch/x86/layout.h>
#include <arch/x86/madt.h>
#include <arch/x86/port.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>

#define IOAPIC_REGSEL	0x00
#define IOAPIC_WINDOW	0x10
#define IOAPIC_VER	0x01	/* bits 16-23: highest redirection entry */
#define IOAPIC_REDIR(n)	(0x10 + 2 * (n))	/* low word; the high word follows */
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL	(1u << 15)
#define REDIR_MASKED	(1u << 16)

/* MPS INTI flags in an interrupt source override. */
#define INTI_POLARITY(f) ((f) & 3)	/* 0 bus default, 1 high, 3 low */
#define INTI_TRIGGER(f)	(((f) >> 2) & 3)	/* 0 bus default, 1 edge, 3 level */

#define ISA_IRQS	16

struct ioapic {
	uintptr_t base;
	unsigned gsi_base;
	unsigned entries;
};

static struct ioapic ioapics[X86_MADT_MAX_IOAPICS];
static unsigned nioapics;
/* The index/data register pair is two accesses: one CPU at a time. */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

void x86_pic_disable(void)
{
	outb(0x21, 0xff);	/* master 8259: mask IRQ 0-7 */
	outb(0xa1, 0xff);	/* slave 8259: mask IRQ 8-15 */
}

static uint32_t ioapic_read(uintptr_t base, unsigned reg)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	return mmio_read32(base + IOAPIC_WINDOW);
}

static void ioapic_write(uintptr_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base + IOAPIC_REGSEL, reg);
	mmio_write32(base + IOAPIC_WINDOW, v);
}

void x86_ioapic_init(void)
{
	const struct x86_madt_info *m = x86_madt();
	for (unsigned i = 0; i < m->nioapics; i++) {
		struct ioapic *io = &ioapics[nioapics++];
		io->base = m->ioapics[i].paddr;
		io->gsi_base = m->ioapics[i].gsi_base;
		io->entries = ((ioapic_read(io->base, IOAPIC_VER) >> 16) & 0xff) + 1;
		for (unsigned n = 0; n < io->entries; n++) {
			ioapic_write(io->base, IOAPIC_REDIR(n) + 1, 0);	/* destination */
			ioapic_write(io->base, IOAPIC_REDIR(n), REDIR_MASKED);
		}
	}
}

unsigned x86_ioapic_gsi_end(void)
{
	unsigned end = ISA_IRQS;
	for (unsigned i = 0; i < nioapics; i++)
		if (ioapics[i].gsi_base + ioapics[i].entries > end)
			end = ioapics[i].gsi_base + ioapics[i].entries;
	return end;
}

/* The IOAPIC serving gsi, and the entry's number there; NULL if none. */
static struct ioapic *ioapic_of(unsigned gsi, unsigned *entry)
{
	for (unsigned i = 0; i < nioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->entries) {
			*entry = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

unsigned x86_isa_irq_to_gsi(unsigned isa_irq)
{
	const struct x86_madt_info *m = x86_madt();
	for (unsigned i = 0; i < m->noverrides; i++)
		if (m->overrides[i].bus == 0 && m->overrides[i].source == isa_irq)
			return m->overrides[i].gsi;
	return isa_irq;
}

/* Trigger mode and polarity bits of gsi's redirection entry. */
static uint32_t redir_mode(unsigned gsi)
{
	const struct x86_madt_info *m = x86_madt();
	bool isa = gsi < ISA_IRQS;
	unsigned flags = 0;
	for (unsigned i = 0; i < m->noverrides; i++) {
		if (m->overrides[i].gsi == gsi) {
			isa = m->overrides[i].bus == 0;
			flags = m->overrides[i].flags;
			break;
		}
	}
	bool low = !isa, level = !isa;	/* the bus defaults */
	if (INTI_POLARITY(flags) == 1)
		low = false;
	else if (INTI_POLARITY(flags) == 3)
		low = true;
	if (INTI_TRIGGER(flags) == 1)
		level = false;
	else if (INTI_TRIGGER(flags) == 3)
		level = true;
	return (low ? REDIR_ACTIVE_LOW : 0) | (level ? REDIR_LEVEL : 0);
}

int arch_irq_route(unsigned irq, struct cpu *target)
{
	if (x86_msi_owns(irq))
		return x86_msi_route(irq, target);
	unsigned entry;
	struct ioapic *io = ioapic_of(irq, &entry);
	if (!io || irq >= X86_VEC_IRQ_COUNT || !target || target->hwid > 0xfe)
		return -EINVAL;
	uint32_t low = (X86_VEC_IRQ_BASE + irq) | redir_mode(irq);	/* fixed, physical */
	spin_lock(&ioapic_lock);
	/* Masked while the destination changes, so no half-written entry
	 * ever delivers. */
	ioapic_write(io->base, IOAPIC_REDIR(entry), low | REDIR_MASKED);
	ioapic_write(io->base, IOAPIC_REDIR(entry) + 1, (uint32_t)target->hwid << 24);
	ioapic_write(io->base, IOAPIC_REDIR(entry), low);
	spin_unlock(&ioapic_lock);
	return 0;
}

static void set_masked(unsigned irq, bool masked)
{
	unsigned entry;
	struct ioapic *io = ioapic_of(irq, &entry);
	if (!io)
		return;
	spin_lock(&ioapic_lock);
	uint32_t low = ioapic_read(io->base, IOAPIC_REDIR(entry));
	/* An entry never routed has vector 0: it stays masked. */
	if (masked || (low & 0xff))
		ioapic_write(io->base, IOAPIC_REDIR(entry),
			     masked ? low | REDIR_MASKED : low & ~REDIR_MASKED);
	spin_unlock(&ioapic_lock);
}

void arch_irq_mask(unsigned irq) { set_masked(irq, true); }
void arch_irq_unmask(unsigned irq) { set_masked(irq, false); }
