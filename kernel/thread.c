/*
 * Thread lifecycle: create, exit, join, detach, sleep, priority and
 * affinity changes, statistics.
 *
 * A thread's memory is one run of pages: an unmapped guard page, the stack,
 * and the thread record at the top. An overflow runs into the guard page
 * and faults; the fault report names the thread.
 */
#include <arch/context.h>
#include <arch/mmu.h>
#include <errno.h>
#include <reent.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/mutex.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/thread_internal.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <kernel/wait.h>
#include <stdio.h>
#include <string.h>

#define STACK_FILL 0xa5u	/* for the high-water mark */

_Static_assert(offsetof(struct thread, irq_sp) == ARCH_THREAD_IRQ_SP,
	       "the interrupt entry code finds irq_sp at ARCH_THREAD_IRQ_SP");

static struct thread main_thread;
static struct thread boot_idle[MAX_CPUS];	/* secondaries' idle threads */
static struct _reent main_reent, boot_idle_reent[MAX_CPUS];
static struct list_node all_threads = LIST_INIT(all_threads);
static struct spinlock all_lock = SPINLOCK_INIT("thread list");

static void record_init(struct thread *t, const char *name, unsigned prio, uint64_t affinity)
{
	snprintf(t->name, sizeof t->name, "%s", name ? name : "thread");
	t->prio = t->base_prio = prio;
	t->affinity = affinity;
	t->state = THREAD_BLOCKED;
	thread_set_ctx(t, NULL);
	list_init(&t->run_node);
	list_init(&t->pi_held);
	_REENT_INIT_PTR(t->reent);
	spin_lock(&all_lock);
	list_push_back(&all_threads, &t->all_node);
	spin_unlock(&all_lock);
	trace_name(TRACE_NAME_THREAD, t, t->name);
}

/* Beside the record, in the same pages: the join queue and newlib's state. */
struct thread_extra {
	struct wait_queue exit_wq;
	struct _reent reent;
};

static size_t round_pages(size_t bytes) { return (bytes + PAGE_SIZE - 1) / PAGE_SIZE; }

/* Pages for guard + stack + record; returns the record, or NULL. */
static struct thread *alloc_thread(size_t stack_size)
{
	size_t record = round_pages(sizeof(struct thread) + sizeof(struct thread_extra));
	size_t stack_pages = round_pages(stack_size);
	size_t total = 1 + stack_pages + record;
	uint8_t *base = page_alloc(total);
	if (!base)
		return NULL;
	if (arch_mmu_protect((uintptr_t)base, PAGE_SIZE, MMU_NONE) != 0) {
		page_free(base, total);
		return NULL;
	}
	uint8_t *stack = base + PAGE_SIZE;
	struct thread *t = (struct thread *)(stack + stack_pages * PAGE_SIZE);
	memset(t, 0, sizeof *t + sizeof(struct thread_extra));
	memset(stack, STACK_FILL, stack_pages * PAGE_SIZE);
	t->alloc_base = (uintptr_t)base;
	t->alloc_pages = total;
	t->stack_base = (uintptr_t)stack;
	t->stack_size = stack_pages * PAGE_SIZE;
	struct thread_extra *x = (struct thread_extra *)(t + 1);
	wait_queue_init(&x->exit_wq, "join");
	t->exit_wq = &x->exit_wq;
	t->reent = &x->reent;
	return t;
}

void thread_free(struct thread *t)
{
	/* Its last CPU may still be switching away from it. */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	spin_lock(&all_lock);
	list_remove(&t->all_node);
	spin_unlock(&all_lock);
	/* Nothing here may block: idle threads reap. (newlib's state was
	 * released by the thread itself in thread_exit().) */
	if (!t->alloc_base)
		return;		/* a static record */
	uintptr_t base = t->alloc_base;
	size_t pages = t->alloc_pages;
	if (arch_mmu_protect(base, PAGE_SIZE, MMU_READ | MMU_WRITE) != 0)
		panic("thread_free: cannot remap the guard page of '%s'", t->name);
	page_free((void *)base, pages);
}

static bool affinity_usable(uint64_t mask)
{
	for (unsigned i = 0; i < cpu_count() && i < 64; i++)
		if ((mask >> i) & 1 && cpu_get(i)->online)
			return true;
	return false;
}

