/*
 * Finding ACPI tables (for the port and for x86 boards). Every table handed
 * out has been checked: inside the identity map, sane length, checksum.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* Any context after arch_early_init(): the first valid table with this
 * 4-character signature and its length, or NULL. A table that fails its
 * checks is reported (once, at boot) and skipped. */
const void *x86_acpi_find(const char *sig, size_t *len);

/* ACPI soft-off (S5): the PM1a control port and the value to write there
 * (SLP_TYPa from the DSDT's \_S5 package, with SLP_EN). Returns 0, or -1
 * when the FADT gives no PM1a control block. */
int x86_acpi_s5(uint16_t *port, uint16_t *value);

/* The MADT as parsed at boot (CPUs, IOAPICs, interrupt source overrides). */
struct x86_madt_info;
const struct x86_madt_info *x86_madt(void);

/* Any context after arch_early_init(): the GSI (the interrupt number for
 * arch/irq.h) that ISA IRQ isa_irq arrives on, through the MADT's interrupt
 * source overrides; without one, the same number. */
unsigned x86_isa_irq_to_gsi(unsigned isa_irq);

/* One PCI Express ECAM region from the MCFG table (PCI Firmware 3.2,
 * section 4.1.2): configuration space of buses bus_start..bus_end of
 * segment `segment` at base (bus bus_start's first byte). */
struct x86_mcfg_entry {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start, bus_end;
};
/* Any context after arch_early_init(): the index-th MCFG entry. 0, or -1
 * when there is no MCFG or no such entry. */
int x86_acpi_mcfg(unsigned index, struct x86_mcfg_entry *out);
