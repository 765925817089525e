/*
 * MSI on x86 (SDM vol. 3, 11.11): a device's message write to 0xfee00000
 * with the destination APIC id in bits 12-19 arrives as the vector in the
 * data's low byte, fixed delivery, edge. MSI interrupt numbers are the
 * GSI-style numbers no IOAPIC serves, from the top of the device vector
 * range down, so vector = X86_VEC_IRQ_BASE + irq as for every other device
 * interrupt and exception.c dispatches them unchanged.
 *
 * There is no controller-side mask for an MSI: masking is the device's
 * (the MSI-X vector control bit, pci_msix.c), so arch_irq_mask() does
 * nothing for these numbers.
 */
#include <arch/msi.h>
#include <arch/x86/layout.h>
#include <arch/x86/port.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/spinlock.h>
#include <stdbool.h>

#define MSI_ADDR_BASE	0xfee00000u
#define MSI_DEST_SHIFT	12

struct msi_slot {
	bool used;
	bool routed;
	uint8_t apic_id;
};

static struct msi_slot slots[X86_VEC_IRQ_COUNT];
static struct spinlock msi_lock = SPINLOCK_INIT("msi");

bool x86_msi_owns(unsigned irq)
{
	return irq < X86_VEC_IRQ_COUNT && irq >= x86_ioapic_gsi_end() &&
	       __atomic_load_n(&slots[irq].used, __ATOMIC_ACQUIRE);
}

int arch_msi_alloc(void)
{
	int irq = -ENOSPC;
	spin_lock(&msi_lock);
	for (unsigned i = X86_VEC_IRQ_COUNT; i-- > x86_ioapic_gsi_end();) {
		if (!slots[i].used) {
			slots[i] = (struct msi_slot){ .used = true };
			irq = (int)i;
			break;
		}
	}
	spin_unlock(&msi_lock);
	return irq;
}

void arch_msi_free(unsigned irq)
{
	if (!x86_msi_owns(irq))
		return;
	spin_lock(&msi_lock);
	slots[irq] = (struct msi_slot){ 0 };
	spin_unlock(&msi_lock);
}

/* arch_irq_route() for an MSI number: the destination lives in the
 * message, so only remember it; the caller programs the device. */
int x86_msi_route(unsigned irq, struct cpu *target)
{
	if (!x86_msi_owns(irq) || !target || target->hwid > 0xfe)
		return -EINVAL;
	spin_lock(&msi_lock);
	slots[irq].apic_id = (uint8_t)target->hwid;
	slots[irq].routed = true;
	spin_unlock(&msi_lock);
	return 0;
}

int arch_msi_message(unsigned irq, uint64_t *addr, uint32_t *data)
{
	if (!x86_msi_owns(irq))
		return -EINVAL;
	spin_lock(&msi_lock);
	struct msi_slot s = slots[irq];
	spin_unlock(&msi_lock);
	if (!s.routed)
		return -EINVAL;
	*addr = MSI_ADDR_BASE | (uint32_t)s.apic_id << MSI_DEST_SHIFT;	/* physical, no redirection */
	*data = X86_VEC_IRQ_BASE + irq;					/* fixed, edge */
	return 0;
}
