/*
 * ACPI: from the RSDP to the tables (ACPI 6.5, section 5.2). Tables are
 * read in place through the identity map; each one is checked before use
 * and a bad one is reported and skipped, never trusted.
 */
#include <arch/boot.h>
#include <arch/x86/acpi.h>
#include <arch/x86/madt.h>
#include <arch/x86/port.h>
#include <kernel/log.h>
#include <string.h>

struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	uint8_t checksum;	/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;	/* 0: ACPI 1.0, RSDT only; 2: XSDT too */
	uint32_t rsdt_paddr;
	uint32_t length;	/* revision 2 on */
	uint64_t xsdt_paddr;
	uint8_t ext_checksum;	/* over `length` bytes */
	uint8_t reserved[3];
} __attribute__((packed));

static const struct acpi_rsdp *rsdp;
static const struct acpi_header *root;	/* the XSDT, else the RSDT */
static unsigned root_entry_size;	/* 8 for the XSDT, 4 for the RSDT */

static bool mapped(uint64_t paddr, uint64_t len)
{
	uint64_t top = x86_mmu_mapped_top();
	return paddr >= 4096 && paddr < top && len <= top - paddr;
}

/* The table at paddr if it passes every check, else NULL (reported). */
static const struct acpi_header *table_at(uint64_t paddr)
{
	if (!mapped(paddr, sizeof(struct acpi_header))) {
		kprintf("acpi: table address %#llx is outside memory\n", (unsigned long long)paddr);
		return NULL;
	}
	const struct acpi_header *h = (const void *)(uintptr_t)paddr;
	if (h->length < sizeof *h || !mapped(paddr, h->length) ||
	    !x86_acpi_checksum_ok(h, h->length)) {
		kprintf("acpi: table %.4s at %#llx has a bad length or checksum; skipped\n",
			h->signature, (unsigned long long)paddr);
		return NULL;
	}
	return h;
}

static bool rsdp_ok(const struct acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) != 0 || !x86_acpi_checksum_ok(r, 20))
		return false;
	return r->revision < 2 ||
	       (r->length >= sizeof *r && mapped((uintptr_t)r, r->length) &&
		x86_acpi_checksum_ok(r, r->length));
}

/* Without a pointer from the loader: the BIOS read-only area, where the
 * RSDP sits on a 16-byte boundary. (The EBDA, the other place the spec
 * names, is found through page 0, which is unmapped by now.) */
static const struct acpi_rsdp *rsdp_search(void)
{
	for (uintptr_t p = 0xe0000; p < 0x100000; p += 16)
		if (rsdp_ok((const void *)p))
			return (const void *)p;
	return NULL;
}

void x86_acpi_init(uint64_t rsdp_paddr)
{
	if (rsdp_paddr && mapped(rsdp_paddr, 20) && rsdp_ok((const void *)(uintptr_t)rsdp_paddr))
		rsdp = (const void *)(uintptr_t)rsdp_paddr;
	else
		rsdp = rsdp_search();
	if (!rsdp) {
		kprintf("acpi: no valid RSDP\n");
		return;
	}
	if (rsdp->revision >= 2 && rsdp->xsdt_paddr && (root = table_at(rsdp->xsdt_paddr)))
		root_entry_size = 8;
	else if ((root = table_at(rsdp->rsdt_paddr)))
		root_entry_size = 4;
	else
		kprintf("acpi: no valid RSDT or XSDT\n");
}

const void *arch_acpi_rsdp(void) { return rsdp; }

const void *x86_acpi_find(const char *sig, size_t *len)
{
	if (!root)
		return NULL;
	const uint8_t *entries = (const uint8_t *)root + sizeof *root;
	unsigned n = (root->length - sizeof *root) / root_entry_size;
	for (unsigned i = 0; i < n; i++) {
		uint64_t paddr = 0;
		memcpy(&paddr, entries + i * root_entry_size, root_entry_size);
		if (!mapped(paddr, sizeof(struct acpi_header)))
			continue;
		const struct acpi_header *h = (const void *)(uintptr_t)paddr;
		if (memcmp(h->signature, sig, 4) != 0)
			continue;
		if ((h = table_at(paddr))) {
			*len = h->length;
			return h;
		}
	}
	return NULL;
}

/* FADT fields used for power-off (ACPI 6.5, table 5.9). */
#define FADT_DSDT	40	/* 32-bit DSDT address */
#define FADT_PM1A_CNT	64	/* 32-bit PM1a control block port */
#define FADT_X_DSDT	140	/* 64-bit DSDT address, ACPI 2.0 on */
#define SLP_EN		(1u << 13)

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* SLP_TYPa for S5: the first element of the DSDT's `Name (_S5, Package ()
 * {a, b, ...})`, found by its byte pattern rather than by running AML.
 * 0 (what QEMU uses) when it cannot be found. */
static unsigned s5_sleep_type(const uint8_t *dsdt, size_t len)
{
	for (size_t i = 0; i + 8 < len; i++) {
		if (memcmp(dsdt + i, "_S5_", 4) != 0 || dsdt[i + 4] != 0x12)	/* PackageOp */
			continue;
		size_t p = i + 5;
		p += 1 + (dsdt[p] >> 6);	/* PkgLength: 1-4 bytes */
		p += 1;				/* NumElements */
		if (p + 1 >= len)
			break;
		if (dsdt[p] == 0x0a)		/* BytePrefix */
			return dsdt[p + 1];
		if (dsdt[p] == 0x00 || dsdt[p] == 0x01)	/* ZeroOp, OneOp */
			return dsdt[p];
		break;
	}
	return 0;
}

int x86_acpi_s5(uint16_t *port, uint16_t *value)
{
	size_t flen, dlen = 0;
	const uint8_t *fadt = x86_acpi_find("FACP", &flen);
	if (!fadt || flen < FADT_PM1A_CNT + 4 || !rd32(fadt + FADT_PM1A_CNT))
		return -1;
	uint64_t dsdt_paddr = rd32(fadt + FADT_DSDT);
	if (flen >= FADT_X_DSDT + 8 && rd32(fadt + FADT_X_DSDT))
		dsdt_paddr = rd32(fadt + FADT_X_DSDT) | (uint64_t)rd32(fadt + FADT_X_DSDT + 4) << 32;
	const struct acpi_header *dsdt = dsdt_paddr ? table_at(dsdt_paddr) : NULL;
	if (dsdt)
		dlen = dsdt->length;
	*port = (uint16_t)rd32(fadt + FADT_PM1A_CNT);
	*value = (uint16_t)((dsdt ? s5_sleep_type((const void *)dsdt, dlen) : 0) << 10 | SLP_EN);
	return 0;
}

/* MCFG: the header, 8 reserved bytes, then 16-byte allocation entries. */
#define MCFG_ENTRIES	44
#define MCFG_ENTRY_SIZE	16

int x86_acpi_mcfg(unsigned index, struct x86_mcfg_entry *out)
{
	size_t len;
	const uint8_t *t = x86_acpi_find("MCFG", &len);
	if (!t || len < MCFG_ENTRIES || index >= (len - MCFG_ENTRIES) / MCFG_ENTRY_SIZE)
		return -1;
	const uint8_t *e = t + MCFG_ENTRIES + index * MCFG_ENTRY_SIZE;
	out->base = rd32(e) | (uint64_t)rd32(e + 4) << 32;
	out->segment = (uint16_t)(e[8] | e[9] << 8);
	out->bus_start = e[10];
	out->bus_end = e[11];
	return out->bus_end >= out->bus_start && out->base ? 0 : -1;
}
