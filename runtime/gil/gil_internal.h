/*
 * Between the files of runtime/gil/: the lock word, the member lookup and
 * the statistics recorders.
 */
#pragma once

#include <gil/gil.h>

#define GIL_WAITERS ((uintptr_t)1)	/* in gil.owner: someone waits */

static inline struct gil_member *gil_owner_of(uintptr_t v)
{
	return (struct gil_member *)(v & ~GIL_WAITERS);
}
static inline struct gil_member *gil_holder(const struct gil *g)
{
	return gil_owner_of(__atomic_load_n(&g->owner, __ATOMIC_ACQUIRE));
}

/* gil.c: the block hook functions, by which a member is recognised. */
void gil_hook_before(struct thread_block_hook *h);
void gil_hook_after(struct thread_block_hook *h);
/* The calling thread's membership, or NULL when it is in no domain. */
struct gil_member *gil_member_self(void);
/* Take m's domain lock; io: coming back from a blocking call. */
void gil_take(struct gil_member *m, bool io);
/* Let go of m's domain lock (held). Callable with a spinlock held. */
void gil_let_go(struct gil_member *m);

/* gil_stats.c. By the holder (no lock needed: holders are serialised). */
void gil_stats_hold(struct gil *g, struct gil_member *m, uint64_t ns);
/* Under g->wq.lock. */
void gil_stats_wait(struct gil *g, uint64_t ns);
void gil_stats_drop(struct gil *g, uint64_t latency_ns);
/* Every domain, for gil_dump(NULL). */
void gil_stats_register(struct gil *g);
void gil_stats_unregister(struct gil *g);
