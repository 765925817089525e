/*
 * virtio-rng, the entropy device (virtio 1.1 section 5.4): one request
 * queue; the driver posts a device-writable buffer and the device fills
 * some or all of it. rng_read() posts one buffer at a time, sleeps on a
 * semaphore the interrupt posts, and copies out what arrived.
 *
 *   qemu-system-aarch64 -M virt ... -device virtio-rng-device \
 *       -global virtio-mmio.force-legacy=false      (make run VIRTIO=mmio)
 *   ... -device virtio-rng-pci                      (VIRTIO=pci)
 */
#include <errno.h>
#include <kernel/dev/rng.h>
#include <kernel/dev/virtio.h>
#include <kernel/dev/virtqueue.h>
#include <kernel/log.h>
#include <kernel/mutex.h>
#include <kernel/sem.h>
#include <kernel/time.h>
#include <stdlib.h>
#include <string.h>

#define RNG_CHUNK	256	/* bytes asked for per request */
#define RNG_TIMEOUT_NS	(2 * NS_PER_SEC)	/* a device this slow is broken */

struct vrng {
	struct virtio_dev *vd;
	struct virtqueue q;
	struct mutex lock;	/* one request in flight: callers take turns */
	struct sem done;	/* posted by the interrupt */
	uint8_t buf[RNG_CHUNK];	/* the device writes here, never into the caller's memory */
};

static struct vrng *rng;

/* Interrupt context: a request completed (or the config changed: harmless,
 * the waiter re-checks the queue). */
static void vrng_irq(struct virtio_dev *vd, void *arg)
{
	struct vrng *r = arg;
	sem_post(&r->done);
}

/* Owner (lock held): one request, up to want bytes, into r->buf. Bytes
 * received, or -EIO. */
static int vrng_request(struct vrng *r, size_t want)
{
	struct virtq_buf b = { (uintptr_t)r->buf, (uint32_t)want };
	if (virtqueue_add(&r->q, &b, 0, 1, r) != 0)
		return -EIO;
	virtqueue_kick(&r->q);
	uint64_t deadline = time_now() + RNG_TIMEOUT_NS;
	for (;;) {
		uint32_t len;
		void *token = virtqueue_get_used(&r->q, &len);
		if (token)
			return (int)len;
		if (r->q.broken || r->vd->failed)
			return -EIO;	/* the queue caught the device lying */
		/* Ask for the interrupt (with EVENT_IDX: at the next used
		 * entry); if it was already used meanwhile, take it now. */
		if (virtqueue_enable_cb(&r->q))
			continue;
		if (sem_wait_until(&r->done, deadline) == -ETIMEDOUT && !virtqueue_has_used(&r->q)) {
			/* Our buffer stays with the device: it can never be reused. */
			virtio_fail(r->vd, "virtio-rng: no answer within 2 s");
			return -EIO;
		}
	}
}

int rng_read(void *buf, size_t len)
{
	struct vrng *r = __atomic_load_n(&rng, __ATOMIC_ACQUIRE);
	if (!r)
		return -ENODEV;
	mutex_lock(&r->lock);
	int err = 0;
	unsigned empty = 0;
	for (size_t done = 0; done < len && !err;) {
		size_t want = len - done < RNG_CHUNK ? len - done : RNG_CHUNK;
		int got = r->vd->failed ? -EIO : vrng_request(r, want);
		if (got < 0) {
			err = got;
		} else if (got == 0 && ++empty > 16) {
			/* A device that keeps answering with nothing. */
			virtio_fail(r->vd, "virtio-rng: empty answers");
			err = -EIO;
		} else {
			memcpy((uint8_t *)buf + done, r->buf, (size_t)got);
			done += (size_t)got;
		}
	}
	mutex_unlock(&r->lock);
	return err;
}

static int vrng_probe(struct virtio_dev *vd)
{
	if (__atomic_load_n(&rng, __ATOMIC_ACQUIRE)) {
		kprintf("%s: a second virtio-rng, not used\n", vd->name);
		vd->ops->set_status(vd, 0);
		return 0;
	}
	/* 3.1.1 steps 1-6: virtio-rng has no feature bits of its own. */
	int err = virtio_negotiate(vd, 1ull << VIRTIO_F_RING_EVENT_IDX);
	if (err)
		return err;
	struct vrng *r = calloc(1, sizeof *r);
	if (!r) {
		virtio_fail(vd, "virtio-rng: out of memory");
		return -ENOMEM;
	}
	r->vd = vd;
	mutex_init(&r->lock, "virtio-rng", false);
	sem_init(&r->done, "virtio-rng done", 0);
	/* 7. The request queue, and interrupts for it; 8. DRIVER_OK. */
	err = virtqueue_create(&r->q, vd, 0, 8);
	if (!err)
		err = vd->ops->irq_attach(vd, vrng_irq, r, NULL);
	if (err) {
		virtio_fail(vd, "virtio-rng: queue or interrupt setup failed");
		return err;
	}
	vd->ops->set_status(vd, vd->ops->get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
	vd->driver_data = r;
	__atomic_store_n(&rng, r, __ATOMIC_RELEASE);
	kprintf("virtio-rng0: entropy source (%s)\n", vd->name);
	return 0;
}

VIRTIO_DRIVER("virtio-rng", VIRTIO_ID_RNG, vrng_probe);
