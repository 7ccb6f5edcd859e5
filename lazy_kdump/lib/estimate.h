/* SPDX-License-Identifier: GPL-2.0 */
/*
 * estimate - the crash reservation a crash kernel and capture initrd need,
 * term by term, derived from the files themselves (not a table by RAM).
 *
 *  kernel          bzImage init_size (the memory from its load address it
 *                  needs to decompress and boot), plus alignment slack
 *                  when the kernel wants more than the 2 MiB the buffer
 *                  is aligned to
 *  initrd          the initrd as loaded (its file size)
 *  initrd-unpacked the same unpacked into tmpfs (see initrd.h): both are
 *                  held while the kernel unpacks it
 *  segments        purgatory, boot parameters + command line, and the
 *                  ELF core header the running kernel builds
 *  kernel-runtime  what the crash kernel allocates at run time with
 *                  nr_cpus=1 beyond init_size (per kernel series, below)
 *  makedumpfile    its two cyclic bitmaps plus its resident memory
 *  margin          ESTIMATE_MARGIN_PCT % of the sum + ESTIMATE_MARGIN_FIXED
 *
 * The total is rounded up to ESTIMATE_ALIGN.
 *
 * Split (WORKING_MEMORY=split): the crash region (the core) holds only
 * what kexec_file_load places, kernel + initrd + segments, rounded up,
 * plus ESTIMATE_CORE_SLACK for the placement's alignment; the working
 * memory, a second range, holds the other terms. The crash kernel uses
 * the core too once its initrd is unpacked and its init memory freed.
 */
#ifndef LAZY_KDUMP_ESTIMATE_H
#define LAZY_KDUMP_ESTIMATE_H

#include <stdbool.h>
#include <stdint.h>

#include "bzimage.h"
#include "initrd.h"

#define MiB			(1ULL << 20)
#define ESTIMATE_ALIGN		(2 * MiB)	/* lazy_cma's pageblock */
#define ESTIMATE_MARGIN_PCT	5
#define ESTIMATE_MARGIN_FIXED	(4 * MiB)
#define ESTIMATE_CORE_SLACK	(2 * MiB)
/* The least working memory split accepts for an explicit SIZE. */
#define ESTIMATE_WORK_MIN	(16 * MiB)

/*
 * x86 purgatory (arch/x86/purgatory): text, data, bss and its stack are
 * about 20 KiB on 6.x kernels; this bounds it.
 */
#define ESTIMATE_PURGATORY	(32 * 1024)
/* struct boot_params (one page) plus setup_data (EFI, RNG seed). */
#define ESTIMATE_BOOT_PARAMS	(2 * 4096)
/*
 * makedumpfile's heap, stack and page tables apart from its bitmaps (its
 * code is in the initrd already). Not measured on its own: whatever it
 * really is at the reference guest is inside the measured minimum of the
 * runtime table, so only its growth with RAM (the bitmaps) moves the
 * estimate.
 */
#define ESTIMATE_MDF_RESIDENT	(2 * MiB)
/* makedumpfile caps each cyclic bitmap buffer at 4 MiB. */
#define ESTIMATE_MDF_BITMAP_MAX	(4 * MiB)

enum estimate_term_id {
	EST_KERNEL,
	EST_INITRD,
	EST_INITRD_UNPACKED,
	EST_SEGMENTS,
	EST_RUNTIME,
	EST_MAKEDUMPFILE,
	EST_MARGIN,
	EST_N_TERMS,
};

struct estimate_term {
	const char *name;
	uint64_t bytes;
	char how[400];
};

/*
 * One row of the kernel-runtime table: the smallest reservation that
 * still captured in the reference guest (tests/bench/memory.sh, bisection
 * in 2 MiB steps, 3 captures at every size that passed), and what that
 * guest ran, from which the runtime term is derived as what remains after
 * every other term at that reference point.
 */
struct estimate_runtime_ref {
	const char *series;		/* "6.1", "6.12", "7" */
	unsigned int major;
	int minor;			/* -1: any minor of @major */
	uint64_t measured_min;		/* smallest size that captured */
	uint64_t init_size;		/* init_size of the kernel measured */
	uint64_t initrd_file;		/* its capture initrd, page-rounded */
	uint64_t initrd_unpacked;	/* and unpacked (tmpfs bytes) */
	bool crash_hotplug;		/* CONFIG_CRASH_HOTPLUG elfcorehdr */
	bool provisional;		/* not yet measured by tests/bench */
	const char *measured_on;	/* the kernel release measured, date */
};

