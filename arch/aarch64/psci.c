/*
 * PSCI (ARM DEN 0022): the firmware calls that start CPUs and power the
 * machine off. The device tree's /psci node says whether to reach the
 * firmware with hvc (QEMU entered us at EL1: it emulates an EL2 firmware)
 * or smc (QEMU entered us at EL2 with virtualization=on: it emulates EL3).
 */
#include <arch/a64.h>
#include <arch/boot.h>
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/fdt.h>

#define PSCI_CPU_ON_64		0xc4000003u
#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u

typedef long psci_conduit(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/* SMC Calling Convention: arguments and result in x0-x3; x4-x17 may be
 * clobbered by the firmware. */
#define PSCI_CALL(insn)                                                              \
	register uint64_t x0 __asm__("x0") = fn;                                    \
	register uint64_t x1 __asm__("x1") = a1;                                    \
	register uint64_t x2 __asm__("x2") = a2;                                    \
	register uint64_t x3 __asm__("x3") = a3;                                    \
	__asm__ volatile(insn " #0"                                                  \
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)                    \
			 :                                                           \
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",  \
			   "x13", "x14", "x15", "x16", "x17", "memory");             \
	return (long)x0

static long psci_hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) { PSCI_CALL("hvc"); }
static long psci_smc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) { PSCI_CALL("smc"); }

static psci_conduit *psci;
static uint32_t cpu_on_id = PSCI_CPU_ON_64;
static bool has_system_off;

void a64_psci_init(const void *fdt)
{
	int node = fdt_path(fdt, "/psci");
	if (node < 0)
		return;		/* no PSCI: secondaries cannot be started */
	int len;
	const char *method = fdt_prop(fdt, node, "method", &len);
	if (method && len >= 4 && method[0] == 'h' && method[1] == 'v' && method[2] == 'c')
		psci = psci_hvc;
	else if (method && len >= 4 && method[0] == 's' && method[1] == 'm' && method[2] == 'c')
		psci = psci_smc;
	else
		return;
	/* PSCI 0.1 has no standard function ids: the node lists them. */
	if (fdt_is_compatible(fdt, node, "arm,psci-0.2") || fdt_is_compatible(fdt, node, "arm,psci-1.0")) {
		has_system_off = true;
	} else {
		const uint32_t *id = fdt_prop(fdt, node, "cpu_on", &len);
		if (id && len == 4)
			cpu_on_id = (uint32_t)fdt_read_cells(id, 1);
	}
}

static int psci_errno(long r)
{
	switch (r) {
	case 0: return 0;
	case -1: return -EOPNOTSUPP;	/* NOT_SUPPORTED */
	case -2: return -EINVAL;	/* INVALID_PARAMETERS */
	case -3: return -EPERM;		/* DENIED */
	case -4: return -EBUSY;		/* ALREADY_ON */
	case -5: return -EINPROGRESS;	/* ON_PENDING */
	case -7: return -ENODEV;	/* NOT_PRESENT */
	case -8: return -ENODEV;	/* DISABLED */
	case -9: return -EFAULT;	/* INVALID_ADDRESS */
	default: return -EIO;		/* INTERNAL_FAILURE and anything else */
	}
}

int arch_cpu_start(struct cpu *c)
{
	if (!psci)
		return -ENODEV;
	/* The new CPU reads these with its MMU (and caches) off. */
	a64_dcache_clean_poc(&a64_mmu_regs, sizeof a64_mmu_regs);
	return psci_errno(psci(cpu_on_id, c->hwid, (uintptr_t)a64_secondary_entry, (uintptr_t)c));
}

void a64_psci_system_off(void)
{
	if (psci && has_system_off)
		psci(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void a64_psci_system_reset(void)
{
	if (psci && has_system_off)	/* PSCI 0.2 and later have both */
		psci(PSCI_SYSTEM_RESET, 0, 0, 0);
}