int thread_create(struct thread **out, const struct thread_attr *attr,
		  void *(*entry)(void *), void *arg)
{
	static const struct thread_attr defaults = { 0 };
	if (!attr)
		attr = &defaults;
	unsigned prio = attr->prio ? attr->prio : THREAD_PRIO_DEFAULT;
	size_t stack = attr->stack_size ? attr->stack_size : THREAD_STACK_DEFAULT;
	uint64_t affinity = attr->affinity ? attr->affinity : CPU_MASK_ALL;
	if (!entry || prio < THREAD_PRIO_MIN || prio > THREAD_PRIO_MAX ||
	    stack < THREAD_STACK_MIN || stack > (64u << 20) || !affinity_usable(affinity))
		return -EINVAL;
	sched_reap();	/* detached threads that exited here give their memory back */
	struct thread *t = alloc_thread(stack);
	if (!t)
		return -ENOMEM;
	record_init(t, attr->name, prio, affinity);
	t->entry = entry;
	t->arg = arg;
	t->detached = attr->detached;
	t->cpu = this_cpu();
	t->sp = arch_context_init(t->stack_base + t->stack_size, sched_thread_start, NULL);
	if (out)
		*out = attr->detached ? NULL : t;
	sched_wake(t);	/* BLOCKED -> READY: onto a run queue */
	sched_preempt_check();
	return 0;
}

noreturn void thread_run_entry(void)
{
	struct thread *t = thread_current();
	thread_exit(t->entry(t->arg));
}

noreturn void thread_exit(void *result)
{
	struct thread *t = thread_current();
	if (t == &main_thread || t->idle)
		panic("thread_exit: '%s' may not exit", t->name);
	/* What the block hook guards (the big lock) is let go for good. */
	struct thread_block_hook *hook = t->block_hook;
	t->block_hook = NULL;
	if (hook)
		hook->before(hook);
	fflush(stdout);		/* its own stdout: a last partial line is not lost */
	/* Its newlib state (stdio buffers, their locks) goes back now, in its
	 * own context: that takes newlib's locks, which may block, and whoever
	 * frees the record (an idle thread, for a detached one) must not. */
	_reclaim_reent(t->reent);
	t->result = result;
	spin_lock(&t->exit_wq->lock);
	t->state = THREAD_EXITED;
	wait_queue_wake_all(t->exit_wq, 0);
	/* Gone from here on: the joiner, or this CPU's idle thread for a
	 * detached thread, frees the record once the switch is done. */
	sched_block(&t->exit_wq->lock);
	panic("thread_exit: '%s' was scheduled after exiting", t->name);
}

int thread_join_timeout(struct thread *t, void **result, uint64_t timeout_ns)
{
	if (!t || t == thread_current() || t->detached)
		return -EINVAL;
	uint64_t deadline = timeout_ns == WAIT_FOREVER ? WAIT_FOREVER : time_now() + timeout_ns;
	for (;;) {
		spin_lock(&t->exit_wq->lock);
		if (t->state == THREAD_EXITED) {
			spin_unlock(&t->exit_wq->lock);
			break;
		}
		int err = wait_queue_block(t->exit_wq, deadline, 0);
		if (err == -ETIMEDOUT)
			return err;
	}
	if (result)
		*result = t->result;
	thread_free(t);
	return 0;
}

int thread_join(struct thread *t, void **result)
{
	return thread_join_timeout(t, result, WAIT_FOREVER);
}

int thread_detach(struct thread *t)
{
	if (!t)
		return -EINVAL;
	spin_lock(&t->exit_wq->lock);
	if (t->detached) {
		spin_unlock(&t->exit_wq->lock);
		return -EINVAL;
	}
	t->detached = true;
	bool exited = t->state == THREAD_EXITED;
	spin_unlock(&t->exit_wq->lock);
	if (exited)
		thread_free(t);
	return 0;
}

void thread_sleep_until(uint64_t deadline)
{
	if (deadline <= time_now())
		return;
	/* A wait on a queue no one wakes, ended by its deadline: sleeping
	 * blocks where every other wait does (and runs the block hook). It
	 * is the thread that sleeps, in a coroutine too (coro_sleep() is the
	 * coroutine's). */
	struct wait_queue wq;
	wait_queue_init(&wq, "sleep");
	spin_lock(&wq.lock);
	wait_queue_block_thread(&wq, deadline, 0);
}

void thread_sleep(uint64_t ns) { thread_sleep_until(time_now() + ns); }

