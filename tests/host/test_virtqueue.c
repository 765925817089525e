/*
 * Split virtqueue driver logic (kernel/dev/virtqueue.c, virtio 1.1 section
 * 2.6) against a device simulated in host memory: round trips, free-list
 * reuse and index wrap, notification and interrupt suppression with and
 * without EVENT_IDX, and a device that breaks the rules (id out of range,
 * id not in flight, length too large, used index jumping) — each must be
 * detected, fail the device, and leave memory outside the queue untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "fakes.h"
#include <errno.h>
#include <kernel/dev/virtqueue.h>
#include <kernel/page.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- fakes for what virtqueue.c calls ------------------------------------ */
static int notifies;
static char fail_buf[128];
static const char *fail_why;
static uint16_t fake_max = 1000;
static uint64_t enabled_desc, enabled_avail, enabled_used;
static uint16_t enabled_size;

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	vd->failed = true;
	snprintf(fail_buf, sizeof fail_buf, "%s", why);
	fail_why = fail_buf;
}
void *page_alloc(size_t n) { return aligned_alloc(PAGE_SIZE, n * PAGE_SIZE); }
void page_free(void *p, size_t n) { free(p); }

static void fake_notify(struct virtio_dev *vd, unsigned q) { notifies++; }
static uint16_t fake_queue_max(struct virtio_dev *vd, unsigned q) { return q == 0 ? fake_max : 0; }
static int fake_queue_enable(struct virtio_dev *vd, unsigned q, uint16_t size, uint64_t desc,
			     uint64_t driver, uint64_t device)
{
	enabled_size = size;
	enabled_desc = desc, enabled_avail = driver, enabled_used = device;
	return 0;
}
static const struct virtio_transport_ops fake_ops = {
	.queue_notify = fake_notify,
	.queue_max = fake_queue_max,
	.queue_enable = fake_queue_enable,
};

/* --- the queue, fenced by guard bytes ------------------------------------ */
#define GUARD 256
#define GUARD_BYTE 0xa5
static struct virtio_dev vd;
static struct virtqueue vq;
static unsigned char *arena;
static size_t arena_len;

/* The simulated device's place in the rings. */
static uint16_t dev_avail;	/* next avail entry the device reads */
static uint16_t dev_used;	/* its used->idx */

static void dev_reset(void) { dev_avail = dev_used = 0; }

static void setup_queue(uint16_t size, bool event_idx)
{
	vd = (struct virtio_dev){ .name = "fake", .ops = &fake_ops,
				  .features = event_idx ? 1ull << VIRTIO_F_RING_EVENT_IDX : 0 };
	notifies = 0;
	fail_why = NULL;
	arena_len = virtqueue_mem_size(size) + 2 * GUARD;
	arena = aligned_alloc(16, arena_len)	/* both parts are multiples of 16 */;
	memset(arena, GUARD_BYTE, arena_len);
	assert_int_equal(virtqueue_init(&vq, &vd, 0, size, arena + GUARD), 0);
	dev_reset();
}

/* The next used chain must be token, with len bytes written. */
static void expect_used(void *token, uint32_t want_len)
{
	uint32_t len = ~0u;
	assert_ptr_equal(virtqueue_get_used(&vq, &len), token);
	assert_int_equal(len, want_len);
}

static void check_guards_and_free(void)
{
	for (size_t i = 0; i < GUARD; i++) {
		assert_int_equal(arena[i], GUARD_BYTE);
		assert_int_equal(arena[arena_len - 1 - i], GUARD_BYTE);
	}
	free(arena);
}

