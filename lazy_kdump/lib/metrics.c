// SPDX-License-Identifier: GPL-2.0
/*
 * metrics - lazy-kdump's state in the Prometheus text format
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"

/* A label value: \, " and newline escaped, as the format wants. */
static void put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* An info metric: NAME{K1="V1",K2="V2"} 1. */
static void info(FILE *f, const char *name, const char *help, const char *k1,
		 const char *v1, const char *k2, const char *v2)
{
	head(f, name, help);
	fprintf(f, "%s{%s=", name, k1);
	put_label(f, v1);
	fprintf(f, ",%s=", k2);
	put_label(f, v2);
	fputs("} 1\n", f);
}

static void gauge_u(FILE *f, const char *name, const char *help, uint64_t v)
{
	head(f, name, help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void gauge_i(FILE *f, const char *name, const char *help, int64_t v)
{
	head(f, name, help);
	fprintf(f, "%s %" PRId64 "\n", name, v);
}

char *metrics_format(const struct metrics_in *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	info(f, "lazy_kdump_info",
	     "lazy-kdump's version and the running kernel's release.",
	     "version", m->version, "kernel", m->kernel);
	gauge_u(f, "lazy_kdump_armed",
		"1 when a crash kernel is loaded (kdump armed), 0 when not.",
		m->armed);
	gauge_u(f, "lazy_kdump_armed_by_lazy_kdump",
		"1 when lazy-kdump loaded the crash kernel, 0 when not (or when another tool did).",
		m->armed && m->by_lazy_kdump);
	gauge_u(f, "lazy_kdump_crash_region_bytes",
		"Memory lazy-kdump reserved at run time for the crash kernel (0: none).",
		m->region_bytes);
	if (m->have_crash_size)
		gauge_u(f, "lazy_kdump_kexec_crash_size_bytes",
			"The kernel's crash region (/sys/kernel/kexec_crash_size), whoever reserved it.",
			m->crash_size);
	if (m->have_size)
		gauge_u(f, "lazy_kdump_size_auto",
			"1 when SIZE=auto sized the crash region, 0 for a fixed SIZE.",
			m->size_auto);
	if (m->armed_at)
		gauge_i(f, "lazy_kdump_armed_timestamp_seconds",
			"When lazy-kdump last armed kdump (seconds since the epoch).",
			m->armed_at);
	if (m->have_dump) {
		info(f, "lazy_kdump_last_dump_info",
		     "The newest capture in the dump target: its result and where it is (value 1).",
		     "result", m->dump_result, "path", m->dump_path);
		if (m->dump_finished)
			gauge_i(f, "lazy_kdump_last_dump_timestamp_seconds",
				"When the newest capture finished (seconds since the epoch).",
				m->dump_finished);
		gauge_u(f, "lazy_kdump_last_dump_vmcore_bytes",
			"Size of the newest capture's vmcore (0: none saved).",
			m->dump_vmcore_bytes);
		gauge_u(f, "lazy_kdump_last_dump_short_of_memory",
			"1 when the newest capture found the crash kernel short of memory (raise SIZE).",
			m->dump_short_of_memory);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
