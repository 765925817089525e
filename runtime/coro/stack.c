/*
 * The coroutine stack pool.
 *
 * A coroutine is one chunk: [canary | stack ... | control block], of one
 * of the sizes in class_bytes[] (512 B, CORO_STACK_MIN, to 1 MiB), one free
 * list per size; a chunk is never returned to the page allocator, only to
 * its list, so a spawn after the first of its size costs no allocation.
 * Chunks under GUARD_FROM bytes are carved many to a page run and rely on
 * the canary, checked whenever the coroutine suspends; larger ones get an
 * unmapped guard page below the stack as well, so a deep overflow faults.
 *
 * Stacks are kept filled with a pattern while pooled. At free, the used
 * part (from the lowest word not holding the pattern up) is recorded as a
 * high-water mark and filled again.
 */
#include "coro_internal.h"
#include <arch/mmu.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <stdlib.h>
#include <string.h>

#define GUARD_FROM (8u * 1024)		/* chunks this big get a guard page */
#define SLAB_BYTES (64u * 1024)		/* small chunks are carved from these */
#define CB_BYTES 128			/* a control block's room: keeps the stack top aligned */
#define FILL 0xa5a5a5a5a5a5a5a5ull

struct pool_class {
	struct spinlock lock;
	struct list_node free;		/* chunks, linked through coro.node */
};

/* Fine steps where a million coroutines must fit, powers of two above. */
static const uint32_t class_bytes[] = {
	512, 640, 768, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
	128 * 1024, 256 * 1024, 512 * 1024, 1024 * 1024,
};
#define CLASSES (sizeof class_bytes / sizeof class_bytes[0])
_Static_assert(sizeof(struct coro) <= CB_BYTES, "the control block fits its room");
_Static_assert(CORO_STACK_MAX == 1024 * 1024 && CORO_STACK_MIN == 512, "classes cover the sizes");

static struct pool_class pool[CLASSES];

/* Every run of chunks ever carved, newest first, for coro_for_each() and
 * the gdb script (tools/gdb/threadbare.py walks coro_slabs). Chunks never
 * go back to the page allocator, so a walker may read any of them. */
struct coro_slab {
	struct coro_slab *next;
	uintptr_t first;	/* the first chunk */
	uint32_t bytes;		/* of each chunk */
	uint32_t count;
};
struct coro_slab *coro_slabs;
static size_t pooled_bytes, high_water;	/* atomics: every exit updates them */

static size_t chunk_bytes(unsigned cls) { return class_bytes[cls]; }

/* The smallest class of at least `bytes` (stack and control block), or -1. */
static int class_for(size_t bytes)
{
	for (unsigned cls = 0; cls < CLASSES; cls++)
		if (bytes <= chunk_bytes(cls))
			return (int)cls;
	return -1;
}

static struct coro *chunk_init(uintptr_t chunk, unsigned cls, bool guard)
{
	struct coro *c = (struct coro *)(chunk + chunk_bytes(cls) - CB_BYTES);
	c->stack_size = (uint32_t)(chunk_bytes(cls) - CB_BYTES - sizeof(uint64_t));
	c->size_class = (uint8_t)cls;
	c->flags = guard ? CF_GUARD : 0;
	c->ctx.ops = NULL;	/* pooled: not a coroutine (coro_for_each) */
	*(uint64_t *)chunk = CORO_CANARY;
	uint64_t *w = (uint64_t *)coro_stack_base(c);
	for (size_t i = 0; i < c->stack_size / 8; i++)
		w[i] = FILL;
	return c;
}

/* p->lock not held: put fresh chunks of class cls on its list. false when
 * out of memory. */
