/*
 * Walking a function's capability list (PCI 3.0 section 6.7) over any
 * source of configuration bytes, so the host tests can feed it broken
 * lists. Pointers live in 0x40-0xff with the low two bits reserved; a
 * list longer than the space could hold loops.
 */
#include <kernel/dev/pci.h>

#define CAP_MIN		0x40
#define CAP_MAX_COUNT	48	/* (256 - 64) / 4: more means a loop */

unsigned pci_cap_walk(pci_cfg_read8_fn *rd, const void *ctx, unsigned from, uint8_t id,
		      bool *bad)
{
	*bad = false;
	/* Start from the head, so "after from" is counted along the real
	 * list and a loop is caught whatever from is. */
	unsigned ptr = rd(ctx, PCI_CAP_PTR) & 0xfc;
	bool past = from == 0;
	for (unsigned n = 0; ptr; n++) {
		if (ptr < CAP_MIN || n == CAP_MAX_COUNT) {
			*bad = true;
			return 0;
		}
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
