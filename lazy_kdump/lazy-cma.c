// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-cma - allocate physically contiguous buffers at run time through
 * /dev/lazy_cma, list them, and bind one as the kernel's crash-kernel
 * region.
 *
 * Exit status (also in --help):
 *   0  success
 *   1  the operation failed; the message on stderr says what failed, on
 *      what, and what to do
 *   2  invalid command line (unknown verb or option, wrong number of
 *      arguments, a size, address, node or name that does not parse)
 *
 * Layers: main() parses global options and dispatches through the verb
 * table; the verb functions are the only code that prints; everything
 * below them (lib/) returns -errno.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/kallsyms.h"
#include "lib/lcma.h"
#include "lib/size.h"

#ifndef LAZY_KDUMP_VERSION
#define LAZY_KDUMP_VERSION "unknown"
#endif

#define PROG		"lazy-cma"
#define EXIT_USAGE	2

/* Read by "bind" instead of /proc/kallsyms when set (for tests). */
#define KALLSYMS_ENV	"LAZY_CMA_KALLSYMS"

/* Long options without a short form. */
enum {
	ARG_DEVICE = 0x100,
	ARG_VERSION,
	ARG_NODE,	/* ARG_NODE and later: verb options, see OPT() */
	ARG_NAME,
	ARG_BELOW_4G,
	ARG_ABOVE_4G,
	ARG_JSON,
	ARG_LOW,
};

/* The bit of a verb option in verb::options. */
#define OPT(arg)	(1U << ((arg) - ARG_NODE))

struct context {
	const char *device;	/* NULL: LCMA_DEFAULT_DEVICE */
	int node;		/* -1: any */
	const char *name;
	uint32_t alloc_flags;
	bool json;
	bool low;
	char hint[512];
};

struct verb {
	const char *name;
	unsigned int min_args;
	unsigned int max_args;
	int (*fn)(struct context *c, const struct verb *v, int argc,
		  char **argv);
	unsigned int options;	/* OPT() bits this verb accepts */
	const char *synopsis;
	const char *summary;	/* one line for the main --help */
	const char *help;	/* for VERB --help */
};

static const struct option global_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "version", no_argument, NULL, ARG_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const struct option verb_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "node", required_argument, NULL, ARG_NODE },
	{ "name", required_argument, NULL, ARG_NAME },
	{ "below-4g", no_argument, NULL, ARG_BELOW_4G },
	{ "above-4g", no_argument, NULL, ARG_ABOVE_4G },
	{ "json", no_argument, NULL, ARG_JSON },
	{ "low", no_argument, NULL, ARG_LOW },
	{ NULL, 0, NULL, 0 }
};

static const char *device_path(const struct context *c)
{
	return c->device ? c->device : LCMA_DEFAULT_DEVICE;
}

static int usage_error(const struct verb *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const struct verb *v, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (v)
		fprintf(stderr, "\nTry '" PROG " %s --help' for more information.\n",
			v->name);
	else
		fputs("\nTry '" PROG " --help' for more information.\n",
		      stderr);
	return EXIT_USAGE;
}

/*
 * "lazy-cma: <what failed>: <strerror>. <hint>" on stderr. @err is a
 * negative errno; @hint may be NULL.
 */
