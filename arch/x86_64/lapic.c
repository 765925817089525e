/*
 * The local APIC in xAPIC mode (registers memory-mapped at the MADT's
 * address, uncached by mmu.c): enabling it on each CPU, end of interrupt,
 * and sending IPIs. IPI_WAKE and IPI_RESCHED are fixed vectors, IPI_STOP
 * an NMI so it stops a CPU even when it spins with interrupts off. The
 * timer is in timer.c.
 */
#include <arch/ipi.h>
#include <arch/mmio.h>
#include <arch/x86/layout.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <kernel/cpu.h>

#define LAPIC_TPR	0x080	/* task priority: 0 accepts every vector */
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0	/* spurious vector; bit 8 enables the APIC */
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_ERROR	0x370
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define ICR_PENDING	(1u << 12)

static uintptr_t lapic;

uint32_t x86_lapic_read(unsigned reg) { return mmio_read32(lapic + reg); }
void x86_lapic_write(unsigned reg, uint32_t v) { mmio_write32(lapic + reg, v); }

void x86_lapic_init(uint64_t paddr) { lapic = (uintptr_t)paddr; }

void x86_lapic_enable(void)
{
	x86_lapic_write(LAPIC_TPR, 0);
	/* Nothing local may interrupt yet: the timer is set up by
	 * x86_timer_init_cpu() and LINT0 carries the 8259s, which are off
	 * (ioapic.c). LINT1 keeps the firmware's NMI wiring. */
	x86_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	x86_lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	x86_lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	x86_lapic_write(LAPIC_SVR, SVR_ENABLE | X86_VEC_SPURIOUS);
}

void x86_lapic_eoi(void) { x86_lapic_write(LAPIC_EOI, 0); }

/* The destination and command are two writes to one per-CPU register
 * pair, so no interrupt handler on this CPU may send in between. */
void x86_lapic_send(uint32_t apic_id, uint32_t icr)
{
	unsigned long irq = arch_irq_save();
	while (x86_lapic_read(LAPIC_ICR_LO) & ICR_PENDING)
		arch_cpu_relax();
	x86_lapic_write(LAPIC_ICR_HI, apic_id << 24);
	x86_lapic_write(LAPIC_ICR_LO, icr);
	arch_irq_restore(irq);
}

void arch_ipi_send(struct cpu *target, enum ipi ipi)
{
	switch (ipi) {
	case IPI_WAKE:
		x86_lapic_send((uint32_t)target->hwid, X86_ICR_FIXED | X86_ICR_ASSERT | X86_VEC_IPI_WAKE);
		break;
	case IPI_RESCHED:
		x86_lapic_send((uint32_t)target->hwid,
			       X86_ICR_FIXED | X86_ICR_ASSERT | X86_VEC_IPI_RESCHED);
		break;
	case IPI_STOP:
		/* The flag tells the target's NMI handler why it was sent. */
		__atomic_store_n(&x86_percpu_of(target)->stop_pending, true, __ATOMIC_RELEASE);
		x86_lapic_send((uint32_t)target->hwid, X86_ICR_NMI | X86_ICR_ASSERT);
		break;
	default:
		break;
	}
}
