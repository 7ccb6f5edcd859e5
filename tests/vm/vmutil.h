/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmutil.h - helpers shared by the lazy_cma VM test programs: raw ioctls on
 * /dev/lazy_cma and readers for /proc/meminfo, /proc/vmstat, /proc/iomem,
 * /proc/kallsyms, /proc/zoneinfo and the NUMA sysfs tree.
 *
 * Every function returns 0 (or a count) on success and -errno on failure,
 * leaves its out-parameters untouched on failure, and never prints.
 */
#ifndef LAZY_VMUTIL_H
#define LAZY_VMUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lazy_cma.h"

#define LC_DEVICE	"/dev/lazy_cma"
#define LC_MODULE	"lazy_cma"

#define KiB		((uint64_t)1 << 10)
#define MiB		((uint64_t)1 << 20)
#define GiB		((uint64_t)1 << 30)
#define FOUR_GIB	((uint64_t)4 << 30)
#define LC_PAGE		((uint64_t)4096)
/* pageblock_nr_pages << PAGE_SHIFT on x86-64 (the tests' only target). */
#define LC_PAGEBLOCK	(2 * MiB)

static inline uint64_t round_up_u64(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

/* ioctl(2) on the device: 0 or -errno. */
int lc_ioctl(int fd, unsigned long cmd, void *arg);

/*
 * Every buffer, in a malloc()ed array of *n entries (free() it). Repeats
 * LIST until the array had room for all.
 */
int lc_list_all(int fd, struct lazy_cma_range **out, uint32_t *n);
/* The entry starting at @phys, or NULL. */
const struct lazy_cma_range *lc_find(const struct lazy_cma_range *r,
				     uint32_t n, uint64_t phys);
/* How many entries have a name starting with @prefix. */
uint32_t lc_count_prefix(const struct lazy_cma_range *r, uint32_t n,
			 const char *prefix);
/* "DMA", "DMA32", "Normal", "Movable" for a LAZY_CMA_ZONE_*; else NULL. */
const char *lc_zone_name(uint32_t zone);
/* LAZY_CMA_ZONE_* of a /proc/zoneinfo zone name; -1 if unknown. */
int lc_zone_code(const char *name);

/* A "Key:   123 kB" line of /proc/meminfo, in bytes. */
int read_meminfo(const char *key, uint64_t *bytes);
/* A "key 123" line of /proc/vmstat. */
int read_vmstat(const char *key, uint64_t *val);
/* Free memory in bytes: nr_free_pages plus the per-cpu free lists. */
int free_bytes(uint64_t *bytes);

struct iomem_ent {
	uint64_t start;
	uint64_t end;		/* inclusive */
	unsigned int depth;	/* nesting level: two spaces per level */
	char name[96];
};

/* Every line of /proc/iomem, malloc()ed. */
int iomem_read(struct iomem_ent **out, size_t *n);
/*
 * Entries named exactly @name: *count gets how many, *exact whether one of
 * them spans exactly [@start, @end].
 */
int iomem_find(const char *name, uint64_t start, uint64_t end,
	       size_t *count, bool *exact);
/* How many entries have a name starting with @prefix. */
int iomem_count_prefix(const char *prefix, size_t *count);
/* Whether an entry named @name exists. */
int iomem_has(const char *name, bool *yes);
/* Whether some "System RAM" ends at or above @addr. */
int iomem_ram_above(uint64_t addr, bool *yes);

/*
 * Address of a core-kernel symbol (no "[module]") of /proc/kallsyms.
 * -ENOENT when absent, -EACCES when the kernel hides addresses (zeros).
 */
int kallsyms_addr(const char *sym, uint64_t *addr);

struct zone_ent {
	int node;
	char name[16];
	uint64_t free;		/* pages */
	uint64_t spanned;	/* pages */
	uint64_t present;	/* pages */
	uint64_t managed;	/* pages */
	uint64_t start_pfn;
	bool has_start_pfn;
};

/* Every zone of /proc/zoneinfo, malloc()ed. */
int zoneinfo_read(struct zone_ent **out, size_t *n);

/* Whether /sys/devices/system/node/node@node exists. */
bool node_exists(int node);
/*
 * The nodes with memory (/sys/devices/system/node/has_memory), at most
 * @max of them; { 0 } on kernels without the NUMA sysfs tree.
 */
int nodes_with_memory(int *nodes, int max, int *n);
/*
 * The node whose memory blocks hold all of [@phys, @phys + @len):
 * -ENOENT when a block is in no node, -EXDEV when it spans nodes.
 */
int node_of_range(uint64_t phys, uint64_t len, int *node);

/* Whether /sys/module/@name exists (the module is loaded). */
bool module_loaded(const char *name);

/* /sys/kernel/kexec_crash_loaded: 0, 1, or -1 when it cannot be read. */
int kexec_crash_loaded_read(void);

/*
 * kexec_file_load(KEXEC_FILE_ON_CRASH) of @kernel and @initrd with
 * @cmdline; with @kernel NULL, unload the crash kernel. 0 or -errno.
 */
int kexec_crash_file_load(const char *kernel, const char *initrd,
			  const char *cmdline);

#endif /* LAZY_VMUTIL_H */
