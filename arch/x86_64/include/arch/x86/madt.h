/*
 * ACPI table checks and the MADT ("APIC") parser: pure functions over a
 * pointer and a length, with no access to the machine, so the host tests
 * (tests/host) can feed them good and broken tables.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when len bytes at p sum to zero modulo 256 (every ACPI checksum). */
bool x86_acpi_checksum_ok(const void *p, size_t len);

#define X86_MADT_MAX_CPUS	256
#define X86_MADT_MAX_IOAPICS	8
#define X86_MADT_MAX_OVERRIDES	16

struct x86_ioapic_desc {
	uint32_t id;
	uint32_t paddr;
	uint32_t gsi_base;	/* first global system interrupt it serves */
};

/* An ISA IRQ that is wired to another GSI or with other polarity and
 * trigger mode than the ISA defaults (MPS INTI flags). */
struct x86_irq_override {
	uint8_t bus;
	uint8_t source;		/* ISA IRQ */
	uint16_t flags;
	uint32_t gsi;
};

struct x86_madt_info {
	uint64_t lapic_paddr;	/* 0 when the table was unusable */
	uint32_t flags;		/* bit 0: PC-AT 8259s present */
	unsigned ncpus;		/* usable CPUs (enabled or online-capable) */
	unsigned cpus_dropped;	/* usable CPUs past X86_MADT_MAX_CPUS */
	uint32_t apic_ids[X86_MADT_MAX_CPUS];	/* in table order, no duplicates */
	unsigned nioapics;
	struct x86_ioapic_desc ioapics[X86_MADT_MAX_IOAPICS];
	unsigned noverrides;
	struct x86_irq_override overrides[X86_MADT_MAX_OVERRIDES];
	unsigned entries_dropped;	/* IOAPICs or overrides that did not fit */
};

#define X86_MADT_OK		0
#define X86_MADT_ENOTABLE	(-1)	/* caller found no table */
#define X86_MADT_EBADSIG	(-2)	/* not "APIC" */
#define X86_MADT_EBADLEN	(-3)	/* len too short, or header length > len */
#define X86_MADT_EBADSUM	(-4)	/* checksum */
#define X86_MADT_EBADENTRY	(-5)	/* an entry runs past the end or is too short */

/*
 * Parse the MADT at table, of which len bytes are readable. Fills *out
 * (zeroed first) and returns X86_MADT_OK, or a negative X86_MADT_E*: a bad
 * header or checksum leaves *out empty; a bad entry stops the walk there
 * and keeps what came before it. Never reads outside [table, table+len).
 */
int x86_madt_parse(const void *table, size_t len, struct x86_madt_info *out);
const char *x86_madt_strerror(int err);