static void log_failure(int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_failure(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s.", strerror(err < 0 ? -err : err));
	if (hint)
		fprintf(stderr, " %s", hint);
	fputc('\n', stderr);
}

/* The hint for a failed ioctl; ENOTTY names the device. */
static const char *ioctl_hint(struct context *c, enum lcma_op op, int err)
{
	if (err == -ENOTTY) {
		snprintf(c->hint, sizeof(c->hint),
			 "%s is not the lazy_cma device, or its lazy_cma.ko is older than this tool: load the matching module.",
			 device_path(c));
		return c->hint;
	}
	return lcma_error_hint(op, err);
}

/*
 * After ENOMEM from ALLOC or RESIZE on @h: a hint that says how large the
 * largest usable window was (LAZY_CMA_IOCTL_ALLOC_REPORT), or the
 * generic one when the module cannot tell.
 */
static const char *enomem_hint(struct context *c, struct lcma *h,
			       enum lcma_op op)
{
	struct lazy_cma_alloc_report rep;
	char largest[SIZE_FORMAT_MAX];

	if (lcma_alloc_report(h, &rep) < 0 || rep.error != -ENOMEM ||
	    !rep.largest)
		return lcma_error_hint(op, -ENOMEM);
	size_format(rep.largest, largest, sizeof(largest));
	snprintf(c->hint, sizeof(c->hint),
		 "No free physically contiguous window that large was found; the largest usable one was %s (%u attempt(s)%s). Ask for at most that, or free memory or compact it ('echo 1 > /proc/sys/vm/compact_memory') and try again.",
		 largest, rep.attempts,
		 rep.sweep & LAZY_CMA_REPORT_SWEPT ? ", every window swept" : "");
	return c->hint;
}

static int open_device(struct context *c, struct lcma *h)
{
	int r;

	r = lcma_open(h, c->device);
	if (r < 0) {
		log_failure(r, lcma_error_hint(LCMA_OP_OPEN, r),
			    "Failed to open %s", device_path(c));
		return r;
	}
	return 0;
}

static int parse_size_arg(const struct verb *v, const char *s, uint64_t *ret)
{
	int r;

	r = size_parse(s, ret);
	if (r == -ERANGE)
		return usage_error(v, "Size '%s' is too large.", s);
	if (r < 0)
		return usage_error(v, "Invalid size '%s': expected bytes with an optional unit K, M, G or T (e.g. 256M, 1.5G) or a hex number (e.g. 0x10000000).",
				   s);
	if (*ret == 0)
		return usage_error(v, "Invalid size '%s': must not be 0.", s);
	return 0;
}

static int parse_addr_arg(const struct verb *v, const char *s, uint64_t *ret)
{
	int r;

	r = addr_parse(s, ret);
	if (r == -ERANGE)
		return usage_error(v, "Address '%s' does not fit in 64 bits.",
				   s);
	if (r < 0)
		return usage_error(v, "Invalid address '%s': expected a physical address such as 0x100000000, as 'lazy-cma list' shows it.",
				   s);
	return 0;
}

/*
 * Print the new buffer's address. A failed write would lose the only
 * handle on the buffer, so then the buffer is freed again.
 */
static int verb_alloc(struct context *c, const struct verb *v, int argc,
		      char **argv)
{
	char size_str[SIZE_FORMAT_MAX], where[64];
	struct lcma h;
	uint64_t len, phys;
	int r;

	(void)argc;
	r = parse_size_arg(v, argv[0], &len);
	if (r)
		return r;
	if ((c->alloc_flags & LAZY_CMA_ALLOC_BELOW_4G) &&
	    (c->alloc_flags & LAZY_CMA_ALLOC_ABOVE_4G))
		return usage_error(v, "--below-4g and --above-4g exclude each other.");

	size_format(len, size_str, sizeof(size_str));
	snprintf(where, sizeof(where), "%s%s",
		 c->alloc_flags & LAZY_CMA_ALLOC_BELOW_4G ? " below 4 GiB" :
		 c->alloc_flags & LAZY_CMA_ALLOC_ABOVE_4G ? " above 4 GiB" : "",
		 c->node >= 0 ? " on node " : "");
	if (c->node >= 0)
		snprintf(where + strlen(where), sizeof(where) - strlen(where),
			 "%d", c->node);

	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;

	r = lcma_alloc(&h, len, c->node, c->alloc_flags, c->name, &phys);
	if (r < 0) {
		const char *hint = ioctl_hint(c, LCMA_OP_ALLOC, r);

		if (r == -ENOMEM)
			hint = enomem_hint(c, &h, LCMA_OP_ALLOC);
		if (r == -ENODEV && c->node >= 0) {
			snprintf(c->hint, sizeof(c->hint),
				 "Is node %d online, and does it have memory? See 'lazy-cma list' and /sys/devices/system/node/.",
				 c->node);
			hint = c->hint;
		}
		log_failure(r, hint, "Failed to allocate %s%s", size_str,
			    where);
		lcma_close(&h);
		return EXIT_FAILURE;
	}

	/* Get EPIPE rather than dying with the buffer's address unsaid. */
	signal(SIGPIPE, SIG_IGN);
	printf("0x%llx\n", (unsigned long long)phys);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int err = errno > 0 ? -errno : -EIO;

		r = lcma_free(&h, phys);
		if (r < 0)
			log_failure(r, ioctl_hint(c, LCMA_OP_FREE, r),
				    "Failed to write the address of the new buffer at 0x%llx (%s), and then to free it; free it with 'lazy-cma free 0x%llx'",
				    (unsigned long long)phys,
				    strerror(-err), (unsigned long long)phys);
		else
			log_failure(err, "The buffer was freed again.",
				    "Failed to write the address of the new buffer to stdout");
		lcma_close(&h);
		return EXIT_FAILURE;
	}
	lcma_close(&h);
	return EXIT_SUCCESS;
}

