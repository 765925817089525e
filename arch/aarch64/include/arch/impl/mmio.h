/*
 * aarch64 bodies for <arch/mmio.h>.
 *
 * Each access is one ldr/str with a plain base register (no writeback), so
 * it is single-copy atomic and a hypervisor can emulate it from the fault
 * syndrome. Device memory (nGnRnE) keeps accesses to a device in order; the
 * barriers order them against normal memory: a write waits for earlier
 * normal-memory writes (a filled buffer is visible before the doorbell), and
 * normal-memory reads after a device read wait for it (a status read before
 * the buffer it describes).
 */
#pragma once

#include <stdint.h>

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldrb %w0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(addr) : "memory");
	return (uint8_t)v;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldrh %w0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(addr) : "memory");
	return (uint16_t)v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]\n\tdmb oshld" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	__asm__ volatile("dmb oshst\n\tstrb %w0, [%1]" : : "r"((uint32_t)v), "r"(addr) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
	__asm__ volatile("dmb oshst\n\tstrh %w0, [%1]" : : "r"((uint32_t)v), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("dmb oshst\n\tstr %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
}
