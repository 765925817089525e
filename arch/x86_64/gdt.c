/*
 * Per-CPU blocks, GDTs and TSSs.
 *
 * Each CPU has its own GDT because each needs its own TSS descriptor (ltr
 * marks the descriptor busy), and its own TSS because the TSS holds the
 * interrupt stack table: #DF/#MC and NMI switch to a per-CPU stack, so a
 * kernel stack overflow into a guard page, which leaves no stack to push a
 * page-fault frame on, still reaches exception_report().
 */
#include <arch/x86/insn.h>
#include <arch/x86/percpu.h>
#include <arch/x86/port.h>
#include <kernel/cpu.h>

static struct x86_percpu percpu[MAX_CPUS] __attribute__((aligned(64)));
static char ist_stacks[MAX_CPUS][2][X86_IST_SIZE] __attribute__((aligned(16)));

struct x86_percpu *x86_percpu_of(const struct cpu *c) { return &percpu[c->index]; }

struct x86_percpu *x86_this_percpu(void) { return this_cpu()->arch; }

void x86_percpu_install(struct cpu *c)
{
	struct x86_percpu *p = &percpu[c->index];
	p->cpu = c;
	c->arch = p;
	wrmsr(X86_MSR_GS_BASE, (uintptr_t)p);
}

/* A 16-byte system descriptor for a 64-bit TSS (type 9, present). */
static void set_tss_desc(uint64_t *slot, const struct x86_tss *tss)
{
	uint64_t base = (uintptr_t)tss, limit = sizeof *tss - 1;
	slot[0] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
		  ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	slot[1] = base >> 32;
}

void x86_gdt_load(void)
{
	struct cpu *c = this_cpu();
	struct x86_percpu *p = c->arch;

	p->tss.ist[X86_IST_FAULT - 1] = (uintptr_t)ist_stacks[c->index][0] + X86_IST_SIZE;
	p->tss.ist[X86_IST_NMI - 1] = (uintptr_t)ist_stacks[c->index][1] + X86_IST_SIZE;
	p->tss.iomap_base = sizeof p->tss;	/* no I/O bitmap */

	p->gdt[0] = 0;
	p->gdt[X86_SEL_CODE64 / 8] = X86_DESC_CODE64;
	p->gdt[X86_SEL_DATA / 8] = X86_DESC_DATA;
	set_tss_desc(&p->gdt[X86_SEL_TSS / 8], &p->tss);

	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr = { sizeof p->gdt - 1, (uintptr_t)p->gdt };

	/* Reload CS with a far return and the data segments by hand; leave
	 * FS and GS alone, since loading GS would clear the per-CPU base. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "i"(X86_SEL_CODE64), "i"(X86_SEL_DATA), "r"(X86_SEL_TSS)
			 : "rax", "memory");
}
