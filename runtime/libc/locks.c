/*
 * newlib's retargetable locks (newlib built with
 * --enable-newlib-retargetable-locking): malloc, stdio streams, atexit,
 * environment and time zone state are guarded by these.
 *
 * Until the scheduler exists a lock is a spinlock, made recursive here by
 * recording the owning CPU. Interrupts stay off while one is held.
 */
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/spinlock.h>
#include <newlib.h>
#include <stdlib.h>
#include <sys/lock.h>

#ifndef _RETARGETABLE_LOCKING
#error "newlib was built without --enable-newlib-retargetable-locking: run 'make deps' again"
#endif

struct __lock {
	struct spinlock spin;
	struct cpu *owner;	/* for recursion */
	unsigned depth;
};

#define LOCK(n) struct __lock n = { .spin = SPINLOCK_INIT(#n) }
LOCK(__lock___sinit_recursive_mutex);
LOCK(__lock___sfp_recursive_mutex);
LOCK(__lock___atexit_recursive_mutex);
LOCK(__lock___at_quick_exit_mutex);
LOCK(__lock___malloc_recursive_mutex);
LOCK(__lock___env_recursive_mutex);
LOCK(__lock___tz_mutex);
LOCK(__lock___dd_hash_mutex);
LOCK(__lock___arc4random_mutex);

void __retarget_lock_init(_LOCK_T *lock)
{
	struct __lock *l = calloc(1, sizeof *l);
	if (!l)
		panic("newlib lock: out of memory");
	l->spin.name = "newlib";
	*lock = l;
}

void __retarget_lock_init_recursive(_LOCK_T *lock) { __retarget_lock_init(lock); }

void __retarget_lock_close(_LOCK_T lock) { free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }

void __retarget_lock_acquire_recursive(_LOCK_T l)
{
	if (l->owner == this_cpu()) {
		l->depth++;
		return;
	}
	spin_lock(&l->spin);
	l->owner = this_cpu();
	l->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T l)
{
	if (l->owner == this_cpu()) {
		l->depth++;
		return 1;
	}
	if (!spin_trylock(&l->spin))
		return 0;
	l->owner = this_cpu();
	l->depth = 1;
	return 1;
}

void __retarget_lock_release_recursive(_LOCK_T l)
{
	if (l->owner != this_cpu() || l->depth == 0)
		panic("newlib lock released by a cpu that does not hold it");
	if (--l->depth == 0) {
		l->owner = NULL;
		spin_unlock(&l->spin);
	}
}

void __retarget_lock_acquire(_LOCK_T l) { __retarget_lock_acquire_recursive(l); }
int __retarget_lock_try_acquire(_LOCK_T l) { return __retarget_lock_try_acquire_recursive(l); }
void __retarget_lock_release(_LOCK_T l) { __retarget_lock_release_recursive(l); }
