/*
 * How a socket call waits. The call's step runs in loop context: it does
 * the work if it can, else leaves a future in the socket's reader or
 * writer slot and returns -EAGAIN. lwIP's callbacks settle that future;
 * the caller (a task suspending, a thread or coroutine blocking) wakes and
 * runs the step again. A timeout or cancel takes the future back out of
 * its slot in loop context, so a late event never touches a caller gone.
 */
#include "sock_internal.h"
#include <errno.h>
#include <kernel/time.h>
#include <stdlib.h>

uint64_t net_sock_udp_rx_dropped, net_sock_accept_dropped;
static unsigned open_socks;

intptr_t sock_arm(struct sock_op *op, struct loop_future **slot)
{
	if (*slot && *slot != &op->fut)
		return -EBUSY;
	*slot = &op->fut;
	op->slot = slot;
	return -EAGAIN;
}

void sock_wake(struct loop_future **slot)
{
	struct loop_future *f = *slot;
	if (f) {
		*slot = NULL;
		loop_future_set_result(f, 0);
	}
}

static intptr_t disarm(void *arg)
{
	struct sock_op *op = arg;
	if (op->slot && *op->slot == &op->fut)
		*op->slot = NULL;
	return 0;
}

intptr_t sock_call(struct sock_op *op, sock_step_fn *step, uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns == SOCK_FOREVER ? WAIT_FOREVER : time_now() + timeout_ns;
	for (;;) {
		loop_future_init(&op->fut, NULL, "sock wait");
		op->slot = NULL;
		intptr_t r = net_in_loop(step, op);
		if (r != -EAGAIN)
			return r;
		int err = loop_await_until(&op->fut, deadline, NULL);
		if (err) {
			net_in_loop(disarm, op);
			return err;
		}
	}
}

struct sock *sock_alloc(enum sock_type type, unsigned ring_cap)
{
	struct sock *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->type = type;
	if (ring_cap) {
		if (type == SOCK_TYPE_UDP)
			s->dgrams = calloc(ring_cap, sizeof *s->dgrams);
		else
			s->ring = calloc(ring_cap, sizeof *s->ring);
		if (!s->ring && !s->dgrams) {
			free(s);
			return NULL;
		}
		s->ring_cap = ring_cap;
	}
	open_socks++;
	return s;
}

void sock_free(struct sock *s)
{
	open_socks--;
	free(s->ring);
	free(s->dgrams);
	free(s);
}

int sock_ring_in(struct sock *s)
{
	if (s->ring_count == s->ring_cap)
		return -1;
	return (int)((s->ring_head + s->ring_count++) % s->ring_cap);
}

int sock_ring_out(struct sock *s)
{
	if (!s->ring_count)
		return -1;
	unsigned i = s->ring_head;
	s->ring_head = (s->ring_head + 1) % s->ring_cap;
	s->ring_count--;
	return (int)i;
}

static intptr_t close_step(void *arg)
{
	struct sock *s = arg;
	if (s->reader || s->writer)
		return -EBUSY;
	if (s->type == SOCK_TYPE_UDP)
		sock_udp_close_locked(s);
	else
		sock_tcp_close_locked(s);
	return 0;
}

int sock_close(struct sock *s)
{
	if (!s)
		return -EINVAL;
	return (int)net_in_loop(close_step, s);
}

unsigned sock_count(void) { return __atomic_load_n(&open_socks, __ATOMIC_RELAXED); }
