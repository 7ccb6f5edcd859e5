/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lazy_cma: runtime physically contiguous memory, without cma= or
 * crashkernel= at boot.
 *
 * This header is the whole ABI of /dev/lazy_cma. It is shared, unchanged,
 * by the kernel module and by userspace, and compiles standalone as C90.
 * Hence flags are (1U << n), not the kernel-internal BIT(n) that
 * checkpatch --strict suggests.
 *
 * Ioctls 0x00-0x02 keep the numbers and struct layouts of the seed project
 * (multikernel/lazy_cma), so programs written for it keep working: the
 * only change is that its "pad" field is now &lazy_cma_allocation_data.flags,
 * where 0 keeps the old meaning and unknown bits are rejected.
 *
 * General rules, for every ioctl:
 *  - The device node is mode 0600 (root); the caller also needs
 *    CAP_SYS_ADMIN, for every ioctl and for mmap, and CAP_SYS_BOOT (as
 *    kexec_load(2) does) for %LAZY_CMA_IOCTL_KEXEC_LOCK,
 *    %LAZY_CMA_IOCTL_CRASH_BIND and %LAZY_CMA_IOCTL_CRASH_UNBIND;
 *    otherwise -EPERM.
 *  - The whole command (type, number, size, direction) must match one
 *    defined below; otherwise -ENOTTY.
 *  - Fields documented "must be 0" and flag bits not defined here give
 *    -EINVAL.
 *  - An argument pointer that cannot be read or written gives -EFAULT.
 *  - Buffers are identified by their physical start address, outlive the
 *    file descriptor and the process that allocated them, and are freed by
 *    %LAZY_CMA_IOCTL_FREE or when the module is unloaded.
 *  - Lengths are rounded up to whole pages. Allocations start on a
 *    pageblock boundary (2 MiB on x86-64).
 *  - A fatal signal while waiting for another caller's operation gives
 *    -EINTR.
 *  - Pages that may hold data (mapped by a process, or holding a crash
 *    kernel while bound) are zeroed before they go back to the page
 *    allocator and when a buffer is unbound: nothing of a crash kernel,
 *    or of what a process wrote, survives in memory others can get.
 *
 * mmap(2) of the device maps a buffer: the offset is the buffer's physical
 * address, the length at most the buffer's length, and the buffer is
 * zeroed before it is first mapped. A mapped buffer cannot be freed,
 * moved, shrunk or bound (-EBUSY); a bound buffer, or one being
 * resized, cannot be mapped (-EBUSY).
 */
#ifndef _UAPI_LINUX_LAZY_CMA_H
#define _UAPI_LINUX_LAZY_CMA_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LAZY_CMA_IOC_MAGIC	'H'

/** define LAZY_CMA_NAME_MAX - size of a name, including its NUL. */
#define LAZY_CMA_NAME_MAX	64

/** define LAZY_CMA_DEFAULT_NAME - the /proc/iomem name of unnamed buffers. */
#define LAZY_CMA_DEFAULT_NAME	"lazy_cma"

/*
 * Flags of &lazy_cma_allocation_data.flags.
 *
 * LAZY_CMA_ALLOC_BELOW_4G: the whole range must lie below 4 GiB (what an
 * x86 crash kernel needs for DMA and swiotlb).
 * LAZY_CMA_ALLOC_ABOVE_4G: the whole range must lie at or above 4 GiB.
 */
#define LAZY_CMA_ALLOC_BELOW_4G		(1U << 0)
#define LAZY_CMA_ALLOC_ABOVE_4G		(1U << 1)
#define LAZY_CMA_ALLOC_VALID_FLAGS	(LAZY_CMA_ALLOC_BELOW_4G | \
					 LAZY_CMA_ALLOC_ABOVE_4G)

/**
 * struct lazy_cma_allocation_data - argument of %LAZY_CMA_IOCTL_ALLOC
 * @len: in: length in bytes, rounded up to a whole page; not 0.
 * @phys_addr: out: physical address of the new buffer.
 * @node: in: NUMA node to allocate from, or -1 for any node.
 * @flags: in: LAZY_CMA_ALLOC_* flags; 0 for the seed project's behaviour.
 * @name: in: the buffer's name in /proc/iomem, NUL-terminated, printable
 *	ASCII; empty means %LAZY_CMA_DEFAULT_NAME.
 *
 * Buffers are long-lived and unmovable, so they go in kernel zones:
 * ZONE_NORMAL first, then ZONE_DMA32 (never ZONE_DMA), so that memory
 * devices need stays free as long as possible. ZONE_MOVABLE is used only
 * when the request (its @node and placement flags) has no kernel zone at
 * all, e.g. a CXL or hot-plugged node onlined movable: a buffer there
 * keeps its memory blocks from being offlined (hot-unplug, virtio-mem)
 * until it is freed, and the kernel log says so.
 */
