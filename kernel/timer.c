/*
 * Per-CPU timer queues behind the one-shot hardware timer. The hardware is
 * programmed for the earliest of the queue's head and the running thread's
 * time-slice end; an idle CPU with no timers is not interrupted at all.
 *
 * A context switch asks for a new slice end every time, usually later than
 * what the hardware already holds. Then the hardware is left alone: it fires
 * early, timer_interrupt() finds nothing due and re-arms for the real
 * deadline. One early interrupt per slice costs less than a reprogramming
 * per switch.
 */
#include <arch/timer.h>
#include <kernel/cpu.h>
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>

struct timer_cpu {
	struct spinlock lock;
	struct timerq q;
	struct timer *running;	/* whose function is running now, for
				 * timer_cancel()'s misuse check */
};

static struct timer_cpu timer_cpus[MAX_CPUS];

void timer_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		timer_cpus[i].lock = (struct spinlock)SPINLOCK_INIT("timer");
		timerq_init(&timer_cpus[i].q);
	}
}

static struct timer_cpu *tc_of(struct cpu *c) { return &timer_cpus[c->index]; }

/* Program c's hardware for the earlier of its queue's head and extra. */
static void reprogram(struct cpu *c, uint64_t extra_deadline)
{
	struct timer_cpu *tc = tc_of(c);
	spin_lock(&tc->lock);
	struct timerq_entry *head = timerq_peek(&tc->q);
	uint64_t when = head ? head->deadline : 0;
	if (extra_deadline && (!when || extra_deadline < when))
		when = extra_deadline;
	if (!when) {
		if (c->timer_armed)
			arch_timer_disarm();
		c->timer_armed = 0;
	} else if (!c->timer_armed || c->timer_armed > when) {
		arch_timer_arm(time_ns_to_ticks(when));
		c->timer_armed = when;
	}
	spin_unlock(&tc->lock);
}

void timer_reprogram(uint64_t extra_deadline) { reprogram(this_cpu(), extra_deadline); }

void timer_arm(struct timer *t, uint64_t deadline_ns, timer_fn *fn)
{
	/* Interrupts off first: the queue must be the one of the CPU whose
	 * hardware we program, so we must not move in between. */
	unsigned long irq = arch_irq_save();
	struct cpu *c = this_cpu();
	struct timer_cpu *tc = tc_of(c);
	spin_lock(&tc->lock);
	if (t->entry.queued)
		panic("timer_arm: timer already armed");
	t->fn = fn;
	__atomic_store_n(&t->cpu, c, __ATOMIC_RELEASE);
	t->entry.deadline = deadline_ns;
	timerq_add(&tc->q, &t->entry);
	bool earliest = timerq_peek(&tc->q) == &t->entry;
	spin_unlock(&tc->lock);
	if (earliest) {
		struct runq_cpu *rq = sched_rq(c);
		reprogram(c, c->current == rq->idle ? 0 : rq->slice_end);
	}
	arch_irq_restore(irq);
}

bool timer_try_cancel(struct timer *t)
{
	for (;;) {
		struct cpu *c = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (!c)
			return false;
		struct timer_cpu *tc = tc_of(c);
		spin_lock(&tc->lock);
		/* Re-armed on another CPU since we looked: its queue, not this
		 * one, holds it now. */
		bool moved = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED) != c;
		bool was = !moved && timerq_remove(&tc->q, &t->entry);
		spin_unlock(&tc->lock);
		if (!moved)
			return was;
	}
}

/* Interrupts off: is t's function running on this CPU, below us? */
static bool running_here(struct timer *t) { return tc_of(this_cpu())->running == t; }

bool timer_cancel(struct timer *t)
{
	bool was = false;
	for (;;) {
		was |= timer_try_cancel(t);
		/* Counted, not looked up on t->cpu: a function may still run
		 * on one CPU after t was re-armed on another. */
		if (!__atomic_load_n(&t->runs, __ATOMIC_SEQ_CST))
			return was;
		/* Asked with interrupts off: a thread that looked with them on
		 * may have moved here since its function finished. */
		unsigned long irq = arch_irq_save();
		bool own = running_here(t);
		arch_irq_restore(irq);
		if (own)
			panic("timer_cancel: called from the timer's own function");
		arch_cpu_relax();	/* it runs elsewhere: wait it out, then
					 * disarm again in case it re-armed */
	}
}

void timer_interrupt(void)
{
	struct cpu *c = this_cpu();
	struct timer_cpu *tc = tc_of(c);
	uint64_t now = time_now();
	spin_lock(&tc->lock);
	c->timer_armed = 0;	/* the one-shot has fired */
	struct timerq_entry *e;
	while ((e = timerq_pop_expired(&tc->q, now))) {
		struct timer *t = (struct timer *)e;	/* entry is the first member */
		tc->running = t;
		__atomic_fetch_add(&t->runs, 1, __ATOMIC_SEQ_CST);
		spin_unlock(&tc->lock);
		t->fn(t);
		__atomic_fetch_sub(&t->runs, 1, __ATOMIC_SEQ_CST);
		spin_lock(&tc->lock);
		tc->running = NULL;
	}
	spin_unlock(&tc->lock);
	sched_tick(now);
	struct runq_cpu *rq = sched_rq(c);
	reprogram(c, c->current == rq->idle ? 0 : rq->slice_end);
}
