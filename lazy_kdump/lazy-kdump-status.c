// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump status and metrics: whether kdump is armed and with what, the
 * last dump in DUMP_TARGET and the verdict 'load' kept on the previous
 * boot, as text, JSON or Prometheus metrics; and the metrics file, which
 * the verbs that change the crash setup also update.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/json.h"
#include "lib/lastdump.h"
#include "lib/metrics.h"
#include "lib/sysinfo.h"
#include "lazy-kdump.h"

/* ---- status ------------------------------------------------------------- */

/*
 * status_state - the one-word state of status --json
 * @kexec_ok: kexec_crash_loaded was read; @kexec_err: the error otherwise
 * @loaded: a crash kernel is loaded; @ours: lazy-kdump armed it
 * @have: lazy-kdump's state was read; @st: that state
 */
static const char *status_state(bool kexec_ok, int kexec_err, bool loaded,
				bool ours, bool have,
				const struct lk_state *st)
{
	if (!kexec_ok)
		return kexec_err == -ENOENT ? "no-kexec" : "unknown";
	if (loaded)
		return ours ? "armed" : "armed-by-other";
	if (have && st->armed)
		return "unloaded";
	if (have && st->main_addr)
		return "held-not-loaded";
	return "not-armed";
}

/* "last_dump": {...} or null, with a comma. */
static void print_last_dump_json(const struct lk_lastdump *ld)
{
	const char *keys[] = { "path", "result", "memory", "reason" };
	const char *vals[4];
	size_t i;

	if (!ld->found) {
		puts("  \"last_dump\": null,");
		return;
	}
	vals[0] = ld->path;
	vals[1] = ld->result;
	vals[2] = ld->memory[0] ? ld->memory : NULL;
	vals[3] = ld->reason[0] ? ld->reason : NULL;
	fputs("  \"last_dump\": {", stdout);
	for (i = 0; i < 4; i++) {
		size_t len = json_escape(NULL, 0, vals[i]);
		char *buf = malloc(len + 1);

		if (buf)
			json_escape(buf, len + 1, vals[i]);
		printf("\"%s\": %s, ", keys[i], buf ? buf : "null");
		free(buf);
	}
	printf("\"finished\": %" PRId64 "},\n", ld->finished);
}

