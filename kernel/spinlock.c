/*
 * Ticket spinlocks (see kernel/spinlock.h for the ordering argument).
 *
 * The interrupt state is saved by the outermost lock a CPU takes and
 * restored when it drops its last one, so locks may be released in any
 * order without re-enabling interrupts too early.
 */
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>

static void note_acquired(struct spinlock *l, struct cpu *me, unsigned long irq_state)
{
	__atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
	if (me->spin_depth++ == 0)
		me->spin_irq_state = irq_state;
}

void spin_wait(struct spinlock *l, uint32_t ticket)
{
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

noreturn void spin_misuse(const struct spinlock *l, const char *fn, const char *what)
{
	panic("%s: '%s' %s", fn, l->name, what);
}

bool spin_trylock(struct spinlock *l)
{
	unsigned long irq_state = arch_irq_save();
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_ACQUIRE);
	uint32_t expect = serving;
	/* Free means next == serving; take ticket `serving` if so. */
	if (__atomic_compare_exchange_n(&l->next, &expect, serving + 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		note_acquired(l, this_cpu(), irq_state);
		return true;
	}
	arch_irq_restore(irq_state);
	return false;
}
