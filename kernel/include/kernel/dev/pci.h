/*
 * PCI and PCI Express (PCI Local Bus 3.0, PCIe Base 4.0 section 7): host
 * bridges with ECAM configuration access, enumeration of bus 0 and every
 * bus behind bridges, BAR sizing and assignment, capabilities, MSI-X and
 * INTx.
 *
 * A board finds its host bridges (ACPI MCFG on x86, the device tree's
 * "pci-host-ecam-generic" node on ARM), describes each with struct
 * pci_host and calls pci_host_add(); pci_enumerate() then finds every
 * function, keeps the BARs firmware assigned, assigns the missing ones
 * from the host's windows, and turns on decoding and bus mastering.
 * Drivers walk the list with pci_next().
 *
 * Bad configuration (a BAR larger than its window, a window used up,
 * capability lists that point outside the header or loop) is reported and
 * the function skipped (left with decoding off), never trusted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

/* Configuration header offsets (type 0 and 1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REV		0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_PRIMARY_BUS		0x18	/* type 1: primary, secondary, subordinate */
#define PCI_IO_BASE		0x1c	/* type 1: io base, io limit (8 bits each) */
#define PCI_MEM_BASE		0x20	/* type 1: memory base, limit (16 bits each) */
#define PCI_PREF_BASE		0x24	/* type 1: prefetchable base, limit */
#define PCI_PREF_BASE_UPPER	0x28
#define PCI_PREF_LIMIT_UPPER	0x2c
#define PCI_IO_BASE_UPPER	0x30
#define PCI_SUBSYS_ID		0x2e	/* type 0 */
#define PCI_CAP_PTR		0x34
#define PCI_INTERRUPT_PIN	0x3d	/* 0: none, 1-4: INTA#-INTD# */
#define PCI_BRIDGE_CONTROL	0x3e

#define PCI_COMMAND_IO		(1u << 0)
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_COMMAND_INTX_OFF	(1u << 10)
#define PCI_STATUS_CAP_LIST	(1u << 4)

#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_VENDOR	0x09
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

#define PCI_MAX_BARS		6
#define PCI_CFG_SIZE		4096	/* per function, ECAM */

/* One BAR as decoded from the sizing probe. */
enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetch;
	uint64_t size;		/* 0: the device has no BAR in this slot */
	uint64_t pci_addr;	/* what the BAR register holds */
	uint64_t cpu_addr;	/* the same seen from the CPU (host window offset) */
};

/* An address window of the host bridge (or of a bridge below it). */
enum pci_window_kind { PCI_WIN_IO, PCI_WIN_MEM, PCI_WIN_MEM64, PCI_WIN_KINDS };

struct pci_window {
	uint64_t pci_base;	/* bus address of the first byte */
	uint64_t cpu_base;	/* where the CPU sees it */
	uint64_t size;		/* 0: no such window */
	uint64_t next;		/* allocation cursor, a bus address */
};

struct pci_host;
struct pci_dev;

/* How a board maps a function's INTx pin (1-4, as the function reports
 * it, before any swizzle) to an interrupt number; -1 if it cannot. */
typedef int pci_intx_fn(const struct pci_host *h, const struct pci_dev *d, unsigned pin);

struct pci_host {
	uintptr_t ecam;		/* configuration space of bus `bus_start` */
	uint8_t bus_start, bus_end;
	struct pci_window win[PCI_WIN_KINDS];
	/* true: assign every BAR (no firmware ran); false: keep what the
	 * firmware assigned and assign only what it left at 0. */
	bool assign_all;
	pci_intx_fn *intx;
	struct pci_host *next;
};

struct pci_dev {
	struct pci_host *host;
	struct pci_dev *parent;	/* the bridge above, NULL on the host's bus */
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_id;
	uint8_t class, subclass, prog_if, revision;
	uint8_t header_type;	/* 0 device, 1 bridge */
	uint8_t irq_pin;	/* 0 none, 1-4 */
	int intx_irq;		/* -1: none, or not routable */
	bool broken;		/* bad config: skipped, decoding off */
	bool cap_list_bad;	/* malformed capability list (reported) */
	struct pci_bar bar[PCI_MAX_BARS];
	uintptr_t cfg;		/* its 4 KiB of ECAM */
	/* MSI-X, when it has the capability (pci_msix_*) */
	uint8_t msix_cap;
	uint16_t msix_count;
	uintptr_t msix_table;
	struct pci_dev *next;
	char name[16];		/* "pci 00:02.0" */
};

