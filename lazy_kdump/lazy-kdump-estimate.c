// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump estimate: the crash region 'load' would reserve with --size
 * auto and every term of it, as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/json.h"
#include "lazy-kdump.h"

static void print_estimate_text(const struct prepared *p)
{
	char a[32], b[32];
	unsigned int i;

	printf("Crash kernel:   %s (%s)\n", p->kernel,
	       p->bz.release[0] ? p->bz.release : "no version string");
	printf("Capture initrd: %s\n", p->initrd);
	printf("Command line:   %s\n\n", p->cmdline);
	printf("%-16s %12s  %s\n", "TERM", "SIZE", "HOW");
	for (i = 0; i < EST_N_TERMS; i++)
		printf("%-16s %12s  %s\n", p->est.term[i].name,
		       fmt_mib(p->est.term[i].bytes, a, sizeof(a)),
		       p->est.term[i].how);
	printf("%-16s %12s  sum %s, rounded up to 2 MiB\n", "total",
	       fmt_size(p->est.total, a, sizeof(a)),
	       fmt_mib(p->est.sum, b, sizeof(b)));
	printf("%-16s %12s  kernel + initrd + segments: no smaller size can be loaded\n",
	       "hard minimum", fmt_size(p->est.hard_min, a, sizeof(a)));
	printf("%-16s %12s  with placement high, below 4 GiB: max(swiotlb %s + 8 MiB, 256 MiB)\n",
	       "low companion", fmt_size(p->low_size, a, sizeof(a)),
	       fmt_size(p->swiotlb, b, sizeof(b)));
	printf("%-16s %12s  WORKING_MEMORY=split: the crash region, the hard minimum + 2 MiB for placement\n",
	       "split region", fmt_size(p->est.core, a, sizeof(a)));
	printf("%-16s %12s  WORKING_MEMORY=split: the other terms, rounded up, a second range below 4 GiB\n",
	       "split working", fmt_size(p->est.work, a, sizeof(a)));
}

static void print_estimate_json(const struct prepared *p)
{
	unsigned int i;

	puts("{");
	printf("  \"schema_version\": %d,\n", ESTIMATE_JSON_SCHEMA);
	json_str("kernel", p->kernel, true);
	json_str("kernel_release", p->bz.release, true);
	json_str("initrd", p->initrd, true);
	json_str("cmdline", p->cmdline, true);
	puts("  \"terms\": [");
	for (i = 0; i < EST_N_TERMS; i++) {
		size_t n = json_escape(NULL, 0, p->est.term[i].how);
		char *how = malloc(n + 1);

		if (how)
			json_escape(how, n + 1, p->est.term[i].how);
		printf("    {\"name\": \"%s\", \"bytes\": %" PRIu64 ", \"how\": %s}%s\n",
		       p->est.term[i].name, p->est.term[i].bytes,
		       how ? how : "null", i + 1 < EST_N_TERMS ? "," : "");
		free(how);
	}
	puts("  ],");
	printf("  \"sum\": %" PRIu64 ",\n  \"total\": %" PRIu64 ",\n"
	       "  \"hard_minimum\": %" PRIu64 ",\n  \"low_companion\": %" PRIu64 ",\n"
	       "  \"split_region\": %" PRIu64 ",\n  \"split_working_memory\": %" PRIu64 ",\n",
	       p->est.sum, p->est.total, p->est.hard_min, p->low_size,
	       p->est.core, p->est.work);
	json_str("runtime_series", p->est.runtime_ref->series, true);
	printf("  \"runtime_provisional\": %s,\n  \"runtime_fallback\": %s\n}\n",
	       p->est.runtime_ref->provisional ? "true" : "false",
	       p->est.runtime_fallback ? "true" : "false");
}

int verb_estimate(struct context *c, const struct verb *v, int argc,
		  char **argv)
{
	struct prepared p;

	(void)v;
	(void)argc;
	(void)argv;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (prepare(c, NULL, &p) < 0) {
		prepared_free(&p);
		return EXIT_FAILURE;
	}
	if (c->json)
		print_estimate_json(&p);
	else
		print_estimate_text(&p);
	prepared_free(&p);
	return EXIT_SUCCESS;
}