void thread_yield(void)
{
	unsigned long irq = arch_irq_save();
	sched_switch();
	arch_irq_restore(irq);
}

int thread_set_priority(struct thread *t, unsigned prio)
{
	if (prio < THREAD_PRIO_MIN || prio > THREAD_PRIO_MAX || t->idle)
		return -EINVAL;
	t->base_prio = prio;
	thread_pi_recompute(t);
	sched_preempt_check();
	return 0;
}

int thread_set_affinity(struct thread *t, uint64_t mask)
{
	if (!affinity_usable(mask) || t->idle)
		return -EINVAL;
	__atomic_store_n(&t->affinity, mask, __ATOMIC_RELEASE);
	/* Running where it may no longer be, or queued there: move it. */
	sched_affinity_changed(t);
	sched_preempt_check();
	return 0;
}

size_t thread_stack_high_water(const struct thread *t)
{
	const uint8_t *p = (const uint8_t *)t->stack_base;
	size_t untouched = 0;
	while (untouched < t->stack_size && p[untouched] == STACK_FILL)
		untouched++;
	return t->stack_size - untouched;
}

static const char *state_name(enum thread_state s)
{
	static const char *const names[] = { "ready", "running", "blocked", "exited" };
	return s <= THREAD_EXITED ? names[s] : "?";
}

void thread_dump(void)
{
	kprintf("%-20s %-8s %4s %4s %10s %12s %14s\n", "thread", "state", "cpu", "prio",
		"switches", "run us", "stack used");
	spin_lock(&all_lock);
	struct list_node *n;
	list_for_each(n, &all_threads) {
		struct thread *t = list_entry(n, struct thread, all_node);
		char stack[32] = "-";
		if (t->stack_size)
			snprintf(stack, sizeof stack, "%lu/%lu",
				 (unsigned long)thread_stack_high_water(t), (unsigned long)t->stack_size);
		kprintf("%-20s %-8s %4u %4u %10llu %12llu %14s\n", t->name, state_name(t->state),
			t->cpu ? t->cpu->index : 0, t->prio, (unsigned long long)t->switches,
			(unsigned long long)(t->run_ns / 1000), stack);
	}
	spin_unlock(&all_lock);
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct runq_cpu *rq = sched_rq(cpu_get(i));
		kprintf("cpu %u: idle %llu us, %u ready%s\n", i,
			(unsigned long long)(rq->idle_ns / 1000), rq->q.count,
			sched_idle_visible(cpu_get(i)) ? ", idle (stealing)" : "");
	}
}

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
	spin_lock(&all_lock);
	struct list_node *n;
	list_for_each(n, &all_threads)
		fn(list_entry(n, struct thread, all_node), arg);
	spin_unlock(&all_lock);
}

const char *thread_state_name(enum thread_state s) { return state_name(s); }

void thread_set_time_slice(uint64_t ns)
{
	extern uint64_t sched_slice_ns;
	if (ns)
		sched_slice_ns = ns;
}

struct thread *thread_main(void) { return &main_thread; }

struct thread *thread_create_idle(struct cpu *c, void (*entry)(void *))
{
	struct thread *t;
	char name[THREAD_NAME_MAX];
	snprintf(name, sizeof name, "idle%u", c->index);
	if (entry) {
		t = alloc_thread(CPU_STACK_SIZE);
		if (!t)
			panic("sched_init: no memory for cpu %u's idle thread", c->index);
		t->sp = arch_context_init(t->stack_base + t->stack_size, entry, NULL);
	} else {
		t = &boot_idle[c->index];
		t->stack_base = c->stack_top - CPU_STACK_SIZE;
		t->reent = &boot_idle_reent[c->index];
	}
	record_init(t, name, THREAD_PRIO_IDLE, 1ull << c->index);
	t->idle = true;
	t->cpu = c;
	t->state = THREAD_READY;	/* never on a run queue: picked when nothing else is */
	return t;
}

void thread_adopt_boot_context(struct thread *t, struct cpu *c)
{
	if (t == &main_thread && !t->name[0]) {
		t->reent = &main_reent;
		record_init(t, "main", THREAD_PRIO_DEFAULT, CPU_MASK_ALL);
		t->stack_base = c->stack_top - CPU_STACK_SIZE;
	}
	t->state = THREAD_RUNNING;
	t->cpu = c;
	t->on_cpu = true;
	t->run_start = time_now();
	c->current = t;
	arch_set_current_thread(t);
}