/* --- the simulated device ------------------------------------------------- */
/* Take the next available chain: its head and its device-writable bytes. */
static bool dev_pop(uint16_t *head, uint32_t *in_len)
{
	if (dev_avail == __atomic_load_n(&vq.avail->idx, __ATOMIC_ACQUIRE))
		return false;
	*head = vq.avail->ring[dev_avail++ % vq.size];
	*in_len = 0;
	for (uint16_t d = *head;; d = vq.desc[d].next) {
		assert_true(d < vq.size);
		if (vq.desc[d].flags & VIRTQ_DESC_F_WRITE)
			*in_len += vq.desc[d].len;
		if (!(vq.desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
	}
	return true;
}

/* Publish one used element; true if the device would interrupt (2.6.7). */
static bool dev_push(uint32_t id, uint32_t len)
{
	vq.used->ring[dev_used % vq.size] = (struct virtq_used_elem){ id, len };
	uint16_t old = dev_used++;
	__atomic_store_n(&vq.used->idx, dev_used, __ATOMIC_RELEASE);
	if (vq.event_idx) {
		uint16_t ev = vq.avail->ring[vq.size];	/* used_event */
		return (uint16_t)(dev_used - ev - 1) < (uint16_t)(dev_used - old);
	}
	return !(vq.avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Use every available chain, writing all its writable bytes. */
static unsigned dev_use_all(void)
{
	uint16_t head;
	uint32_t in_len;
	unsigned n = 0;
	while (dev_pop(&head, &in_len)) {
		dev_push(head, in_len);
		n++;
	}
	return n;
}

static int tokens[1024];
static struct virtq_buf buf(uint32_t len) { return (struct virtq_buf){ 0x1000, len }; }

/* --- tests ---------------------------------------------------------------- */
static void test_round_trip(void **state)
{
	setup_queue(8, false);
	struct virtq_buf a[2] = { buf(10), buf(100) };
	struct virtq_buf b[3] = { buf(20), buf(30), buf(40) };
	assert_int_equal(virtqueue_add(&vq, a, 1, 1, &tokens[0]), 0);
	assert_int_equal(virtqueue_add(&vq, b, 0, 3, &tokens[1]), 0);
	assert_int_equal(virtqueue_add(&vq, a, 1, 0, &tokens[2]), 0);
	assert_int_equal(virtqueue_num_free(&vq), 8 - 6);
	assert_true(virtqueue_kick(&vq));
	assert_int_equal(notifies, 1);
	assert_false(virtqueue_kick(&vq));	/* nothing new: no second doorbell */
	assert_int_equal(notifies, 1);
	/* The device sees the flags and chain we gave. */
	uint16_t h = vq.avail->ring[0];
	assert_int_equal(vq.desc[h].flags, VIRTQ_DESC_F_NEXT);
	assert_int_equal(vq.desc[vq.desc[h].next].flags, VIRTQ_DESC_F_WRITE);
	assert_false(virtqueue_has_used(&vq));
	assert_int_equal(dev_use_all(), 3);
	assert_true(virtqueue_has_used(&vq));
	expect_used(&tokens[0], 100);
	expect_used(&tokens[1], 90);
	expect_used(&tokens[2], 0);
	assert_null(virtqueue_get_used(&vq, NULL));
	assert_int_equal(virtqueue_num_free(&vq), 8);
	assert_null(fail_why);
	check_guards_and_free();
}

static void test_full_and_bad_args(void **state)
{
	setup_queue(4, false);
	struct virtq_buf b[5] = { buf(1), buf(1), buf(1), buf(1), buf(1) };
	assert_int_equal(virtqueue_add(&vq, b, 1, 0, NULL), -EINVAL);
	assert_int_equal(virtqueue_add(&vq, b, 0, 0, &tokens[0]), -EINVAL);
	assert_int_equal(virtqueue_add(&vq, b, 5, 0, &tokens[0]), -EINVAL);
	assert_int_equal(virtqueue_add(&vq, b, 3, 0, &tokens[0]), 0);
	assert_int_equal(virtqueue_add(&vq, b, 2, 0, &tokens[1]), -ENOSPC);
	assert_int_equal(virtqueue_add(&vq, b, 1, 0, &tokens[1]), 0);
	assert_int_equal(virtqueue_add(&vq, b, 1, 0, &tokens[2]), -ENOSPC);
	dev_use_all();
	assert_ptr_equal(virtqueue_get_used(&vq, NULL), &tokens[0]);
	assert_int_equal(virtqueue_add(&vq, b, 3, 0, &tokens[3]), 0);	/* freed chain reused */
	assert_null(fail_why);
	check_guards_and_free();
}

/* Many more round trips than 2^16, with chains of varying length, so every
 * index wraps and the free list is reshuffled; out-of-order completion too. */
static void test_wrap_and_reorder(void **state)
{
	setup_queue(8, false);
	for (unsigned i = 0; i < 70000; i++) {
		struct virtq_buf b[3] = { buf(1), buf(2), buf(3) };
		unsigned n1 = 1 + i % 3, n2 = 1 + (i + 1) % 2;
		assert_int_equal(virtqueue_add(&vq, b, 0, n1, &tokens[0]), 0);
		assert_int_equal(virtqueue_add(&vq, b, n2, 0, &tokens[1]), 0);
		uint16_t h1, h2;
		uint32_t l1, l2;
		assert_true(dev_pop(&h1, &l1));
		assert_true(dev_pop(&h2, &l2));
		dev_push(h2, l2);	/* second finishes first */
		dev_push(h1, l1);
		expect_used(&tokens[1], 0);
		expect_used(&tokens[0], n1 == 1 ? 1 : n1 == 2 ? 3 : 6);
		assert_int_equal(virtqueue_num_free(&vq), 8);
	}
	assert_null(fail_why);
	check_guards_and_free();
}

static void test_no_notify_flag(void **state)
{
	setup_queue(8, false);
	struct virtq_buf b = buf(4);
	vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;	/* the device is polling */
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);
	assert_false(virtqueue_kick(&vq));
	vq.used->flags = 0;
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);
	assert_true(virtqueue_kick(&vq));
	assert_int_equal(notifies, 1);
	/* Interrupt suppression by the flag. */
	virtqueue_disable_cb(&vq);
	assert_int_equal(vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	uint16_t h;
	uint32_t l;
	assert_true(dev_pop(&h, &l));
	assert_false(dev_push(h, l));
	assert_true(virtqueue_enable_cb(&vq));	/* re-check sees the pending one */
	assert_int_equal(vq.avail->flags, 0);
	check_guards_and_free();
}

static void test_event_idx_notify(void **state)
{
	setup_queue(16, true);
	assert_true(vq.event_idx);
	struct virtq_buf b = buf(4);
	uint16_t *avail_event = (uint16_t *)&vq.used->ring[vq.size];
	/* avail_event 0: the device wants to hear when entry 0 is added. */
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);
	assert_true(virtqueue_kick(&vq));
	/* The device asks to be woken only after entry 4 is made available. */
	*avail_event = 4;
	for (int i = 0; i < 3; i++) {	/* entries 1..3 */
		assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);
		assert_false(virtqueue_kick(&vq));
	}
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);	/* entry 4 */
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), 0);	/* 5, same batch */
	assert_true(virtqueue_kick(&vq));	/* the batch crossed 4 */
	assert_int_equal(notifies, 2);
	assert_int_equal(vq.avail->flags, 0);	/* the flag stays 0 with EVENT_IDX */
	check_guards_and_free();
}

