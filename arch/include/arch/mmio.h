/*
 * The arch contract, part 5: device register access.
 *
 * Reads and writes (8, 16 and 32 bits, naturally aligned) are single, untorn accesses to device memory, ordered
 * with respect to each other and to earlier normal-memory writes (so a
 * driver can fill a buffer and then ring a doorbell). Any context.
 */
#pragma once

#include <stdint.h>

static inline uint8_t mmio_read8(uintptr_t addr);
static inline uint16_t mmio_read16(uintptr_t addr);
static inline uint32_t mmio_read32(uintptr_t addr);
static inline void mmio_write8(uintptr_t addr, uint8_t v);
static inline void mmio_write16(uintptr_t addr, uint16_t v);
static inline void mmio_write32(uintptr_t addr, uint32_t v);

#include <arch/impl/mmio.h>
