/*
 * x86_64 bodies for <arch/mmio.h>.
 *
 * Device memory is mapped uncached (PCD|PWT), and x86 keeps stores in order
 * with each other and uncached accesses in program order, so a volatile
 * access plus a compiler barrier meets the contract: a buffer filled with
 * ordinary stores is visible before a later doorbell write.
 */
#pragma once

#include <stdint.h>

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t v = *(volatile uint8_t *)addr;
	__asm__ volatile("" : : : "memory");
	return v;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t v = *(volatile uint16_t *)addr;
	__asm__ volatile("" : : : "memory");
	return v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v = *(volatile uint32_t *)addr;
	__asm__ volatile("" : : : "memory");
	return v;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	__asm__ volatile("" : : : "memory");
	*(volatile uint8_t *)addr = v;
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
	__asm__ volatile("" : : : "memory");
	*(volatile uint16_t *)addr = v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("" : : : "memory");
	*(volatile uint32_t *)addr = v;
}
