/*
 * PCI interrupts: MSI-X (PCI 3.0 section 6.8.2) where the port can take
 * message-signalled interrupts (arch/msi.h), else INTx, the line the board
 * maps the function's pin to (interrupt-map on ARM). INTx lines are shared
 * by design (four pins for every slot), so each line has a list of
 * handlers and every one is called; each checks its own device.
 */
#include <arch/mmio.h>
#include <arch/msi.h>
#include <errno.h>
#include <kernel/dev/pci.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/spinlock.h>
#include <stdlib.h>

#define MSIX_CTRL		2	/* message control: table size - 1, mask, enable */
#define MSIX_CTRL_SIZE		0x07ff
#define MSIX_CTRL_MASKALL	(1u << 14)
#define MSIX_CTRL_ENABLE	(1u << 15)
#define MSIX_TABLE		4	/* offset in BAR, BAR index in bits 2-0 */
#define MSIX_ENTRY_SIZE		16
#define MSIX_ENTRY_ADDR_LO	0
#define MSIX_ENTRY_ADDR_HI	4
#define MSIX_ENTRY_DATA		8
#define MSIX_ENTRY_CTRL		12
#define MSIX_ENTRY_MASKED	1u

#define INTX_LINES		16	/* distinct INTx interrupt numbers */
#define INTX_SHARERS		8	/* handlers on one line */

struct pci_handler {
	pci_irq_fn *fn;
	void *arg;
};

struct intx_line {
	int irq;
	unsigned count;		/* published with release; entries below it are final */
	struct pci_handler h[INTX_SHARERS];
};

static struct intx_line lines[INTX_LINES];
static unsigned nlines;
static struct spinlock pci_irq_lock = SPINLOCK_INIT("pci irq");

static void msix_handler(unsigned irq, void *arg)
{
	struct pci_handler *h = arg;
	h->fn(h->arg);
}

static void intx_handler(unsigned irq, void *arg)
{
	struct intx_line *l = arg;
	unsigned n = __atomic_load_n(&l->count, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++)
		l->h[i].fn(l->h[i].arg);
}

/* Find MSI-X and map its table, masked, once per function. */
static int msix_setup(struct pci_dev *d)
{
	if (d->msix_table)
		return 0;
	unsigned cap = pci_cap_next(d, 0, PCI_CAP_ID_MSIX);
	if (!cap)
		return -ENOTSUP;
	uint16_t ctrl = pci_read16(d, cap + MSIX_CTRL);
	uint32_t tbl = pci_read32(d, cap + MSIX_TABLE);
	unsigned count = (ctrl & MSIX_CTRL_SIZE) + 1;
	uintptr_t table = pci_bar_map(d, tbl & 7, tbl & ~7u, (uint64_t)count * MSIX_ENTRY_SIZE);
	if (!table) {
		kprintf("%s: MSI-X table (BAR%u + %#x) is not mapped; using INTx\n", d->name, tbl & 7,
			tbl & ~7u);
		return -EINVAL;
	}
	/* Every entry masked before the function may use any of them. */
	pci_write16(d, cap + MSIX_CTRL, ctrl | MSIX_CTRL_MASKALL);
	for (unsigned i = 0; i < count; i++)
		mmio_write32(table + i * MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
	pci_write16(d, cap + MSIX_CTRL, (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_INTX_OFF);
	d->msix_cap = (uint8_t)cap;
	d->msix_count = (uint16_t)count;
	d->msix_table = table;
	return 0;
}

void pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked)
{
	if (!d->msix_table || entry >= d->msix_count)
		return;
	mmio_write32(d->msix_table + entry * MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL,
		     masked ? MSIX_ENTRY_MASKED : 0);
}

static int msix_attach(struct pci_dev *d, unsigned vector, struct pci_handler *h,
		       struct cpu *target)
{
	/* The number first: enabling MSI-X turns INTx off, which a port
	 * without MSI (-ENOTSUP) must not have done. */
	int irq = arch_msi_alloc();
	if (irq < 0)
		return irq;
	int err = msix_setup(d);
	if (!err && vector >= d->msix_count)
		err = -EINVAL;
	if (!err)
		err = irq_register((unsigned)irq, msix_handler, h, target);
	uint64_t addr;
	uint32_t data;
	if (!err && (err = arch_msi_message((unsigned)irq, &addr, &data)))
		irq_unregister((unsigned)irq);
	if (err) {
		arch_msi_free((unsigned)irq);
		return err;
	}
	uintptr_t e = d->msix_table + vector * MSIX_ENTRY_SIZE;
	mmio_write32(e + MSIX_ENTRY_ADDR_LO, (uint32_t)addr);
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, (uint32_t)(addr >> 32));
	mmio_write32(e + MSIX_ENTRY_DATA, data);
	mmio_write32(e + MSIX_ENTRY_CTRL, 0);
	return (int)vector;
}

static int intx_attach(struct pci_dev *d, struct pci_handler *h, struct cpu *target)
{
	if (d->intx_irq < 0)
		return -ENODEV;
	spin_lock(&pci_irq_lock);
	struct intx_line *l = NULL;
	for (unsigned i = 0; i < nlines; i++)
		if (lines[i].irq == d->intx_irq)
			l = &lines[i];
	bool fresh = !l;
	if (fresh && nlines < INTX_LINES) {
		l = &lines[nlines++];
		l->irq = d->intx_irq;
	}
	int err = !l ? -ENOSPC : l->count == INTX_SHARERS ? -EBUSY : 0;
	if (!err) {
		l->h[l->count] = *h;
		__atomic_store_n(&l->count, l->count + 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&pci_irq_lock);
	if (err) {
		kprintf("%s: INTx line %d has no room for another handler\n", d->name, d->intx_irq);
		return err;
	}
	if (fresh && (err = irq_register((unsigned)d->intx_irq, intx_handler, l, target))) {
		kprintf("%s: cannot route INTx line %d (%d)\n", d->name, d->intx_irq, err);
		return err;
	}
	pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) & ~PCI_COMMAND_INTX_OFF);
	return PCI_IRQ_INTX;
}

int pci_irq_attach(struct pci_dev *d, unsigned vector, pci_irq_fn *handler, void *arg,
		   struct cpu *target)
{
	struct pci_handler *h = malloc(sizeof *h);
	if (!h)
		return -ENOMEM;
	*h = (struct pci_handler){ handler, arg };
	int r = msix_attach(d, vector, h, target);
	if (r >= 0)
		return r;
	if (r != -ENOTSUP)
		kprintf("%s: MSI-X vector %u unavailable (%d); using INTx\n", d->name, vector, r);
	r = intx_attach(d, h, target);
	free(h);	/* the line keeps its own copy */
	return r;
}
