/*
 * MSI on aarch64: not supported. On QEMU virt, PCI MSIs go to the GICv3
 * ITS (or a GICv2m frame), which this port does not drive; PCI devices use
 * their INTx line through the host bridge's interrupt-map instead, which
 * works the same on GICv2 and GICv3 (docs/architecture.md).
 */
#include <arch/msi.h>
#include <errno.h>

int arch_msi_alloc(void) { return -ENOTSUP; }
void arch_msi_free(unsigned irq) {}
int arch_msi_message(unsigned irq, uint64_t *addr, uint32_t *data) { return -EINVAL; }
