/*
 * virt.h - is this machine virtual, and are its timings the hardware's?
 *
 * The guest of `make numa-check` proves placement under QEMU's TCG, where
 * every instruction is emulated: its timings say nothing of the hardware.
 * A run records what virt_detect() finds, so that no reader takes such
 * timings for a machine's (DESIGN.md, "Placement is proven").
 *
 * Told as systemd-detect-virt tells a VM: the CPUID hypervisor bit and the
 * hypervisor's vendor leaf 0x40000000 first ("TCGTCGTCGTCG" is QEMU's
 * emulator, "KVMKVMKVM" hardware-assisted KVM, ...), then the firmware's
 * DMI vendor, then /sys/hypervisor/type (Xen).  Containers share the host's
 * kernel and CPU: they are not virtual machines here.
 */
#ifndef PLATFORM_VIRT_H
#define PLATFORM_VIRT_H

#include <stdbool.h>

enum virt_timing {
	VIRT_NATIVE,		/* bare metal: timings are the hardware's */
	VIRT_ASSISTED,		/* a hypervisor with hardware assistance
				   (KVM, Xen, Hyper-V...): native speed,
				   shared and noisier */
	VIRT_EMULATED,		/* software emulation (QEMU TCG): timings
				   are the emulator's, never the hardware's */
	VIRT_UNKNOWN,		/* a VM whose accelerator cannot be told */
};

struct virt {
	const char *name;	/* systemd-detect-virt's word: "none",
				   "kvm", "qemu", "xen", "microsoft",
				   "vmware", "oracle", "bhyve", ...; "tcg" for
				   QEMU's emulator */
	enum virt_timing timing;
	char	evidence[256];	/* what was seen, e.g. "cpuid 0x40000000
				   'TCGTCGTCGTCG'; dmi sys_vendor 'QEMU'" */
	char	summary[320];	/* name, timing and evidence in a line */
};

/* Detected once; the result is constant for the process. */
const struct virt *virt_detect(void);
/* "no", "no (hardware-assisted ...)", "yes (...)", "unknown (...)". */
const char *virt_timings_emulated(const struct virt *);

#endif /* PLATFORM_VIRT_H */
