/*
 * The generic side of interrupt entry and exit, and the device interrupt
 * table. irq_exit() is where preemption happens: if the handler woke a more
 * urgent thread or ended a time slice, the interrupted thread is switched
 * out right there, on its own stack, and resumes (returning from the
 * interrupt) when next scheduled.
 */
#include <arch/irq.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/log.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/trace.h>

struct irq_slot {
	irq_handler *handler;
	void *arg;
	unsigned long spurious;
};

static struct irq_slot irqs[IRQ_MAX];
static struct spinlock irq_table_lock = SPINLOCK_INIT("irq table");
static unsigned long counts[MAX_CPUS];

void irq_enter(void)
{
	struct cpu *c = this_cpu();
	c->irq_depth++;
	counts[c->index]++;
	TRACE_HOOK(c, TRACE_IRQ_ENTER, c->irq_depth, 0, 0);
}

void irq_exit(void)
{
	struct cpu *c = this_cpu();
	TRACE_HOOK(c, TRACE_IRQ_EXIT, c->irq_depth, 0, 0);
	if (--c->irq_depth == 0 && c->current && sched_rq(c)->need_resched && !c->spin_depth)
		sched_switch();
}

void irq_dispatch(unsigned irq)
{
	struct irq_slot *s = irq < IRQ_MAX ? &irqs[irq] : NULL;
	irq_handler *h = s ? __atomic_load_n(&s->handler, __ATOMIC_ACQUIRE) : NULL;
	if (!h) {
		/* Nobody asked for it: mask it so it cannot storm, and count it. */
		if (s)
			s->spurious++;
		arch_irq_mask(irq);
		return;
	}
	h(irq, s->arg);
}

int irq_register(unsigned irq, irq_handler *handler, void *arg, struct cpu *target)
{
	if (irq >= IRQ_MAX || !handler)
		return -EINVAL;
	spin_lock(&irq_table_lock);
	if (irqs[irq].handler) {
		spin_unlock(&irq_table_lock);
		return -EBUSY;
	}
	irqs[irq].arg = arg;
	__atomic_store_n(&irqs[irq].handler, handler, __ATOMIC_RELEASE);
	spin_unlock(&irq_table_lock);
	int err = arch_irq_route(irq, target ? target : this_cpu());
	if (err)
		irq_unregister(irq);
	return err;
}

void irq_unregister(unsigned irq)
{
	if (irq >= IRQ_MAX)
		return;
	arch_irq_mask(irq);
	spin_lock(&irq_table_lock);
	__atomic_store_n(&irqs[irq].handler, NULL, __ATOMIC_RELEASE);
	spin_unlock(&irq_table_lock);
}

unsigned long irq_count(const struct cpu *cpu) { return counts[cpu->index]; }

bool irq_in_handler(void)
{
	/* Interrupts off, so we cannot move to another CPU between reading
	 * the CPU and its depth (in a handler they are off anyway). */
	unsigned long irq = arch_irq_save();
	struct cpu *c = this_cpu();
	bool in = c && c->irq_depth;
	arch_irq_restore(irq);
	return in;
}
