/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the source files of the lazy-kdump command share: the names of its
 * files and environment variables, the verb options, struct context (the
 * parsed command line and configuration), struct verb, struct prepared (the
 * sized files) and struct real (the real system's handle), and the helpers
 * more than one file calls. lazy-kdump.c holds main(), option parsing,
 * dispatch, the verb table and the help; lazy-kdump-util.c the shared
 * helpers; lazy-kdump-VERB.c each verb or family of verbs (load.c: load,
 * unload, resize and reload; status.c: status and metrics) with what only
 * it uses.
 */
#ifndef LAZY_KDUMP_H
#define LAZY_KDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/arm.h"
#include "lib/config.h"
#include "lib/estimate.h"
#include "lib/lastdump.h"
#include "lib/lcma.h"
#include "lib/state.h"

#ifndef LAZY_KDUMP_VERSION
#define LAZY_KDUMP_VERSION "unknown"
#endif

#define PROG			"lazy-kdump"
#define EXIT_USAGE		2
#define EXIT_NOT_ARMED		3

#define ENV_CONFIG		"LAZY_KDUMP_CONFIG"
#define ENV_STATE_DIR		"LAZY_KDUMP_STATE_DIR"
#define ENV_SYSROOT		"LAZY_KDUMP_SYSROOT"
#define ENV_MODPROBE		"LAZY_KDUMP_MODPROBE"
#define ENV_VARDIR		"LAZY_KDUMP_STATEDIR"
#define ENV_METRICS		"LAZY_KDUMP_METRICS_FILE"
#define ENV_MKINITRD		"LAZY_KDUMP_MKINITRD"	/* tests */
#define SYS_BOOT_ID		"/proc/sys/kernel/random/boot_id"
#define PROC_SYSRQ_TRIGGER	"/proc/sysrq-trigger"

#define DEFAULT_INITRD_DIR	"/var/lib/lazy-kdump"
#define MODULE_NAME		"lazy_cma"

/* The schema of status --json and estimate --json (see lazy-kdump(8)). */
#define STATUS_JSON_SCHEMA	1
#define ESTIMATE_JSON_SCHEMA	1
#define DUMPS_JSON_SCHEMA	1

enum {
	ARG_CONFIG = 0x100,
	ARG_DEVICE,
	ARG_VERSION,
	ARG_KERNEL,	/* ARG_KERNEL and later: verb options, see OPT() */
	ARG_INITRD,
	ARG_APPEND,
	ARG_SIZE,
	ARG_NODE,
	ARG_PLACEMENT,
	ARG_WORKING_MEMORY,
	ARG_JSON,
	ARG_CAPTURE,
	ARG_DUMP_TARGET,
	ARG_WRITE,
	ARG_YES,
};

#define OPT(arg)	(1U << ((arg) - ARG_KERNEL))

struct context {
	const char *config_path;	/* NULL: default, may be missing */
	bool config_explicit;
	const char *device;
	const char *sysroot;
	const char *state_dir;
	const char *vardir;	/* persistent: the boot marker */
	const char *modprobe;

	/* Verb options; NULL / false: not given. */
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *size;
	bool node_set;
	int node;
	bool placement_set;
	enum placement placement;
	bool working_memory_set;
	enum working_memory working_memory;
	bool json;
	bool capture;
	const char *dump_target;
	bool write;
	bool yes;

	struct lk_config cfg;
	bool config_loaded;
	int lock_fd;
	/*
	 * When this invocation started, before it read the configuration or
	 * an image: the state's armed_at. A file the rearm check finds
	 * modified at or after it may not be what was loaded.
	 */
	int64_t started;
	/*
	 * A dump server's dumps, read once per invocation (dump_dir_here):
	 * 0 not yet, 1 mirrored, or the -errno of that one reading.
	 */
	int mirror;
};

/* Everything about the files and the machine that sizing needs. */
struct prepared {
	char *kernel;
	char *initrd;
	char *cmdline;
	struct bzimage_info bz;
	struct initrd_info rd;
	struct estimate est;
	struct estimate_input in;
	uint64_t low_size;
	uint64_t swiotlb;
};

struct verb {
	const char *name;
	unsigned int min_args, max_args;
	int (*fn)(struct context *c, const struct verb *v, int argc,
		  char **argv);
	unsigned int options;
	const char *synopsis;
	const char *summary;
	const char *help;
};

/* The real system: the device handle the arm_ops of lazy-kdump-load.c use. */
struct real {
	struct context *c;
	struct lcma h;
	bool open;
	int modprobe_status;	/* -1: not run; else its exit status */
	bool modprobe_ran;
};

/* ---- lazy-kdump-util.c -------------------------------------------------- */


int usage_error(const struct verb *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "lazy-kdump: WHAT: STRERROR. HINT" */
void log_failure(int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fmt_size(uint64_t v, char *buf, size_t size);
const char *fmt_mib(uint64_t v, char *buf, size_t size);
/* @val as a JSON string (null when out of memory) on stdout; json_str: as
 * the line '  "KEY": VALUE[,]'. */
void json_value(const char *val);
void json_str(const char *key, const char *val, bool comma);
void describe_region(const char *what, uint64_t addr, uint64_t len,
		     bool high);
const char *time_str(int64_t t, char *buf, size_t size);

int real_crash_loaded(void *u, bool *ret);
int real_device_open(void *u, bool load);
int real_list(void *u, struct lazy_cma_range **ret, size_t *n);
void real_init(struct real *rl, struct context *c);
void real_done(struct real *rl);
int crash_loaded_settled(struct context *c, bool armed, bool *loaded);

int load_config(struct context *c);
const char *uname_release(char *buf, size_t size);
void prepared_free(struct prepared *p);
int prepare(struct context *c, const struct lk_state *from_state,
	    struct prepared *p);

int need_root(const char *verb);
/*
 * run_helper - run @argv (argv[0] a path) with LAZY_KDUMP_CONFIG set to
 * the configuration @c reads, and wait. Return: its exit status (128 + N
 * for a signal), or -errno when it could not be started.
 */
int run_helper(const struct context *c, char *const argv[]);
/*
 * Where dump_dir_here() mirrors the dumps of a dump server (ssh://, nfs://)
 * under state_dir, and net_display_path(), which turns a path there into
 * HOST:PATH/... for messages.
 */
#define NET_MIRROR	"dump-server"
/* mkinitrd_path - the capture initrd builder (LAZY_KDUMP_MKINITRD). */
const char *mkinitrd_path(void);
void net_display_path(const struct context *c, char *path, size_t size);
int read_state(struct context *c, struct lk_state *st, bool *have);
void boot_id(const struct context *c, char *buf, size_t size);
const char *dump_dir(const struct context *c);
int dump_dir_here(struct context *c, char *buf, size_t size);
int last_dump(const struct context *c, const char *dir, struct lk_lastdump *ld);

/* ---- the verbs ---------------------------------------------------------- */


/* lazy-kdump-estimate.c */
int verb_estimate(struct context *c, const struct verb *v, int argc,
		  char **argv);

/* lazy-kdump-load.c */
int verb_load(struct context *c, const struct verb *v, int argc, char **argv);
int verb_unload(struct context *c, const struct verb *v, int argc,
		char **argv);
int verb_resize(struct context *c, const struct verb *v, int argc,
		char **argv);
int verb_reload(struct context *c, const struct verb *v, int argc,
		char **argv);

/* lazy-kdump-status.c */
int verb_status(struct context *c, const struct verb *v, int argc,
		char **argv);
int verb_metrics(struct context *c, const struct verb *v, int argc,
		 char **argv);
int metrics_update(struct context *c, bool verbose);

/* lazy-kdump-test.c */
int verb_test(struct context *c, const struct verb *v, int argc, char **argv);
/* lazy-kdump-propagate.c */
int verb_propagate(struct context *c, const struct verb *v, int argc,
		   char **argv);

/* lazy-kdump-dumps.c */
int verb_dumps(struct context *c, const struct verb *v, int argc, char **argv);

/* lazy-kdump-config.c */
int verb_config(struct context *c, const struct verb *v, int argc,
		char **argv);

#endif /* LAZY_KDUMP_H */