int verb_status(struct context *c, const struct verb *v, int argc,
		char **argv)
{
	struct lazy_cma_range *a = NULL;
	struct lk_state st;
	struct real rl;
	uint64_t crash_size = 0;
	bool loaded = false, have, ours, kexec_ok, crash_size_ok;
	const char *by;
	char s1[32], s2[64], node_json[16] = "null";
	char id[64], prev[6144], dirbuf[4096];
	struct lk_lastdump ld;
	const char *ddir;
	bool have_prev;
	int node = -1;
	size_t n = 0, i;
	int r;

	(void)v;
	(void)argc;
	(void)argv;
	read_state(c, &st, &have);
	/* The last dump and the verdict on the previous boot. */
	memset(&ld, 0, sizeof(ld));
	boot_id(c, id, sizeof(id));
	have_prev = id[0] && previous_read(c->vardir, id, prev, sizeof(prev)) == 0;
	ddir = load_config(c) == 0 &&
	       dump_dir_here(c, dirbuf, sizeof(dirbuf)) == 0 ? dirbuf : NULL;
	if (c->config_loaded && last_dump(c, ddir, &ld) < 0)
		ld.found = false;
	r = crash_loaded_settled(c, have && st.armed, &loaded);
	kexec_ok = r == 0;
	if (r < 0 && r != -ENOENT)
		log_failure(r, NULL, "Failed to read " SYS_CRASH_LOADED);
	crash_size_ok = sys_read_u64(c->sysroot, SYS_CRASH_SIZE, &crash_size) == 0;

	/* The module's view, when it is loaded (never load it for status). */
	real_init(&rl, c);
	if (real_device_open(&rl, false) == 0 && real_list(&rl, &a, &n) == 0) {
		for (i = 0; i < n; i++)
			if (a[i].phys_addr == st.main_addr &&
			    strcmp(a[i].name, ARM_NAME) == 0)
				node = a[i].node;
	}
	if (node >= 0)
		snprintf(node_json, sizeof(node_json), "%d", node);
	real_done(&rl);

	ours = have && st.armed;
	by = !loaded ? "-" : ours && st.boot_time ?
	     "lazy-kdump, into the boot-time crashkernel= reservation" :
	     ours ? "lazy-kdump (reserved at run time)" :
	     "not lazy-kdump (kdump-tools, kdumpctl or kexec -p)";

	if (c->json) {
		/*
		 * Every key in every state (null where unknown), so that a
		 * consumer never tests for presence. Keys are only added
		 * within a schema version; a change of meaning bumps it.
		 */
		puts("{");
		printf("  \"schema_version\": %d,\n", STATUS_JSON_SCHEMA);
		printf("  \"state\": \"%s\",\n",
		       status_state(kexec_ok, r, loaded, ours, have, &st));
		printf("  \"armed\": %s,\n  \"kexec_crash_loaded\": %s,\n",
		       loaded ? "true" : "false",
		       !kexec_ok ? "null" : loaded ? "true" : "false");
		printf("  \"by_lazy_kdump\": %s,\n  \"boot_time_reservation\": %s,\n",
		       loaded && ours ? "true" : "false",
		       have && st.boot_time ? "true" : "false");
		if (crash_size_ok)
			printf("  \"kexec_crash_size\": %" PRIu64 ",\n", crash_size);
		else
			puts("  \"kexec_crash_size\": null,");
		if (have && (st.main_addr || st.main_len))
			printf("  \"region\": {\"addr\": \"0x%" PRIx64 "\", \"len\": %" PRIu64 ", \"node\": %s, \"high\": %s},\n",
			       st.main_addr, st.main_len, node_json,
			       st.high ? "true" : "false");
		else
			puts("  \"region\": null,");
		if (have && st.low_len)
			printf("  \"low_region\": {\"addr\": \"0x%" PRIx64 "\", \"len\": %" PRIu64 "},\n",
			       st.low_addr, st.low_len);
		else
			puts("  \"low_region\": null,");
		if (have && !st.boot_time && (st.main_addr || st.main_len))
			printf("  \"working_memory\": \"%s\",\n",
			       st.split ? "split" : "held");
		else
			puts("  \"working_memory\": null,");
		if (have && st.size)
			printf("  \"size\": %" PRIu64 ",\n  \"size_auto\": %s,\n",
			       st.size, st.size_auto ? "true" : "false");
		else
			puts("  \"size\": null,\n  \"size_auto\": null,");
		json_str("kernel", have ? st.kernel : NULL, true);
		json_str("initrd", have ? st.initrd : NULL, true);
		json_str("cmdline", have ? st.cmdline : NULL, true);
		if (have && st.armed_at)
			printf("  \"armed_at\": %" PRId64 ",\n", st.armed_at);
		else
			puts("  \"armed_at\": null,");
		print_last_dump_json(&ld);
		json_str("previous_boot", have_prev ? prev : NULL, false);
		puts("}");
	} else {
		printf("kdump: %s\n", loaded ? "armed" : "NOT ARMED");
		if (loaded)
			printf("  %-14s %s\n", "armed by", by);
		if (have) {
			printf("  %-14s %s\n", "armed at",
			       time_str(st.armed_at, s2, sizeof(s2)));
			if (st.boot_time) {
				printf("  %-14s %s (boot-time crashkernel=, not lazy-kdump's)\n",
				       "crash region",
				       fmt_size(st.main_len, s1, sizeof(s1)));
			} else {
				describe_region("crash region", st.main_addr,
						st.main_len, st.high);
				if (node >= 0)
					printf("  %-14s %d\n", "node", node);
				if (st.low_len)
					describe_region(st.split ?
							"working memory" :
							"low companion",
							st.low_addr, st.low_len,
							false);
			}
			printf("  %-14s %s%s\n", "size",
			       fmt_size(st.size, s1, sizeof(s1)),
			       st.size_auto ? " (auto)" : "");
			printf("  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kernel",
			       st.kernel ? st.kernel : "?", "initrd",
			       st.initrd ? st.initrd : "?", "command line",
			       st.cmdline ? st.cmdline : "?");
		} else if (loaded && crash_size) {
			printf("  %-14s %s\n", "crash region",
			       fmt_size(crash_size, s1, sizeof(s1)));
		}
		if (ld.found)
			printf("  %-14s %s: %s (%s)%s%s\n", "last dump", ld.path,
			       ld.result, time_str(ld.finished, s2, sizeof(s2)),
			       ld.reason[0] ? ": " : "", ld.reason);
		if (have_prev)
			printf("  %-14s %s\n", "previous boot", prev);
	}
	if (lastdump_short_of_memory(&ld))
		log_msg("The last panic found the crash kernel short of memory: raise SIZE (or use auto), then 'systemctl reload lazy-kdump' (or '" PROG " reload').");
	if (!kexec_ok && r == -ENOENT)
		log_msg("This kernel has no kexec crash support (" SYS_CRASH_LOADED " is missing).");
	else if (have && st.armed && !loaded)
		log_msg("lazy-kdump armed kdump at %s, but no crash kernel is loaded now (unloaded by 'kexec -p -u'?): run '" PROG " unload' and '" PROG " load'.",
			time_str(st.armed_at, s2, sizeof(s2)));
	else if (have && !st.armed && st.main_addr)
		log_msg("A lazy-kdump reservation of %s is held but nothing is loaded into it (a failed resize?): run '" PROG " resize' to re-arm or '" PROG " unload' to give it back.",
			fmt_size(st.main_len + st.low_len, s1, sizeof(s1)));
	free(a);
	state_free(&st);
	return loaded ? EXIT_SUCCESS : EXIT_NOT_ARMED;
}