static bool refill(struct pool_class *p, unsigned cls)
{
	size_t bytes = chunk_bytes(cls);
	bool guard = bytes >= GUARD_FROM;
	size_t run = guard ? bytes + PAGE_SIZE : SLAB_BYTES;
	uint8_t *mem = page_alloc(run / PAGE_SIZE);
	if (!mem)
		return false;
	if (guard && arch_mmu_protect((uintptr_t)mem, PAGE_SIZE, MMU_NONE) != 0) {
		page_free(mem, run / PAGE_SIZE);
		return false;
	}
	uintptr_t first = (uintptr_t)mem + (guard ? PAGE_SIZE : 0);
	unsigned n = guard ? 1 : (unsigned)(SLAB_BYTES / bytes);
	struct coro_slab *slab = malloc(sizeof *slab);
	if (!slab) {
		if (guard)
			arch_mmu_protect((uintptr_t)mem, PAGE_SIZE, MMU_READ | MMU_WRITE);
		page_free(mem, run / PAGE_SIZE);
		return false;
	}
	*slab = (struct coro_slab){ .first = first, .bytes = (uint32_t)bytes, .count = n };
	/* Fill outside the lock: it touches every byte. */
	struct list_node fresh = LIST_INIT(fresh);
	for (unsigned i = 0; i < n; i++)
		list_push_back(&fresh, &chunk_init(first + i * bytes, cls, guard)->node);
	spin_lock(&p->lock);
	while (!list_empty(&fresh))
		list_push_back(&p->free, list_pop_front(&fresh));
	spin_unlock(&p->lock);
	slab->next = __atomic_load_n(&coro_slabs, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&coro_slabs, &slab->next, slab, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;	/* a failed exchange reloaded slab->next */
	__atomic_fetch_add(&pooled_bytes, run, __ATOMIC_RELAXED);
	return true;
}

struct coro *coro_stack_alloc(size_t stack_size)
{
	int cls = class_for(stack_size);
	if (cls < 0)
		return NULL;
	struct pool_class *p = &pool[cls];
	for (;;) {
		spin_lock(&p->lock);
		struct list_node *n = list_empty(&p->free) ? NULL : list_pop_front(&p->free);
		spin_unlock(&p->lock);
		if (n)
			return list_entry(n, struct coro, node);
		if (!refill(p, (unsigned)cls))
			return NULL;
	}
}

size_t coro_stack_used(const struct coro *c)
{
	/* From the bottom up to the first word that is not the pattern: exact
	 * even when a frame leaves a large buffer untouched. */
	const uint64_t *w = (const uint64_t *)coro_stack_base(c);
	size_t words = c->stack_size / 8, i = 0;
	while (i + 4 <= words && (w[i] & w[i + 1] & w[i + 2] & w[i + 3]) == FILL &&
	       (w[i] | w[i + 1] | w[i + 2] | w[i + 3]) == FILL)
		i += 4;
	while (i < words && w[i] == FILL)
		i++;
	return (words - i) * 8;
}

void coro_stack_free(struct coro *c)
{
	size_t used = coro_stack_used(c);
	uint64_t *w = (uint64_t *)(coro_stack_base(c) + c->stack_size - used);
	for (size_t i = 0; i < used / 8; i++)
		w[i] = FILL;
	size_t seen = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
	while (used > seen && !__atomic_compare_exchange_n(&high_water, &seen, used, true,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;	/* a failed exchange reloaded `seen` */
	struct pool_class *p = &pool[c->size_class];
	__atomic_store_n(&c->ctx.ops, NULL, __ATOMIC_RELEASE);	/* pooled again */
	spin_lock(&p->lock);
	list_push_front(&p->free, &c->node);	/* the warmest first */
	spin_unlock(&p->lock);
}

bool coro_stack_in_guard(const struct coro *c, uintptr_t addr)
{
	uintptr_t base = coro_stack_base(c);
	return (c->flags & CF_GUARD) && addr < base && addr >= base - sizeof(uint64_t) - PAGE_SIZE;
}

noreturn void coro_stack_overrun(const struct coro *c)
{
	panic("stack overflow in coroutine '%s' (its %u-byte stack at %#lx is overrun)", c->name,
	      (unsigned)c->stack_size, (unsigned long)coro_stack_base(c));
}

void coro_stack_stats(size_t *hw, size_t *pooled)
{
	*hw = __atomic_load_n(&high_water, __ATOMIC_RELAXED);
	*pooled = __atomic_load_n(&pooled_bytes, __ATOMIC_RELAXED);
}

void coro_stack_init(void)
{
	for (unsigned cls = 0; cls < CLASSES; cls++) {
		pool[cls].lock = (struct spinlock)SPINLOCK_INIT("coro stack pool");
		list_init(&pool[cls].free);
	}
}

static const char *state_name(uint8_t s)
{
	static const char *const names[] = { "ready", "running", "parked", "suspended",
					     "exiting", "done" };
	return s <= CORO_DONE ? names[s] : "?";
}

void coro_for_each(void (*fn)(const struct coro_info *info, void *arg), void *arg)
{
	for (struct coro_slab *s = __atomic_load_n(&coro_slabs, __ATOMIC_ACQUIRE); s; s = s->next) {
		for (uint32_t i = 0; i < s->count; i++) {
			const struct coro *c = (const struct coro *)(s->first + (uintptr_t)(i + 1) * s->bytes -
								    CB_BYTES);
			if (__atomic_load_n(&c->ctx.ops, __ATOMIC_ACQUIRE) != &coro_ctx_ops)
				continue;
			struct coro_info info = {
				.c = c,
				.state = state_name(c->state),
				.worker = c->worker ? c->worker->index : 0,
				.stack_used = coro_stack_used(c),
				.stack_size = c->stack_size,
			};
			memcpy(info.name, c->name, sizeof info.name);
			info.name[sizeof info.name - 1] = 0;
			fn(&info, arg);
		}
	}
}
