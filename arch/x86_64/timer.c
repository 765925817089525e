/*
 * The per-CPU one-shot timer (arch/timer.h) on the local APIC timer.
 *
 * If CPUID says the LAPIC has TSC-deadline mode, arch_timer_arm() writes
 * the deadline, which is already in TSC ticks, to IA32_TSC_DEADLINE.
 * Otherwise the timer runs in one-shot mode: the LAPIC timer's rate is
 * measured against the TSC once at boot (every CPU's LAPIC timer runs off
 * the same bus clock), and arm turns the distance to the deadline into a
 * countdown. A deadline further off than the 32-bit counter reaches fires
 * early; timer_interrupt() finds nothing due and arms again.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <arch/x86/insn.h>
#include <arch/x86/layout.h>
#include <arch/x86/port.h>
#include <kernel/log.h>

#define LAPIC_LVT_TIMER	0x320
#define LAPIC_TIMER_INIT 0x380	/* initial count: writing starts a countdown, 0 stops it */
#define LAPIC_TIMER_CUR	0x390	/* current count */
#define LAPIC_TIMER_DIV	0x3e0
#define DIV_BY_1	0xb
#define LVT_MASKED	(1u << 16)
#define LVT_ONE_SHOT	(0u << 17)
#define LVT_TSC_DEADLINE (2u << 17)
#define MSR_TSC_DEADLINE 0x6e0
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)
#define COUNT_MAX	0xffffffffu

static bool tsc_deadline;
/* One-shot mode: LAPIC timer ticks per TSC tick, 32.32 fixed point. */
static uint64_t ticks_per_tsc;

/* Boot CPU, interrupts off: pick the mode and, for one-shot, measure the
 * LAPIC timer against the TSC for 10 ms. */
void x86_timer_calibrate(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	tsc_deadline = r[2] & CPUID1_ECX_TSC_DEADLINE;
	if (tsc_deadline)
		return;

	x86_lapic_write(LAPIC_TIMER_DIV, DIV_BY_1);
	x86_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_ONE_SHOT | X86_VEC_TIMER);
	uint64_t span = arch_counter_hz() / 100;
	x86_lapic_write(LAPIC_TIMER_INIT, COUNT_MAX);
	uint64_t start = arch_counter();
	while (arch_counter() - start < span)
		arch_cpu_relax();
	uint32_t left = x86_lapic_read(LAPIC_TIMER_CUR);
	uint64_t now = arch_counter();
	x86_lapic_write(LAPIC_TIMER_INIT, 0);

	uint64_t ticks = COUNT_MAX - left;
	ticks_per_tsc = (ticks << 32) / (now - start);
	if (!ticks_per_tsc) {
		ticks_per_tsc = 1ull << 32;	/* never a zero countdown below */
		kprintf("x86: LAPIC timer did not count; assuming the TSC's rate\n");
	}
}

/* Each CPU, interrupts off: the timer's vector, unmasked but stopped. */
void x86_timer_init_cpu(void)
{
	if (tsc_deadline) {
		x86_lapic_write(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | X86_VEC_TIMER);
		/* The SDM asks for a fence between the (memory-mapped) LVT
		 * write and the first TSC_DEADLINE write. */
		__asm__ volatile("mfence" : : : "memory");
		wrmsr(MSR_TSC_DEADLINE, 0);
		return;
	}
	x86_lapic_write(LAPIC_TIMER_DIV, DIV_BY_1);
	x86_lapic_write(LAPIC_TIMER_INIT, 0);
	x86_lapic_write(LAPIC_LVT_TIMER, LVT_ONE_SHOT | X86_VEC_TIMER);
}

void arch_timer_arm(uint64_t deadline)
{
	if (tsc_deadline) {
		/* 0 would disarm; a passed deadline fires at once. */
		wrmsr(MSR_TSC_DEADLINE, deadline ? deadline : 1);
		return;
	}
	uint64_t now = arch_counter();
	uint64_t delta = deadline > now ? deadline - now : 0;
	unsigned __int128 count = ((unsigned __int128)delta * ticks_per_tsc) >> 32;
	if (count > COUNT_MAX)
		count = COUNT_MAX;	/* fires early; the generic code arms again */
	if (count == 0)
		count = 1;		/* 0 would stop the timer */
	x86_lapic_write(LAPIC_TIMER_INIT, (uint32_t)count);
}

void arch_timer_disarm(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		x86_lapic_write(LAPIC_TIMER_INIT, 0);
}
