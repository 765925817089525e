/*
 * The scheduler core: per-CPU run queues, context switches, wake-ups,
 * preemption, idle and work stealing. The ordering of ready threads is the
 * policy's (sched_policy); this file only moves threads between CPUs and
 * states.
 *
 * A thread's registers are live on at most one CPU. While a CPU is switching
 * a thread out, the thread's `on_cpu` stays true until the switch completes
 * (finish_switch(), run by whatever thread the CPU switched to). A waker
 * waits for that before it queues the thread anywhere, holding no run queue
 * lock, so a thread on a run queue is never live on another CPU and a CPU
 * picking it never waits. (Waiting at the pick instead, with the run queue
 * locked, deadlocks: two CPUs each switching out the thread the other has
 * just picked.)
 */
#include <arch/context.h>
#include <arch/ipi.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/thread_internal.h>
#include <kernel/time.h>
#include <kernel/trace.h>
#include <stdio.h>

static struct runq_cpu runqs[MAX_CPUS];
/* Bit n set while CPU n runs its idle thread with nothing queued: lets a
 * wake-up or a kick find an idle CPU without looking at every CPU. */
static uint64_t idle_mask;
static const struct sched_policy *policy = &sched_priority_policy;
uint64_t sched_slice_ns = 10 * NS_PER_MS;

static bool allowed(const struct thread *t, const struct cpu *c)
{
	return c->index < 64 && (t->affinity >> c->index) & 1;
}

bool sched_idle_visible(const struct cpu *c)
{
	return __atomic_load_n(&idle_mask, __ATOMIC_RELAXED) >> c->index & 1;
}

static bool has_wakes(struct runq_cpu *rq) { return __atomic_load_n(&rq->wakes, __ATOMIC_RELAXED); }

static bool rq_idle(struct cpu *c)
{
	struct runq_cpu *rq = sched_rq(c);
	return c->current == rq->idle && rq->q.count == 0 && !has_wakes(rq);
}

/* Where a woken thread should run: where it last ran if it may and that CPU
 * is idle or would run it at once; else an idle CPU it may use; else where
 * it last ran (or the first CPU it may use). */
static struct cpu *select_cpu_slow(struct thread *t)
{
	uint64_t affinity = __atomic_load_n(&t->affinity, __ATOMIC_RELAXED);
	struct cpu *last = t->cpu;
	bool last_ok = last && last->online && allowed(t, last);
	if (last_ok && (rq_idle(last) || policy->preempts(t, last->current)))
		return last;
	uint64_t idle = __atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & affinity;
	if (idle)
		return cpu_get((unsigned)__builtin_ctzll(idle));
	if (last_ok)
		return last;
	for (unsigned i = 0; i < cpu_count(); i++)
		if (cpu_get(i)->online && allowed(t, cpu_get(i)))
			return cpu_get(i);
	panic("sched: thread '%s' has no online cpu in its affinity", t->name);
}

static inline struct cpu *select_cpu(struct thread *t)
{
	struct cpu *last = t->cpu;
	if (last && __atomic_load_n(&t->affinity, __ATOMIC_RELAXED) == 1ull << last->index)
		return last;	/* pinned where it ran: no choice to make */
	return select_cpu_slow(t);
}

/* Queue ready thread t on CPU c's wake list and make c notice. The push is
 * lock-free, so waking never takes a run queue lock, not even another
 * CPU's; c moves its wake list into its run queue whenever it schedules
 * (and a thief does, holding c's lock, before stealing). Interrupts off. */
