/*
 * What a board provides (boards/<board>/board.c).
 */
#pragma once

#include <stdnoreturn.h>

/* Boot CPU, after arch_early_init(): find and register the console
 * (console_register()), then the board's other devices. */
void board_init(void);

/* Thread context, every CPU online, interrupts on, before the app: find
 * the board's buses (PCI, virtio-mmio) and probe their devices. */
void board_devices_init(void);

/* Any context: turn the machine off. Under QEMU the status becomes QEMU's
 * exit code (see the board's notes for how it is encoded). */
noreturn void board_poweroff(int status);
/* Any context: restart the machine (under QEMU -no-reboot, QEMU exits 0). */
noreturn void board_reboot(void);

/* The board's name, for the banner. */
extern const char board_name[];
