/*
 * Split virtqueues, driver side (virtio 1.1 section 2.6; notification
 * suppression 2.6.7 and 2.6.10, VIRTIO_F_EVENT_IDX). Used by every virtio
 * driver over either transport:
 *
 *   qemu-system-aarch64 -M virt ... -netdev user,id=net0 \
 *       -device virtio-net-device,netdev=net0 -device virtio-rng-device \
 *       -global virtio-mmio.force-legacy=false    (make run VIRTIO=mmio)
 *
 * Memory ordering. The device is another agent on coherent memory, so SMP
 * barriers suffice (the spec's "memory barrier" of 2.6.13, 2.6.14): the
 * descriptors and ring entry are written before a release store of
 * avail->idx; a full fence separates that store from reading the device's
 * suppression fields (else both sides can miss the other's update); the
 * used index is read with acquire before the element it covers. The
 * doorbell is an MMIO write, which the arch orders after earlier stores.
 */
#include <errno.h>
#include <kernel/dev/virtqueue.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <stdio.h>
#include <string.h>

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((size_t)(a) - 1))

struct vq_layout {
	size_t avail, used, next, slot, total;
};

static struct vq_layout vq_layout(uint16_t size)
{
	struct vq_layout l;
	l.avail = (size_t)size * sizeof(struct virtq_desc);		/* desc: 16-aligned */
	l.used = ALIGN_UP(l.avail + 6 + 2u * size, 4);			/* avail: 2-aligned */
	l.next = ALIGN_UP(l.used + 6 + 8u * size, 16);			/* used: 4-aligned */
	l.slot = ALIGN_UP(l.next + 2u * size, 16);
	l.total = ALIGN_UP(l.slot + sizeof(struct virtq_slot) * size, 16);
	return l;
}

size_t virtqueue_mem_size(uint16_t size)
{
	return vq_layout(size).total;
}

int virtqueue_init(struct virtqueue *vq, struct virtio_dev *vd, unsigned index,
		   uint16_t size, void *mem)
{
	if (size == 0 || (size & (size - 1)) || ((uintptr_t)mem & 15))
		return -EINVAL;
	struct vq_layout l = vq_layout(size);
	memset(mem, 0, l.total);
	*vq = (struct virtqueue){
		.vd = vd,
		.index = index,
		.size = size,
		.event_idx = (vd->features >> VIRTIO_F_RING_EVENT_IDX) & 1,
		.desc = mem,
		.avail = (void *)((char *)mem + l.avail),
		.used = (void *)((char *)mem + l.used),
		.next = (void *)((char *)mem + l.next),
		.slot = (void *)((char *)mem + l.slot),
		.num_free = size,
	};
	for (uint16_t i = 0; i < size; i++)
		vq->next[i] = (uint16_t)(i + 1);
	return 0;
}

int virtqueue_create(struct virtqueue *vq, struct virtio_dev *vd, unsigned index, uint16_t want)
{
	uint16_t max = vd->ops->queue_max(vd, index);
	if (max == 0)
		return -ENOENT;
	uint16_t size = want < max ? want : max;
	while (size & (size - 1))
		size &= (uint16_t)(size - 1);	/* round down to a power of two */
	size_t pages = (virtqueue_mem_size(size) + PAGE_SIZE - 1) / PAGE_SIZE;
	void *mem = page_alloc(pages);
	if (!mem)
		return -ENOMEM;
	int err = virtqueue_init(vq, vd, index, size, mem);
	if (!err)
		err = vd->ops->queue_enable(vd, index, size, (uintptr_t)vq->desc,
					    (uintptr_t)vq->avail, (uintptr_t)vq->used);
	if (err) {
		page_free(mem, pages);
		return err;
	}
	vq->mem = mem;
	vq->mem_pages = pages;
	return 0;
}

void virtqueue_destroy(struct virtqueue *vq)
{
	if (vq->mem)
		page_free(vq->mem, vq->mem_pages);
	vq->mem = NULL;
	vq->broken = true;
}

/* The fields past the end of each ring (2.6.10). */
static uint16_t *vq_used_event(struct virtqueue *vq) { return &vq->avail->ring[vq->size]; }
static uint16_t *vq_avail_event(struct virtqueue *vq) { return (uint16_t *)&vq->used->ring[vq->size]; }

/* The device broke a rule: report it, fail the device, stop the queue. */
static void vq_broken(struct virtqueue *vq, const char *why, unsigned a, unsigned b)
{
	char msg[96];
	snprintf(msg, sizeof msg, "queue %u: %s (%u, %u)", vq->index, why, a, b);
	vq->broken = true;
	virtio_fail(vq->vd, msg);
}

