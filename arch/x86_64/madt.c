/*
 * The MADT parser (ACPI 6.5, section 5.2.12). Pure: see arch/x86/madt.h.
 *
 * Entries read: Processor Local APIC (type 0), I/O APIC (1), Interrupt
 * Source Override (2), Local APIC Address Override (5) and Processor Local
 * x2APIC (9). Fields are read byte by byte, so the table need not be
 * aligned.
 */
#include <arch/x86/madt.h>
#include <string.h>

#define MADT_HEADER_LEN 44	/* 36-byte ACPI header + LAPIC address + flags */
#define LAPIC_ENABLED 1u
#define LAPIC_ONLINE_CAPABLE 2u

bool x86_acpi_checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static uint32_t rd16(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void add_cpu(struct x86_madt_info *m, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE)))
		return;
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->apic_ids[i] == apic_id)
			return;	/* listed as both xAPIC and x2APIC */
	if (m->ncpus == X86_MADT_MAX_CPUS) {
		m->cpus_dropped++;
		return;
	}
	m->apic_ids[m->ncpus++] = apic_id;
}

/* One entry, already known to lie inside the table, len >= 2. */
static bool parse_entry(struct x86_madt_info *m, const uint8_t *e, unsigned len)
{
	switch (e[0]) {
	case 0:		/* processor local APIC: uid, APIC id, flags */
		if (len < 8)
			return false;
		add_cpu(m, e[3], rd32(e + 4));
		break;
	case 1:		/* I/O APIC: id, reserved, address, GSI base */
		if (len < 12)
			return false;
		if (m->nioapics == X86_MADT_MAX_IOAPICS) {
			m->entries_dropped++;
			break;
		}
		m->ioapics[m->nioapics++] = (struct x86_ioapic_desc){
			.id = e[2], .paddr = rd32(e + 4), .gsi_base = rd32(e + 8) };
		break;
	case 2:		/* interrupt source override: bus, source, GSI, flags */
		if (len < 10)
			return false;
		if (m->noverrides == X86_MADT_MAX_OVERRIDES) {
			m->entries_dropped++;
			break;
		}
		m->overrides[m->noverrides++] = (struct x86_irq_override){
			.bus = e[2], .source = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8) };
		break;
	case 5:		/* local APIC address override: reserved, 64-bit address */
		if (len < 12)
			return false;
		m->lapic_paddr = rd64(e + 4);
		break;
	case 9:		/* processor local x2APIC: reserved, x2APIC id, flags, uid */
		if (len < 16)
			return false;
		add_cpu(m, rd32(e + 4), rd32(e + 8));
		break;
	default:	/* NMI sources, GIC entries...: not needed here */
		break;
	}
	return true;
}

int x86_madt_parse(const void *table, size_t len, struct x86_madt_info *out)
{
	const uint8_t *t = table;
	memset(out, 0, sizeof *out);

	if (!t || len < MADT_HEADER_LEN)
		return t ? X86_MADT_EBADLEN : X86_MADT_ENOTABLE;
	if (memcmp(t, "APIC", 4) != 0)
		return X86_MADT_EBADSIG;
	uint32_t tlen = rd32(t + 4);
	if (tlen < MADT_HEADER_LEN || tlen > len)
		return X86_MADT_EBADLEN;
	if (!x86_acpi_checksum_ok(t, tlen))
		return X86_MADT_EBADSUM;

	out->lapic_paddr = rd32(t + 36);
	out->flags = rd32(t + 40);
	/* An override entry may replace lapic_paddr below. */
	for (uint32_t off = MADT_HEADER_LEN; off < tlen;) {
		if (tlen - off < 2)
			return X86_MADT_EBADENTRY;
		unsigned elen = t[off + 1];
		if (elen < 2 || elen > tlen - off || !parse_entry(out, t + off, elen))
			return X86_MADT_EBADENTRY;
		off += elen;
	}
	return X86_MADT_OK;
}

const char *x86_madt_strerror(int err)
{
	switch (err) {
	case X86_MADT_OK: return "ok";
	case X86_MADT_ENOTABLE: return "no table";
	case X86_MADT_EBADSIG: return "bad signature";
	case X86_MADT_EBADLEN: return "bad length";
	case X86_MADT_EBADSUM: return "bad checksum";
	case X86_MADT_EBADENTRY: return "malformed entry (entries after it ignored)";
	default: return "unknown error";
	}
}