struct lazy_cma_allocation_data {
	__u64 len;
	__u64 phys_addr;
	__s32 node;
	__u32 flags;
	char name[LAZY_CMA_NAME_MAX];
};

/**
 * define LAZY_CMA_IOCTL_ALLOC - allocate a physically contiguous buffer
 *
 * Takes a &struct lazy_cma_allocation_data.
 *
 * Return: 0 with @phys_addr set on success, or -1 with errno:
 *  - %EINVAL: @len is 0 or larger than all memory of the eligible zones
 *    (zones of @node, if given, that satisfy the placement flags; none at
 *    all, e.g. ABOVE_4G on a machine without memory above 4 GiB, counts
 *    as zero); unknown @flags, or both placement flags; @node below -1; @name not
 *    NUL-terminated or not printable.
 *  - %ENODEV: @node is not online or has no memory.
 *  - %ENOMEM: no free contiguous window of @len could be taken (memory too
 *    full or too fragmented): the cheapest screened windows failed and so
 *    did a sweep of every window offset, which can take seconds on a large
 *    machine; %LAZY_CMA_IOCTL_ALLOC_REPORT (and the kernel log) says
 *    how large the largest candidate window was.
 *  - %EINTR: a fatal signal arrived while pages were being migrated or
 *    windows swept.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_ALLOC	_IOWR(LAZY_CMA_IOC_MAGIC, 0x0, \
				      struct lazy_cma_allocation_data)

/**
 * struct lazy_cma_resize_data - argument of %LAZY_CMA_IOCTL_RESIZE
 * @phys_addr: in: identifies the buffer; out: its (possibly new) address.
 * @len: in: the new length, rounded up to a whole page; not 0.
 *	out: the new length.
 *
 * Growing takes the neighbouring pages when it can (the address stays) and
 * otherwise moves the buffer to a new window, copying its contents. The
 * buffer's placement constraints (node, below/above 4 GiB) are kept.
 * Shrinking gives back the tail; the same length changes nothing. A
 * buffer bound as crashk_low_res stays below 4 GiB. When
 * several errors apply, argument errors (%EFAULT, %EINVAL) come first,
 * then %ENOENT, then state errors (%EBUSY). A buffer bound as the crash-kernel region
 * may be resized while no crash kernel is loaded; the kernel's crash
 * region follows it.
 */
struct lazy_cma_resize_data {
	__u64 phys_addr;
	__u64 len;
};

/**
 * define LAZY_CMA_IOCTL_RESIZE - grow or shrink a buffer
 *
 * Takes a &struct lazy_cma_resize_data.
 *
 * Return: 0 on success (the buffer is unchanged on any failure), or -1
 * with errno:
 *  - %EINVAL: @len is 0 or larger than all memory of the eligible zones.
 *  - %ENOENT: no buffer starts at @phys_addr.
 *  - %EBUSY: a crash kernel is loaded into the buffer; or, for a bound
 *    buffer, a kexec load or unload is in progress (try again); or the
 *    buffer is mapped and would have to move or shrink; or another
 *    resize, free, bind or first mapping of the same buffer is in
 *    progress.
 *  - %ENOMEM: the buffer cannot grow in place and no window for the new
 *    length was found (%LAZY_CMA_IOCTL_ALLOC_REPORT says how large the
 *    largest was).
 *  - %EINTR: a fatal signal arrived while pages were being migrated, or
 *    while waiting for another operation.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_RESIZE	_IOWR(LAZY_CMA_IOC_MAGIC, 0x1, \
				      struct lazy_cma_resize_data)

/**
 * define LAZY_CMA_IOCTL_FREE - free a buffer
 *
 * Takes a __u64, the buffer's physical address. The pages go back to the
 * page allocator.
 *
 * Return: 0 on success, or -1 with errno:
 *  - %ENOENT: no buffer starts at that address (also after a double free).
 *  - %EBUSY: the buffer is bound as a crash-kernel region (unbind it
 *    first), is mapped, or is being resized or mapped.
 *  - %EINTR: a fatal signal arrived while waiting for another operation.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_FREE	_IOW(LAZY_CMA_IOC_MAGIC, 0x2, __u64)

/* Values of &lazy_cma_range.zone. */
#define LAZY_CMA_ZONE_DMA	0
#define LAZY_CMA_ZONE_DMA32	1
#define LAZY_CMA_ZONE_NORMAL	2
#define LAZY_CMA_ZONE_MOVABLE	3
#define LAZY_CMA_ZONE_OTHER	255

