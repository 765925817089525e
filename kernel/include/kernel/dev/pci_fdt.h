/*
 * PCI host bridges from the device tree: "pci-host-ecam-generic" (the
 * binding in Linux's Documentation/devicetree/bindings/pci/host-generic-pci
 * and the PCI bus binding, IEEE 1275 PCI supplement), as QEMU's virt
 * machine describes its PCIe host.
 */
#pragma once

#include <kernel/dev/pci.h>

/* The board's reading of an interrupt specifier of the controller at node
 * `ctrl` (the interrupt-map's parent): the interrupt number, or -1. */
typedef int pci_fdt_irq_fn(const void *fdt, int ctrl, const uint32_t *cells, int ncells);

/* Boot, thread context: add every enabled ECAM host in the tree
 * (pci_host_add()), windows from `ranges`, buses from `bus-range`, INTx
 * through `interrupt-map` decoded by irq. assign_all is set: nothing ran
 * before us. Returns how many hosts were added. */
int pci_fdt_init(const void *fdt, pci_fdt_irq_fn *irq);

/* Pure (host tests): the interrupt the host bridge at node maps (bus,
 * slot, func, pin) to, the pin already swizzled up to the host's bus;
 * -1 when the map has no entry or is malformed. */
int pci_fdt_intx_lookup(const void *fdt, int node, unsigned bus, unsigned slot, unsigned func,
			unsigned pin, pci_fdt_irq_fn *irq);
/* Pure: fill h's windows and buses from node's ranges and bus-range.
 * 0, or -EINVAL when reg or ranges are malformed. */
int pci_fdt_parse_host(const void *fdt, int node, struct pci_host *h);
