/*
 * Ticket spinlocks.
 *
 * spin_lock() disables interrupts (restoring the outermost state when the
 * CPU's last lock is released), takes a ticket and spins until served, so
 * CPUs are served in arrival order. The owner is recorded: taking a lock the
 * CPU already holds, or releasing one it does not hold, panics.
 *
 * Memory ordering: the acquire load of `serving` that observes our ticket
 * pairs with the release store in spin_unlock(), so everything written inside
 * the previous critical section is visible inside the next.
 */
#pragma once

#include <kernel/cpu.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct spinlock {
	uint32_t next;		/* next ticket to hand out */
	uint32_t serving;	/* ticket now allowed in */
	struct cpu *owner;	/* NULL when free */
	const char *name;
};

#define SPINLOCK_INIT(n) { .next = 0, .serving = 0, .owner = 0, .name = (n) }

/* Out of line: waiting for a busy lock, and reporting misuse. */
void spin_wait(struct spinlock *l, uint32_t ticket);
noreturn void spin_misuse(const struct spinlock *l, const char *fn, const char *what);

/* Any context. Spins; never blocks. Inline: it is on every hot path. */
static inline void spin_lock(struct spinlock *l)
{
	unsigned long irq_state = arch_irq_save();
	struct cpu *me = arch_this_cpu();
	if (__builtin_expect(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me, 0))
		spin_misuse(l, "spin_lock", "is already held by this cpu");
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		spin_wait(l, ticket);
	__atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
	if (me->spin_depth++ == 0)
		me->spin_irq_state = irq_state;
}
/* Any context. Returns true with the lock held, false at once otherwise. */
bool spin_trylock(struct spinlock *l);
/* Held by the caller's CPU. */
static inline void spin_unlock(struct spinlock *l)
{
	struct cpu *me = arch_this_cpu();
	if (__builtin_expect(__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me || !me->spin_depth, 0))
		spin_misuse(l, "spin_unlock", "is not held by this cpu");
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
	/* Release: the critical section's writes happen before the next
	 * holder's acquire load sees its ticket served. */
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
	if (--me->spin_depth == 0)
		arch_irq_restore(me->spin_irq_state);
}
/* True when the calling CPU holds l. */
static inline bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == arch_this_cpu();
}