/*
 * Flags of &lazy_cma_range.flags.
 *
 * LAZY_CMA_RANGE_CRASH: bound as the kernel's crash-kernel region
 * (crashk_res). LAZY_CMA_RANGE_CRASH_LOW: bound as its below-4-GiB
 * companion (crashk_low_res). LAZY_CMA_RANGE_CRASH_LOADED: bound, and a
 * crash kernel is loaded (kexec_crash_loaded()). LAZY_CMA_RANGE_MAPPED:
 * mapped by at least one process.
 */
#define LAZY_CMA_RANGE_CRASH		(1U << 0)
#define LAZY_CMA_RANGE_CRASH_LOW	(1U << 1)
#define LAZY_CMA_RANGE_CRASH_LOADED	(1U << 2)
#define LAZY_CMA_RANGE_MAPPED		(1U << 3)

/**
 * struct lazy_cma_range - one buffer, as listed by %LAZY_CMA_IOCTL_LIST
 * @phys_addr: physical start address.
 * @len: length in bytes.
 * @node: NUMA node the buffer lies on.
 * @zone: LAZY_CMA_ZONE_* of the zone the buffer lies in.
 * @flags: LAZY_CMA_RANGE_* flags.
 * @map_count: number of mappings of the buffer.
 * @alloc_ns: how long the allocation (or the last resize) took.
 * @alloc_attempts: how many alloc_contig_range() calls it took.
 * @reserved: 0.
 * @name: the buffer's /proc/iomem name, NUL-terminated.
 */
struct lazy_cma_range {
	__aligned_u64 phys_addr;
	__aligned_u64 len;
	__s32 node;
	__u32 zone;
	__u32 flags;
	__u32 map_count;
	__aligned_u64 alloc_ns;
	__u32 alloc_attempts;
	__u32 reserved;
	char name[LAZY_CMA_NAME_MAX];
};

/** define LAZY_CMA_RANGE_SIZE_V1 - size of the first &struct lazy_cma_range. */
#define LAZY_CMA_RANGE_SIZE_V1	112

/**
 * struct lazy_cma_list - argument of %LAZY_CMA_IOCTL_LIST
 * @flags: in: must be 0.
 * @entry_size: in: the size of one &struct lazy_cma_range as the caller
 *	knows it; at least %LAZY_CMA_RANGE_SIZE_V1. A larger size gets the
 *	fields this kernel knows and zeroes after them.
 * @count: in: how many entries @entries has room for (may be 0).
 *	out: how many buffers exist. When that is more than the room, only
 *	the first ones were written: call again with a larger array.
 * @reserved: must be 0.
 * @entries: in: user address of @count entries of @entry_size bytes,
 *	ordered by physical address on return.
 */
struct lazy_cma_list {
	__u32 flags;
	__u32 entry_size;
	__u32 count;
	__u32 reserved;
	__aligned_u64 entries;
};

/**
 * define LAZY_CMA_IOCTL_LIST - list every buffer
 *
 * Takes a &struct lazy_cma_list.
 *
 * Return: 0 with @count set, or -1 with errno:
 *  - %EINVAL: @flags or @reserved not 0, @entry_size too small or above
 *    4096, @count above 65536.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_LIST	_IOWR(LAZY_CMA_IOC_MAGIC, 0x3, \
				      struct lazy_cma_list)

/*
 * Flags of &lazy_cma_crash_bind.flags.
 *
 * LAZY_CMA_CRASH_LOW: bind as crashk_low_res, the below-4-GiB companion of
 * a crash region placed high; @res_addr is then crashk_low_res's address.
 */
#define LAZY_CMA_CRASH_LOW		(1U << 0)
#define LAZY_CMA_CRASH_VALID_FLAGS	LAZY_CMA_CRASH_LOW

/**
 * struct lazy_cma_crash_bind - argument of %LAZY_CMA_IOCTL_CRASH_BIND
 * @phys_addr: in: the buffer to bind.
 * @res_addr: in: the kernel address of crashk_res (or, with
 *	%LAZY_CMA_CRASH_LOW, of crashk_low_res), as /proc/kallsyms shows it.
 *	The module never calls anything through it: it checks that the
 *	address is that symbol and that the resource there is an empty,
 *	unregistered "Crash kernel" resource before it writes to it.
 * @flags: in: LAZY_CMA_CRASH_* flags.
 * @reserved: must be 0.
 */
