/*
 * Starting the other CPUs: the MP wake-up sequence (INIT, then up to two
 * STARTUP IPIs) to a trampoline (trampoline.S) copied below 1 MiB, one CPU
 * at a time (smp_boot() waits for each to come online before the next).
 */
#include <arch/boot.h>
#include <arch/x86/insn.h>
#include <arch/x86/layout.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <kernel/cpu.h>
#include <string.h>

/* trampoline.S's parameter block, at x86_trampoline_params. */
struct x86_tramp_params {
	uint64_t cr3;
	uint64_t stack;
	uint64_t cpu;
	uint64_t entry;
	uint32_t started;	/* the AP reached protected mode */
	uint32_t reserved;
};

extern const char x86_trampoline_start[], x86_trampoline_end[], x86_trampoline_params[];
void x86_secondary_entry(void);

noreturn void x86_secondary_main(struct cpu *c);

int arch_cpu_start(struct cpu *c)
{
	char *page = (char *)X86_TRAMPOLINE_PADDR;
	memcpy(page, x86_trampoline_start, (size_t)(x86_trampoline_end - x86_trampoline_start));
	volatile struct x86_tramp_params *tp =
		(void *)(page + (x86_trampoline_params - x86_trampoline_start));
	tp->cr3 = read_cr3();
	tp->stack = c->stack_top;
	tp->cpu = (uintptr_t)c;
	tp->entry = (uintptr_t)x86_secondary_entry;
	tp->started = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	uint32_t id = (uint32_t)c->hwid;
	uint32_t sipi = X86_ICR_SIPI | X86_ICR_ASSERT | (X86_TRAMPOLINE_PADDR >> 12);
	x86_lapic_send(id, X86_ICR_INIT | X86_ICR_ASSERT);
	x86_udelay(10000);		/* INIT: 10 ms */
	x86_lapic_send(id, sipi);
	x86_udelay(200);		/* STARTUP: 200 us */
	/* A second STARTUP only if the first was lost; an AP already
	 * running ignores it anyway. */
	for (int i = 0; i < 50 && !tp->started; i++)
		x86_udelay(20);
	if (!tp->started) {
		x86_lapic_send(id, sipi);
		x86_udelay(200);
	}
	return 0;
}

/* Called by x86_secondary_entry on c's stack. */
noreturn void x86_secondary_main(struct cpu *c)
{
	arch_set_this_cpu(c);
	arch_init_secondary();
	kmain_secondary(c);
}

void arch_init_secondary(void)
{
	x86_gdt_load();		/* own GDT and TSS (IST stacks) */
	x86_idt_load();		/* the shared IDT */
	x86_lapic_enable();
	x86_timer_init_cpu();	/* timer vector set, nothing armed */
	/* Ready for NMIs (TLB shootdowns) from here on; flush once to drop
	 * anything cached before a shootdown could reach us. */
	__atomic_store_n(&x86_this_percpu()->ready, true, __ATOMIC_SEQ_CST);
	write_cr3(read_cr3());
}
