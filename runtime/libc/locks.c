/*
 * newlib's retargetable locks (newlib built with
 * --enable-newlib-retargetable-locking): malloc, stdio streams, atexit,
 * environment and time zone state are guarded by these. Each is a
 * recursive kernel mutex, so a thread waiting for the malloc lock sleeps
 * instead of spinning, and priority inheritance applies.
 */
#include <kernel/mutex.h>
#include <kernel/panic.h>
#include <newlib.h>
#include <stdlib.h>
#include <sys/lock.h>

#ifndef _RETARGETABLE_LOCKING
#error "newlib was built without --enable-newlib-retargetable-locking: run 'make deps' again"
#endif

struct __lock {
	struct mutex m;
};

#define LOCK(n) struct __lock n = { .m = { .owner = 0, .depth = 0, .recursive = true, \
	.wq = WAIT_QUEUE_INIT(n.m.wq, #n), .pi_node = LIST_INIT(n.m.pi_node) } }
LOCK(__lock___sinit_recursive_mutex);
LOCK(__lock___sfp_recursive_mutex);
LOCK(__lock___atexit_recursive_mutex);
LOCK(__lock___at_quick_exit_mutex);
LOCK(__lock___malloc_recursive_mutex);
LOCK(__lock___env_recursive_mutex);
LOCK(__lock___tz_mutex);
LOCK(__lock___dd_hash_mutex);
LOCK(__lock___arc4random_mutex);

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	struct __lock *l = malloc(sizeof *l);
	if (!l)
		panic("newlib lock: out of memory");
	mutex_init(&l->m, "newlib", true);
	*lock = l;
}

void __retarget_lock_init(_LOCK_T *lock) { __retarget_lock_init_recursive(lock); }
void __retarget_lock_close(_LOCK_T lock) { free(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { free(lock); }
void __retarget_lock_acquire_recursive(_LOCK_T l) { mutex_lock(&l->m); }
int __retarget_lock_try_acquire_recursive(_LOCK_T l) { return mutex_trylock(&l->m); }
void __retarget_lock_release_recursive(_LOCK_T l) { mutex_unlock(&l->m); }
void __retarget_lock_acquire(_LOCK_T l) { mutex_lock(&l->m); }
int __retarget_lock_try_acquire(_LOCK_T l) { return mutex_trylock(&l->m); }
void __retarget_lock_release(_LOCK_T l) { mutex_unlock(&l->m); }