struct lazy_cma_crash_bind {
	__aligned_u64 phys_addr;
	__aligned_u64 res_addr;
	__u32 flags;
	__u32 reserved;
};

/**
 * define LAZY_CMA_IOCTL_CRASH_BIND - make a buffer the crash-kernel region
 *
 * Takes a &struct lazy_cma_crash_bind. Afterwards /proc/iomem shows
 * "Crash kernel" at exactly the buffer, /sys/kernel/kexec_crash_size
 * reports its size, and kexec_file_load(KEXEC_FILE_ON_CRASH) loads into
 * it. While any buffer is bound the module cannot be unloaded, and writes
 * to /sys/kernel/kexec_crash_size that would shrink the region fail with
 * EINVAL (writing the current size succeeds and changes nothing; while a
 * crash kernel is loaded the kernel refuses every write with ENOENT). While
 * bound, the buffer's pages are reserved memory, as a crashkernel=
 * region's are: if the kernel shrinks the region anyway (kprobes switched
 * off in debugfs), it hands back only what it takes, and the module
 * follows (the buffer shrinks, or is gone when shrunk to 0).
 *
 * Binding, unbinding and resizing a bound buffer hold the kernel's kexec
 * lock (given by %LAZY_CMA_IOCTL_KEXEC_LOCK) for their few steps, so they
 * never overlap a kexec_file_load() or a write to kexec_crash_size; if
 * one is in progress they fail with %EBUSY.
 *
 * Return: 0 on success, or -1 with errno:
 *  - %EINVAL: unknown @flags, @reserved not 0; @res_addr is not the
 *    address of crashk_res (crashk_low_res with %LAZY_CMA_CRASH_LOW) or
 *    the resource there is not the kernel's untouched crash resource; a
 *    low binding of a buffer that does not lie below 4 GiB.
 *  - %ENOENT: no buffer starts at @phys_addr.
 *  - %EEXIST: the kernel already has a crash region of that kind (a
 *    boot-time crashkernel= reservation, or another bound buffer).
 *  - %EBUSY: the buffer is already bound, is mapped or is being resized;
 *    a crash kernel is already loaded; a kexec load or unload is in
 *    progress (try again).
 *  - %ENOLCK: the kexec lock's address has not been given
 *    (%LAZY_CMA_IOCTL_KEXEC_LOCK).
 *  - %EOPNOTSUPP: this kernel lacks what binding needs safely (kexec
 *    support, kprobes on crash_shrink_memory()).
 *  - %EINTR: a fatal signal arrived while waiting for another operation.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_CRASH_BIND	_IOW(LAZY_CMA_IOC_MAGIC, 0x4, \
					     struct lazy_cma_crash_bind)

/**
 * struct lazy_cma_crash_unbind - argument of %LAZY_CMA_IOCTL_CRASH_UNBIND
 * @phys_addr: in: the bound buffer.
 * @flags: in: must be 0.
 * @reserved: must be 0.
 */
struct lazy_cma_crash_unbind {
	__aligned_u64 phys_addr;
	__u32 flags;
	__u32 reserved;
};

/**
 * define LAZY_CMA_IOCTL_CRASH_UNBIND - give the crash-kernel region back
 *
 * Takes a &struct lazy_cma_crash_unbind. Restores the kernel's crash
 * resource exactly as it was before the bind; the buffer stays allocated
 * and is zeroed (it held the crash kernel, whose images may carry keys).
 * On hosts with memory encryption (SME) the pages kexec made decrypted
 * are made encrypted again first.
 *
 * Return: 0 on success, or -1 with errno:
 *  - %EINVAL: @flags or @reserved not 0; the buffer is not bound.
 *  - %ENOENT: no buffer starts at @phys_addr.
 *  - %EBUSY: a crash kernel is loaded (unload it first, e.g.
 *    kexec -p -u), a kexec load or unload is in progress (try again), or
 *    the buffer is being resized.
 *  - %EINTR: a fatal signal arrived while waiting for another operation.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_CRASH_UNBIND	_IOW(LAZY_CMA_IOC_MAGIC, 0x5, \
					     struct lazy_cma_crash_unbind)

/**
 * struct lazy_cma_kexec_lock - argument of %LAZY_CMA_IOCTL_KEXEC_LOCK
 * @addr: in: the kernel address of the kexec lock, __kexec_lock, as
 *	/proc/kallsyms shows it. The module checks that the address is
 *	exactly that symbol and of its size before it uses it.
 * @flags: in: must be 0.
 * @reserved: in: must be 0.
 */
