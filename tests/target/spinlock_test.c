/*
 * Ticket spinlocks: exact counts under contention from every CPU, the
 * interrupt state is restored, trylock fails while held.
 */
#include "on_all_cpus.h"
#include <kernel/cpu.h>
#include <kernel/spinlock.h>
#include <kernel/test.h>

/* Enough to collide often; more only slows emulated CPUs that the host
 * deschedules while they hold the lock. */
#define ROUNDS 5000

static struct spinlock lock = SPINLOCK_INIT("test");
static volatile unsigned long counter;	/* deliberately not atomic */
static unsigned long per_cpu_rounds[MAX_CPUS];

static void hammer(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		spin_lock(&lock);
		counter = counter + 1;
		per_cpu_rounds[this_cpu()->index]++;
		spin_unlock(&lock);
	}
}

TEST(spinlock_counts_exact_across_cpus)
{
	counter = 0;
	for (unsigned i = 0; i < MAX_CPUS; i++)
		per_cpu_rounds[i] = 0;
	on_all_cpus(hammer, NULL);
	EXPECT_EQ(counter, (unsigned long)ROUNDS * online_cpus());
	for (unsigned i = 0; i < cpu_count(); i++)
		EXPECT_EQ(per_cpu_rounds[i], ROUNDS);
}

TEST(spinlock_restores_interrupt_state)
{
	struct spinlock a = SPINLOCK_INIT("a"), b = SPINLOCK_INIT("b");
	arch_irq_enable();
	spin_lock(&a);
	EXPECT(!arch_irqs_enabled());
	spin_lock(&b);
	spin_unlock(&a);	/* out of order: still one lock held */
	EXPECT(!arch_irqs_enabled());
	spin_unlock(&b);
	EXPECT(arch_irqs_enabled());
	arch_irq_disable();
	spin_lock(&a);
	spin_unlock(&a);
	EXPECT(!arch_irqs_enabled());
}

TEST(spinlock_trylock_and_owner)
{
	struct spinlock a = SPINLOCK_INIT("a");
	EXPECT(spin_trylock(&a));
	EXPECT(spin_held(&a));
	EXPECT(!spin_trylock(&a));
	spin_unlock(&a);
	EXPECT(!spin_held(&a));
	spin_lock(&a);
	EXPECT(spin_held(&a));
	spin_unlock(&a);
}

/* Misuse must panic: this one is run by the runner, which expects the
 * panic message and a non-zero exit. */
MANUAL_TEST(spinlock_recursion_panics)
{
	struct spinlock a = SPINLOCK_INIT("recursive");
	spin_lock(&a);
	spin_lock(&a);
	EXPECT(!"spin_lock on a held lock returned");
}
