/*
 * The arch contract, part 10: message-signalled interrupts (PCI MSI-X).
 *
 * An MSI is a memory write by the device; the port says which address and
 * data make the write arrive as interrupt number irq on the CPU it was
 * routed to, and its interrupt entry dispatches that number through
 * irq_dispatch() like any wired interrupt, so irq_register() serves both.
 * A port without MSI support (or a board whose controller does not take
 * them) returns -ENOTSUP from arch_msi_alloc(); PCI then falls back to
 * INTx.
 */
#pragma once

#include <stdint.h>

/* Thread context: reserve an interrupt number for one MSI vector. Returns
 * the number (>= 0), -ENOSPC when every one is taken, or -ENOTSUP. */
int arch_msi_alloc(void);
/* Thread context: give irq back (after irq_unregister()). */
void arch_msi_free(unsigned irq);
/* Thread context, after irq_register() routed irq: the message address and
 * data a device must write to raise it. 0, or -EINVAL for a number that
 * arch_msi_alloc() did not hand out or that is not routed. */
int arch_msi_message(unsigned irq, uint64_t *addr, uint32_t *data);