static int verb_resize(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	char size_str[SIZE_FORMAT_MAX];
	uint64_t addr, len;
	struct lcma h;
	int r;

	(void)argc;
	r = parse_addr_arg(v, argv[0], &addr);
	if (r)
		return r;
	r = parse_size_arg(v, argv[1], &len);
	if (r)
		return r;
	size_format(len, size_str, sizeof(size_str));

	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;
	r = lcma_resize(&h, &addr, &len);
	if (r < 0) {
		log_failure(r, r == -ENOMEM ?
			    enomem_hint(c, &h, LCMA_OP_RESIZE) :
			    ioctl_hint(c, LCMA_OP_RESIZE, r),
			    "Failed to resize the buffer at 0x%llx to %s",
			    (unsigned long long)addr, size_str);
		lcma_close(&h);
		return EXIT_FAILURE;
	}
	lcma_close(&h);
	printf("0x%llx\n", (unsigned long long)addr);
	return EXIT_SUCCESS;
}

static int verb_free(struct context *c, const struct verb *v, int argc,
		     char **argv)
{
	uint64_t addr;
	struct lcma h;
	int r;

	(void)argc;
	r = parse_addr_arg(v, argv[0], &addr);
	if (r)
		return r;

	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;
	r = lcma_free(&h, addr);
	lcma_close(&h);
	if (r < 0) {
		log_failure(r, ioctl_hint(c, LCMA_OP_FREE, r),
			    "Failed to free the buffer at 0x%llx",
			    (unsigned long long)addr);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static uint64_t range_end(const struct lazy_cma_range *e)
{
	return e->len ? e->phys_addr + e->len - 1 : e->phys_addr;
}

static void list_json(const struct lazy_cma_range *a, size_t n)
{
	char name[JSON_ESCAPE_MAX(LAZY_CMA_NAME_MAX)];
	size_t i;

	if (n == 0) {
		puts("[]");
		return;
	}
	puts("[");
	for (i = 0; i < n; i++) {
		const struct lazy_cma_range *e = &a[i];

		json_escape(name, sizeof(name), e->name);
		printf("  {\"phys_addr\": \"0x%llx\", \"end\": \"0x%llx\", \"len\": %llu, \"node\": %d, \"zone\": \"%s\", "
		       "\"crash\": %s, \"crash_low\": %s, \"loaded\": %s, \"mapped\": %s, "
		       "\"map_count\": %u, \"alloc_ns\": %llu, \"alloc_attempts\": %u, \"name\": %s}%s\n",
		       (unsigned long long)e->phys_addr,
		       (unsigned long long)range_end(e),
		       (unsigned long long)e->len, (int)e->node,
		       lcma_zone_name(e->zone),
		       e->flags & LAZY_CMA_RANGE_CRASH ? "true" : "false",
		       e->flags & LAZY_CMA_RANGE_CRASH_LOW ? "true" : "false",
		       e->flags & LAZY_CMA_RANGE_CRASH_LOADED ? "true" : "false",
		       e->flags & LAZY_CMA_RANGE_MAPPED ? "true" : "false",
		       (unsigned int)e->map_count,
		       (unsigned long long)e->alloc_ns,
		       (unsigned int)e->alloc_attempts, name,
		       i + 1 < n ? "," : "");
	}
	puts("]");
}

enum { COL_START, COL_END, COL_SIZE, COL_NODE, COL_ZONE, COL_FLAGS,
       COL_ATTEMPTS, COL_TIME, COL_NAME, N_COLS };

/* Each cell is short: an address, a number or a name. */
typedef char list_row[N_COLS][LAZY_CMA_NAME_MAX + 16];

static void list_fill_row(list_row row, const struct lazy_cma_range *e)
{
	size_t i;

	snprintf(row[COL_START], sizeof(row[0]), "0x%llx",
		 (unsigned long long)e->phys_addr);
	snprintf(row[COL_END], sizeof(row[0]), "0x%llx",
		 (unsigned long long)range_end(e));
	size_format(e->len, row[COL_SIZE], sizeof(row[0]));
	snprintf(row[COL_NODE], sizeof(row[0]), "%d", (int)e->node);
	snprintf(row[COL_ZONE], sizeof(row[0]), "%s", lcma_zone_name(e->zone));
	lcma_range_flags_format(e->flags, row[COL_FLAGS], sizeof(row[0]));
	snprintf(row[COL_ATTEMPTS], sizeof(row[0]), "%u",
		 (unsigned int)e->alloc_attempts);
	duration_format(e->alloc_ns, row[COL_TIME], sizeof(row[0]));
	/* Never pass control characters to the terminal. */
	snprintf(row[COL_NAME], sizeof(row[0]), "%s", e->name);
	for (i = 0; row[COL_NAME][i]; i++)
		if ((unsigned char)row[COL_NAME][i] < 0x20 ||
		    (unsigned char)row[COL_NAME][i] > 0x7e)
			row[COL_NAME][i] = '?';
}

static int list_table(const struct lazy_cma_range *a, size_t n)
{
	static const char *const header[N_COLS] = {
		"START", "END", "SIZE", "NODE", "ZONE", "FLAGS", "ATTEMPTS",
		"TIME", "NAME"
	};
	size_t width[N_COLS], i, j;
	list_row *rows;

	rows = calloc(n + 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	for (j = 0; j < N_COLS; j++)
		snprintf(rows[0][j], sizeof(rows[0][j]), "%s", header[j]);
	for (i = 0; i < n; i++)
		list_fill_row(rows[i + 1], &a[i]);

	for (j = 0; j < N_COLS; j++) {
		width[j] = 0;
		for (i = 0; i <= n; i++)
			if (strlen(rows[i][j]) > width[j])
				width[j] = strlen(rows[i][j]);
	}
	for (i = 0; i <= n; i++) {
		for (j = 0; j + 1 < N_COLS; j++)
			printf("%-*s  ", (int)width[j], rows[i][j]);
		printf("%s\n", rows[i][N_COLS - 1]);
	}
	free(rows);
	return 0;
}

static int verb_list(struct context *c, const struct verb *v, int argc,
		     char **argv)
{
	struct lazy_cma_range *a = NULL;
	struct lcma h;
	size_t n = 0;
	int r;

	(void)v;
	(void)argc;
	(void)argv;
	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;
	r = lcma_list(&h, &a, &n);
	lcma_close(&h);
	if (r < 0) {
		const char *hint = ioctl_hint(c, LCMA_OP_LIST, r);

		if (r == -EAGAIN)
			hint = "Buffers kept appearing while they were being listed; try again.";
		log_failure(r, hint, "Failed to list the buffers of %s",
			    device_path(c));
		return EXIT_FAILURE;
	}

	if (c->json) {
		list_json(a, n);
	} else {
		r = list_table(a, n);
		if (r < 0) {
			log_failure(r, NULL, "Failed to format the list of %zu buffers",
				    n);
			free(a);
			return EXIT_FAILURE;
		}
	}
	free(a);
	return EXIT_SUCCESS;
}

/*
 * The address of kernel symbol @sym from @ksyms; prints why not and
 * returns -errno on failure.
 */
static int lookup_symbol(const char *ksyms, const char *sym, uint64_t *ret)
{
	int r = kallsyms_lookup(ksyms, sym, ret);

	switch (-r) {
	case 0:
		break;
	case EPERM:
		fprintf(stderr, PROG ": %s shows the address of %s as 0: kptr_restrict hides kernel addresses; run as root with kernel.kptr_restrict<=1.\n",
			ksyms, sym);
		break;
	case ENOENT:
		fprintf(stderr, PROG ": %s is not in %s: %s\n", sym, ksyms,
			strcmp(sym, LCMA_SYM_KEXEC_LOCK) ?
			"the running kernel has no crash dump support (CONFIG_CRASH_DUMP), so it cannot load a crash kernel." :
			"the running kernel has no kexec support, or is older than Linux 6.0: it is not supported.");
		break;
	case ENOSYS:
		fprintf(stderr, PROG ": %s does not exist, so the address of %s is unknown: mount /proc; a kernel without CONFIG_KALLSYMS is not supported.\n",
			ksyms, sym);
		break;
	case ENOTUNIQ:
		fprintf(stderr, PROG ": %s lists several symbols named %s at different addresses: this kernel is not supported.\n",
			ksyms, sym);
		break;
	default:
		log_failure(r, lcma_error_hint(LCMA_OP_OPEN, r),
			    "Failed to read the address of %s from %s", sym,
			    ksyms);
	}
	return r;
}

static int verb_bind(struct context *c, const struct verb *v, int argc,
		     char **argv)
{
	const char *sym = c->low ? "crashk_low_res" : "crashk_res";
	const char *ksyms = getenv(KALLSYMS_ENV);
	uint64_t addr, res, lock;
	struct lcma h;
	int r;

	(void)argc;
	if (!ksyms || !*ksyms)
		ksyms = KALLSYMS_PATH;
	r = parse_addr_arg(v, argv[0], &addr);
	if (r)
		return r;

	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;

	if (lookup_symbol(ksyms, sym, &res) < 0 ||
	    lookup_symbol(ksyms, LCMA_SYM_KEXEC_LOCK, &lock) < 0) {
		lcma_close(&h);
		return EXIT_FAILURE;
	}

	/* Binding needs the module to know the kernel's kexec lock. */
	r = lcma_kexec_lock(&h, lock);
	if (r < 0) {
		lcma_close(&h);
		log_failure(r, ioctl_hint(c, LCMA_OP_KEXEC_LOCK, r),
			    "Failed to give lazy_cma the kernel's kexec lock (%s at 0x%llx)",
			    LCMA_SYM_KEXEC_LOCK, (unsigned long long)lock);
		return EXIT_FAILURE;
	}
	r = lcma_crash_bind(&h, addr, res, c->low ? LAZY_CMA_CRASH_LOW : 0);
	lcma_close(&h);
	if (r < 0) {
		log_failure(r, ioctl_hint(c, LCMA_OP_CRASH_BIND, r),
			    "Failed to bind the buffer at 0x%llx as the %scrash-kernel region (%s at 0x%llx)",
			    (unsigned long long)addr, c->low ? "low " : "",
			    sym, (unsigned long long)res);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static int verb_unbind(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	uint64_t addr;
	struct lcma h;
	int r;

	(void)argc;
	r = parse_addr_arg(v, argv[0], &addr);
	if (r)
		return r;

	if (open_device(c, &h) < 0)
		return EXIT_FAILURE;
	r = lcma_crash_unbind(&h, addr);
	lcma_close(&h);
	if (r < 0) {
		log_failure(r, ioctl_hint(c, LCMA_OP_CRASH_UNBIND, r),
			    "Failed to unbind the buffer at 0x%llx from the crash-kernel region",
			    (unsigned long long)addr);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

static const struct verb verbs[] = {
	{
		"alloc", 1, 1, verb_alloc,
		OPT(ARG_NODE) | OPT(ARG_NAME) | OPT(ARG_BELOW_4G) |
			OPT(ARG_ABOVE_4G),
		"SIZE [--node N] [--name NAME] [--below-4g|--above-4g]",
		"Allocate a buffer and print its physical address.",
		"Allocate a physically contiguous buffer of SIZE bytes (rounded up\n"
		"to whole pages) and print its physical address alone on stdout.\n"
		"\n"
		"  --node N      allocate on NUMA node N (default: any node)\n"
		"  --name NAME   its name in /proc/iomem, up to 63 printable ASCII\n"
		"                characters (default: " LAZY_CMA_DEFAULT_NAME ")\n"
		"  --below-4g    the whole buffer below 4 GiB (what a crash kernel\n"
		"                needs for DMA)\n"
		"  --above-4g    the whole buffer at or above 4 GiB\n",
	},
	{
		"resize", 2, 2, verb_resize, 0,
		"ADDR SIZE",
		"Grow or shrink a buffer and print its (new) address.",
		"Grow or shrink the buffer at ADDR to SIZE bytes and print its\n"
		"address, which changes when it had to move. Growing moves the\n"
		"buffer (copying its contents) when it cannot grow in place.\n",
	},
	{
		"free", 1, 1, verb_free, 0,
		"ADDR",
		"Free a buffer.",
		"Free the buffer at ADDR. A buffer bound as the crash-kernel\n"
		"region must be unbound first.\n",
	},
	{
		"list", 0, 0, verb_list, OPT(ARG_JSON),
		"[--json]",
		"List every buffer.",
		"List every buffer, ordered by address. END is the last byte (as\n"
		"in /proc/iomem); FLAGS are crash (bound as crashk_res), crash-low\n"
		"(bound as crashk_low_res), loaded (a crash kernel is loaded into\n"
		"it) and mapped; TIME and ATTEMPTS are what the allocation (or the\n"
		"last resize) took. Scripts should use --json.\n"
		"\n"
		"  --json   one JSON array of objects with the keys phys_addr and\n"
		"           end (hex strings), len, node, zone, crash, crash_low,\n"
		"           loaded, mapped, map_count, alloc_ns, alloc_attempts,\n"
		"           name\n",
	},
	{
		"bind", 1, 1, verb_bind, OPT(ARG_LOW),
		"ADDR [--low]",
		"Make a buffer the kernel's crash-kernel region.",
		"Make the buffer at ADDR the kernel's crash-kernel region, so that\n"
		"'kexec -p' (kexec_file_load) loads a crash kernel into it. The\n"
		"addresses of crashk_res and of the kernel's kexec lock\n"
		"(__kexec_lock, which the module holds while it changes a bound\n"
		"buffer) are read from /proc/kallsyms, which needs root and\n"
		"kernel.kptr_restrict<=1.\n"
		"\n"
		"  --low   bind as crashk_low_res, the below-4-GiB companion of a\n"
		"          crash region above 4 GiB; the buffer must lie below 4 GiB\n",
	},
	{
		"unbind", 1, 1, verb_unbind, 0,
		"ADDR",
		"Give the crash-kernel region back.",
		"Give the crash-kernel region back to the kernel as it was; the\n"
		"buffer stays allocated. Unload the crash kernel first\n"
		"('kexec -p -u').\n",
	},
};

#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static void help(FILE *f)
{
	size_t i;

	fputs("Usage: " PROG " [--device PATH] VERB [ARGUMENTS...]\n"
	      "\n"
	      "Allocate physically contiguous memory at run time through the\n"
	      "lazy_cma kernel module, and bind it as the kernel's crash-kernel\n"
	      "region, without cma= or crashkernel= on the kernel command line.\n"
	      "\n"
	      "Verbs:\n", f);
	for (i = 0; i < N_VERBS; i++)
		fprintf(f, "  %s %s\n      %s\n", verbs[i].name,
			verbs[i].synopsis, verbs[i].summary);
	fputs("\n"
	      "Run '" PROG " VERB --help' for what a verb does and its options.\n"
	      "\n"
	      "Options:\n"
	      "      --device PATH  the lazy_cma device (default " LCMA_DEFAULT_DEVICE ")\n"
	      "  -h, --help         show this help and exit\n"
	      "      --version      show the version and exit\n"
	      "\n"
	      "SIZE is a number of bytes with an optional binary unit: 4096, 512K,\n"
	      "256M, 1.5G, 2T (K = 1024 bytes; 256M, 256MiB and 256MB are the same),\n"
	      "or a hex number of bytes: 0x10000000. ADDR is a physical address as\n"
	      "alloc and list print it (0x100000000), or a decimal number.\n"
	      "\n"
	      "Buffers outlive this command: they stay allocated until freed or\n"
	      "until lazy_cma.ko is unloaded. Every verb needs root\n"
	      "(CAP_SYS_ADMIN).\n"
	      "\n"
	      "Environment:\n"
	      "  " KALLSYMS_ENV "  file that bind reads instead of " KALLSYMS_PATH "\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  the operation failed (the message says what to do)\n"
	      "  2  invalid command line\n"
	      "\n"
	      "Examples:\n"
	      "  addr=$(" PROG " alloc 256M --below-4g --name crashkernel)\n"
	      "  " PROG " bind \"$addr\"\n"
	      "  " PROG " list --json\n", f);
}

static void verb_help(const struct verb *v, FILE *f)
{
	fprintf(f, "Usage: " PROG " [--device PATH] %s %s\n\n%s", v->name,
		v->synopsis, v->help);
}

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < N_VERBS; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

static const char *option_name(int val)
{
	const struct option *o;

	for (o = verb_options; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* The option getopt_long() just complained about. */
static const char *bad_option(char **argv, char *buf, size_t size)
{
	if (optopt && optopt < 0x100) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	if (optopt >= 0x100) {
		snprintf(buf, size, "--%s", option_name(optopt));
		return buf;
	}
	return argv[optind - 1];
}

/* @argv[0] is the verb. */
static int dispatch(struct context *c, int argc, char **argv)
{
	const struct verb *v;
	char buf[64];
	unsigned int n;
	int opt, r;

	v = find_verb(argv[0]);
	if (!v)
		return usage_error(NULL, "Unknown verb '%s'.", argv[0]);

	optind = 0;	/* restart getopt on the verb's arguments */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", verb_options, NULL)) != -1) {
		if (opt >= ARG_NODE && !(v->options & OPT(opt)))
			return usage_error(v, "Option '--%s' does not apply to '%s'.",
					   option_name(opt), v->name);
		switch (opt) {
		case 'h':
			verb_help(v, stdout);
			return EXIT_SUCCESS;
		case ARG_DEVICE:
			c->device = optarg;
			break;
		case ARG_NODE:
			r = node_parse(optarg, &c->node);
			if (r < 0)
				return usage_error(v, "Invalid node '%s': expected a NUMA node number such as 0 or 1.",
						   optarg);
			break;
		case ARG_NAME:
			r = lcma_name_check(optarg);
			if (r == -ENAMETOOLONG)
				return usage_error(v, "Name '%s' is too long: at most %d characters.",
						   optarg, LAZY_CMA_NAME_MAX - 1);
			if (r < 0)
				return usage_error(v, "Invalid name: only printable ASCII characters are allowed.");
			c->name = optarg;
			break;
		case ARG_BELOW_4G:
			c->alloc_flags |= LAZY_CMA_ALLOC_BELOW_4G;
			break;
		case ARG_ABOVE_4G:
			c->alloc_flags |= LAZY_CMA_ALLOC_ABOVE_4G;
			break;
		case ARG_JSON:
			c->json = true;
			break;
		case ARG_LOW:
			c->low = true;
			break;
		case ':':
			return usage_error(v, "Option '%s' needs an argument.",
					   bad_option(argv, buf, sizeof(buf)));
		default:
			return usage_error(v, "Unknown option '%s'.",
					   bad_option(argv, buf, sizeof(buf)));
		}
	}

	n = (unsigned int)(argc - optind);
	if (n < v->min_args)
		return usage_error(v, "Too few arguments: " PROG " %s %s",
				   v->name, v->synopsis);
	if (n > v->max_args)
		return usage_error(v, "Too many arguments: " PROG " %s %s",
				   v->name, v->synopsis);
	return v->fn(c, v, (int)n, argv + optind);
}

/*
 * Flush and close stdout, util-linux style: a full disk or a closed pipe
 * must not turn into a silent success.
 */
static int close_stdout(void)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno > 0 ? -errno : -EIO;
	else if (ferror(stdout))
		err = -EIO;
	if (fclose(stdout) != 0 && !err)
		err = errno > 0 ? -errno : -EIO;
	return err;
}

int main(int argc, char **argv)
{
	struct context c = { .device = NULL, .node = -1 };
	char buf[64];
	int opt, ret, r;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", global_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			help(stdout);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_VERSION:
			puts(PROG " (lazy-kdump) " LAZY_KDUMP_VERSION);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_DEVICE:
			c.device = optarg;
			break;
		case ':':
			ret = usage_error(NULL, "Option '%s' needs an argument.",
					  bad_option(argv, buf, sizeof(buf)));
			goto out;
		default:
			ret = usage_error(NULL, "Unknown option '%s'.",
					  bad_option(argv, buf, sizeof(buf)));
			goto out;
		}
	}
	if (optind >= argc) {
		ret = usage_error(NULL, "Missing verb.");
		goto out;
	}
	ret = dispatch(&c, argc - optind, argv + optind);
out:
	r = close_stdout();
	if (r < 0 && ret == EXIT_SUCCESS) {
		log_failure(r, NULL, "Failed to write to stdout");
		ret = EXIT_FAILURE;
	}
	return ret;
}