/*
 * The reference guest of the table: QEMU TCG, 2 GiB, 2 CPUs, no
 * crashkernel=, the busybox capture initrd of tests/vm/mkinitrd.sh.
 */
#define ESTIMATE_REF_RAM	(2048 * MiB)
#define ESTIMATE_REF_RANGES	2
#define ESTIMATE_REF_CPUS	2
#define ESTIMATE_REF_CMDLINE	512
/* Debian: CONFIG_NR_CPUS_DEFAULT and CONFIG_CRASH_MAX_MEMORY_RANGES. */
#define ESTIMATE_REF_NR_CPUS	8192
#define ESTIMATE_REF_MAX_RANGES	8192

struct estimate_input {
	const struct bzimage_info *kernel;
	const struct initrd_info *initrd;
	uint64_t cmdline_len;
	uint64_t ram_bytes;		/* System RAM */
	uint64_t ram_end;		/* highest RAM address + 1 */
	unsigned int ram_ranges;
	const char *ram_source;		/* "/proc/iomem", "/proc/meminfo" */
	unsigned int possible_cpus;
	uint64_t elfcorehdr_size;	/* from sysfs; 0: compute */
};

struct estimate {
	struct estimate_term term[EST_N_TERMS];
	uint64_t sum;			/* all terms */
	uint64_t total;			/* sum rounded up to ESTIMATE_ALIGN */
	uint64_t hard_min;		/* below this nothing can be loaded */
	uint64_t core;			/* split: the crash region */
	uint64_t work;			/* split: the working memory */
	const struct estimate_runtime_ref *runtime_ref;
	bool runtime_fallback;		/* no row for this series */
};

/*
 * estimate_compute - every term, the total and the hard minimum (kernel +
 * initrd as loaded + segments, rounded up: the bytes kexec_file_load must
 * place, so no size below it can even be loaded).
 */
void estimate_compute(const struct estimate_input *in, struct estimate *ret);

/*
 * estimate_runtime_lookup - the table row for a kernel series: the exact
 * major.minor, else the row for every minor of @major, else (*@fallback
 * set) the row with the largest runtime.
 */
const struct estimate_runtime_ref *
estimate_runtime_lookup(unsigned int major, unsigned int minor,
			bool *fallback);

/* estimate_runtime_bytes - the runtime term a table row stands for. */
uint64_t estimate_runtime_bytes(const struct estimate_runtime_ref *ref);

/* The table itself, for --help and tests. */
const struct estimate_runtime_ref *estimate_runtime_table(unsigned int *n);

/*
 * estimate_elfcorehdr - the ELF core header kexec_file_load places in the
 * reservation: an Elf64_Ehdr plus @sysfs_size of program headers when the
 * running kernel says it (/sys/kernel/crash_elfcorehdr_size, with
 * CONFIG_CRASH_HOTPLUG: arch_crash_get_elfcorehdr_size()), else one
 * Elf64_Ehdr plus a program header per possible CPU, for VMCOREINFO, for
 * the kernel text and per System RAM range; rounded up to a page.
 */
uint64_t estimate_elfcorehdr(uint64_t sysfs_size, unsigned int cpus,
			     unsigned int ram_ranges);

/*
 * estimate_low_size - the low (below 4 GiB) companion of a crash region
 * placed high, sized like the kernel's own crashkernel=X,high default:
 * max(swiotlb size + 8 MiB, 256 MiB), as crash_low_size_default() in
 * arch/x86/include/asm/crash_reserve.h (6.10+; reserve_crashkernel_low()
 * in arch/x86/kernel/setup.c before), rounded up to ESTIMATE_ALIGN.
 */
uint64_t estimate_low_size(uint64_t swiotlb_bytes);

/* Round @v up to ESTIMATE_ALIGN. */
uint64_t estimate_align(uint64_t v);

#endif /* LAZY_KDUMP_ESTIMATE_H */