struct lazy_cma_kexec_lock {
	__aligned_u64 addr;
	__u32 flags;
	__u32 reserved;
};

/**
 * define LAZY_CMA_IOCTL_KEXEC_LOCK - tell the module where the kexec lock is
 *
 * Takes a &struct lazy_cma_kexec_lock. The kernel serialises
 * kexec_file_load(), kexec_load() and writes to kexec_crash_size with a
 * lock it does not export; binding needs it (see
 * %LAZY_CMA_IOCTL_CRASH_BIND), so it must be given once after the module
 * is loaded, before the first bind. Giving it again is harmless.
 *
 * Return: 0 on success, or -1 with errno:
 *  - %EINVAL: @flags or @reserved not 0; @addr is not __kexec_lock.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_KEXEC_LOCK	_IOW(LAZY_CMA_IOC_MAGIC, 0x6, \
					     struct lazy_cma_kexec_lock)

/* Values of &lazy_cma_alloc_report.op. */
#define LAZY_CMA_REPORT_ALLOC		1
#define LAZY_CMA_REPORT_RESIZE		2

/*
 * Flags of &lazy_cma_alloc_report.sweep.
 *
 * LAZY_CMA_REPORT_SWEPT: the screened windows all failed and every window
 * offset was swept. LAZY_CMA_REPORT_SWEEP_CUT: the sweep stopped at the
 * module's sweep_ms limit. LAZY_CMA_REPORT_INTERRUPTED: a fatal signal
 * stopped the allocation.
 */
#define LAZY_CMA_REPORT_SWEPT		(1U << 0)
#define LAZY_CMA_REPORT_SWEEP_CUT	(1U << 1)
#define LAZY_CMA_REPORT_INTERRUPTED	(1U << 2)

/**
 * struct lazy_cma_alloc_report - argument of %LAZY_CMA_IOCTL_ALLOC_REPORT
 * @flags: in: must be 0. Every other field is only written.
 * @op: out: LAZY_CMA_REPORT_ALLOC or LAZY_CMA_REPORT_RESIZE.
 * @error: out: 0, -ENOMEM or -EINTR: what that call returned.
 * @attempts: out: alloc_contig_range() calls it made.
 * @windows: out: candidate windows that passed screening.
 * @sweep: out: LAZY_CMA_REPORT_* flags.
 * @len: out: the length asked for, in bytes, rounded up to whole pages.
 * @largest: out: the largest window, in bytes, that screening found usable
 *	(free or movable pages only, in the zones and placement the call
 *	could use; also when the request was refused at once because not
 *	that much memory was free or reclaimable); 0 when no screening ran
 *	(a shrink, a grow in place). After %ENOMEM this is what the caller
 *	could ask for instead, as far as screening could tell.
 * @ns: out: how long the allocator took, in nanoseconds.
 * @reserved: out: 0.
 */
struct lazy_cma_alloc_report {
	__u32 flags;
	__u32 op;
	__s32 error;
	__u32 attempts;
	__u32 windows;
	__u32 sweep;
	__aligned_u64 len;
	__aligned_u64 largest;
	__aligned_u64 ns;
	__aligned_u64 reserved[2];
};

/**
 * define LAZY_CMA_IOCTL_ALLOC_REPORT - how the last allocation went
 *
 * Takes a &struct lazy_cma_alloc_report and fills it with the outcome of
 * the last %LAZY_CMA_IOCTL_ALLOC or %LAZY_CMA_IOCTL_RESIZE made on this
 * open file that succeeded or failed with %ENOMEM or %EINTR (calls that
 * failed otherwise leave the report as it was). Open files do not share
 * reports; a forked child shares its parent's open file, and so the
 * report. This is how a program learns, after %ENOMEM, how large a
 * window there was, without reading the kernel log.
 *
 * Return: 0 with the report, or -1 with errno:
 *  - %EINVAL: @flags not 0.
 *  - %ENODATA: no such allocation or resize has been made on this open
 *    file yet.
 *  - %EPERM, %EFAULT, %ENOTTY: see the general rules.
 */
#define LAZY_CMA_IOCTL_ALLOC_REPORT	_IOWR(LAZY_CMA_IOC_MAGIC, 0x7, \
					      struct lazy_cma_alloc_report)

#endif /* _UAPI_LINUX_LAZY_CMA_H */
