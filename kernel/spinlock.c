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

void spin_lock(struct spinlock *l)
{
	unsigned long irq_state = arch_irq_save();
	struct cpu *me = this_cpu();
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me)
		panic("spin_lock: '%s' is already held by this cpu", l->name);
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
	note_acquired(l, me, irq_state);
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

void spin_unlock(struct spinlock *l)
{
	struct cpu *me = this_cpu();
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me)
		panic("spin_unlock: '%s' is not held by this cpu", l->name);
	if (me->spin_depth == 0)
		panic("spin_unlock: '%s': lock depth underflow", l->name);
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	/* Release: the critical section's writes happen before the next
	 * holder's acquire load sees its ticket served. */
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
	if (--me->spin_depth == 0)
		arch_irq_restore(me->spin_irq_state);
}

unsigned long spin_unlock_irq_off(struct spinlock *l)
{
	struct cpu *me = this_cpu();
	unsigned long off = arch_irq_save();	/* they are off: this is the "off" state */
	unsigned long restore = off;
	if (me->spin_depth == 1) {
		restore = me->spin_irq_state;
		me->spin_irq_state = off;
	}
	spin_unlock(l);
	return restore;
}

bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == this_cpu();
}
