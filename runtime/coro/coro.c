/*
 * Coroutine lifecycle: spawn, exit, join, detach, cancel, cleanup handlers,
 * coroutine-local storage, transfer, and coro_run().
 *
 * Joiners wait on one of BUCKETS wait queues picked by the coroutine's
 * address (a control block has no room for a queue of its own). A bucket's
 * lock also guards `waiting_on` while a coroutine is parked at a
 * cancellation point, so coro_cancel() can reach the queue it waits on
 * before that queue (often on the coroutine's own stack) goes away. Lock
 * order: bucket, then the wait queue, then a run queue.
 */
#include "coro_internal.h"
#include <kernel/trace.h>
#include <arch/context.h>
#include <errno.h>
#include <kernel/panic.h>
#include <kernel/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 64

static struct wait_queue buckets[BUCKETS];
static void (*destructors[CORO_LOCALS_MAX])(void *);
static unsigned keys_used;
static struct spinlock keys_lock = SPINLOCK_INIT("coro keys");
static struct spinlock once_lock = SPINLOCK_INIT("coro init");
static bool buckets_ready;

void coro_init_once(void)
{
	if (__atomic_load_n(&buckets_ready, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&once_lock);
	if (!buckets_ready) {
		for (unsigned i = 0; i < BUCKETS; i++)
			wait_queue_init(&buckets[i], "coro join");
		coro_stack_init();
		__atomic_store_n(&buckets_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&once_lock);
}

static struct wait_queue *bucket_of(const struct coro *c)
{
	return &buckets[((uintptr_t)c / 128) % BUCKETS];
}

static bool has_flag(const struct coro *c, unsigned f)
{
	return __atomic_load_n(&c->flags, __ATOMIC_RELAXED) & f;
}
static void set_flag(struct coro *c, unsigned f) { __atomic_fetch_or(&c->flags, f, __ATOMIC_RELAXED); }
static void clear_flag(struct coro *c, unsigned f) { __atomic_fetch_and(&c->flags, ~f, __ATOMIC_RELAXED); }

struct coro *coro_self(void) { return coro_current(); }
const char *coro_name(const struct coro *c) { return c->name; }
unsigned coro_worker_of(const struct coro *c) { return c->worker->index; }
size_t coro_stack_high_water(const struct coro *c) { return coro_stack_used(c); }

static noreturn void coro_entry(void *arg)
{
	struct coro *c = arg;
	coro_exit(c->fn(c->arg));
}

static int spawn_on(struct coro_sched *s, struct coro **out, const struct coro_attr *attr,
		    void *(*fn)(void *), void *arg)
{
	static const struct coro_attr defaults = { .worker = CORO_ANY_WORKER };
	if (!attr)
		attr = &defaults;
	size_t stack = attr->stack_size ? attr->stack_size : CORO_STACK_DEFAULT;
	struct coro *me = coro_current();
	if (!fn || stack < CORO_STACK_MIN || stack > CORO_STACK_MAX ||
	    (attr->worker != CORO_ANY_WORKER && (attr->worker < 0 || (unsigned)attr->worker >= s->nworkers)) ||
	    (attr->transfer && (!me || attr->detached)))
		return -EINVAL;
	struct coro *c = coro_stack_alloc(stack);
	if (!c)
		return -ENOMEM;
	uint32_t size = c->stack_size;
	uint8_t cls = c->size_class, guard = c->flags & CF_GUARD;
	memset(c, 0, sizeof *c);
	c->ctx.ops = &coro_ctx_ops;
	c->stack_size = size;
	c->size_class = cls;
	c->flags = guard | (attr->pinned || attr->transfer ? CF_PINNED : 0) |
		   (attr->detached ? CF_DETACHED : 0);
	snprintf(c->name, sizeof c->name, "%s", attr->name ? attr->name : "coro");
	if (trace_on(this_cpu()))
		trace_name(TRACE_NAME_CORO, c, c->name);
	c->fn = fn;
	c->arg = arg;
	c->sp = arch_context_init((uintptr_t)c, coro_entry, c);
	__atomic_fetch_add(&s->live, 1, __ATOMIC_RELAXED);
	coro_stats_count(1, 0, 0);
	if (out)
		*out = attr->detached ? NULL : c;
	if (attr->transfer) {
		c->worker = me->worker;
		c->parent = me;
		c->state = CORO_SUSPENDED;
	} else {
		coro_make_ready(coro_place(s, attr), c);
	}
	return 0;
}

int coro_spawn(struct coro **out, const struct coro_attr *attr, void *(*fn)(void *), void *arg)
{
	coro_init_once();
	struct coro *me = coro_current();
	return spawn_on(me ? me->worker->sched : coro_default_sched(), out, attr, fn, arg);
}

/* --- ending --------------------------------------------------------------- */

static void run_destructors(struct coro *c)
{
	if (!c->locals)
		return;
	for (unsigned k = 0; k < CORO_LOCALS_MAX; k++)
		if (c->locals[k] && destructors[k])
			destructors[k](c->locals[k]);
	free(c->locals);
	c->locals = NULL;
}

noreturn void coro_exit(void *result)
{
	struct coro *c = coro_current();
	if (!c)
		panic("coro_exit: called from thread '%s', not a coroutine", thread_current()->name);
	run_destructors(c);
	c->arg = result;
	coro_suspend(CORO_EXITING, NULL);
	panic("coro_exit: '%s' was resumed after it ended", c->name);
}

/* Joiners of c in its bucket, bucket lock held. */
static void wake_joiners(struct wait_queue *b, const struct coro *c)
{
	struct list_node *n = b->waiters.next;
	while (n != &b->waiters) {
		struct waiter *w = list_entry(n, struct waiter, node);
		n = n->next;
		if (w->want == (uintptr_t)c)
			wait_queue_wake(b, w, 0);
	}
}

void coro_finish(struct coro *c)
{
	struct coro_sched *s = c->worker->sched;
	coro_stats_count(0, 1, 0);
	/* A generator that ends hands control back to whoever made it. */
	if (c->parent && c->parent->state == CORO_SUSPENDED)
		coro_make_ready(c->worker, c->parent);
	if (has_flag(c, CF_DETACHED)) {
		c->state = CORO_DONE;
		coro_stack_free(c);
	} else {
		struct wait_queue *b = bucket_of(c);
		spin_lock(&b->lock);
		c->state = CORO_DONE;
		wake_joiners(b, c);
		spin_unlock(&b->lock);
	}
	/* Last: coro_run() returns once this reaches zero. */
	__atomic_fetch_sub(&s->live, 1, __ATOMIC_RELEASE);
}

void coro_cancel_point(void)
{
	struct coro *c = coro_current();
	if (!c || !has_flag(c, CF_CANCEL))
		return;
	clear_flag(c, CF_CANCEL);	/* a cleanup handler may suspend */
	while (c->cleanup) {
		struct coro_cleanup *rec = c->cleanup;
		c->cleanup = rec->next;
		rec->fn(rec->arg);
	}
	coro_exit(CORO_CANCELED);
}

/* A cancel raced with the end of our wait: let it finish with the queue
 * (it holds our bucket while it uses it) before the queue may go away. */
static __attribute__((noinline)) void wait_for_canceller(struct coro *c)
{
	struct wait_queue *b = bucket_of(c);
	spin_lock(&b->lock);
	spin_unlock(&b->lock);
}

int coro_wait_cancellable(struct wait_queue *wq, uint64_t deadline, uintptr_t want)
{
	struct coro *c = coro_current();
	if (!c)
		return wait_queue_block(wq, deadline, want);
	set_flag(c, CF_CANCELLABLE);
	int status = wait_queue_block(wq, deadline, want);
	clear_flag(c, CF_CANCELLABLE);
	/* Out of coro_cancel()'s reach. Pairs with its fence: either it sees
	 * NULL, or we see its flag and wait for it to let go of the queue. */
	__atomic_store_n(&c->waiting_on, NULL, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (has_flag(c, CF_CANCEL))
		wait_for_canceller(c);
	return status;
}

static bool is_bucket(const struct wait_queue *wq)
{
	return wq >= &buckets[0] && wq < &buckets[BUCKETS];
}

int coro_cancel(struct coro *c)
{
	struct wait_queue *b = bucket_of(c);
	for (;;) {
		spin_lock(&b->lock);
		if (c->state == CORO_DONE || c->state == CORO_EXITING) {
			spin_unlock(&b->lock);
			return -ESRCH;
		}
		set_flag(c, CF_CANCEL);
		/* Pairs with the fence in coro_park(): either it sees the flag
		 * and does not park, or we see the queue it parked on. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		struct wait_queue *wq = __atomic_load_n(&c->waiting_on, __ATOMIC_RELAXED);
		if (!wq) {
			spin_unlock(&b->lock);
			return 0;
		}
		/* A join waits on a bucket: the same one is held already, and
		 * another may be held by a cancel going the other way. */
		bool own = wq == b;
		if (!own && is_bucket(wq) && !spin_trylock(&wq->lock)) {
			spin_unlock(&b->lock);
			arch_cpu_relax();
			continue;
		}
		if (!own && !is_bucket(wq))
			spin_lock(&wq->lock);
		/* Still parked there (a waker or a timeout takes it off the
		 * queue under this lock first), so its waiter is still live. */
		if (c->state == CORO_PARKED && __atomic_load_n(&c->waiting_on, __ATOMIC_RELAXED) == wq &&
		    list_linked(&c->waiting->node))
			wait_queue_wake(wq, c->waiting, -ECANCELED);
		if (!own)
			spin_unlock(&wq->lock);
		spin_unlock(&b->lock);
		return 0;
	}
}

/* --- joining -------------------------------------------------------------- */

static int join_until(struct coro *c, void **result, uint64_t deadline)
{
	if (c == coro_current() || has_flag(c, CF_DETACHED))
		return -EINVAL;
	struct wait_queue *b = bucket_of(c);
	spin_lock(&b->lock);
	while (c->state != CORO_DONE) {
		int status = coro_wait_cancellable(b, deadline, (uintptr_t)c);
		if (status) {
			coro_cancel_point();
			return status;
		}
		spin_lock(&b->lock);
	}
	spin_unlock(&b->lock);
	if (result)
		*result = c->arg;
	coro_stack_free(c);
	return 0;
}

int coro_join(struct coro *c, void **result) { return join_until(c, result, WAIT_FOREVER); }

int coro_join_timeout(struct coro *c, void **result, uint64_t timeout_ns)
{
	return join_until(c, result, time_now() + timeout_ns);
}

int coro_detach(struct coro *c)
{
	struct wait_queue *b = bucket_of(c);
	spin_lock(&b->lock);
	if (has_flag(c, CF_DETACHED)) {
		spin_unlock(&b->lock);
		return -EINVAL;
	}
	bool done = c->state == CORO_DONE;
	set_flag(c, CF_DETACHED);
	spin_unlock(&b->lock);
	/* Not done: coro_finish() frees it. (It reads the flag after the
	 * coroutine is off its stack, and sets DONE under the bucket lock.) */
	if (done)
		coro_stack_free(c);
	return 0;
}

/* --- sleeping ------------------------------------------------------------- */

int coro_sleep_until(uint64_t deadline)
{
	if (!coro_current()) {
		thread_sleep_until(deadline);
		return 0;
	}
	/* A private queue nobody wakes: only the deadline or a cancel. */
	struct wait_queue q;
	wait_queue_init(&q, "coro sleep");
	spin_lock(&q.lock);
	int status = coro_wait_cancellable(&q, deadline, 0);
	coro_cancel_point();
	return status == -ETIMEDOUT ? 0 : status;
}

int coro_sleep(uint64_t ns) { return coro_sleep_until(time_now() + ns); }

/* --- transfer ------------------------------------------------------------- */

void coro_transfer(struct coro *target)
{
	struct thread *t = thread_current();
	struct coro *me = (struct coro *)t->ctx;	/* ctx is a coroutine's first member */
	if (__builtin_expect(!me || me->ctx.ops != &coro_ctx_ops || target->state != CORO_SUSPENDED ||
			     target->worker != me->worker, 0))
		panic("coro_transfer: '%s' is not suspended on this worker's transfer chain",
		      target->name);
	coro_stack_check(me);
	me->state = CORO_SUSPENDED;
	target->state = CORO_RUNNING;
	me->worker->current = target;
	thread_set_ctx(t, &target->ctx);
	arch_context_switch(&me->sp, target->sp);
}

/* --- cleanup handlers and locals ------------------------------------------- */

void coro_cleanup_push(struct coro_cleanup *rec, void (*fn)(void *), void *arg)
{
	struct coro *c = coro_current();
	if (!c)
		panic("coro_cleanup_push: thread '%s' is not a coroutine", thread_current()->name);
	*rec = (struct coro_cleanup){ .fn = fn, .arg = arg, .next = c->cleanup };
	c->cleanup = rec;
}

void coro_cleanup_pop(bool run)
{
	struct coro *c = coro_current();
	if (!c || !c->cleanup)
		panic("coro_cleanup_pop: no cleanup handler to pop");
	struct coro_cleanup *rec = c->cleanup;
	c->cleanup = rec->next;
	if (run)
		rec->fn(rec->arg);
}

int coro_key_create(coro_key_t *key, void (*destructor)(void *))
{
	spin_lock(&keys_lock);
	bool full = keys_used == CORO_LOCALS_MAX;
	if (!full) {
		destructors[keys_used] = destructor;
		*key = keys_used++;
	}
	spin_unlock(&keys_lock);
	return full ? -EAGAIN : 0;
}

int coro_local_set(coro_key_t key, void *value)
{
	struct coro *c = coro_current();
	if (!c || key >= __atomic_load_n(&keys_used, __ATOMIC_RELAXED))
		return -EINVAL;
	if (!c->locals && !(c->locals = calloc(CORO_LOCALS_MAX, sizeof(void *))))
		return -ENOMEM;
	c->locals[key] = value;
	return 0;
}

void *coro_local_get(coro_key_t key)
{
	struct coro *c = coro_current();
	return c && c->locals && key < CORO_LOCALS_MAX ? c->locals[key] : NULL;
}

/* --- coro_run: a scheduler on the calling thread ------------------------------ */

void *coro_run(void *(*fn)(void *), void *arg, size_t stack_size)
{
	if (coro_current())
		panic("coro_run: called inside coroutine '%s'", coro_current()->name);
	coro_init_once();
	struct coro_worker w;
	struct coro_sched s = { .workers = &w, .nworkers = 1, .single = true };
	worker_init(&w, &s, 0);
	struct coro *first;
	struct coro_attr attr = { .name = "main", .stack_size = stack_size, .worker = 0 };
	if (spawn_on(&s, &first, &attr, fn, arg) != 0)
		return NULL;
	worker_loop(&w);
	void *result = NULL;
	join_until(first, &result, WAIT_FOREVER);
	return result;
}
