/*
 * Split virtqueues (virtio 1.1 section 2.6), driver side: descriptor table,
 * available ring (ours to write) and used ring (the device's), with
 * VIRTIO_F_EVENT_IDX notification and interrupt suppression (2.6.7, 2.6.10).
 *
 * Nothing the device writes is trusted: a used element whose id is out of
 * range or not in flight, whose length exceeds the buffer, or a used index
 * that moves by more than the queue size, fails the device (virtio_fail())
 * and the queue stops: every later call reports -EIO / nothing.
 *
 * Locking: one owner drives a queue (add, kick, get_used, enable and
 * disable are not safe against each other); the interrupt handler touches
 * only virtqueue_disable_cb(), which the owner must tolerate (it is a
 * single store).
 */
#pragma once

#include <kernel/dev/virtio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The rings, as the spec lays them out (little-endian; both our arches are). */
#define VIRTQ_DESC_F_NEXT	1u
#define VIRTQ_DESC_F_WRITE	2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY	1u

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* [size], then used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* [size], then avail_event */
};

/* Driver-private bookkeeping for a descriptor chain's head. */
struct virtq_slot {
	void *token;		/* NULL: not the head of a chain in flight */
	uint32_t in_len;	/* device-writable bytes in the chain */
	uint16_t ndesc;
};

struct virtqueue {
	struct virtio_dev *vd;
	unsigned index;
	uint16_t size;		/* a power of two */
	bool event_idx;		/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool broken;
	bool cb_off;		/* interrupts disabled by virtqueue_disable_cb() */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t *next;		/* private free list / chain links: never read from the device's memory */
	struct virtq_slot *slot;
	uint16_t free_head, num_free;
	uint16_t in_flight;	/* chains the device holds */
	uint16_t avail_idx;	/* our copy of avail->idx */
	uint16_t kicked_idx;	/* avail_idx when the device was last considered for notification */
	uint16_t last_used;	/* next used element to read */
	void *mem;		/* page_alloc'd by virtqueue_create(), else NULL */
	size_t mem_pages;
};

/* One buffer of a chain: a physical address (RAM is identity-mapped) and a length. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
};

/* Any context: bytes of memory a queue of size entries needs (rings and
 * the private arrays), 16-byte aligned. */
size_t virtqueue_mem_size(uint16_t size);

/*
 * Lay out a queue in mem (virtqueue_mem_size(size) bytes, 16-byte aligned,
 * zeroed here) without telling the device. size must be a power of two;
 * EVENT_IDX is used when vd->features has it. 0 or -EINVAL. Any context;
 * the host tests use it directly.
 */
int virtqueue_init(struct virtqueue *vq, struct virtio_dev *vd, unsigned index,
		   uint16_t size, void *mem);

/*
 * Thread context, driver probe (after virtio_negotiate(), before
 * DRIVER_OK): allocate queue index with the smaller of want and the
 * device's maximum (rounded down to a power of two) and give it to the
 * device. 0, -ENOENT (no such queue), -ENOMEM, or the transport's error.
 */
int virtqueue_create(struct virtqueue *vq, struct virtio_dev *vd, unsigned index, uint16_t want);
/* Thread context, after the device was reset: free what create took. */
void virtqueue_destroy(struct virtqueue *vq);

/*
 * Owner: expose a chain of nout device-readable buffers followed by nin
 * device-writable ones, identified by token (non-NULL; returned by
 * virtqueue_get_used()). Published to the device at once; call
 * virtqueue_kick() after a batch. 0, -ENOSPC (not enough free
 * descriptors), -EINVAL, or -EIO (queue broken).
 */
int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned nout,
		  unsigned nin, void *token);
/* Owner: notify the device of buffers added since the last kick, unless
 * it asked not to be (used flags / avail_event). True if it was notified. */
bool virtqueue_kick(struct virtqueue *vq);

/*
 * Owner: the next chain the device has finished with, its token, and in
 * *len the bytes the device wrote; NULL when there is none or the queue is
 * broken (a rule the device broke is reported and fails it here).
 */
void *virtqueue_get_used(struct virtqueue *vq, uint32_t *len);
/* Owner: does the used ring hold entries not yet taken? */
bool virtqueue_has_used(const struct virtqueue *vq);

/* Any context (the interrupt handler): ask the device not to interrupt. */
void virtqueue_disable_cb(struct virtqueue *vq);
/* Owner: ask for interrupts again; true if used entries are already
 * waiting (they may not interrupt: poll again). */
bool virtqueue_enable_cb(struct virtqueue *vq);

/* Any context: free descriptors. */
static inline unsigned virtqueue_num_free(const struct virtqueue *vq) { return vq->num_free; }
