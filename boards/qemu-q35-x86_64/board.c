/*
 * QEMU q35: COM1 as the console, power-off, and PCI (virtio).
 *
 *   qemu-system-x86_64 -M q35 -cpu qemu64 -smp 4 -m 512M -nographic \
 *     -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel threadbare.elf \
 *     -netdev user,id=net0 -device virtio-net-pci,netdev=net0 -device virtio-rng-pci
 */
#include <arch/cpu.h>
#include <arch/x86/acpi.h>
#include <arch/x86/insn.h>
#include <kernel/board.h>
#include <kernel/console.h>
#include <kernel/dev/pci.h>
#include <kernel/dev/virtio_pci.h>
#include <kernel/dev/uart16550.h>
#include <kernel/log.h>

const char board_name[] = "qemu-q35-x86_64";

#define COM1_PORT 0x3f8
#define DEBUG_EXIT_PORT 0xf4		/* -device isa-debug-exit,iobase=0xf4 */
/* ICH9's PM1a control register as QEMU sets it up (PMBASE 0x600), and
 * SLP_EN with SLP_TYP 0: QEMU's S5. Used when ACPI does not say. */
#define Q35_PM1A_CNT 0x604
#define Q35_S5_VALUE 0x2000

static uint8_t port_read(const struct uart16550 *u, unsigned reg)
{
	return inb((uint16_t)(u->base + reg));
}

static void port_write(const struct uart16550 *u, unsigned reg, uint8_t v)
{
	outb((uint16_t)(u->base + reg), v);
}

static const struct uart16550 com1 = {
	.read = port_read,
	.write = port_write,
	.base = COM1_PORT,
	.clock_hz = 1843200,
	.baud = 115200,
};

static void com1_putc(char c) { uart16550_putc(&com1, c); }
static int com1_getc(void) { return uart16550_getc(&com1); }
static void com1_irq_enable(unsigned causes) { uart16550_irq_enable(&com1, causes); }
static unsigned com1_irq_ack(void) { return uart16550_irq_ack(&com1); }

/* COM1 raises ISA IRQ 4; the port maps ISA IRQs to GSIs through the MADT's
 * overrides, and with none GSI 4 is IRQ 4. */
#define COM1_IRQ 4
static const struct console_ops com1_console = {
	.putc = com1_putc,
	.getc = com1_getc,
	.irq = COM1_IRQ,
	.irq_enable = com1_irq_enable,
	.irq_ack = com1_irq_ack,
};

static uint16_t s5_port = Q35_PM1A_CNT, s5_value = Q35_S5_VALUE;

void board_init(void)
{
	uart16550_init(&com1);
	console_register(&com1_console);
	/* Read the power-off port now: a panic must not walk ACPI tables. */
	if (x86_acpi_s5(&s5_port, &s5_value) != 0)
		kprintf("board: no ACPI PM1a control block; power-off uses port %#x\n", s5_port);
}

noreturn void board_poweroff(int status)
{
	if (status == 0) {
		outw(s5_port, s5_value);		/* ACPI S5: QEMU exits 0 */
		outw(Q35_PM1A_CNT, Q35_S5_VALUE);	/* in case the FADT misled us */
	} else {
		outl(DEBUG_EXIT_PORT, (uint32_t)status);	/* QEMU exits (status << 1) | 1 */
	}
	arch_halt();
}

noreturn void board_reboot(void)
{
	outb(0xcf9, 0x02);	/* the chipset's reset control: arm a hard reset */
	outb(0xcf9, 0x06);	/* ... and pull it */
	outb(0x64, 0xfe);	/* the keyboard controller's reset line, in case */
	arch_halt();
}

/*
 * PCI: the ECAM region comes from ACPI's MCFG; SeaBIOS has assigned the
 * BARs and bridge windows, which stay. The windows below are q35's PCI
 * holes as QEMU and SeaBIOS lay them out (the DSDT's _CRS says the same,
 * but that is AML, which we do not run); they are only used for a BAR
 * firmware left unassigned. q35 wires INTx through the chipset's PIRQ
 * links, which only the DSDT's _PRT describes: no INTx here, devices
 * interrupt by MSI-X.
 */
#define Q35_IO_BASE	0xc000
#define Q35_IO_SIZE	0x4000
#define Q35_MEM_BASE	0xc0000000u	/* just above the 256 MiB ECAM at 0xb0000000 */
#define Q35_MEM_SIZE	0x3ec00000u	/* up to the IOAPIC at 0xfec00000 */

static struct pci_host q35_pci;

void board_devices_init(void)
{
	struct x86_mcfg_entry m;
	if (x86_acpi_mcfg(0, &m) != 0) {
		kprintf("board: no ACPI MCFG; no PCI\n");
		return;
	}
	q35_pci = (struct pci_host){
		.ecam = (uintptr_t)m.base,
		.bus_start = m.bus_start,
		.bus_end = m.bus_end,
		.win[PCI_WIN_IO] = { Q35_IO_BASE, Q35_IO_BASE, Q35_IO_SIZE, 0 },
		.win[PCI_WIN_MEM] = { Q35_MEM_BASE, Q35_MEM_BASE, Q35_MEM_SIZE, 0 },
	};
	if (pci_host_add(&q35_pci) == 0)
		pci_enumerate();
	virtio_pci_init();
}
