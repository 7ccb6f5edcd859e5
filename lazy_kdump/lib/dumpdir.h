/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dumpdir - where DUMP_TARGET's dumps are on the running system.
 *
 * DUMP_TARGET is a directory (an absolute PATH) or DEVICE:/PATH, a file
 * system the capture mounts itself; DEVICE is UUID=, LABEL=, PARTUUID=,
 * PARTLABEL= or a /dev path. The running system reads the dumps of a
 * DEVICE:/PATH target where that device is mounted (its root: not a bind
 * mount of a subdirectory), found in /proc/self/mountinfo by comparing the
 * device nodes the names resolve to.
 */
#ifndef LAZY_KDUMP_DUMPDIR_H
#define LAZY_KDUMP_DUMPDIR_H

#include <stddef.h>

/*
 * dumpdir_split - the last ":/" of @target, or NULL: DEVICE is what comes
 * before it (the capture script, lazy-kdump-lib.sh and config.c split
 * there too)
 */
const char *dumpdir_split(const char *target);

/*
 * dumpdir_device_node - the /dev path that names DEVICE of a DEVICE:/PATH
 * target (/dev/disk/by-uuid/... for UUID=..., and so on; a /dev path as it
 * is), into @buf.
 *
 * Return: 0, -EINVAL when @target is not DEVICE:/PATH, or -ENAMETOOLONG.
 */
int dumpdir_device_node(const char *target, char *buf, size_t size);

/*
 * dumpdir_resolve - the directory @target names on this system, into @buf
 * @sysroot: prefix of /dev and /proc ("" on the real system; tests)
 *
 * Return: 0; -ENODEV when DEVICE is not on this system; -ENOENT when it is
 * not mounted here (its root); -EINVAL for a target that is neither form;
 * -ENAMETOOLONG; or the -errno of reading /proc/self/mountinfo.
 */
int dumpdir_resolve(const char *target, const char *sysroot, char *buf,
		    size_t size);

#endif /* LAZY_KDUMP_DUMPDIR_H */