static inline void push_wake(struct cpu *c, struct thread *t)
{
	struct runq_cpu *rq = sched_rq(c);
	t->cpu = c;	/* where a priority change must look for it */
	struct thread *head = __atomic_load_n(&rq->wakes, __ATOMIC_RELAXED);
	do
		t->wake_next = head;
	while (!__atomic_compare_exchange_n(&rq->wakes, &head, t, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
	/* Spoken for: the next wake-up should look for another idle CPU. */
	uint64_t bit = 1ull << c->index;
	if (__atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & bit)
		__atomic_fetch_and(&idle_mask, ~bit, __ATOMIC_RELAXED);
	if (c == this_cpu()) {
		if (policy->preempts(t, c->current))
			rq->need_resched = true;
		return;
	}
	/* Pairs with the fence in switch_locked(): either we see the thread c
	 * is switching to, or c sees our push before it commits to it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct thread *cur = __atomic_load_n(&c->current, __ATOMIC_RELAXED);
	if (cur == rq->idle || policy->preempts(t, cur))
		arch_ipi_send(c, IPI_RESCHED);
}

/* rq->lock held: take rq's whole wake list, returned oldest first. */
static struct thread *grab_wakes(struct runq_cpu *rq)
{
	struct thread *t = __atomic_exchange_n(&rq->wakes, NULL, __ATOMIC_ACQUIRE);
	struct thread *oldest_first = NULL;
	while (t) {
		struct thread *next = t->wake_next;
		t->wake_next = oldest_first;
		oldest_first = t;
		t = next;
	}
	return oldest_first;
}

/* rq->lock held, rq is c's: queue woken threads (from grab_wakes()) in the
 * order they were woken. One whose affinity changed since it was woken goes
 * on to a CPU it may use. */
static void queue_wakes(struct runq_cpu *rq, struct cpu *c, struct thread *t)
{
	while (t) {
		struct thread *next = t->wake_next;
		if (allowed(t, c))
			policy->enqueue(rq, t, false);
		else
			push_wake(select_cpu(t), t);
		t = next;
	}
}

static void take_wakes(struct runq_cpu *rq, struct cpu *c)
{
	if (has_wakes(rq))
		queue_wakes(rq, c, grab_wakes(rq));
}

bool sched_wake(struct thread *t)
{
	enum thread_state blocked = THREAD_BLOCKED;
	if (!__atomic_compare_exchange_n(&t->state, &blocked, THREAD_READY, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	/* Still being switched out on its CPU (it blocked a moment ago):
	 * that CPU needs nothing we hold to finish. */
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	unsigned long irq = arch_irq_save();
	struct cpu *target = select_cpu(t);
	TRACE_HOOK(target, TRACE_WAKE, target->index, t, 0);
	push_wake(target, t);
	arch_irq_restore(irq);
	return true;
}

/* A thread that may run on the CPUs in `affinity` was preempted and waits on
 * this busy CPU: wake an idle CPU that may run it, which will steal it (idle
 * CPUs sleep until an interrupt). */
static inline void kick_idle_for(uint64_t affinity)
{
	uint64_t idle = __atomic_load_n(&idle_mask, __ATOMIC_RELAXED) & affinity &
			~(1ull << this_cpu()->index);
	if (idle)
		arch_ipi_send(cpu_get((unsigned)__builtin_ctzll(idle)), IPI_WAKE);
}

/* rq->lock held: prev's affinity if it went back on this run queue (the
 * only case where another CPU should be told about it), else 0. Read under
 * the lock: once its on_cpu drops, prev may run and even exit elsewhere. */
static uint64_t requeued_affinity(struct runq_cpu *rq, struct thread *prev)
{
	return prev->rq == rq ? prev->affinity : 0;
}

/* finish_switch() for the uncommon cases: the idle thread in or out, a
 * detached thread gone, a thread that may no longer run here. */
static void finish_switch_rare(struct cpu *c, struct runq_cpu *rq, struct thread *prev,
			       struct thread *cur, uint64_t now)
{
	uint64_t me = 1ull << c->index;
	if (cur == rq->idle) {
		rq->idle_since = now;
		if (rq->q.count == 0 && !has_wakes(rq))
			__atomic_fetch_or(&idle_mask, me, __ATOMIC_RELAXED);
	}
	if (prev == rq->idle) {
		rq->idle_ns += now - rq->idle_since;
		__atomic_fetch_and(&idle_mask, ~me, __ATOMIC_RELAXED);
	}
	if (prev->state == THREAD_EXITED && prev->detached)
		list_push_back(&rq->zombies, &prev->run_node);
	bool migrate = prev->migrate;
	prev->migrate = false;
	uint64_t kick = prev == rq->idle ? 0 : requeued_affinity(rq, prev);
	__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	/* A thread that may no longer run here moves once it is off the CPU
	 * (no one else can queue it: it is READY, not BLOCKED). */
	if (migrate)
		push_wake(select_cpu(prev), prev);
	else if (kick)
		kick_idle_for(kick);
}

/* Run by the thread a CPU has just switched to: the switch is complete. */
static void finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct runq_cpu *rq = sched_rq(c);
	struct thread *prev = c->switch_prev, *cur = c->current;
	uint64_t now = rq->switch_time;
	prev->run_ns += now - prev->run_start;
	cur->run_start = now;
	if (__builtin_expect(cur == rq->idle || prev == rq->idle || prev->migrate ||
			     prev->state == THREAD_EXITED, 0)) {
		finish_switch_rare(c, rq, prev, cur, now);
	} else {
		uint64_t kick = requeued_affinity(rq, prev);
		__atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
		spin_unlock(&rq->lock);
		if (kick)
			kick_idle_for(kick);
	}
	timer_program(cur == rq->idle ? 0 : rq->slice_end);
}

/* Entry of every new thread, on its own stack, from its first switch. */
void sched_thread_start(void *unused)
{
	finish_switch();
	arch_irq_enable();
	thread_run_entry();
}

/* The next thread to run on c: the policy's pick with every wake-up so far
 * taken in, or the idle thread. Published in c->current before the switch,
 * then the wake list is looked at once more: a waker on another CPU pushes,
 * then reads c->current to decide whether to interrupt c (push_wake()), so
 * with a full fence on each side one of the two sees the other, and no
 * wake-up can wait behind a thread it should have preempted. */
static struct thread *pick_next(struct cpu *c, struct runq_cpu *rq)
{
	for (;;) {
		struct thread *next = NULL;
		if (has_wakes(rq)) {
			struct thread *woken = grab_wakes(rq);
			/* One thread woken that would be picked first anyway
			 * (a hand-off): skip queueing and picking it. */
			if (!woken->wake_next && allowed(woken, c) &&
			    (rq->q.count == 0 || policy->picks_first(rq, woken)))
				next = woken;
			else
				queue_wakes(rq, c, woken);
		}
		if (!next && !(next = policy->pick(rq)))
			next = rq->idle;
		__atomic_store_n(&c->current, next, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__builtin_expect(!has_wakes(rq), 1))
			return next;
		if (next != rq->idle)
			policy->enqueue(rq, next, true);	/* keeps its turn */
	}
}

/* rq->lock held and no other spinlock, interrupts off: give up the CPU.
 * Returns, with the lock released, once this thread runs again. */
static void switch_locked(struct cpu *c, struct runq_cpu *rq)
{
	struct thread *cur = c->current;
	if (cur == rq->idle && cur->state != THREAD_RUNNING)
		panic("sched_switch: idle thread of cpu %u tried to block", c->index);
	rq->need_resched = false;
	if (cur->state == THREAD_RUNNING && cur != rq->idle) {
		cur->state = THREAD_READY;
		if (allowed(cur, c))
			policy->enqueue(rq, cur, false);
		else
			cur->migrate = true;	/* queued elsewhere in finish_switch() */
	}
	struct thread *next = pick_next(c, rq);
	if (next == cur) {
		cur->state = THREAD_RUNNING;
		spin_unlock(&rq->lock);
		return;
	}
	next->cpu = c;
	next->switches++;
	rq->switch_time = time_now();
	rq->slice_end = rq->switch_time + sched_slice_ns;
	c->switch_prev = cur;
	arch_set_current_thread(next);
	if (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		panic("sched_switch: '%s' was queued while still running on another cpu",
		      next->name);
	next->state = THREAD_RUNNING;
	next->on_cpu = true;
	TRACE_HOOK(c, TRACE_SWITCH, cur->state, cur, next);	/* a block is a switch from BLOCKED */
	arch_context_switch(&cur->sp, next->sp);
	finish_switch();
}

static void check_may_switch(struct cpu *c, unsigned locks_allowed)
{
	if (c->irq_depth || arch_irqs_enabled() || c->spin_depth != locks_allowed)
		panic("sched_switch: called with interrupts on, a spinlock held, or nested "
		      "in an interrupt (thread '%s')", c->current->name);
}

void sched_switch(void)
{
	struct cpu *c = this_cpu();
	check_may_switch(c, 0);
	spin_lock(&sched_rq(c)->lock);
	switch_locked(c, sched_rq(c));
}

void sched_block(struct spinlock *held)
{
	struct cpu *c = this_cpu();
	struct runq_cpu *rq = sched_rq(c);
	check_may_switch(c, 1);
	/* Take the run queue lock before letting go of `held` (the documented
	 * wait queue -> run queue order), so interrupts stay off throughout
	 * without a second save and restore. The state to come back to is
	 * the one from before `held`; whatever thread this CPU runs next
	 * releases the run queue lock and must find interrupts off. */
	spin_lock(&rq->lock);
	unsigned long irq = c->spin_irq_state;
	c->spin_irq_state = arch_irq_save();	/* interrupts are off: the "off" state */
	spin_unlock(held);
	switch_locked(c, rq);
	arch_irq_restore(irq);
}

void sched_preempt_now(void)
{
	unsigned long irq = arch_irq_save();
	struct cpu *c = this_cpu();
	if (sched_rq(c)->need_resched && c->irq_depth == 0 && c->spin_depth == 0)
		sched_switch();
	arch_irq_restore(irq);
}

void sched_tick(uint64_t now)
{
	struct cpu *c = this_cpu();
	struct runq_cpu *rq = sched_rq(c);
	if (c->current == rq->idle || now < rq->slice_end)
		return;
	spin_lock(&rq->lock);
	take_wakes(rq, c);
	if (policy->rotation_pending(rq, c->current))
		rq->need_resched = true;
	else
		rq->slice_end = now + sched_slice_ns;	/* alone at its level: a new slice */
	spin_unlock(&rq->lock);
}

void sched_prio_changed(struct thread *t)
{
	for (;;) {
		struct runq_cpu *rq = __atomic_load_n(&t->rq, __ATOMIC_ACQUIRE);
		if (!rq) {
			/* Running, or woken and on its CPU's wake list: let that
			 * CPU re-check. Blocked: it is queued by its new
			 * priority when woken. */
			struct cpu *c = t->cpu;
			if (c == this_cpu())
				sched_rq(c)->need_resched = true;
			else if (c && (c->current == t || t->state == THREAD_READY))
				arch_ipi_send(c, IPI_RESCHED);
			return;
		}
		spin_lock(&rq->lock);
		if (t->rq != rq) {	/* moved meanwhile: try again */
			spin_unlock(&rq->lock);
			continue;
		}
		policy->dequeue(rq, t);
		policy->enqueue(rq, t, false);
		struct cpu *c = cpu_get((unsigned)(rq - runqs));
		bool preempt = policy->preempts(t, c->current);
		if (preempt)
			rq->need_resched = true;
		spin_unlock(&rq->lock);
		if (preempt && c != this_cpu())
			arch_ipi_send(c, IPI_RESCHED);
		return;
	}
}

void sched_affinity_changed(struct thread *t)
{
	for (;;) {
		struct runq_cpu *rq = __atomic_load_n(&t->rq, __ATOMIC_ACQUIRE);
		if (!rq) {
			/* Running: its CPU moves it at the next switch. */
			struct cpu *c = t->cpu;
			if (t->state == THREAD_RUNNING && c && !allowed(t, c)) {
				if (c == this_cpu())
					sched_rq(c)->need_resched = true;
				else
					arch_ipi_send(c, IPI_RESCHED);
			}
			return;
		}
		spin_lock(&rq->lock);
		if (t->rq != rq) {
			spin_unlock(&rq->lock);
			continue;
		}
		struct cpu *c = cpu_get((unsigned)(rq - runqs));
		bool move = !allowed(t, c);
		if (move)
			policy->dequeue(rq, t);
		spin_unlock(&rq->lock);
		if (move) {
			unsigned long irq = arch_irq_save();
			push_wake(select_cpu(t), t);
			arch_irq_restore(irq);
		}
		return;
	}
}

/* Take one thread that may run here from the busiest other CPU. */
static bool steal_work(struct cpu *me)
{
	struct cpu *victim = NULL;
	unsigned most = 0;
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct cpu *c = cpu_get(i);
		struct runq_cpu *rq = sched_rq(c);
		unsigned n = __atomic_load_n(&rq->q.count, __ATOMIC_RELAXED) + has_wakes(rq);
		if (c != me && c->online && n > most) {
			most = n;
			victim = c;
		}
	}
	if (!victim)
		return false;
	struct runq_cpu *vrq = sched_rq(victim);
	spin_lock(&vrq->lock);
	take_wakes(vrq, victim);
	struct thread *t = policy->steal(vrq, me);
	spin_unlock(&vrq->lock);
	if (!t)
		return false;
	struct runq_cpu *rq = sched_rq(me);
	spin_lock(&rq->lock);
	policy->enqueue(rq, t, false);
	spin_unlock(&rq->lock);
	return true;
}

/* Free the detached threads that exited on c (the list is guarded by c's
 * run queue lock, so any CPU may do it). Interrupts on. */
static void reap_zombies(struct cpu *c)
{
	struct runq_cpu *rq = sched_rq(c);
	for (;;) {
		spin_lock(&rq->lock);
		struct list_node *n = list_pop_front(&rq->zombies);
		spin_unlock(&rq->lock);
		if (!n)
			return;
		thread_free(list_entry(n, struct thread, run_node));
	}
}

void sched_reap(void)
{
	reap_zombies(this_cpu());	/* if we migrate meanwhile, we reap for the old CPU: harmless */
}

/* Each CPU's idle thread: reap, steal, or wait for an interrupt. */
static noreturn void idle_loop(void)
{
	struct cpu *c = this_cpu();
	struct runq_cpu *rq = sched_rq(c);
	for (;;) {
		arch_irq_enable();
		reap_zombies(c);
		arch_irq_disable();
		if (rq->q.count || rq->need_resched || has_wakes(rq) || steal_work(c)) {
			sched_switch();
			continue;
		}
		/* A thread that exited while we were reaping (an interrupt can
		 * switch away from the idle thread anywhere in this loop). */
		if (!list_empty(&rq->zombies))
			continue;
		/* Visible as idle again: a wake-up may have cleared the bit for
		 * a thread that another CPU then stole, with no switch here to
		 * set it back. */
		__atomic_fetch_or(&idle_mask, 1ull << c->index, __ATOMIC_RELAXED);
		arch_idle();
	}
}

static void idle_entry(void *unused)
{
	finish_switch();
	idle_loop();
}

noreturn void sched_run_secondary(void)
{
	struct cpu *c = this_cpu();
	thread_adopt_boot_context(sched_rq(c)->idle, c);
	__atomic_fetch_or(&idle_mask, 1ull << c->index, __ATOMIC_RELAXED);
	timer_program(0);
	idle_loop();
}

void sched_init(void)
{
	for (unsigned i = 0; i < cpu_count(); i++) {
		struct runq_cpu *rq = &runqs[i];
		rq->lock = (struct spinlock)SPINLOCK_INIT("runq");
		runq_init(&rq->q);
		list_init(&rq->zombies);
		struct cpu *c = cpu_get(i);
		c->runq = rq;
		/* The boot CPU's boot stack becomes "main"; its idle thread
		 * gets a stack of its own. A secondary's boot stack becomes
		 * its idle thread. */
		rq->idle = thread_create_idle(c, i == 0 ? idle_entry : NULL);
	}
	thread_adopt_boot_context(thread_main(), cpu_get(0));
}

void thread_cpu_stats(struct cpu *c, struct thread_cpu_stats *out)
{
	struct runq_cpu *rq = sched_rq(c);
	spin_lock(&rq->lock);
	struct thread *cur = c->current;
	out->idle_ns = rq->idle_ns;
	if (cur == rq->idle && c->online)
		out->idle_ns += time_now() - rq->idle_since;	/* the idle stretch under way */
	out->ready = rq->q.count;
	out->running_idle = cur == rq->idle;
	snprintf(out->current, sizeof out->current, "%s", cur ? cur->name : "-");
	spin_unlock(&rq->lock);
}
