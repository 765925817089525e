/*
 * The virtio PCI transport (virtio 1.1 section 4.1), modern devices only.
 *
 *   -device virtio-net-pci,netdev=net0 -device virtio-rng-pci
 *   (x86 q35 also: ,disable-legacy=on is not needed: transitional devices
 *   carry the modern capabilities too)
 */
#pragma once

#include <stdbool.h>

struct pci_dev;
struct virtio_dev;

/* Boot, thread context, after pci_enumerate(): hand every virtio PCI
 * function to virtio_probe(). Legacy-only devices are refused with a
 * message. Returns how many devices were handed over. */
int virtio_pci_init(void);

/* Any context, after virtio_pci_init(): the i-th device found, or NULL. */
struct virtio_dev *virtio_pci_get(unsigned i);
/* The PCI function behind vd (a virtio_pci device). */
struct pci_dev *virtio_pci_dev(struct virtio_dev *vd);
/* Interrupts vd's transport has taken, and whether they come by MSI-X. */
unsigned long virtio_pci_irqs(struct virtio_dev *vd);
bool virtio_pci_uses_msix(struct virtio_dev *vd);
