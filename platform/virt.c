/*
 * virt.c - tell a virtual machine, and an emulated one, from bare metal.
 *
 * The order is systemd-detect-virt's for VMs: the CPUID hypervisor leaf
 * names the hypervisor that runs us (it wins over the firmware, which
 * says "QEMU" under TCG and under KVM alike); the DMI vendor and
 * /sys/hypervisor/type catch the guests whose CPUID says nothing.  QEMU
 * answers leaf 0x40000000 with "TCGTCGTCGTCG" when it emulates and KVM
 * with "KVMKVMKVM": that is how TCG is told from KVM.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "virt.h"

/* Leaf 0x40000000's signature -> name, as systemd's vm_table. */
static const struct {
	const char *sig;
	const char *name;
	enum virt_timing timing;
} virt_cpuid[] = {
	{ "TCGTCGTCGTCG", "tcg", VIRT_EMULATED },
	{ "KVMKVMKVM", "kvm", VIRT_ASSISTED },
	{ "Linux KVM Hv", "kvm", VIRT_ASSISTED },	/* KVM as Hyper-V */
	{ "XenVMMXenVMM", "xen", VIRT_ASSISTED },
	{ "Microsoft Hv", "microsoft", VIRT_ASSISTED },
	{ "VMwareVMware", "vmware", VIRT_ASSISTED },
	{ "VBoxVBoxVBox", "oracle", VIRT_ASSISTED },
	{ "bhyve bhyve ", "bhyve", VIRT_ASSISTED },
	{ " lrpepyh vr", "parallels", VIRT_ASSISTED },
	{ "ACRNACRNACRN", "acrn", VIRT_ASSISTED },
	{ "QNXQVMBSQG", "qnx", VIRT_ASSISTED },
	{ "Apple VZ", "apple", VIRT_ASSISTED },
};

/* DMI vendor strings -> name; the accelerator is not known from them. */
static const struct {
	const char *vendor;
	const char *name;
} virt_dmi[] = {
	{ "QEMU", "qemu" }, { "KVM", "kvm" }, { "VMware", "vmware" },
	{ "VMW", "vmware" }, { "innotek GmbH", "oracle" },
	{ "VirtualBox", "oracle" }, { "Xen", "xen" }, { "Bochs", "bochs" },
	{ "Parallels", "parallels" }, { "BHYVE", "bhyve" },
};

static struct virt virt_result;
static pthread_once_t virt_once = PTHREAD_ONCE_INIT;

/* First line of path, without its newline; NULL if unreadable/empty. */
static const char *
virt_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (f == NULL)
		return NULL;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return buf[0] != '\0' ? buf : NULL;
}

static void __attribute__((format(printf, 2, 3)))
virt_note(struct virt *v, const char *fmt, ...)
{
	size_t off = strlen(v->evidence);
	va_list ap;

	if (off > 0 && off + 2 < sizeof(v->evidence)) {
		strcpy(v->evidence + off, "; ");
		off += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->evidence + off, sizeof(v->evidence) - off, fmt, ap);
	va_end(ap);
}

/* The hypervisor's CPUID signature into sig[13]; false on bare metal. */
static bool
virt_cpuid_sig(char sig[13])
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return false;	/* CPUID.1:ECX bit 31: "hypervisor present" */
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return true;
#else
	(void)sig;
	return false;
#endif
}

/* CPUID first: it names the hypervisor that actually runs us. */
static void
virt_from_cpuid(struct virt *v)
{
	char sig[13];

	if (!virt_cpuid_sig(sig))
		return;
	virt_note(v, "cpuid hypervisor bit, leaf 0x40000000 '%s'", sig);
	v->name = "other";
	v->timing = VIRT_UNKNOWN;
	for (size_t i = 0; i < sizeof(virt_cpuid) / sizeof(virt_cpuid[0]);
	    i++) {
		if (strcmp(sig, virt_cpuid[i].sig) == 0) {
			v->name = virt_cpuid[i].name;
			v->timing = virt_cpuid[i].timing;
		}
	}
}

/* Firmware and /sys: evidence, and the name when CPUID said nothing. */
static void
virt_from_firmware(struct virt *v)
{
	static const char *const dmi[] = { "sys_vendor", "product_name",
	    "board_vendor", "bios_vendor" };
	char path[64], buf[128];

	for (size_t i = 0; i < sizeof(dmi) / sizeof(dmi[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/dmi/id/%s", dmi[i]);
		if (virt_read(path, buf, sizeof(buf)) == NULL)
			continue;
		for (size_t k = 0; k < sizeof(virt_dmi) / sizeof(virt_dmi[0]);
		    k++) {
			if (strncmp(buf, virt_dmi[k].vendor,
			    strlen(virt_dmi[k].vendor)) != 0)
				continue;
			virt_note(v, "dmi '%s'", buf);
			if (strcmp(v->name, "none") == 0) {
				v->name = virt_dmi[k].name;
				v->timing = VIRT_UNKNOWN;
			}
			return;
		}
	}
	if (virt_read("/sys/hypervisor/type", buf, sizeof(buf)) != NULL) {
		virt_note(v, "/sys/hypervisor/type '%s'", buf);
		if (strcmp(v->name, "none") == 0) {
			v->name = strcmp(buf, "xen") == 0 ? "xen" : "other";
			v->timing = VIRT_ASSISTED;
		}
	}
}

static void
virt_detect_once(void)
{
	struct virt *v = &virt_result;

	v->name = "none";
	v->timing = VIRT_NATIVE;
	virt_from_cpuid(v);
	virt_from_firmware(v);
	if (v->evidence[0] == '\0')
		snprintf(v->evidence, sizeof(v->evidence), "no cpuid "
		    "hypervisor bit, no VM vendor in dmi, no /sys/hypervisor");
	snprintf(v->summary, sizeof(v->summary), "%.32s (%.255s)", v->name,
	    v->evidence);
}

const struct virt *
virt_detect(void)
{
	pthread_once(&virt_once, virt_detect_once);
	return &virt_result;
}

const char *
virt_timings_emulated(const struct virt *v)
{
	switch (v->timing) {
	case VIRT_NATIVE:
		return "no";
	case VIRT_ASSISTED:
		return "no (hardware-assisted virtual machine: native speed, "
		    "shared with other guests)";
	case VIRT_EMULATED:
		return "yes (instructions emulated in software: timings are "
		    "the emulator's; placement is real)";
	default:
		return "unknown (a virtual machine whose accelerator cannot be "
		    "told: do not rank its timings)";
	}
}
