/*
 * Timer queue as a pairing heap (Fredman, Sedgewick, Sleator, Tarjan 1986):
 * a tree in which every node's deadline is no earlier than its parent's.
 * Two heaps meld by making the later root the first child of the earlier;
 * removing a root melds its children pairwise, left to right, then folds the
 * pairs together right to left.
 */
#include <kernel/timerq.h>
#include <stddef.h>

void timerq_init(struct timerq *q)
{
	q->root = NULL;
	q->count = 0;
}

/* Meld two detached heaps (either may be NULL); returns the new root. */
static struct timerq_entry *meld(struct timerq_entry *a, struct timerq_entry *b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	if (b->deadline < a->deadline) {
		struct timerq_entry *t = a;
		a = b;
		b = t;
	}
	/* b becomes a's first child. */
	b->prev = a;
	b->next = a->child;
	if (a->child)
		a->child->prev = b;
	a->child = b;
	a->next = a->prev = NULL;
	return a;
}

/* Meld a list of siblings into one heap (the two-pass pairing). */
static struct timerq_entry *merge_pairs(struct timerq_entry *first)
{
	/* Pass 1: meld pairs left to right, chaining the results through
	 * `prev` into a stack. */
	struct timerq_entry *stack = NULL;
	while (first) {
		struct timerq_entry *a = first, *b = first->next;
		first = b ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b)
			b->next = b->prev = NULL;
		struct timerq_entry *m = meld(a, b);
		m->prev = stack;
		stack = m;
	}
	/* Pass 2: meld right to left. */
	struct timerq_entry *root = NULL;
	while (stack) {
		struct timerq_entry *below = stack->prev;
		stack->prev = NULL;
		root = meld(stack, root);
		stack = below;
	}
	return root;
}

void timerq_add(struct timerq *q, struct timerq_entry *e)
{
	e->child = e->next = e->prev = NULL;
	e->queued = true;
	q->root = meld(q->root, e);
	q->count++;
}

bool timerq_remove(struct timerq *q, struct timerq_entry *e)
{
	if (!e->queued)
		return false;
	e->queued = false;
	q->count--;
	if (e == q->root) {
		q->root = merge_pairs(e->child);
		return true;
	}
	/* Unlink e from its siblings (or from its parent, if it is a first
	 * child), then meld its subtree back in. */
	if (e->prev->child == e)
		e->prev->child = e->next;
	else
		e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	q->root = meld(q->root, merge_pairs(e->child));
	return true;
}

struct timerq_entry *timerq_pop_expired(struct timerq *q, uint64_t now)
{
	struct timerq_entry *e = q->root;
	if (!e || e->deadline > now)
		return NULL;
	timerq_remove(q, e);
	return e;
}