/* Configuration access to one function. Any context. off must be aligned
 * to the access size and below PCI_CFG_SIZE. */
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write8(const struct pci_dev *d, unsigned off, uint8_t v);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Boot, thread context: add a host bridge (h must stay alive; its ECAM is
 * mapped here). 0 or -errno (-EINVAL for a bad description). */
int pci_host_add(struct pci_host *h);
/* Boot, thread context, once, after the hosts are added: find every
 * function, set up bridges and BARs, enable decoding and bus mastering.
 * Prints one line per function. Returns how many functions were found. */
int pci_enumerate(void);
/* Any context after pci_enumerate(): the function after prev (NULL: the
 * first), skipping broken ones; NULL at the end. */
struct pci_dev *pci_next(struct pci_dev *prev);

/*
 * Capabilities. pci_cap_next() returns the offset of the next capability
 * with this id (any id if id is 0) after offset `from` (0: from the list
 * head), or 0 when there is none; a malformed list (pointer into the
 * header, misaligned, or looping) is reported once and ends the walk.
 */
unsigned pci_cap_next(struct pci_dev *d, unsigned from, uint8_t id);

/* The CPU address of len bytes at off in BAR bar of d (mapped uncached),
 * or 0 when the BAR is not memory, not assigned, or too small. */
uintptr_t pci_bar_map(const struct pci_dev *d, unsigned bar, uint64_t off, uint64_t len);

/*
 * Interrupts. pci_irq_attach() gives d's interrupt `vector` to handler:
 * an MSI-X vector where the function and the port have them (x86), else
 * the function's INTx line (shared with other functions: handler must
 * return quietly when its device did not interrupt). Returns the MSI-X
 * table entry used (>= 0), PCI_IRQ_INTX, or -errno. Thread context.
 */
#define PCI_IRQ_INTX 0x10000
typedef void pci_irq_fn(void *arg);
int pci_irq_attach(struct pci_dev *d, unsigned vector, pci_irq_fn *handler, void *arg,
		   struct cpu *target);
/* Any context: mask or unmask MSI-X table entry `entry` of d. */
void pci_msix_mask(struct pci_dev *d, unsigned entry, bool masked);

/* --- pure logic, also built for the host tests (pci_res.c, pci_cap.c) --- */

/* Decode a BAR from its original value and the value read back after
 * writing all ones (for a 64-bit BAR, hi/hi_probe are the next register;
 * otherwise pass 0). Returns how many registers it took (1 or 2), or 0
 * for a malformed probe (reserved type, non-power-of-two size). */
unsigned pci_bar_decode(uint32_t orig, uint32_t probe, uint32_t hi, uint32_t hi_probe,
			struct pci_bar *out);
/* Which window kind a BAR goes to when its bus has `have` (bit per
 * kind, plus PCI_WIN_PREF_ONLY when the 64-bit window is a bridge's
 * prefetchable one); PCI_WIN_KINDS when none fits. */
#define PCI_WIN_PREF_ONLY (1u << PCI_WIN_KINDS)
enum pci_window_kind pci_bar_window(const struct pci_bar *b, unsigned have);
/* Take size bytes aligned to align (a power of two) from w. Returns the
 * bus address, or UINT64_MAX when it does not fit (w unchanged). */
uint64_t pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t align);

/* The pin a function's INTx pin (1-4) arrives on above a bridge in slot
 * `slot` (the bridge spec's swizzle: (pin - 1 + slot) mod 4, plus 1). */
static inline unsigned pci_intx_swizzle(unsigned pin, unsigned slot)
{
	return (pin - 1 + slot) % 4 + 1;
}

/* Read one byte of a function's configuration space (for the walker). */
typedef uint8_t pci_cfg_read8_fn(const void *ctx, unsigned off);
/* The capability walk over any config source; *bad set when the list is
 * malformed (the walk then stops). */
unsigned pci_cap_walk(pci_cfg_read8_fn *rd, const void *ctx, unsigned from, uint8_t id,
		      bool *bad);
