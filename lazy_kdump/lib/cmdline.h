/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmdline - the crash kernel's command line, derived from the running
 * kernel's as kdump-utils' kdumpctl (prepare_cmdline()) and Debian's
 * kdump-tools do.
 *
 * Words are split as the kernel's next_arg() splits them: at blanks
 * outside double quotes. A word's name is what comes before its first '='
 * (a leading quote dropped); '-' and '_' in names are the same, as for
 * kernel parameters.
 *
 * The crash command line is, in order:
 *  1. the running kernel's words up to a "--" (what follows it are
 *     arguments of the running system's init, meaningless to the capture
 *     initrd's /init, and the kernel would hand our words after it to init
 *     too: they are dropped), without those that CMDLINE_ALWAYS_REMOVE
 *     or the remove list (CMDLINE_REMOVE; default CMDLINE_DEFAULT_REMOVE)
 *     match;
 *  2. the append list (CMDLINE_APPEND; default CMDLINE_DEFAULT_APPEND);
 *  3. the caller's extra words (--append);
 *  4. disable_cpu_apicid=N, the boot CPU's APIC id, when known and the
 *     words so far contain nr_cpus=1 (kdumpctl does the same: a crash
 *     kernel started on another CPU must not send INIT to the boot CPU).
 * A word NAME=VALUE of 2.-4. replaces every earlier word named NAME
 * (console= excepted: consoles add up), and a word without '=' is not
 * added twice, so --append "nr_cpus=2" overrides the default nr_cpus=1.
 *
 * A remove pattern is NAME (every word so named), NAME=VALUE (that exact
 * word) or PREFIX* (every word whose name starts with PREFIX).
 */
#ifndef LAZY_KDUMP_CMDLINE_H
#define LAZY_KDUMP_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "lkerr.h"

/*
 * Never passed on: crashkernel= (the crash kernel reserves nothing),
 * panic_on_warn (a warning in the capture kernel must not kill the dump;
 * kdumpctl removes both unconditionally), BOOT_IMAGE= and initrd= (the
 * boot loader's notes about the running kernel's own files), rd.luks* and
 * luks* (the running system's LUKS volumes: with rd.luks.uuid= naming
 * another volume, systemd-cryptsetup-generator opens only the volumes
 * named there and skips the capture initrd's crypttab, which opens the
 * dump target's; rd.luks=no disables it).
 */
#define CMDLINE_ALWAYS_REMOVE	"crashkernel panic_on_warn BOOT_IMAGE initrd rd.luks* luks*"

/*
 * kdump-utils' x86_64 KDUMP_COMMANDLINE_REMOVE (gen-kdump-sysconfig.sh),
 * plus default_hugepagesz: huge page and CMA reservations would take the
 * crash kernel's little memory, quiet hides its console, log_buf_len and
 * slub_debug cost memory, swiotlb= sizes a bounce buffer for the big
 * machine.
 */
#define CMDLINE_DEFAULT_REMOVE \
	"hugepages hugepagesz default_hugepagesz slub_debug quiet log_buf_len swiotlb cma hugetlb_cma ignition.firstboot"

/*
 * kdump-utils' x86_64 KDUMP_COMMANDLINE_APPEND (gen-kdump-sysconfig.sh),
 * unchanged: irqpoll and reset_devices for devices the crashed kernel left
 * busy; nr_cpus=1, numa=off, cgroup_disable=memory, transparent_hugepage=
 * never, cma=0, hugetlb_cma=0 to keep the kernel's own memory small (the
 * sizing table was measured with them); mce=off, hest_disable,
 * acpi_no_memhotplug, pcie_ports=compat to keep firmware and PCIe port
 * services out of the way; nokaslr for a fixed layout in the small
 * region; novmcoredd; panic=10 so a failing capture kernel reboots instead
 * of hanging; udev.children-max=2 for a dracut-built capture initrd.
 */
#define CMDLINE_DEFAULT_APPEND \
	"irqpoll nr_cpus=1 reset_devices cgroup_disable=memory mce=off numa=off udev.children-max=2 panic=10 acpi_no_memhotplug transparent_hugepage=never nokaslr hest_disable novmcoredd cma=0 hugetlb_cma=0 pcie_ports=compat"

/*
 * kexec_file_load appends "elfcorehdr=0x... " to a crash kernel's command
 * line and refuses one longer than the bzImage's cmdline_size minus this
 * (MAX_ELFCOREHDR_STR_LEN in arch/x86/kernel/kexec-bzimage64.c).
 */
#define CMDLINE_ELFCOREHDR_RESERVE	30

/* The kernel's default swiotlb (IO_TLB_DEFAULT_SIZE) and slab size. */
#define SWIOTLB_DEFAULT_BYTES	(64ULL << 20)
#define SWIOTLB_SLAB_SHIFT	11
#define SWIOTLB_SEGSIZE		128

struct cmdline_spec {
	const char *base;	/* the running kernel's command line */
	const char *remove;	/* NULL: CMDLINE_DEFAULT_REMOVE */
	const char *append;	/* NULL: CMDLINE_DEFAULT_APPEND */
	const char *extra;	/* more words to append, or NULL */
	int boot_apicid;	/* the boot CPU's APIC id, or -1 */
};

/*
 * cmdline_split - the words of @s
 * @ret: malloc()ed array of malloc()ed words (cmdline_words_free())
 *
 * Return: 0 or -ENOMEM.
 */
int cmdline_split(const char *s, char ***ret, size_t *ret_n);
void cmdline_words_free(char **w, size_t n);

/*
 * cmdline_build - the crash command line, see above
 * @ret: malloc()ed, words separated by one space
 *
 * Return: 0, -ENOMEM, or -EINVAL when a word contains a newline or a
 * control character (detail in @e).
 */
int cmdline_build(const struct cmdline_spec *s, char **ret,
		  struct lk_error *e);

/*
 * cmdline_fits - whether kexec_file_load accepts a crash command line of
 * @len characters for a kernel whose header says @cmdline_size.
 */
int cmdline_fits(size_t len, uint32_t cmdline_size);

/*
 * cmdline_value - the value of the last NAME=VALUE word of @s, quotes
 * kept, in a malloc()ed string
 *
 * Return: 0, -ENOENT (no such word), -ENOMEM.
 */
int cmdline_value(const char *s, const char *name, char **ret);

/*
 * cmdline_swiotlb_bytes - the swiotlb size a kernel booted with @s uses:
 * swiotlb=N[,...] means N (rounded up to 128) slabs of 2 KiB
 * (kernel/dma/swiotlb.c, setup_io_tlb_npages()), otherwise 64 MiB.
 */
uint64_t cmdline_swiotlb_bytes(const char *s);

#endif /* LAZY_KDUMP_CMDLINE_H */
