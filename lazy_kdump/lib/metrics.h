/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics - lazy-kdump's state in the Prometheus text format, for
 * node_exporter's textfile collector (METRICS_FILE, lazy-kdump.conf(5)).
 *
 * Metric names (all gauges; a sample is left out when its value is not
 * known, never written as NaN):
 *   lazy_kdump_info{version,kernel}          1
 *   lazy_kdump_armed                         1 a crash kernel is loaded, 0 not
 *   lazy_kdump_armed_by_lazy_kdump           1 when lazy-kdump loaded it
 *   lazy_kdump_crash_region_bytes            memory held for the crash
 *                                            kernel at run time (0: none)
 *   lazy_kdump_kexec_crash_size_bytes        the kernel's crash region,
 *                                            whoever reserved it
 *   lazy_kdump_size_auto                     1 SIZE=auto, 0 a fixed SIZE
 *   lazy_kdump_armed_timestamp_seconds       when lazy-kdump last armed
 *   lazy_kdump_last_dump_info{result,path}   1 (none without a dump)
 *   lazy_kdump_last_dump_timestamp_seconds   when that capture finished
 *   lazy_kdump_last_dump_vmcore_bytes        its vmcore (0: none saved)
 *   lazy_kdump_last_dump_short_of_memory     1 when that capture found the
 *                                            crash kernel short of memory
 */
#ifndef LAZY_KDUMP_METRICS_H
#define LAZY_KDUMP_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#define METRICS_DEFAULT_FILE	"/var/lib/prometheus/node-exporter/lazy-kdump.prom"

struct metrics_in {
	const char *version;		/* lazy-kdump's */
	const char *kernel;		/* the running kernel's release */
	bool armed;
	bool by_lazy_kdump;
	uint64_t region_bytes;		/* main + low companion */
	bool have_crash_size;
	uint64_t crash_size;		/* /sys/kernel/kexec_crash_size */
	bool have_size;			/* size_auto below is known */
	bool size_auto;
	int64_t armed_at;		/* 0: unknown */
	bool have_dump;
	const char *dump_result;
	const char *dump_path;
	int64_t dump_finished;		/* 0: unknown */
	uint64_t dump_vmcore_bytes;
	bool dump_short_of_memory;
};

/*
 * metrics_format - @m in the Prometheus text exposition format (version
 * 0.0.4): "# HELP" and "# TYPE" lines, then the samples; label values
 * escaped (\\, \" and \n).
 *
 * Return: a malloc()ed string, or NULL (out of memory).
 */
char *metrics_format(const struct metrics_in *m);

#endif