int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned nout,
		  unsigned nin, void *token)
{
	unsigned n = nout + nin;
	if (vq->broken || vq->vd->failed)
		return -EIO;
	if (!token || n == 0 || n > vq->size)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;
	uint16_t head = vq->free_head, d = head, last = head;
	uint32_t in_len = 0;
	for (unsigned i = 0; i < n; i++) {
		bool writable = i >= nout;
		vq->desc[d] = (struct virtq_desc){
			.addr = bufs[i].addr,
			.len = bufs[i].len,
			.flags = (uint16_t)((writable ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = i + 1 < n ? vq->next[d] : 0,
		};
		if (writable)
			in_len += bufs[i].len;
		last = d;
		d = vq->next[d];
	}
	vq->free_head = vq->next[last];
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->slot[head] = (struct virtq_slot){ .token = token, .in_len = in_len, .ndesc = (uint16_t)n };
	vq->in_flight++;
	/* The ring entry, then (release) the index that makes it visible. */
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	return 0;
}

/* 2.6.7.2 / 2.6.10: does an index moving from old to new cross event? */
static bool vq_need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (vq->broken || vq->vd->failed)
		return false;
	/* avail->idx must be visible before we read whether the device wants
	 * to hear about it; a store-load order, so a full fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t old = vq->kicked_idx, new = vq->avail_idx;
	vq->kicked_idx = new;
	if (old == new)
		return false;
	bool need;
	if (vq->event_idx)
		need = vq_need_event(__atomic_load_n(vq_avail_event(vq), __ATOMIC_RELAXED), new, old);
	else
		need = !(__atomic_load_n(&vq->used->flags, __ATOMIC_RELAXED) & VIRTQ_USED_F_NO_NOTIFY);
	if (need)
		vq->vd->ops->queue_notify(vq->vd, vq->index);
	return need;
}

bool virtqueue_has_used(const struct virtqueue *vq)
{
	return !vq->broken && __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED) != vq->last_used;
}

void *virtqueue_get_used(struct virtqueue *vq, uint32_t *len)
{
	if (vq->broken || vq->vd->failed)
		return NULL;
	/* Acquire: the element is read only after the index that covers it. */
	uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(idx - vq->last_used);
	if (pending == 0)
		return NULL;
	if (pending > vq->in_flight) {
		vq_broken(vq, "used index moved past the buffers in flight", vq->last_used, idx);
		return NULL;
	}
	/* Read the element once: the device may be rewriting it. */
	const struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
	uint32_t id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	uint32_t used_len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	if (id >= vq->size) {
		vq_broken(vq, "used id out of range", id, vq->size);
		return NULL;
	}
	struct virtq_slot *s = &vq->slot[id];
	if (!s->token) {
		vq_broken(vq, "used id not in flight", id, vq->last_used);
		return NULL;
	}
	if (used_len > s->in_len) {
		vq_broken(vq, "used length larger than the buffer", used_len, s->in_len);
		return NULL;
	}
	/* Return the chain to the free list by our own links. */
	uint16_t last = (uint16_t)id;
	for (unsigned i = 1; i < s->ndesc; i++)
		last = vq->next[last];
	vq->next[last] = vq->free_head;
	vq->free_head = (uint16_t)id;
	vq->num_free = (uint16_t)(vq->num_free + s->ndesc);
	void *token = s->token;
	*s = (struct virtq_slot){ 0 };
	vq->in_flight--;
	vq->last_used++;
	if (vq->event_idx && vq->cb_off)
		/* Disabled: keep used_event behind us so it is never crossed. */
		__atomic_store_n(vq_used_event(vq), (uint16_t)(vq->last_used - 1), __ATOMIC_RELAXED);
	if (len)
		*len = used_len;
	return token;
}

/*
 * Without EVENT_IDX, avail->flags asks for no interrupts. With it the
 * flag must stay 0 (2.6.7.1) and the device interrupts when used->idx
 * crosses used_event, so "off" parks used_event just behind the entries
 * already taken: no index the device can reach crosses it.
 */
void virtqueue_disable_cb(struct virtqueue *vq)
{
	vq->cb_off = true;
	if (vq->event_idx)
		__atomic_store_n(vq_used_event(vq), (uint16_t)(vq->last_used - 1), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	vq->cb_off = false;
	if (vq->event_idx)
		__atomic_store_n(vq_used_event(vq), vq->last_used, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->avail->flags, 0, __ATOMIC_RELAXED);
	/* The re-check: our store must be visible before we read used->idx,
	 * or an element used in between would neither interrupt nor be seen. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->used->idx, __ATOMIC_RELAXED) != vq->last_used;
}
