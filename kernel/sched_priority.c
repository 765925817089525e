/*
 * The default scheduling policy: strict priority, round-robin among equals.
 * A preempted or yielding thread goes to the back of its level; stealing
 * takes the longest-waiting thread whose affinity allows the thief.
 */
#include <kernel/cpu.h>
#include <kernel/sched.h>

static void enqueue(struct runq_cpu *rq, struct thread *t, bool at_front)
{
	if (at_front)
		runq_push_front(&rq->q, &t->run_node, t->prio);
	else
		runq_push_back(&rq->q, &t->run_node, t->prio);
	__atomic_store_n(&t->rq, rq, __ATOMIC_RELEASE);
}

static void dequeue(struct runq_cpu *rq, struct thread *t)
{
	/* The level it was queued at: its priority may have changed since,
	 * so search rather than trust t->prio. */
	for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
		struct list_node *n;
		list_for_each(n, &rq->q.level[p]) {
			if (n == &t->run_node) {
				runq_remove(&rq->q, n, p);
				__atomic_store_n(&t->rq, NULL, __ATOMIC_RELEASE);
				return;
			}
		}
	}
}

static struct thread *pick(struct runq_cpu *rq)
{
	struct list_node *n = runq_pop(&rq->q);
	if (!n)
		return NULL;
	struct thread *t = list_entry(n, struct thread, run_node);
	__atomic_store_n(&t->rq, NULL, __ATOMIC_RELEASE);
	return t;
}

static bool may_move_to(struct list_node *n, void *thief)
{
	const struct thread *t = list_entry(n, struct thread, run_node);
	unsigned index = ((struct cpu *)thief)->index;
	return (t->affinity >> index) & 1;
}

static struct thread *steal(struct runq_cpu *victim, struct cpu *thief)
{
	struct list_node *n = runq_pop_if(&victim->q, NULL, may_move_to, thief);
	if (!n)
		return NULL;
	struct thread *t = list_entry(n, struct thread, run_node);
	__atomic_store_n(&t->rq, NULL, __ATOMIC_RELEASE);
	return t;
}

static bool preempts(const struct thread *woken, const struct thread *cur)
{
	return woken->prio > cur->prio;
}

static bool picks_first(struct runq_cpu *rq, const struct thread *t)
{
	return (int)t->prio > runq_top(&rq->q);
}

static bool rotation_pending(struct runq_cpu *rq, const struct thread *cur)
{
	return runq_top(&rq->q) >= (int)cur->prio;
}

const struct sched_policy sched_priority_policy = {
	.name = "priority-rr",
	.enqueue = enqueue,
	.dequeue = dequeue,
	.pick = pick,
	.steal = steal,
	.preempts = preempts,
	.picks_first = picks_first,
	.rotation_pending = rotation_pending,
};
