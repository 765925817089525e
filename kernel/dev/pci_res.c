/*
 * PCI resources as pure arithmetic (no device access, so the host tests
 * drive it): decoding a BAR from its sizing probe (PCI 3.0 section
 * 6.2.5.1), choosing a window for it, and bump allocation from a window.
 */
#include <kernel/dev/pci.h>

#define BAR_IO		0x1u
#define BAR_TYPE_MASK	0x6u
#define BAR_TYPE_32	0x0u
#define BAR_TYPE_64	0x4u
#define BAR_PREFETCH	0x8u

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

unsigned pci_bar_decode(uint32_t orig, uint32_t probe, uint32_t hi, uint32_t hi_probe,
			struct pci_bar *out)
{
	*out = (struct pci_bar){ .kind = PCI_BAR_NONE };
	if (orig & BAR_IO) {
		/* The upper 16 bits may read back as 0 (16-bit decode). */
		uint32_t mask = probe & ~0x3u;
		if (!mask)
			return 1;	/* the device has no BAR here: it reads back 0 */
		if (!(mask & 0xffff0000u))
			mask |= 0xffff0000u;
		uint64_t size = (uint32_t)(~mask + 1);
		if (!pow2(size))
			return 0;
		*out = (struct pci_bar){ .kind = PCI_BAR_IO, .size = size, .pci_addr = orig & ~0x3u };
		return 1;
	}
	uint32_t type = orig & BAR_TYPE_MASK;
	if (type != BAR_TYPE_32 && type != BAR_TYPE_64)
		return 0;	/* "below 1 MiB" (obsolete) or reserved */
	bool is64 = type == BAR_TYPE_64;
	uint64_t mask = probe & ~0xfu;
	uint64_t addr = orig & ~0xfu;
	if (is64) {
		mask |= (uint64_t)hi_probe << 32;
		addr |= (uint64_t)hi << 32;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	if (!(mask & 0xffffffffu) && !(is64 && hi_probe))
		return is64 ? 2 : 1;	/* no BAR here: every size bit reads back 0 */
	uint64_t size = ~mask + 1;
	if (!pow2(size) || (!is64 && size > 0x80000000u))
		return 0;
	*out = (struct pci_bar){
		.kind = is64 ? PCI_BAR_MEM64 : PCI_BAR_MEM32,
		.prefetch = orig & BAR_PREFETCH,
		.size = size,
		.pci_addr = addr,
	};
	return is64 ? 2 : 1;
}

/* A 64-bit BAR takes the 64-bit window when there is one (it is the
 * bigger), else the 32-bit one; a 32-bit BAR only the 32-bit window.
 * Behind a bridge the 64-bit window is the prefetchable one, which a
 * BAR with read side effects must not be put in. */
enum pci_window_kind pci_bar_window(const struct pci_bar *b, unsigned have)
{
	switch (b->kind) {
	case PCI_BAR_IO:
		return have & (1u << PCI_WIN_IO) ? PCI_WIN_IO : PCI_WIN_KINDS;
	case PCI_BAR_MEM64:
		if ((have & (1u << PCI_WIN_MEM64)) && (b->prefetch || !(have & PCI_WIN_PREF_ONLY)))
			return PCI_WIN_MEM64;
		/* fall through */
	case PCI_BAR_MEM32:
		return have & (1u << PCI_WIN_MEM) ? PCI_WIN_MEM : PCI_WIN_KINDS;
	default:
		return PCI_WIN_KINDS;
	}
}

uint64_t pci_window_alloc(struct pci_window *w, uint64_t size, uint64_t align)
{
	if (!w->size || !size || !pow2(align))
		return UINT64_MAX;
	uint64_t end = w->pci_base + w->size;
	uint64_t at = w->next < w->pci_base ? w->pci_base : w->next;
	at = (at + align - 1) & ~(align - 1);
	if (at < w->pci_base || at >= end || size > end - at)
		return UINT64_MAX;	/* overflowed, or does not fit */
	w->next = at + size;
	return at;
}
