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

#include <stdbool.h>
#include <stdint.h>

struct cpu;

struct spinlock {
	uint32_t next;		/* next ticket to hand out */
	uint32_t serving;	/* ticket now allowed in */
	struct cpu *owner;	/* NULL when free */
	const char *name;
};

#define SPINLOCK_INIT(n) { .next = 0, .serving = 0, .owner = 0, .name = (n) }

/* Any context. Spins; never blocks. */
void spin_lock(struct spinlock *l);
/* Any context. Returns true with the lock held, false at once otherwise. */
bool spin_trylock(struct spinlock *l);
/* Held by the caller's CPU. */
void spin_unlock(struct spinlock *l);
/* Held by the caller's CPU: release l but leave interrupts off, returning
 * the state the release would have restored (for arch_irq_restore()). For
 * code that must give up a lock and switch threads with no interrupt in
 * between. */
unsigned long spin_unlock_irq_off(struct spinlock *l);
/* True when the calling CPU holds l. */
bool spin_held(const struct spinlock *l);
