/*
 * Intrusive doubly-linked circular lists. A list head is a node whose
 * neighbours are itself when empty. No locking: callers hold whatever lock
 * guards the list.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *prev, *next;
};

#define LIST_INIT(head) { &(head), &(head) }
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define list_entry(node, type, member) container_of(node, type, member)

static inline void list_init(struct list_node *head) { head->prev = head->next = head; }
static inline bool list_empty(const struct list_node *head) { return head->next == head; }
/* A node that is on no list points at itself (after list_init or list_remove). */
static inline bool list_linked(const struct list_node *n) { return n->next != n; }

static inline void list_insert_between(struct list_node *n, struct list_node *prev,
				       struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_push_back(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head->prev, head);
}

static inline void list_push_front(struct list_node *head, struct list_node *n)
{
	list_insert_between(n, head, head->next);
}

/* Insert n just before pos. */
static inline void list_insert_before(struct list_node *pos, struct list_node *n)
{
	list_insert_between(n, pos->prev, pos);
}

static inline void list_remove(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static inline struct list_node *list_pop_front(struct list_node *head)
{
	if (list_empty(head))
		return NULL;
	struct list_node *n = head->next;
	list_remove(n);
	return n;
}

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
