/*
 * Deliberate failures, run one at a time by the runner (test=<name>), which
 * checks the console for the report and QEMU for a non-zero exit or, for the
 * hang, kills QEMU at its time limit and counts the hang as caught.
 */
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <kernel/panic.h>
#include <kernel/test.h>
#include <assert.h>
#include <stdint.h>

static char guard[MMU_PAGE_SIZE] __attribute__((aligned(MMU_PAGE_SIZE)));

/* An undefined instruction. */
MANUAL_TEST(fault_trap)
{
	__builtin_trap();
}

/* A store to a page the MMU was told to leave unmapped. */
MANUAL_TEST(fault_unmapped_page)
{
	EXPECT_EQ(arch_mmu_protect((uintptr_t)guard, sizeof guard, MMU_NONE), 0);
	*(volatile char *)guard = 1;
	EXPECT(!"store to an unmapped page did not fault");
}

/* A store to a read-only page. */
MANUAL_TEST(fault_readonly_page)
{
	EXPECT_EQ(arch_mmu_protect((uintptr_t)guard, sizeof guard, MMU_READ), 0);
	*(volatile char *)guard = 1;
	EXPECT(!"store to a read-only page did not fault");
}

/* Executing from the data section (W^X). */
MANUAL_TEST(fault_exec_data)
{
	static uint32_t code[4];
	void (*fn)(void) = (void (*)(void))(uintptr_t)code;
	fn();
	EXPECT(!"executing a data page did not fault");
}

MANUAL_TEST(panic_reports)
{
	panic("deliberate panic from the test suite");
}

MANUAL_TEST(assert_reports)
{
	volatile int two = 2;
	assert(two == 3);
}

/* Never returns, interrupts off: only the runner's time limit ends it. */
MANUAL_TEST(hang)
{
	arch_irq_disable();
	for (;;)
		__asm__ volatile("" ::: "memory");
}
