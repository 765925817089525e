/*
 * arch_mmu_protect(): argument checks, and a page made read-only or
 * inaccessible and back again stays usable. (That the protection really
 * faults is shown by the manual tests in fault_test.c, which the runner
 * expects to end in a register dump.)
 */
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/test.h>
#include <stdint.h>

static char page[2 * MMU_PAGE_SIZE] __attribute__((aligned(MMU_PAGE_SIZE)));

TEST(mmu_protect_rejects_bad_ranges)
{
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page + 1, MMU_PAGE_SIZE, MMU_READ), -EINVAL);
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page, 100, MMU_READ), -EINVAL);
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page, 0, MMU_READ), -EINVAL);
}

TEST(mmu_protect_round_trip)
{
	volatile char *p = page;
	p[0] = 42;
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page, MMU_PAGE_SIZE, MMU_READ), 0);
	EXPECT_EQ(p[0], 42);		/* still readable */
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page, MMU_PAGE_SIZE, MMU_NONE), 0);
	EXPECT_EQ(arch_mmu_protect((uintptr_t)page, MMU_PAGE_SIZE, MMU_READ | MMU_WRITE), 0);
	p[0] = 43;
	p[MMU_PAGE_SIZE] = 44;		/* the neighbour page was never touched */
	EXPECT_EQ(p[0], 43);
	EXPECT_EQ(p[MMU_PAGE_SIZE], 44);
}
