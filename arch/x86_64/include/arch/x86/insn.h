/*
 * x86-only instructions as inline functions: port I/O, MSRs, CPUID and the
 * control registers. Used by the port and by x86 boards, never by generic
 * code.
 */
#pragma once

#include <stdint.h>

#define X86_MSR_EFER	0xc0000080u
#define X86_MSR_GS_BASE	0xc0000101u
#define X86_EFER_LME	(1u << 8)
#define X86_EFER_NXE	(1u << 11)

#define X86_CR0_PE	(1ul << 0)
#define X86_CR0_MP	(1ul << 1)
#define X86_CR0_EM	(1ul << 2)
#define X86_CR0_WP	(1ul << 16)
#define X86_CR0_PG	(1ul << 31)
#define X86_CR4_PAE	(1ul << 5)
#define X86_CR4_OSFXSR	(1ul << 9)
#define X86_CR4_OSXMMEXCPT (1ul << 10)

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v) : : "memory");
	return v;
}

/* Loading CR3 also flushes every TLB entry not marked global (we mark none). */
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* The APIC id of the running CPU, from CPUID (works before the LAPIC is
 * mapped or enabled). */
static inline uint32_t x86_cpuid_apic_id(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return r[1] >> 24;
}
