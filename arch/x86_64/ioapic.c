/*
 * The legacy interrupt controllers, switched off until drivers route
 * their interrupts: the 8259 pair masked, every IOAPIC entry masked.
 */
#include <arch/mmio.h>
#include <arch/x86/insn.h>
#include <arch/x86/port.h>

#define IOAPIC_REGSEL	0x00
#define IOAPIC_WINDOW	0x10
#define IOAPIC_VER	0x01	/* bits 16-23: highest redirection entry */
#define IOAPIC_REDIR(n)	(0x10 + 2 * (n))
#define REDIR_MASKED	(1u << 16)

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

void x86_ioapic_mask_all(uint64_t paddr)
{
	uintptr_t base = (uintptr_t)paddr;
	unsigned last = (ioapic_read(base, IOAPIC_VER) >> 16) & 0xff;
	for (unsigned i = 0; i <= last; i++) {
		ioapic_write(base, IOAPIC_REDIR(i) + 1, 0);	/* destination */
		ioapic_write(base, IOAPIC_REDIR(i), REDIR_MASKED);
	}
}
