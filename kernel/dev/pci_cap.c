/*
 * Walking a function's capability list (PCI 3.0 section 6.7) over any
 * source of configuration bytes, so the host tests can feed it broken
 * lists. Pointers live in 0x40-0xff with the low two bits reserved.
 */
#include <kernel/dev/pci.h>

#define CAP_MIN		0x40

unsigned pci_cap_walk(pci_cfg_read8_fn *rd, const void *ctx, unsigned from, uint8_t id,
		      bool *bad)
{
	*bad = false;
	/* Start from the head, so "after from" is counted along the real
	 * list; a capability met twice is a loop, whichever from is (else a
	 * caller stepping with from = the last result could go round it
	 * for ever). */
	uint64_t seen = 0;	/* bit (ptr - 0x40) / 4 */
	unsigned ptr = rd(ctx, PCI_CAP_PTR) & 0xfc;
	bool past = from == 0;
	while (ptr) {
		uint64_t bit = ptr >= CAP_MIN ? 1ull << ((ptr - CAP_MIN) / 4) : 0;
		if (!bit || (seen & bit)) {
			*bad = true;
			return 0;
		}
		seen |= bit;
		if (past && (id == 0 || rd(ctx, ptr) == id))
			return ptr;
		if (ptr == from)
			past = true;
		unsigned next = rd(ctx, ptr + 1);
		if (next & 3) {
			*bad = true;	/* reserved bits set: not a pointer */
			return 0;
		}
		ptr = next;
	}
	return 0;
}
