/*
 * QEMU virt (aarch64): the console is the PL011 the device tree names;
 * power off is PSCI SYSTEM_OFF for success and a semihosting exit for
 * anything else, so the status reaches QEMU's exit code:
 *   status 0 -> PSCI SYSTEM_OFF -> QEMU exits 0
 *   status n -> SYS_EXIT(ADP_Stopped_ApplicationExit, n) -> QEMU exits n
 * (needs -semihosting-config enable=on, which board.mk passes).
 */
#include <arch/a64.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <kernel/board.h>
#include <kernel/console.h>
#include <kernel/dev/pci_fdt.h>
#include <kernel/dev/pl011.h>
#include <kernel/dev/virtio_pci.h>
#include <kernel/dev/virtio_mmio.h>
#include <kernel/fdt.h>
#include <string.h>

const char board_name[] = "qemu-virt-aarch64";

static uintptr_t uart;

static void uart_putc(char c) { pl011_putc(uart, c); }
static int uart_getc(void) { return pl011_getc(uart); }

static void uart_irq_enable(unsigned causes) { pl011_irq_enable(uart, causes); }
static unsigned uart_irq_ack(void) { return pl011_irq_ack(uart); }

static struct console_ops uart_console = {
	.putc = uart_putc,
	.getc = uart_getc,
	.irq = -1,		/* from the device tree, in board_init() */
	.irq_enable = uart_irq_enable,
	.irq_ack = uart_irq_ack,
};

/* The GIC binding's three interrupt cells are (type, number, flags): type 0
 * is an SPI (INTID 32 + number), type 1 a PPI (INTID 16 + number). Also
 * how PCI reads the host bridge's interrupt-map entries. */
static int gic_spec(const void *fdt, int ctrl, const uint32_t *cells, int ncells)
{
	if (ncells < 3)
		return -1;
	uint32_t type = (uint32_t)fdt_read_cells(&cells[0], 1);
	uint32_t number = (uint32_t)fdt_read_cells(&cells[1], 1);
	return type == 0 ? 32 + (int)number : type == 1 ? 16 + (int)number : -1;
}

static int gic_intid(const void *fdt, int node)
{
	int len;
	const uint32_t *cells = fdt_prop(fdt, node, "interrupts", &len);
	if (!cells || len < 12)
		return -1;
	return gic_spec(fdt, -1, cells, 3);
}

/* /chosen stdout-path ("/pl011@9000000:115200n8" or an alias name), or
 * else the first PL011 in the tree. */
static int find_uart(const void *fdt)
{
	int chosen = fdt_path(fdt, "/chosen");
	int len;
	const char *path = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : NULL;
	if (path && len > 1) {
		char buf[128];
		size_t n = strcspn(path, ":");
		if (n < sizeof buf) {
			memcpy(buf, path, n);
			buf[n] = '\0';
			if (buf[0] != '/') {
				int aliases = fdt_path(fdt, "/aliases");
				const char *full = aliases >= 0 ? fdt_prop(fdt, aliases, buf, &len) : NULL;
				if (full && len > 0 && full[len - 1] == '\0' && strlen(full) < sizeof buf)
					strcpy(buf, full);
			}
			int node = fdt_path(fdt, buf);
			if (node >= 0 && fdt_is_compatible(fdt, node, "arm,pl011"))
				return node;
		}
	}
	return fdt_find_compatible(fdt, -1, "arm,pl011");
}

void board_init(void)
{
	const void *fdt = arch_fdt();
	int node = find_uart(fdt);
	uint64_t base, size;
	if (node < 0 || fdt_reg(fdt, node, 0, &base, &size))
		return;		/* no console: nothing to tell anyone */
	uart = (uintptr_t)base;
	uart_console.irq = gic_intid(fdt, node);
	pl011_init(uart);
	console_register(&uart_console);
}

/* Semihosting (ARM DUI 0471 / the Arm semihosting spec): hlt #0xf000 with
 * the operation in x0 and its parameter block in x1. */
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static void semihost_exit(int status)
{
	uint64_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(unsigned)status };
	register uint64_t x0 __asm__("x0") = SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uintptr_t)block;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

noreturn void board_poweroff(int status)
{
	if (status == 0)
		a64_psci_system_off();
	semihost_exit(status);	/* also the fallback when PSCI is missing */
	arch_halt();		/* no semihosting: stop here */
}

noreturn void board_reboot(void)
{
	a64_psci_system_reset();
	board_poweroff(0);	/* no PSCI reset: off is the nearest thing */
}

/* Devices beyond the console: PCI (the ECAM host from the tree; no
 * firmware ran before us, so every BAR is assigned here, and INTx lines
 * go through the host's interrupt-map to GIC SPIs: MSIs would need the
 * GICv3 ITS, which the port does not drive), then the virtio-mmio slots. */
void board_devices_init(void)
{
	if (pci_fdt_init(arch_fdt(), gic_spec) > 0)
		pci_enumerate();
	virtio_pci_init();
	virtio_mmio_scan(arch_fdt(), gic_intid);
}
