/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysinfo - what lazy-kdump reads from /proc and /sys, as pure parsers of
 * the text plus small readers. Every path is taken under a root directory
 * prefix (NULL or "" for the real one) so that tests can supply their own
 * /proc and /sys.
 */
#ifndef LAZY_KDUMP_SYSINFO_H
#define LAZY_KDUMP_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROC_CMDLINE		"/proc/cmdline"
#define PROC_IOMEM		"/proc/iomem"
#define PROC_MEMINFO		"/proc/meminfo"
#define PROC_CPUINFO		"/proc/cpuinfo"
#define PROC_KALLSYMS		"/proc/kallsyms"
#define PROC_KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"
#define PROC_KEXEC_DISABLED	"/proc/sys/kernel/kexec_load_disabled"
#define SYS_CRASH_LOADED	"/sys/kernel/kexec_crash_loaded"
#define SYS_CRASH_SIZE		"/sys/kernel/kexec_crash_size"
#define SYS_ELFCOREHDR_SIZE	"/sys/kernel/crash_elfcorehdr_size"
#define SYS_CPU_POSSIBLE	"/sys/devices/system/cpu/possible"
#define SYS_LOCKDOWN		"/sys/kernel/security/lockdown"

/* At most this many "Crash kernel" ranges are remembered. */
#define IOMEM_MAX_CRASH		4

struct iomem_summary {
	uint64_t ram_bytes;	/* sum of the "System RAM" ranges */
	uint64_t ram_end;	/* end (exclusive) of the highest one */
	unsigned int ram_ranges;
	bool hidden;		/* addresses shown as 0 (not root) */
	unsigned int n_crash;	/* "Crash kernel" ranges */
	uint64_t crash_start[IOMEM_MAX_CRASH], crash_end[IOMEM_MAX_CRASH];
};

/*
 * sys_path - @root followed by @path into @buf
 *
 * Return: 0, or -ENAMETOOLONG.
 */
int sys_path(char *buf, size_t size, const char *root, const char *path);

/*
 * sys_read - the whole of the (small, at most 16 MiB) text file @path
 * under @root, NUL-terminated, malloc()ed
 *
 * Return: 0 or -errno.
 */
int sys_read(const char *root, const char *path, char **ret);

/* sys_read_u64 - a file holding one decimal number. -EINVAL otherwise. */
int sys_read_u64(const char *root, const char *path, uint64_t *ret);

/* iomem_parse - System RAM and Crash kernel ranges of /proc/iomem text. */
int iomem_parse(const char *text, struct iomem_summary *ret);

/*
 * meminfo_kb - the value in kB of "@key:" in /proc/meminfo text.
 *
 * Return: 0 or -ENOENT.
 */
int meminfo_kb(const char *text, const char *key, uint64_t *ret);

/*
 * cpulist_count - how many CPUs a list such as "0-3,8,10-11" names
 *
 * Return: 0 or -EINVAL.
 */
int cpulist_count(const char *text, unsigned int *ret);

/*
 * cpuinfo_boot_apicid - the "apicid" of processor 0 in /proc/cpuinfo text
 *
 * Return: 0 or -ENOENT.
 */
int cpuinfo_boot_apicid(const char *text, unsigned int *ret);

/*
 * lockdown_mode - the selected mode ("none", "integrity",
 * "confidentiality") of /sys/kernel/security/lockdown text, which reads
 * like "none [integrity] confidentiality", copied to @buf.
 *
 * Return: 0 or -ENOENT.
 */
int lockdown_mode(const char *text, char *buf, size_t size);

/*
 * file_write_atomic - @text into @path, mode 0644: written to "@path.tmp",
 * synced, then renamed over @path, so that a reader sees the old file or
 * the new one, never a part; then the directory is synced (dir_sync), so
 * that a crash right after (the arming marker: a panic just after arming)
 * still finds the new file. The directory must exist.
 *
 * Return: 0 or -errno.
 */
int file_write_atomic(const char *path, const char *text);

/*
 * dir_sync - fsync() the directory holding @path: what was renamed or
 * removed there survives a crash.
 *
 * Return: 0 or -errno.
 */
int dir_sync(const char *path);

#endif /* LAZY_KDUMP_SYSINFO_H */