/* ---- metrics ------------------------------------------------------------ */

/*
 * metrics_text - the metrics of now: lazy-kdump's state, the kernel's
 * kexec_crash_loaded and kexec_crash_size, the newest dump in
 * DUMP_TARGET (when the configuration was read and names a directory).
 *
 * Return: a malloc()ed string, or NULL (out of memory).
 */
static char *metrics_text(struct context *c)
{
	struct metrics_in m;
	struct lk_state st;
	struct lk_lastdump ld;
	char rel[256], vmcore[4200];
	char dirbuf[4096];
	const char *ddir = c->config_loaded &&
			   dump_dir_here(c, dirbuf, sizeof(dirbuf)) == 0 ?
			   dirbuf : NULL;
	bool have, loaded = false;
	struct stat sb;
	char *text;

	memset(&m, 0, sizeof(m));
	memset(&ld, 0, sizeof(ld));
	read_state(c, &st, &have);
	if (crash_loaded_settled(c, have && st.armed, &loaded) < 0)
		loaded = false;
	m.version = LAZY_KDUMP_VERSION;
	m.kernel = uname_release(rel, sizeof(rel));
	m.armed = loaded;
	m.by_lazy_kdump = have && st.armed;
	if (have && !st.boot_time)
		m.region_bytes = st.main_len + st.low_len;
	m.have_crash_size = sys_read_u64(c->sysroot, SYS_CRASH_SIZE,
					 &m.crash_size) == 0;
	m.have_size = have && st.size;
	m.size_auto = st.size_auto;
	m.armed_at = have ? st.armed_at : 0;
	if (c->config_loaded && last_dump(c, ddir, &ld) == 0 && ld.found) {
		m.have_dump = true;
		m.dump_result = ld.result;
		m.dump_path = ld.path;
		m.dump_finished = ld.finished;
		snprintf(vmcore, sizeof(vmcore), "%s/vmcore", ld.path);
		if (stat(vmcore, &sb) == 0 && S_ISREG(sb.st_mode))
			m.dump_vmcore_bytes = (uint64_t)sb.st_size;
		m.dump_short_of_memory = lastdump_short_of_memory(&ld);
	}
	text = metrics_format(&m);
	state_free(&st);
	return text;
}

/*
 * The metrics file: $LAZY_KDUMP_METRICS_FILE, else METRICS_FILE, else the
 * default; NULL for METRICS_FILE=none. *@explicit: named, not the default.
 */
static const char *metrics_path(const struct context *c, bool *explicit)
{
	const char *env = getenv(ENV_METRICS);

	*explicit = true;
	if (env && *env)
		return strcmp(env, "none") == 0 ? NULL : env;
	if (c->cfg.metrics_none)
		return NULL;
	if (c->cfg.metrics_file)
		return c->cfg.metrics_file;
	*explicit = false;
	return METRICS_DEFAULT_FILE;
}

/*
 * metrics_update - write the metrics file, when there is one to write: the
 * default one only when its directory exists (node_exporter's textfile
 * directory, there when prometheus-node-exporter is installed).
 * @verbose: say why nothing was written.
 *
 * Return: 0 (written, or nothing to write) or -errno (said).
 */
int metrics_update(struct context *c, bool verbose)
{
	char dir[4096], *slash, *text;
	struct stat sb;
	bool explicit;
	const char *path;
	int r;

	path = metrics_path(c, &explicit);
	if (!path) {
		if (verbose)
			log_msg("METRICS_FILE=none: no metrics file to write.");
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		if (!explicit) {
			if (verbose)
				log_msg("No metrics written: %s does not exist (prometheus-node-exporter's textfile directory; set METRICS_FILE to write elsewhere).",
					dir);
			return 0;
		}
		log_failure(-ENOENT, "Create that directory, or set METRICS_FILE=none.",
			    "Failed to write the metrics file %s: no directory %s",
			    path, dir);
		return -ENOENT;
	}
	text = metrics_text(c);
	if (!text) {
		log_failure(-ENOMEM, NULL, "Failed to write the metrics file %s",
			    path);
		return -ENOMEM;
	}
	r = file_write_atomic(path, text);
	free(text);
	if (r < 0)
		log_failure(r, r == -EACCES || r == -EPERM || r == -EROFS ?
			    "Run it as root, or set METRICS_FILE to a writable place." : NULL,
			    "Failed to write the metrics file %s", path);
	return r;
}

int verb_metrics(struct context *c, const struct verb *v, int argc,
		 char **argv)
{
	char *text;

	(void)v;
	(void)argc;
	(void)argv;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (c->write)
		return metrics_update(c, true) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	text = metrics_text(c);
	if (!text) {
		log_failure(-ENOMEM, NULL, "Failed to format the metrics");
		return EXIT_FAILURE;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_SUCCESS;
}