static void test_event_idx_interrupts(void **state)
{
	setup_queue(16, true);
	struct virtq_buf b = buf(4);
	for (int i = 0; i < 6; i++)
		assert_int_equal(virtqueue_add(&vq, &b, 0, 1, &tokens[i]), 0);
	uint16_t h;
	uint32_t l;
	assert_false(virtqueue_enable_cb(&vq));	/* used_event = 0, nothing used */
	assert_true(dev_pop(&h, &l));
	assert_true(dev_push(h, l));		/* crosses used_event 0: interrupt */
	virtqueue_disable_cb(&vq);		/* the handler masks */
	assert_int_equal(vq.avail->flags, 0);
	assert_true(dev_pop(&h, &l));
	assert_false(dev_push(h, l));		/* suppressed */
	assert_ptr_equal(virtqueue_get_used(&vq, NULL), &tokens[0]);
	assert_ptr_equal(virtqueue_get_used(&vq, NULL), &tokens[1]);
	assert_true(dev_pop(&h, &l));
	assert_false(dev_push(h, l));		/* still suppressed after we consumed */
	assert_true(virtqueue_enable_cb(&vq));	/* one waiting: poll again */
	assert_ptr_equal(virtqueue_get_used(&vq, NULL), &tokens[2]);
	assert_false(virtqueue_enable_cb(&vq));
	assert_true(dev_pop(&h, &l));
	assert_true(dev_push(h, l));		/* enabled again: interrupts */
	assert_null(fail_why);
	check_guards_and_free();
}

/* A misbehaving device: the queue must refuse, fail the device and stop. */
static void expect_broken(const char *why)
{
	assert_null(virtqueue_get_used(&vq, NULL));
	assert_true(vq.broken);
	assert_true(vd.failed);
	assert_non_null(fail_why);
	assert_non_null(strstr(fail_why, why));
	struct virtq_buf b = buf(4);
	assert_int_equal(virtqueue_add(&vq, &b, 1, 0, &tokens[0]), -EIO);
	assert_null(virtqueue_get_used(&vq, NULL));
	check_guards_and_free();
}

