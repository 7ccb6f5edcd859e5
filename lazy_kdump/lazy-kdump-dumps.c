// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump dumps: the captures on the dump target (DUMP_TARGET's
 * directory, or where its device is mounted), oldest first, as a table or
 * JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/lastdump.h"
#include "lazy-kdump.h"

static void print_json(const char *target, const char *dir,
		       const struct lk_lastdump *v, size_t n)
{
	size_t i;

	puts("{");
	printf("  \"schema_version\": %d,\n", DUMPS_JSON_SCHEMA);
	json_str("dump_target", target, true);
	json_str("directory", dir, true);
	puts("  \"dumps\": [");
	for (i = 0; i < n; i++) {
		fputs("    {\"path\": ", stdout);
		json_value(v[i].path);
		printf(", \"finished\": %" PRId64 ", \"result\": ",
		       v[i].finished);
		json_value(v[i].result);
		fputs(", \"memory\": ", stdout);
		if (v[i].memory[0])
			json_value(v[i].memory);
		else
			fputs("null", stdout);
		fputs(", \"reason\": ", stdout);
		if (v[i].reason[0])
			json_value(v[i].reason);
		else
			fputs("null", stdout);
		if (v[i].vmcore_bytes >= 0)
			printf(", \"vmcore_bytes\": %" PRId64 "}", v[i].vmcore_bytes);
		else
			fputs(", \"vmcore_bytes\": null}", stdout);
		puts(i + 1 < n ? "," : "");
	}
	puts("  ]\n}");
}

static void print_text(const char *dir, const struct lk_lastdump *v, size_t n)
{
	char when[64], size[32];
	size_t i;

	if (!n) {
		printf("No dumps in %s.\n", dir);
		return;
	}
	printf("%-25s %-16s %10s  %s\n", "FINISHED", "RESULT", "VMCORE", "DUMP");
	for (i = 0; i < n; i++) {
		if (v[i].vmcore_bytes >= 0)
			fmt_mib((uint64_t)v[i].vmcore_bytes, size, sizeof(size));
		else
			snprintf(size, sizeof(size), "-");
		printf("%-25s %-16s %10s  %s\n",
		       time_str(v[i].finished, when, sizeof(when)), v[i].result,
		       size, v[i].path);
		if (v[i].reason[0])
			printf("%-25s %s\n", "", v[i].reason);
	}
	printf("\n%zu dump%s in %s.\n", n, n == 1 ? "" : "s", dir);
}

int verb_dumps(struct context *c, const struct verb *v, int argc, char **argv)
{
	const char *target;
	struct lk_lastdump *list;
	char dir[4096];
	size_t n, i;
	int r;

	(void)v;
	(void)argc;
	(void)argv;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	target = c->cfg.dump_target ? c->cfg.dump_target :
		 CONFIG_DEFAULT_DUMP_TARGET;
	r = dump_dir_here(c, dir, sizeof(dir));
	if (r == -ENODEV) {
		log_msg("Failed to list the dumps: the device of DUMP_TARGET=%s is not on this machine. Attach it, or fix DUMP_TARGET in the configuration.",
			target);
		return EXIT_FAILURE;
	}
	if (r == -ENOENT) {
		log_msg("Failed to list the dumps: the device of DUMP_TARGET=%s is not mounted here. Mount it (its root, anywhere) and run this again.",
			target);
		return EXIT_FAILURE;
	}
	if (r == -EHOSTUNREACH) {
		log_msg("Failed to list the dumps on the dump server of DUMP_TARGET=%s (said above); check the network and the server, then run this again.",
			target);
		return EXIT_FAILURE;
	}
	if (r < 0) {
		log_failure(r, NULL, "Failed to find the directory of DUMP_TARGET=%s",
			    target);
		return EXIT_FAILURE;
	}
	r = lastdump_list(dir, &list, &n);
	if (r < 0) {
		log_failure(r, NULL, "Failed to read the dump directory %s", dir);
		return EXIT_FAILURE;
	}
	/* A dump server's: named as they are there, not as mirrored. */
	for (i = 0; i < n; i++)
		net_display_path(c, list[i].path, sizeof(list[i].path));
	net_display_path(c, dir, sizeof(dir));
	if (c->json)
		print_json(target, dir, list, n);
	else
		print_text(dir, list, n);
	free(list);
	return EXIT_SUCCESS;
}
