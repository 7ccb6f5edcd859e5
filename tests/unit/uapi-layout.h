/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned layout of every struct of lazy_cma.h, as X-macros, shared by
 * test-uapi.c (run time, TAP) and uapi-layout-static.c (compile time, for
 * other ABIs such as i386). Changing a line here changes the ABI: don't,
 * add new ioctls instead.
 *
 * The first three structs and command numbers are those of the seed
 * project (multikernel/lazy_cma): its lazy_cma_tool and programs built
 * against it keep working.
 */
#ifndef LAZY_KDUMP_UAPI_LAYOUT_H
#define LAZY_KDUMP_UAPI_LAYOUT_H

/* X(struct, size) */
#define UAPI_SIZES(X) \
	X(lazy_cma_allocation_data, 88) \
	X(lazy_cma_resize_data, 16) \
	X(lazy_cma_range, 112) \
	X(lazy_cma_list, 24) \
	X(lazy_cma_crash_bind, 24) \
	X(lazy_cma_crash_unbind, 16) \
	X(lazy_cma_kexec_lock, 16) \
	X(lazy_cma_alloc_report, 64)

/* X(struct, member, offset, size) */
#define UAPI_MEMBERS(X) \
	X(lazy_cma_allocation_data, len, 0, 8) \
	X(lazy_cma_allocation_data, phys_addr, 8, 8) \
	X(lazy_cma_allocation_data, node, 16, 4) \
	X(lazy_cma_allocation_data, flags, 20, 4) \
	X(lazy_cma_allocation_data, name, 24, 64) \
	X(lazy_cma_resize_data, phys_addr, 0, 8) \
	X(lazy_cma_resize_data, len, 8, 8) \
	X(lazy_cma_range, phys_addr, 0, 8) \
	X(lazy_cma_range, len, 8, 8) \
	X(lazy_cma_range, node, 16, 4) \
	X(lazy_cma_range, zone, 20, 4) \
	X(lazy_cma_range, flags, 24, 4) \
	X(lazy_cma_range, map_count, 28, 4) \
	X(lazy_cma_range, alloc_ns, 32, 8) \
	X(lazy_cma_range, alloc_attempts, 40, 4) \
	X(lazy_cma_range, reserved, 44, 4) \
	X(lazy_cma_range, name, 48, 64) \
	X(lazy_cma_list, flags, 0, 4) \
	X(lazy_cma_list, entry_size, 4, 4) \
	X(lazy_cma_list, count, 8, 4) \
	X(lazy_cma_list, reserved, 12, 4) \
	X(lazy_cma_list, entries, 16, 8) \
	X(lazy_cma_crash_bind, phys_addr, 0, 8) \
	X(lazy_cma_crash_bind, res_addr, 8, 8) \
	X(lazy_cma_crash_bind, flags, 16, 4) \
	X(lazy_cma_crash_bind, reserved, 20, 4) \
	X(lazy_cma_crash_unbind, phys_addr, 0, 8) \
	X(lazy_cma_crash_unbind, flags, 8, 4) \
	X(lazy_cma_crash_unbind, reserved, 12, 4) \
	X(lazy_cma_kexec_lock, addr, 0, 8) \
	X(lazy_cma_kexec_lock, flags, 8, 4) \
	X(lazy_cma_kexec_lock, reserved, 12, 4) \
	X(lazy_cma_alloc_report, flags, 0, 4) \
	X(lazy_cma_alloc_report, op, 4, 4) \
	X(lazy_cma_alloc_report, error, 8, 4) \
	X(lazy_cma_alloc_report, attempts, 12, 4) \
	X(lazy_cma_alloc_report, windows, 16, 4) \
	X(lazy_cma_alloc_report, sweep, 20, 4) \
	X(lazy_cma_alloc_report, len, 24, 8) \
	X(lazy_cma_alloc_report, largest, 32, 8) \
	X(lazy_cma_alloc_report, ns, 40, 8) \
	X(lazy_cma_alloc_report, reserved, 48, 16)

/*
 * X(command, value, nr, dir, size): the full command value as x86, arm64,
 * riscv and s390 encode it (dir << 30 | size << 16 | 'H' << 8 | nr), and
 * its decoded parts. dir: 1 write (_IOW), 3 read+write (_IOWR).
 */
#define UAPI_COMMANDS(X) \
	X(LAZY_CMA_IOCTL_ALLOC, 0xc0584800U, 0, 3, 88) \
	X(LAZY_CMA_IOCTL_RESIZE, 0xc0104801U, 1, 3, 16) \
	X(LAZY_CMA_IOCTL_FREE, 0x40084802U, 2, 1, 8) \
	X(LAZY_CMA_IOCTL_LIST, 0xc0184803U, 3, 3, 24) \
	X(LAZY_CMA_IOCTL_CRASH_BIND, 0x40184804U, 4, 1, 24) \
	X(LAZY_CMA_IOCTL_CRASH_UNBIND, 0x40104805U, 5, 1, 16) \
	X(LAZY_CMA_IOCTL_KEXEC_LOCK, 0x40104806U, 6, 1, 16) \
	X(LAZY_CMA_IOCTL_ALLOC_REPORT, 0xc0404807U, 7, 3, 64)

/* X(name, value): the constants programs compile in. */
#define UAPI_CONSTANTS(X) \
	X(LAZY_CMA_IOC_MAGIC, 'H') \
	X(LAZY_CMA_NAME_MAX, 64) \
	X(LAZY_CMA_ALLOC_BELOW_4G, 1) \
	X(LAZY_CMA_ALLOC_ABOVE_4G, 2) \
	X(LAZY_CMA_ALLOC_VALID_FLAGS, 3) \
	X(LAZY_CMA_ZONE_DMA, 0) \
	X(LAZY_CMA_ZONE_DMA32, 1) \
	X(LAZY_CMA_ZONE_NORMAL, 2) \
	X(LAZY_CMA_ZONE_MOVABLE, 3) \
	X(LAZY_CMA_ZONE_OTHER, 255) \
	X(LAZY_CMA_RANGE_CRASH, 1) \
	X(LAZY_CMA_RANGE_CRASH_LOW, 2) \
	X(LAZY_CMA_RANGE_CRASH_LOADED, 4) \
	X(LAZY_CMA_RANGE_MAPPED, 8) \
	X(LAZY_CMA_RANGE_SIZE_V1, 112) \
	X(LAZY_CMA_CRASH_LOW, 1) \
	X(LAZY_CMA_CRASH_VALID_FLAGS, 1) \
	X(LAZY_CMA_REPORT_ALLOC, 1) \
	X(LAZY_CMA_REPORT_RESIZE, 2) \
	X(LAZY_CMA_REPORT_SWEPT, 1) \
	X(LAZY_CMA_REPORT_SWEEP_CUT, 2) \
	X(LAZY_CMA_REPORT_INTERRUPTED, 4)

#endif /* LAZY_KDUMP_UAPI_LAYOUT_H */