static void fill_two(void)
{
	struct virtq_buf b[2] = { buf(8), buf(64) };
	assert_int_equal(virtqueue_add(&vq, b, 1, 1, &tokens[0]), 0);
	assert_int_equal(virtqueue_add(&vq, b, 1, 1, &tokens[1]), 0);
}

static void test_bad_id_out_of_range(void **state)
{
	setup_queue(8, false);
	fill_two();
	dev_push(8 + 3, 4);
	expect_broken("out of range");
}

static void test_bad_id_not_in_flight(void **state)
{
	setup_queue(8, false);
	fill_two();
	uint16_t h;
	uint32_t l;
	assert_true(dev_pop(&h, &l));
	dev_push(vq.desc[h].next, 4);	/* the chain's second descriptor, not a head */
	expect_broken("not in flight");
}

static void test_bad_id_twice(void **state)
{
	setup_queue(8, false);
	fill_two();
	uint16_t h;
	uint32_t l;
	assert_true(dev_pop(&h, &l));
	dev_push(h, l);
	dev_push(h, l);	/* the same chain returned twice */
	assert_ptr_equal(virtqueue_get_used(&vq, NULL), &tokens[0]);
	expect_broken("not in flight");
}

static void test_bad_len(void **state)
{
	setup_queue(8, false);
	fill_two();
	uint16_t h;
	uint32_t l;
	assert_true(dev_pop(&h, &l));
	assert_int_equal(l, 64);
	dev_push(h, 65);	/* one byte more than the writable part */
	expect_broken("length larger");
}

static void test_bad_used_idx_jump(void **state)
{
	setup_queue(8, false);
	fill_two();
	uint16_t h;
	uint32_t l;
	assert_true(dev_pop(&h, &l));
	dev_push(h, l);
	/* The index leaps by more than the queue holds. */
	__atomic_store_n(&vq.used->idx, (uint16_t)(vq.used->idx + 9), __ATOMIC_RELEASE);
	expect_broken("used index");
}

static void test_bad_used_idx_past_in_flight(void **state)
{
	setup_queue(8, false);
	fill_two();
	/* Two in flight, the index claims three. */
	__atomic_store_n(&vq.used->idx, 3, __ATOMIC_RELEASE);
	expect_broken("used index");
}

static void test_create(void **state)
{
	struct virtio_dev d = { .name = "fake", .ops = &fake_ops };
	struct virtqueue q;
	fake_max = 1000;
	assert_int_equal(virtqueue_create(&q, &d, 0, 4096), 0);
	assert_int_equal(q.size, 512);	/* 1000 rounded down to a power of two */
	assert_int_equal(enabled_size, 512);
	assert_int_equal(enabled_desc, (uintptr_t)q.desc);
	assert_int_equal(enabled_avail, (uintptr_t)q.avail);
	assert_int_equal(enabled_used, (uintptr_t)q.used);
	assert_int_equal(enabled_avail % 2, 0);
	assert_int_equal(enabled_used % 4, 0);
	virtqueue_destroy(&q);
	assert_int_equal(virtqueue_create(&q, &d, 0, 64), 0);
	assert_int_equal(q.size, 64);
	virtqueue_destroy(&q);
	assert_int_equal(virtqueue_create(&q, &d, 1, 64), -ENOENT);
	assert_int_equal(virtqueue_init(&q, &d, 0, 12, arena), -EINVAL);	/* not a power of two */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_full_and_bad_args),
		cmocka_unit_test(test_wrap_and_reorder),
		cmocka_unit_test(test_no_notify_flag),
		cmocka_unit_test(test_event_idx_notify),
		cmocka_unit_test(test_event_idx_interrupts),
		cmocka_unit_test(test_bad_id_out_of_range),
		cmocka_unit_test(test_bad_id_not_in_flight),
		cmocka_unit_test(test_bad_id_twice),
		cmocka_unit_test(test_bad_len),
		cmocka_unit_test(test_bad_used_idx_jump),
		cmocka_unit_test(test_bad_used_idx_past_in_flight),
		cmocka_unit_test(test_create),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
