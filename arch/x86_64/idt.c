/*
 * The interrupt descriptor table: one, shared by every CPU. Every vector
 * gets an interrupt gate (interrupts stay off in the handler) to its entry in entry.S
 * in entry.S. #DF and #MC run on the per-CPU fault stack and NMI on its
 * own (see gdt.c).
 */
#include <arch/x86/layout.h>
#include <arch/x86/port.h>
#include <stdint.h>

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;		/* 0x8e: present, ring 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gates are 16 bytes");

extern const char x86_vector_entries[];
static struct idt_gate idt[X86_VEC_COUNT] __attribute__((aligned(16)));

void x86_idt_init(void)
{
	for (unsigned v = 0; v < X86_VEC_COUNT; v++) {
		uintptr_t entry = (uintptr_t)x86_vector_entries + v * X86_VEC_ENTRY_SIZE;
		idt[v] = (struct idt_gate){
			.offset_lo = entry & 0xffff,
			.selector = X86_SEL_CODE64,
			.ist = 0,
			.type = 0x8e,
			.offset_mid = (entry >> 16) & 0xffff,
			.offset_hi = entry >> 32,
		};
	}
	idt[2].ist = X86_IST_NMI;
	idt[8].ist = X86_IST_FAULT;	/* double fault */
	idt[18].ist = X86_IST_FAULT;	/* machine check */
}

void x86_idt_load(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = { sizeof idt - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}
