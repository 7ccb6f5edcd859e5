/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kallsyms - find the address of a kernel symbol in /proc/kallsyms.
 */
#ifndef LAZY_KDUMP_KALLSYMS_H
#define LAZY_KDUMP_KALLSYMS_H

#include <stdint.h>
#include <stdio.h>

#define KALLSYMS_PATH	"/proc/kallsyms"

/*
 * kallsyms_lookup - address of the core-kernel symbol @name
 * @path: the kallsyms file; NULL means KALLSYMS_PATH
 * @name: exact symbol name ("crashk_res" does not match "crashk_res_foo")
 * @ret_addr: the address, set only on success
 *
 * Any type letter counts (7.x kernels show data symbols as 'T'). Symbols
 * of modules (lines with a "[module]" tag) are ignored.
 *
 * Return:
 *  0 on success;
 *  -ENOENT: no such symbol (e.g. a kernel without crash dump support
 *	has no crashk_res);
 *  -EPERM: the symbol is there but shown at address 0: kptr_restrict hides
 *	kernel addresses from this caller (needs root and
 *	kernel.kptr_restrict <= 1);
 *  -ENOTUNIQ: several symbols of that name at different addresses;
 *  -ENOSYS: @path does not exist (no /proc, or no CONFIG_KALLSYMS);
 *  -EINVAL: @name is empty;
 *  another -errno of fopen(3) or reading.
 */
int kallsyms_lookup(const char *path, const char *name, uint64_t *ret_addr);

/* kallsyms_lookup_stream - the same on an open stream (no -ENOSYS). */
int kallsyms_lookup_stream(FILE *f, const char *name, uint64_t *ret_addr);

#endif /* LAZY_KDUMP_KALLSYMS_H */
