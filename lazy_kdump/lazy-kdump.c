// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump - arm kdump on a running machine booted without crashkernel=:
 * size the crash region from the crash kernel and capture initrd, reserve
 * it through /dev/lazy_cma, bind it as the kernel's "Crash kernel" region
 * and load the crash kernel with kexec_file_load(2); resize or give it
 * back later.
 *
 * Files:
 *   /etc/lazy-kdump.conf          configuration (--config, $LAZY_KDUMP_CONFIG)
 *   /run/lazy-kdump/state         what is armed ($LAZY_KDUMP_STATE_DIR)
 *   /run/lazy-kdump/lock          serialises lazy-kdump invocations
 *   /boot/vmlinuz-$(uname -r)     default crash kernel (or
 *                                 /usr/lib/modules/$(uname -r)/vmlinuz)
 *   /var/lib/lazy-kdump/initrd-$(uname -r).img
 *                                 default capture initrd (built by the
 *                                 dracut module; DUMP_TARGET,
 *                                 CORE_COLLECTOR and FINAL_ACTION of the
 *                                 configuration are for it)
 *   /dev/lazy_cma                 the module's device (--device);
 *                                 'modprobe lazy_cma' when missing
 *                                 ($LAZY_KDUMP_MODPROBE names the command)
 *
 * For tests, $LAZY_KDUMP_SYSROOT is put in front of every /proc and /sys
 * path read (the kernel's files and the device are not affected).
 *
 * Exit status: 0 success (status: armed); 1 failure, with a message that
 * says what failed and what to do; 2 invalid command line; 3 status: not
 * armed (kdumpctl's convention).
 *
 * Layers: this file parses, dispatches through the verb table and is the
 * only code that prints; lib/ returns -errno and details; lib/arm.c runs
 * the load/unload/resize sequences over the ops defined here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kexec.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/arm.h"
#include "lib/bzimage.h"
#include "lib/cmdline.h"
#include "lib/config.h"
#include "lib/estimate.h"
#include "lib/initrd.h"
#include "lib/json.h"
#include "lib/kallsyms.h"
#include "lib/lastdump.h"
#include "lib/lcma.h"
#include "lib/metrics.h"
#include "lib/size.h"
#include "lib/state.h"
#include "lib/sysinfo.h"

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
#define SYS_BOOT_ID		"/proc/sys/kernel/random/boot_id"
#define PROC_SYSRQ_TRIGGER	"/proc/sysrq-trigger"

#define DEFAULT_INITRD_DIR	"/var/lib/lazy-kdump"
#define MODULE_NAME		"lazy_cma"

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

static const struct option global_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "config", required_argument, NULL, ARG_CONFIG },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "version", no_argument, NULL, ARG_VERSION },
	{ NULL, 0, NULL, 0 }
};

static const struct option verb_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "config", required_argument, NULL, ARG_CONFIG },
	{ "device", required_argument, NULL, ARG_DEVICE },
	{ "kernel", required_argument, NULL, ARG_KERNEL },
	{ "initrd", required_argument, NULL, ARG_INITRD },
	{ "append", required_argument, NULL, ARG_APPEND },
	{ "size", required_argument, NULL, ARG_SIZE },
	{ "node", required_argument, NULL, ARG_NODE },
	{ "placement", required_argument, NULL, ARG_PLACEMENT },
	{ "json", no_argument, NULL, ARG_JSON },
	{ "capture", no_argument, NULL, ARG_CAPTURE },
	{ "dump-target", required_argument, NULL, ARG_DUMP_TARGET },
	{ "write", no_argument, NULL, ARG_WRITE },
	{ "yes", no_argument, NULL, ARG_YES },
	{ NULL, 0, NULL, 0 }
};

/* ---- messages ---------------------------------------------------------- */

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
		fputs("\nTry '" PROG " --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/* "lazy-kdump: WHAT: STRERROR. HINT" */
static void log_failure(int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void log_failure(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s.", strerror(err < 0 ? -err : err));
	else
		fputc('.', stderr);
	if (hint && *hint)
		fprintf(stderr, " %s", hint);
	fputc('\n', stderr);
}

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_msg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *fmt_size(uint64_t v, char *buf, size_t size)
{
	size_format(v, buf, size);
	return buf;
}

/* "80.5 MiB" for estimates, where exactness does not help. */
static const char *fmt_mib(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " MiB", (uint64_t)(v / MiB),
		 (uint64_t)(v % MiB * 10 / MiB));
	return buf;
}

/* ---- the real system: arm_ops over lcma, /sys and kexec_file_load ------- */

struct real {
	struct context *c;
	struct lcma h;
	bool open;
	int modprobe_status;	/* -1: not run; else its exit status */
	bool modprobe_ran;
};

static int rd_bool(const char *root, const char *path, bool *ret)
{
	uint64_t v;
	int r = sys_read_u64(root, path, &v);

	if (r == 0)
		*ret = v != 0;
	return r;
}

static int real_crash_loaded(void *u, bool *ret)
{
	struct real *rl = u;

	return rd_bool(rl->c->sysroot, SYS_CRASH_LOADED, ret);
}

static int real_crash_size(void *u, uint64_t *ret)
{
	struct real *rl = u;

	return sys_read_u64(rl->c->sysroot, SYS_CRASH_SIZE, ret);
}

/* Run "MODPROBE lazy_cma"; its exit status, or -errno. */
static int run_modprobe(const char *cmd)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp(cmd, cmd, MODULE_NAME, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int real_device_open(void *u, bool load)
{
	struct real *rl = u;
	int r, tries;

	if (rl->open)
		return 0;
	r = lcma_open(&rl->h, rl->c->device);
	if (r == -ENOENT && load && !rl->modprobe_ran) {
		rl->modprobe_ran = true;
		rl->modprobe_status = run_modprobe(rl->c->modprobe);
		if (rl->modprobe_status != 0)
			return -ENOENT;
		/* udev creates the node shortly after the module loads. */
		for (tries = 0; tries < 40; tries++) {
			r = lcma_open(&rl->h, rl->c->device);
			if (r != -ENOENT)
				break;
			usleep(50 * 1000);
		}
	}
	if (r == 0)
		rl->open = true;
	return r;
}

static int real_symbol(void *u, const char *name, uint64_t *ret)
{
	struct real *rl = u;
	char p[PATH_MAX];
	int r;

	r = sys_path(p, sizeof(p), rl->c->sysroot, PROC_KALLSYMS);
	if (r < 0)
		return r;
	return kallsyms_lookup(p, name, ret);
}

static int real_alloc(void *u, uint64_t len, int node, uint32_t flags,
		      const char *name, uint64_t *ret)
{
	return lcma_alloc(&((struct real *)u)->h, len, node, flags, name, ret);
}

static int real_resize(void *u, uint64_t *phys, uint64_t *len)
{
	return lcma_resize(&((struct real *)u)->h, phys, len);
}

static int real_free(void *u, uint64_t phys)
{
	return lcma_free(&((struct real *)u)->h, phys);
}

static int real_bind(void *u, uint64_t phys, uint64_t res, uint32_t flags)
{
	return lcma_crash_bind(&((struct real *)u)->h, phys, res, flags);
}

static int real_kexec_lock(void *u, uint64_t addr)
{
	return lcma_kexec_lock(&((struct real *)u)->h, addr);
}

static int real_largest_window(void *u, uint64_t *ret)
{
	struct lazy_cma_alloc_report rep;
	int r = lcma_alloc_report(&((struct real *)u)->h, &rep);

	if (r < 0)
		return r;
	if (rep.error != -ENOMEM)
		return -ENODATA;
	*ret = rep.largest;
	return 0;
}

static int real_unbind(void *u, uint64_t phys)
{
	return lcma_crash_unbind(&((struct real *)u)->h, phys);
}

static int real_list(void *u, struct lazy_cma_range **ret, size_t *n)
{
	return lcma_list(&((struct real *)u)->h, ret, n);
}

static int real_kexec_load(void *u, const char *kernel, const char *initrd,
			   const char *cmdline)
{
	int kfd, ifd, r = 0;

	(void)u;
	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return -errno;
	ifd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		r = -errno;
		close(kfd);
		return r;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, (unsigned long)KEXEC_FILE_ON_CRASH) < 0)
		r = -errno;
	close(ifd);
	close(kfd);
	return r;
}

static int real_kexec_unload(void *u)
{
	(void)u;
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		    (unsigned long)(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH)) < 0)
		return -errno;
	return 0;
}

static const struct arm_ops real_ops = {
	.crash_loaded = real_crash_loaded,
	.crash_size = real_crash_size,
	.device_open = real_device_open,
	.symbol = real_symbol,
	.alloc = real_alloc,
	.resize = real_resize,
	.free = real_free,
	.bind = real_bind,
	.unbind = real_unbind,
	.list = real_list,
	.kexec_load = real_kexec_load,
	.kexec_unload = real_kexec_unload,
	.kexec_lock = real_kexec_lock,
	.largest_window = real_largest_window,
};

static void real_init(struct real *rl, struct context *c)
{
	memset(rl, 0, sizeof(*rl));
	rl->c = c;
	rl->h.fd = -1;
	rl->modprobe_status = -1;
}

static void real_done(struct real *rl)
{
	if (rl->open)
		lcma_close(&rl->h);
	rl->open = false;
}

/* ---- configuration and sizing ------------------------------------------ */

static int load_config(struct context *c)
{
	struct lk_error e = { "" };
	const char *path = c->config_path ? c->config_path : CONFIG_DEFAULT_PATH;
	int r;

	r = config_load(&c->cfg, path, c->config_explicit, &e);
	if (r < 0) {
		if (e.msg[0])
			log_msg("Invalid configuration: %s", e.msg);
		else
			log_failure(r, r == -ENOENT ?
				    "Check the path given with --config or $" ENV_CONFIG "." : NULL,
				    "Failed to read the configuration file %s", path);
		return r;
	}
	c->config_loaded = true;
	return 0;
}

/* load_config() without its messages (the verb gave them already). */
static int load_config_quiet(struct context *c)
{
	struct lk_error e = { "" };
	const char *path = c->config_path ? c->config_path : CONFIG_DEFAULT_PATH;
	int r = config_load(&c->cfg, path, c->config_explicit, &e);

	c->config_loaded = r == 0;
	return r;
}

static const char *uname_release(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u) < 0)
		snprintf(buf, size, "unknown");
	else
		snprintf(buf, size, "%s", u.release);
	return buf;
}

/* The crash kernel: option, config, /boot/vmlinuz-R, /usr/lib/modules/R. */
static char *default_kernel(void)
{
	char rel[256], p[PATH_MAX];

	uname_release(rel, sizeof(rel));
	snprintf(p, sizeof(p), "/boot/vmlinuz-%s", rel);
	if (access(p, F_OK) != 0) {
		char alt[PATH_MAX];

		snprintf(alt, sizeof(alt), "/usr/lib/modules/%s/vmlinuz", rel);
		if (access(alt, F_OK) == 0)
			return strdup(alt);
	}
	return strdup(p);
}

static char *default_initrd(void)
{
	char rel[256], p[PATH_MAX];

	snprintf(p, sizeof(p), DEFAULT_INITRD_DIR "/initrd-%s.img",
		 uname_release(rel, sizeof(rel)));
	return strdup(p);
}

static void prepared_free(struct prepared *p)
{
	free(p->kernel);
	free(p->initrd);
	free(p->cmdline);
	memset(p, 0, sizeof(*p));
}

/* What /proc/iomem (or, hidden, /proc/meminfo) says about RAM. */
static void read_ram(const struct context *c, struct estimate_input *in)
{
	struct iomem_summary s;
	char *t = NULL;
	uint64_t kb;

	in->ram_ranges = 1;
	in->ram_source = "nothing readable: 0";
	if (sys_read(c->sysroot, PROC_IOMEM, &t) == 0 &&
	    iomem_parse(t, &s) == 0 && !s.hidden && s.ram_bytes) {
		in->ram_bytes = s.ram_bytes;
		in->ram_end = s.ram_end;
		in->ram_ranges = s.ram_ranges;
		in->ram_source = PROC_IOMEM;
		free(t);
		return;
	}
	free(t);
	t = NULL;
	if (sys_read(c->sysroot, PROC_MEMINFO, &t) == 0 &&
	    meminfo_kb(t, "MemTotal", &kb) == 0) {
		in->ram_bytes = kb * 1024;
		in->ram_end = kb * 1024;
		in->ram_source = PROC_MEMINFO " (/proc/iomem needs root)";
	}
	free(t);
}

static void read_machine(const struct context *c, struct estimate_input *in)
{
	char *t = NULL;
	uint64_t v;

	read_ram(c, in);
	in->possible_cpus = 1;
	if (sys_read(c->sysroot, SYS_CPU_POSSIBLE, &t) == 0)
		cpulist_count(t, &in->possible_cpus);
	free(t);
	if (sys_read_u64(c->sysroot, SYS_ELFCOREHDR_SIZE, &v) == 0)
		in->elfcorehdr_size = v;
}

/* Explain a failure to read a kernel or initrd. */
static void file_failure(int r, const struct lk_error *e, const char *what,
			 const char *path, const char *fix)
{
	if (e->msg[0])
		log_msg("The %s %s is not usable: %s. %s", what, path, e->msg,
			fix);
	else
		log_failure(r, fix, "Failed to read the %s %s", what, path);
}

/*
 * Resolve the files (options over configuration over defaults, or the
 * state's when @from_state), read them, build the command line and
 * estimate. Prints on failure.
 */
static int prepare(struct context *c, const struct lk_state *from_state,
		   struct prepared *p)
{
	struct lk_error e = { "" };
	struct cmdline_spec spec;
	char *proc = NULL, *cpuinfo = NULL;
	unsigned int apicid;
	int r;

	memset(p, 0, sizeof(*p));
	if (from_state) {
		p->kernel = strdup(from_state->kernel ? from_state->kernel : "");
		p->initrd = strdup(from_state->initrd ? from_state->initrd : "");
	} else {
		p->kernel = c->kernel ? strdup(c->kernel) :
			    c->cfg.kernel ? strdup(c->cfg.kernel) :
			    default_kernel();
		p->initrd = c->initrd ? strdup(c->initrd) :
			    c->cfg.initrd ? strdup(c->cfg.initrd) :
			    default_initrd();
	}
	if (!p->kernel || !p->initrd) {
		log_failure(-ENOMEM, NULL, "Failed to prepare");
		return -ENOMEM;
	}

	r = bzimage_read(p->kernel, &p->bz, &e);
	if (r < 0) {
		file_failure(r, &e, "crash kernel", p->kernel,
			     "Give a Debian x86-64 kernel image with --kernel or KERNEL= in " CONFIG_DEFAULT_PATH ".");
		return r;
	}
	lk_error_clear(&e);
	r = initrd_analyze(p->initrd, &p->rd, &e);
	if (r < 0) {
		file_failure(r, &e, "capture initrd", p->initrd,
			     r == -ENOENT && !c->initrd && !c->cfg.initrd ?
			     "Build the capture initrd first, or give one with --initrd or INITRD= in " CONFIG_DEFAULT_PATH "." :
			     "Give a valid initramfs with --initrd or INITRD= in " CONFIG_DEFAULT_PATH ".");
		return r;
	}

	if (from_state && from_state->cmdline) {
		p->cmdline = strdup(from_state->cmdline);
		if (!p->cmdline)
			return -ENOMEM;
	} else {
		r = sys_read(c->sysroot, PROC_CMDLINE, &proc);
		if (r < 0) {
			log_failure(r, "Mount /proc.",
				    "Failed to read the running kernel's command line from " PROC_CMDLINE);
			return r;
		}
		memset(&spec, 0, sizeof(spec));
		spec.base = proc;
		spec.remove = c->cfg.cmdline_remove;
		spec.append = c->cfg.cmdline_append;
		spec.extra = c->append;
		spec.boot_apicid = -1;
		if (sys_read(c->sysroot, PROC_CPUINFO, &cpuinfo) == 0 &&
		    cpuinfo_boot_apicid(cpuinfo, &apicid) == 0)
			spec.boot_apicid = (int)apicid;
		r = cmdline_build(&spec, &p->cmdline, &e);
		free(proc);
		free(cpuinfo);
		if (r < 0) {
			log_failure(r, e.msg, "Failed to build the crash kernel's command line");
			return r;
		}
	}
	if (!cmdline_fits(strlen(p->cmdline), p->bz.cmdline_size)) {
		log_msg("The crash kernel's command line is %zu characters, more than the %u that %s accepts with elfcorehdr= added: remove words with CMDLINE_REMOVE= in " CONFIG_DEFAULT_PATH ".",
			strlen(p->cmdline),
			p->bz.cmdline_size > CMDLINE_ELFCOREHDR_RESERVE + 1 ?
			p->bz.cmdline_size - CMDLINE_ELFCOREHDR_RESERVE - 1 : 0,
			p->kernel);
		return -E2BIG;
	}

	p->in.kernel = &p->bz;
	p->in.initrd = &p->rd;
	p->in.cmdline_len = strlen(p->cmdline);
	read_machine(c, &p->in);
	estimate_compute(&p->in, &p->est);
	/* The crash kernel's swiotlb: what its own command line says. */
	p->swiotlb = cmdline_swiotlb_bytes(p->cmdline);
	p->low_size = estimate_low_size(p->swiotlb);
	return 0;
}

/* The size to reserve: --size, SIZE=, or the estimate. */
static int pick_size(struct context *c, const struct verb *v,
		     const char *arg, const struct prepared *p, uint64_t *ret,
		     bool *is_auto)
{
	const char *s = arg ? arg : c->size;
	uint64_t size;
	int r;

	if (!s && !c->cfg.size_auto) {
		*ret = c->cfg.size;
		*is_auto = false;
		return 0;
	}
	if (!s || strcmp(s, "auto") == 0) {
		*ret = p->est.total;
		*is_auto = true;
		return 0;
	}
	r = size_parse(s, &size);
	if (r < 0 || size == 0)
		return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
				   s);
	*ret = size;
	*is_auto = false;
	return 0;
}

/* Refuse sizes that cannot hold the images. Prints. */
static int check_size(uint64_t size, const struct prepared *p)
{
	/* One buffer per argument: they are all formatted before the call. */
	char a[32], b[32], d[32], m[32], t[32];

	if (size < p->est.hard_min) {
		log_msg("A crash region of %s cannot hold these files: the kernel (init_size %s), the initrd (%s) and the load segments need at least %s. Give at least --size %s, or 'auto' (%s).",
			fmt_size(size, a, sizeof(a)),
			fmt_mib(p->est.term[EST_KERNEL].bytes, b, sizeof(b)),
			fmt_mib(p->est.term[EST_INITRD].bytes, d, sizeof(d)),
			fmt_size(p->est.hard_min, m, sizeof(m)),
			fmt_size(p->est.hard_min, m, sizeof(m)),
			fmt_size(p->est.total, t, sizeof(t)));
		return -ENOSPC;
	}
	if (size < p->est.total)
		log_msg("Warning: %s is below the estimate of %s for these files; the capture may run out of memory ('" PROG " estimate' shows why).",
			fmt_size(size, a, sizeof(a)),
			fmt_size(p->est.total, b, sizeof(b)));
	return 0;
}

/* ---- estimate ----------------------------------------------------------- */

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
}

/* The schema of status --json and estimate --json (see lazy-kdump(8)). */
#define STATUS_JSON_SCHEMA	1
#define ESTIMATE_JSON_SCHEMA	1

static void json_str(const char *key, const char *val, bool comma)
{
	size_t n = json_escape(NULL, 0, val);
	char *buf = malloc(n + 1);

	if (!buf) {
		printf("  \"%s\": null%s\n", key, comma ? "," : "");
		return;
	}
	json_escape(buf, n + 1, val);
	printf("  \"%s\": %s%s\n", key, buf, comma ? "," : "");
	free(buf);
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
	       "  \"hard_minimum\": %" PRIu64 ",\n  \"low_companion\": %" PRIu64 ",\n",
	       p->est.sum, p->est.total, p->est.hard_min, p->low_size);
	json_str("runtime_series", p->est.runtime_ref->series, true);
	printf("  \"runtime_provisional\": %s,\n  \"runtime_fallback\": %s\n}\n",
	       p->est.runtime_ref->provisional ? "true" : "false",
	       p->est.runtime_fallback ? "true" : "false");
}

static int verb_estimate(struct context *c, const struct verb *v, int argc,
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

/* ---- locking and state -------------------------------------------------- */

static int need_root(const char *verb)
{
	if (geteuid() != 0) {
		log_msg("'%s' changes the kernel's crash setup and must run as root (try 'sudo " PROG " %s').",
			verb, verb);
		return -EPERM;
	}
	return 0;
}

static int take_lock(struct context *c)
{
	int r;

	if (c->lock_fd >= 0)	/* held already (reload running load) */
		return 0;
	r = state_lock(c->state_dir, false, &c->lock_fd);
	if (r == -EWOULDBLOCK) {
		log_msg("Waiting for another lazy-kdump to finish (%s/" STATE_LOCK ")...",
			c->state_dir);
		r = state_lock(c->state_dir, true, &c->lock_fd);
	}
	if (r < 0)
		log_failure(r, "Is /run mounted and writable (set $" ENV_STATE_DIR " to use another directory)?",
			    "Failed to lock %s/" STATE_LOCK, c->state_dir);
	return r;
}

/* 0 with *@st (maybe empty: -ENOENT is fine), or prints and fails. */
static int read_state(struct context *c, struct lk_state *st, bool *have)
{
	struct lk_error e = { "" };
	int r;

	state_init(st);
	*have = false;
	r = state_read(c->state_dir, st, &e);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_msg("Ignoring the unreadable state file %s/" STATE_FILE " (%s); the buffers are found through the module instead.",
			c->state_dir, e.msg[0] ? e.msg : strerror(-r));
		state_init(st);
		return 0;
	}
	*have = true;
	return 0;
}

static void save_state(struct context *c, const struct lk_state *st)
{
	int r = state_write(c->state_dir, st);

	if (r < 0)
		log_failure(r, "'" PROG " status' will not show what is armed, but 'unload' still finds the reservation.",
			    "Warning: failed to record the state in %s/" STATE_FILE,
			    c->state_dir);
}

/* ---- failure messages of the arm sequences ------------------------------- */

static const char *kexec_hint(struct context *c, int err, const struct prepared *p,
			      char *buf, size_t size)
{
	char mode[32] = "", a[32];
	char *t = NULL;
	uint64_t disabled = 0;

	switch (-err) {
	case EPERM:
		if (sys_read(c->sysroot, SYS_LOCKDOWN, &t) == 0)
			lockdown_mode(t, mode, sizeof(mode));
		free(t);
		sys_read_u64(c->sysroot, PROC_KEXEC_DISABLED, &disabled);
		if (disabled)
			return "kexec is disabled (kernel.kexec_load_disabled=1), which cannot be undone until the next boot.";
		if (mode[0] && strcmp(mode, "none") != 0) {
			snprintf(buf, size,
				 "The kernel is locked down (lockdown=%s, e.g. by Secure Boot): it loads only crash kernels signed by a key it trusts. Use the distribution's signed kernel image (Debian: linux-image-*-amd64, not -unsigned) as --kernel.",
				 mode);
			return buf;
		}
		return "Loading a crash kernel needs CAP_SYS_BOOT: run as root.";
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
	case ENODATA:
	case ENOPKG:
		return "The kernel enforces signed crash kernels (CONFIG_KEXEC_SIG_FORCE, or lockdown under Secure Boot) and this image's signature was missing or not trusted: use a kernel signed by a trusted key.";
	case ENOEXEC:
		return "kexec_file_load does not recognise the crash kernel as a bzImage it can boot.";
	case ENOMEM:
	case EADDRNOTAVAIL:
	case ENOSPC:
		snprintf(buf, size,
			 "The kernel, initrd and their segments did not fit in the crash region: give a larger --size (the estimate is %s).",
			 fmt_size(p ? p->est.total : 0, a, sizeof(a)));
		return buf;
	case EBUSY:
		return "Another kexec operation is in progress; try again.";
	case EINVAL:
		return "The kernel rejected the command line or an image (is the command line too long?).";
	}
	return NULL;
}

/* Explain @out's failed step. Prints. */
static void explain_failure(struct context *c, struct real *rl,
			    const struct arm_outcome *out,
			    const struct arm_request *rq,
			    const struct prepared *p, const struct lk_state *st)
{
	char a[32], b[32], hint[512], rel[256];
	const char *h = NULL;
	uint64_t mib;
	int err = out->err;

	hint[0] = '\0';
	switch (out->step) {
	case ARM_STEP_CHECK_LOADED:
	case ARM_STEP_CRASH_SIZE:
		if (err == -ENOENT)
			h = "This kernel has no kexec crash support (CONFIG_KEXEC_FILE and CONFIG_CRASH_DUMP), so kdump cannot be armed.";
		break;
	case ARM_STEP_ALREADY_LOADED:
		if (st && st->armed)
			log_msg("kdump is already armed by lazy-kdump (crash region %s); use '" PROG " resize' or '" PROG " unload'.",
				fmt_size(st->main_len, a, sizeof(a)));
		else
			log_msg("A crash kernel is already loaded, not by lazy-kdump (kdump-tools, kdumpctl or 'kexec -p'?): leave it, or unload it first ('kexec -p -u' or its service) and run '" PROG " load' again.");
		return;
	case ARM_STEP_BOOT_TIME:
		log_msg("The kernel has a boot-time crashkernel= reservation of %s, but these files need %s: boot with crashkernel=%s or more, or without crashkernel= so that lazy-kdump reserves at run time, or give a smaller initrd.",
			fmt_size(out->boot_time_size, a, sizeof(a)),
			fmt_size(rq->size, b, sizeof(b)),
			fmt_size(rq->size, hint, sizeof(hint)));
		return;
	case ARM_STEP_DEVICE:
		if (err == -ENOENT && rl->modprobe_ran && rl->modprobe_status != 0) {
			snprintf(hint, sizeof(hint),
				 "lazy_cma.ko is not loaded and '%s " MODULE_NAME "' failed (exit status %d): install the module for kernel %s (make -C module install, or its DKMS package) and try again.",
				 c->modprobe, rl->modprobe_status,
				 uname_release(rel, sizeof(rel)));
			h = hint;
		} else if (err == -ENOENT && rl->modprobe_ran) {
			h = "'modprobe lazy_cma' succeeded but the device did not appear: check the kernel log (dmesg) for lazy_cma's messages.";
		} else {
			h = lcma_error_hint(LCMA_OP_OPEN, err);
		}
		log_failure(err, h, "Failed to open %s",
			    c->device ? c->device : LCMA_DEFAULT_DEVICE);
		return;
	case ARM_STEP_SYMBOL:
	case ARM_STEP_SYMBOL_LOW:
	case ARM_STEP_SYMBOL_LOCK:
		switch (-err) {
		case EPERM:
			h = "/proc/kallsyms hides kernel addresses (kernel.kptr_restrict=2): run 'sysctl kernel.kptr_restrict=1' and try again.";
			break;
		case ENOENT:
			h = out->step == ARM_STEP_SYMBOL_LOCK ?
			    "The running kernel has no __kexec_lock (no kexec support, or older than Linux 6.0): it is not supported." :
			    "The running kernel has no crash dump support (CONFIG_CRASH_DUMP), so it cannot load a crash kernel.";
			break;
		case ENOSYS:
			h = "/proc/kallsyms does not exist: mount /proc; a kernel without CONFIG_KALLSYMS is not supported.";
			break;
		}
		break;
	case ARM_STEP_ALLOC:
	case ARM_STEP_ALLOC_LOW:
		if (err == -ENOMEM) {
			uint64_t want = out->step == ARM_STEP_ALLOC ? rq->size : rq->low_size;

			mib = out->largest_window >> 20;
			if (mib && out->step == ARM_STEP_ALLOC_LOW)
				snprintf(hint, sizeof(hint),
					 "A crash region above 4 GiB needs a low companion of %s below 4 GiB (the crash kernel's DMA and swiotlb), and no contiguous %s is free there; the largest usable window below 4 GiB was %" PRIu64 " MiB. Free or compact memory below 4 GiB ('echo 1 > /proc/sys/vm/compact_memory') and try again.",
					 fmt_size(want, a, sizeof(a)),
					 fmt_size(want, b, sizeof(b)), mib);
			else if (mib)
				snprintf(hint, sizeof(hint),
					 "No contiguous %s is free%s; the largest usable window was %" PRIu64 " MiB. Free or compact memory ('echo 1 > /proc/sys/vm/compact_memory') and try again, or ask for less ('" PROG " load --size %" PRIu64 "M' if that still holds the images; hard minimum %s).",
					 fmt_size(want, a, sizeof(a)),
					 rq->high ? " above 4 GiB" : "",
					 mib, mib, fmt_size(p->est.hard_min, b, sizeof(b)));
			else
				snprintf(hint, sizeof(hint),
					 "No contiguous %s is free (memory too full or too fragmented): compact memory with 'echo 1 > /proc/sys/vm/compact_memory' and try again, or ask for less with --size (hard minimum %s).",
					 fmt_size(want, a, sizeof(a)),
					 fmt_size(p->est.hard_min, b, sizeof(b)));
			h = hint;
		} else {
			h = lcma_error_hint(LCMA_OP_ALLOC, err);
		}
		break;
	case ARM_STEP_BIND:
	case ARM_STEP_BIND_LOW:
		h = lcma_error_hint(LCMA_OP_CRASH_BIND, err);
		break;
	case ARM_STEP_KEXEC_LOCK:
		h = lcma_error_hint(LCMA_OP_KEXEC_LOCK, err);
		break;
	case ARM_STEP_KEXEC_LOAD:
	case ARM_STEP_RELOAD:
		h = kexec_hint(c, err, p, hint, sizeof(hint));
		break;
	case ARM_STEP_VERIFY:
		h = "kexec_file_load succeeded but /sys/kernel/kexec_crash_loaded does not say 1.";
		break;
	case ARM_STEP_KEXEC_UNLOAD:
		h = "The crash kernel stays loaded.";
		break;
	case ARM_STEP_UNBIND:
		h = lcma_error_hint(LCMA_OP_CRASH_UNBIND, err);
		break;
	case ARM_STEP_FREE:
		h = lcma_error_hint(LCMA_OP_FREE, err);
		break;
	case ARM_STEP_RESIZE:
		if (err == -ENOMEM) {
			mib = out->largest_window >> 20;
			if (mib)
				snprintf(hint, sizeof(hint),
					 "The region cannot grow in place and no free window of the new size was found; the largest usable window was %" PRIu64 " MiB. Compact memory ('echo 1 > /proc/sys/vm/compact_memory') or ask for less.",
					 mib);
			else
				snprintf(hint, sizeof(hint), "%s",
					 lcma_error_hint(LCMA_OP_RESIZE, err));
			h = hint;
		} else {
			h = lcma_error_hint(LCMA_OP_RESIZE, err);
		}
		break;
	case ARM_STEP_NOT_FOUND:
		h = "The buffer lazy-kdump recorded is gone (module reloaded?): run '" PROG " unload' and '" PROG " load'.";
		break;
	case ARM_STEP_NOT_SUPPORTED:
		h = "A boot-time crashkernel= reservation cannot grow at run time: change crashkernel= and reboot.";
		break;
	case ARM_STEP_LIST:
		h = lcma_error_hint(LCMA_OP_LIST, err);
		break;
	case ARM_STEP_NONE:
		return;
	}
	log_failure(err, h, "Failed to %s", arm_step_name(out->step));
}

/* Say loudly what could not be undone. */
static void explain_leftovers(const struct arm_outcome *out)
{
	unsigned int i, n = out->n_leftovers < ARM_MAX_LEFTOVERS ?
			    out->n_leftovers : ARM_MAX_LEFTOVERS;

	for (i = 0; i < n; i++) {
		const struct arm_leftover *l = &out->leftover[i];

		if (l->step == ARM_STEP_KEXEC_UNLOAD)
			log_failure(l->err, "Unload it with 'kexec -p -u' or '" PROG " unload'.",
				    "Could not undo: the crash kernel is still loaded, unloading failed");
		else
			log_failure(l->err, "Run '" PROG " unload' (or 'lazy-cma unbind' and 'lazy-cma free' of that address).",
				    "Could not undo: the buffer at 0x%" PRIx64 " is still %s; %s failed",
				    l->addr, l->step == ARM_STEP_UNBIND ?
				    "reserved and bound" : "reserved",
				    arm_step_name(l->step));
	}
}

/* ---- load --------------------------------------------------------------- */

static char *absolute(const char *path)
{
	char *r = realpath(path, NULL);

	return r ? r : strdup(path);
}

static void describe_region(const char *what, uint64_t addr, uint64_t len,
			    bool high)
{
	char a[32];

	printf("  %-14s %s at 0x%" PRIx64 "-0x%" PRIx64 " (%s 4 GiB)\n", what,
	       fmt_size(len, a, sizeof(a)), addr, addr + len - 1,
	       high ? "above" : "below");
}

/* ---- the previous boot and the last dump ------------------------------ */

static const char *time_str(int64_t t, char *buf, size_t size);

/* This boot's id (the sysroot's, for tests); "" when unknown. */
static void boot_id(const struct context *c, char *buf, size_t size)
{
	char path[4096];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s" SYS_BOOT_ID,
		 c->sysroot ? c->sysroot : "");
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* DUMP_TARGET's directory on this system; NULL when it names a device. */
static const char *dump_dir(const struct context *c)
{
	const char *t = c->cfg.dump_target ? c->cfg.dump_target :
			CONFIG_DEFAULT_DUMP_TARGET;

	return strstr(t, ":/") ? NULL : t;
}

/*
 * At load: a marker of another boot means that boot ended while armed,
 * without a clean shutdown ('unload' removes the marker). Say what it
 * left, keep the verdict for 'status', and drop the marker.
 */
static void judge_previous_boot(struct context *c)
{
	struct lk_marker m, t;
	struct lk_lastdump ld;
	const char *dir = dump_dir(c);
	char id[64], when[64], text[6144];
	bool have_t;
	int r;

	boot_id(c, id, sizeof(id));
	have_t = marker_read(c->vardir, LASTDUMP_TEST_MARKER, &t) == 0;
	if (marker_read(c->vardir, LASTDUMP_MARKER, &m) < 0 || !id[0] ||
	    strcmp(id, m.boot_id) == 0) {
		/* Nothing to judge: a test marker of another boot is stale. */
		if (have_t && id[0] && strcmp(t.boot_id, id) != 0)
			marker_remove(c->vardir, LASTDUMP_TEST_MARKER);
		return;
	}
	time_str(m.armed_at, when, sizeof(when));
	r = dir ? lastdump_find(dir, &ld) : 0;
	if (!dir)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown (a panic, a reset or a power loss); DUMP_TARGET names a device, so whether it left a dump is not checked here.",
			 when);
	else if (r < 0)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown; the dump target %s cannot be read (%s) to see what it left.",
			 when, dir, strerror(-r));
	else if (!ld.found || ld.finished < m.armed_at)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown and left no dump in %s: if it panicked, the capture wrote nothing (the crash kernel short of memory, or the dump target out of its reach; that boot's console says which): check 'lazy-kdump estimate' and raise SIZE (or use auto).",
			 when, dir);
	else if (lastdump_short_of_memory(&ld))
		snprintf(text, sizeof(text),
			 "The last panic found the crash kernel short of memory (%s, result %s): raise SIZE in the configuration (or use auto).",
			 ld.path, ld.result);
	else
		snprintf(text, sizeof(text),
			 "The previous boot panicked; its capture: %s, result %s%s%s.",
			 ld.path, ld.result, ld.reason[0] ? ": " : "", ld.reason);
	if (have_t && strcmp(t.boot_id, m.boot_id) == 0) {
		char tested[sizeof(text)];

		time_str(t.armed_at, when, sizeof(when));
		/* Truncated at the buffer's end when it must be. */
		if (snprintf(tested, sizeof(tested),
			     "'lazy-kdump test' panicked the previous boot on purpose at %s. %s",
			     when, text) >= 0)
			memcpy(text, tested, sizeof(text));
	}
	log_msg("%s", text);
	r = previous_write(c->vardir, id, text);
	if (r < 0)
		log_failure(r, NULL, "Failed to keep that verdict in %s/" LASTDUMP_PREVIOUS,
			    c->vardir);
	marker_remove(c->vardir, LASTDUMP_MARKER);
	marker_remove(c->vardir, LASTDUMP_TEST_MARKER);
}

/* After arming: the marker of this boot. */
static void mark_armed(struct context *c)
{
	struct lk_marker m;
	int r;

	memset(&m, 0, sizeof(m));
	boot_id(c, m.boot_id, sizeof(m.boot_id));
	if (!m.boot_id[0])
		return;
	m.armed_at = c->started;
	r = marker_write(c->vardir, LASTDUMP_MARKER, &m);
	if (r < 0)
		log_failure(r, "A panic that leaves no dump will not be reported at the next boot.",
			    "Failed to write the arming marker %s/" LASTDUMP_MARKER,
			    c->vardir);
}

static int verb_load(struct context *c, const struct verb *v, int argc,
		     char **argv)
{
	struct arm_request rq;
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st, now;
	struct real rl;
	bool have, is_auto = true;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	if (need_root("load") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	judge_previous_boot(c);
	if (prepare(c, NULL, &p) < 0)
		goto out_p;
	r = pick_size(c, v, NULL, &p, &rq.size, &is_auto);
	if (r) {
		ret = r;
		goto out_p;
	}
	if (check_size(rq.size, &p) < 0)
		goto out_p;
	read_state(c, &st, &have);

	rq.kernel = p.kernel;
	rq.initrd = p.initrd;
	rq.cmdline = p.cmdline;
	rq.low_size = p.low_size;
	rq.node = c->node_set ? c->node : c->cfg.node;
	rq.high = (c->placement_set ? c->placement : c->cfg.placement) ==
		  PLACEMENT_HIGH;

	real_init(&rl, c);
	r = arm_load(&real_ops, &rl, &rq, &out);
	if (out.stale_freed)
		log_msg("Freed %u reservation(s) left by an earlier lazy-kdump run that did not finish.",
			out.stale_freed);
	if (r < 0) {
		explain_failure(c, &rl, &out, &rq, &p, &st);
		explain_leftovers(&out);
		if (out.n_leftovers == 0 && out.step >= ARM_STEP_BIND &&
		    out.step != ARM_STEP_BOOT_TIME)
			log_msg("Everything was undone: nothing is reserved and no crash kernel is loaded.");
		/* A stale state must not claim anything. */
		if (have && !out.n_leftovers && out.step != ARM_STEP_ALREADY_LOADED)
			state_remove(c->state_dir);
		real_done(&rl);
		state_free(&st);
		goto out_p;
	}
	real_done(&rl);

	state_init(&now);
	now.armed = true;
	now.boot_time = out.boot_time;
	now.armed_at = c->started;
	now.kernel = absolute(p.kernel);
	now.initrd = absolute(p.initrd);
	now.cmdline = strdup(p.cmdline);
	now.size = rq.size;
	now.size_auto = is_auto;
	now.node = rq.node;
	now.high = out.high;
	now.main_addr = out.main_addr;
	now.main_len = out.boot_time ? out.boot_time_size : out.main_len;
	now.low_addr = out.low_addr;
	now.low_len = out.low_len;
	save_state(c, &now);
	mark_armed(c);

	if (out.boot_time) {
		printf("kdump armed in the boot-time crashkernel= reservation of %s (lazy-kdump reserved nothing; these files need %s).\n",
		       fmt_size(out.boot_time_size, a, sizeof(a)),
		       fmt_size(rq.size, b, sizeof(b)));
	} else {
		printf("kdump armed: %s crash region (%s).\n",
		       fmt_size(out.main_len, a, sizeof(a)),
		       is_auto ? "auto" : "as asked");
		if (out.fell_back_high)
			printf("  No contiguous %s was free below 4 GiB: placed above 4 GiB, with a %s low companion below 4 GiB for the crash kernel's DMA (as crashkernel=,high does).\n",
			       fmt_size(out.main_len, a, sizeof(a)),
			       fmt_size(out.low_len, b, sizeof(b)));
		describe_region("crash region", out.main_addr, out.main_len,
				out.high);
		if (out.low_len)
			describe_region("low companion", out.low_addr,
					out.low_len, false);
	}
	printf("  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kernel", now.kernel,
	       "initrd", now.initrd, "command line", now.cmdline);
	state_free(&now);
	state_free(&st);
	ret = EXIT_SUCCESS;
out_p:
	prepared_free(&p);
	return ret;
}

/* ---- unload ------------------------------------------------------------- */

static int verb_unload(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	struct arm_outcome out;
	struct lk_state st;
	struct real rl;
	bool have;
	char a[32];
	int r;

	(void)v;
	(void)argc;
	(void)argv;
	if (need_root("unload") < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	real_init(&rl, c);
	r = arm_unload(&real_ops, &rl, have ? &st : NULL, &out);
	real_done(&rl);
	if (r < 0) {
		explain_failure(c, &rl, &out, NULL, NULL, &st);
		explain_leftovers(&out);
		state_free(&st);
		return EXIT_FAILURE;
	}
	state_remove(c->state_dir);
	r = marker_remove(c->vardir, LASTDUMP_MARKER);
	if (r < 0)
		log_failure(r, "The next boot will report an unclean end of this one.",
			    "Failed to remove the arming marker %s/" LASTDUMP_MARKER,
			    c->vardir);
	if (out.not_ours)
		log_msg("A crash kernel that lazy-kdump did not load stays loaded (unload it with 'kexec -p -u' or its service).");
	if (out.boot_time)
		printf("kdump disarmed; the boot-time crashkernel= reservation stays (it is the kernel's).\n");
	else if (out.freed_bytes)
		printf("kdump disarmed; %s given back.\n",
		       fmt_size(out.freed_bytes, a, sizeof(a)));
	else if (have && st.armed)
		printf("kdump disarmed.\n");
	else
		printf("kdump was not armed by lazy-kdump: nothing to do.\n");
	state_free(&st);
	return EXIT_SUCCESS;
}

/* ---- resize ------------------------------------------------------------- */

static int verb_resize(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st;
	struct real rl;
	uint64_t size, old_addr;
	bool have, is_auto, was_armed;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)v;
	memset(&p, 0, sizeof(p));
	if (need_root("resize") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	/* A boot-time reservation has no buffer of ours: check it first. */
	if (have && st.boot_time) {
		log_msg("kdump uses the boot-time crashkernel= reservation, which cannot be resized at run time: change crashkernel= and reboot, or boot without it and use '" PROG " load'.");
		goto out;
	}
	if (!have || !st.main_addr || !st.kernel) {
		log_msg("kdump is not armed by lazy-kdump (no %s/" STATE_FILE "): use '" PROG " load'.",
			c->state_dir);
		goto out;
	}
	if (prepare(c, &st, &p) < 0)
		goto out;
	/* Without an argument the size keeps its origin: auto stays auto. */
	if (argc && strcmp(argv[0], "auto") != 0) {
		size_parse(argv[0], &size);	/* checked by dispatch() */
		is_auto = false;
	} else if (argc || st.size_auto) {
		size = p.est.total;
		is_auto = true;
	} else {
		size = st.size;
		is_auto = false;
	}
	if (check_size(size, &p) < 0)
		goto out;

	old_addr = st.main_addr;
	was_armed = st.armed;
	real_init(&rl, c);
	r = arm_resize(&real_ops, &rl, &st, size, &out);
	real_done(&rl);

	st.main_addr = out.main_addr;
	st.main_len = out.main_len;
	st.armed = out.loaded;
	if (r == 0) {
		st.size = size;
		st.size_auto = is_auto;
		st.armed_at = c->started;
	}
	save_state(c, &st);

	if (r == 0 && out.unchanged) {
		printf("The crash region is already %s: %s.\n",
		       fmt_size(out.main_len, a, sizeof(a)),
		       !was_armed ? "crash kernel loaded again; kdump armed" :
		       "nothing to do; kdump stays armed");
		ret = EXIT_SUCCESS;
	} else if (r == 0) {
		printf("Resized the crash region from %s to %s (%s, at 0x%" PRIx64 "); kdump armed.\n",
		       fmt_size(out.old_len, a, sizeof(a)),
		       fmt_size(out.main_len, b, sizeof(b)),
		       out.main_addr == old_addr ? "in place" : "moved",
		       out.main_addr);
		ret = EXIT_SUCCESS;
	} else {
		explain_failure(c, &rl, &out, NULL, &p, &st);
		if (out.rearmed_previous)
			log_msg("kdump is still armed with the previous size %s (at 0x%" PRIx64 ").",
				fmt_size(out.main_len, a, sizeof(a)),
				out.main_addr);
		else if (out.disarmed)
			log_failure(out.reload_err,
				    "The reservation is still held: run '" PROG " resize' again, or '" PROG " unload' and '" PROG " load'.",
				    "KDUMP IS DISARMED: a crash now would NOT be captured. Re-arming failed");
		else if (out.loaded)
			log_msg("kdump is still armed as it was (%s).",
				fmt_size(out.main_len, a, sizeof(a)));
	}
out:
	prepared_free(&p);
	state_free(&st);
	return ret;
}

/* ---- status ------------------------------------------------------------- */

static const char *time_str(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, size, "unknown");
	return buf;
}

/* ---- reload ------------------------------------------------------------ */

static int verb_reload(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	struct arm_request rq = { 0 };
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st;
	struct real rl;
	uint64_t old_len;
	bool have, is_auto;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	memset(&p, 0, sizeof(p));
	if (need_root("reload") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	if (!have || (!st.boot_time && !st.main_addr)) {
		/* Nothing held: a reload arms, as systemctl reload expects. */
		state_free(&st);
		log_msg("kdump is not armed by lazy-kdump: loading it.");
		return verb_load(c, v, 0, NULL);
	}
	if (prepare(c, NULL, &p) < 0)
		goto out_kept;
	r = pick_size(c, v, NULL, &p, &rq.size, &is_auto);
	if (r) {
		ret = r;
		goto out_kept;
	}
	if (check_size(rq.size, &p) < 0)
		goto out_kept;
	rq.kernel = p.kernel;
	rq.initrd = p.initrd;
	rq.cmdline = p.cmdline;

	old_len = st.main_len;
	real_init(&rl, c);
	r = arm_reload(&real_ops, &rl, &st, &rq, &out);
	real_done(&rl);

	st.armed = out.loaded;
	if (!st.boot_time) {
		st.main_addr = out.main_addr;
		st.main_len = out.main_len;
	}
	if (r == 0) {
		free(st.kernel);
		free(st.initrd);
		free(st.cmdline);
		st.kernel = absolute(p.kernel);
		st.initrd = absolute(p.initrd);
		st.cmdline = strdup(p.cmdline);
		st.size = rq.size;
		st.size_auto = is_auto;
		st.armed_at = c->started;
	}
	save_state(c, &st);

	if (r == 0) {
		if (st.boot_time)
			printf("kdump re-armed in the boot-time crashkernel= reservation of %s.\n",
			       fmt_size(out.boot_time_size, a, sizeof(a)));
		else if (out.main_len == old_len)
			printf("kdump re-armed: same %s crash region at 0x%" PRIx64 ".\n",
			       fmt_size(out.main_len, a, sizeof(a)),
			       out.main_addr);
		else
			printf("kdump re-armed: crash region resized from %s to %s (%s), at 0x%" PRIx64 ".\n",
			       fmt_size(old_len, a, sizeof(a)),
			       fmt_size(out.main_len, b, sizeof(b)),
			       is_auto ? "auto" : "as configured",
			       out.main_addr);
		printf("  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kernel", st.kernel,
		       "initrd", st.initrd, "command line", st.cmdline);
		if (!st.boot_time &&
		    ((c->placement_set ? c->placement : c->cfg.placement) ==
		     PLACEMENT_HIGH) != st.high)
			printf("  The region stays %s 4 GiB: a changed PLACEMENT takes effect with '" PROG " unload' and '" PROG " load'.\n",
			       st.high ? "above" : "below");
		ret = EXIT_SUCCESS;
	} else {
		explain_failure(c, &rl, &out, &rq, &p, &st);
		if (out.rearmed_previous)
			log_msg("kdump is still armed with the previous crash kernel, initrd and command line (%s, crash region %s).",
				st.kernel, fmt_size(out.main_len, a, sizeof(a)));
		else if (out.disarmed)
			log_failure(out.reload_err,
				    "The reservation is still held: fix the cause and run '" PROG " reload' again, or '" PROG " unload' and '" PROG " load'.",
				    "KDUMP IS DISARMED: a crash now would NOT be captured. Re-arming with the previous files failed");
		else if (out.loaded)
			log_msg("kdump is still armed as it was.");
	}
	goto out;

out_kept:
	log_msg("Nothing was changed: kdump stays %s.",
		st.armed ? "armed as it was" : "as it was (not loaded)");
out:
	prepared_free(&p);
	state_free(&st);
	return ret;
}

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

/*
 * crash_loaded_settled - kexec_crash_loaded, read again for up to a second
 * while it says 0 and lazy-kdump @armed it: while the kernel rewrites a
 * loaded crash image's ELF core header for a memory or CPU hotplug event
 * (crash hotplug, 6.5 and later), it reads 0 for a moment (x86 sets
 * kexec_crash_image to NULL around the copy). What lazy-kdump armed is not
 * reported as unloaded for that.
 *
 * Return: real_crash_loaded()'s.
 */
static int crash_loaded_settled(struct context *c, bool armed, bool *loaded)
{
	int i, r = real_crash_loaded(&(struct real){ .c = c }, loaded);

	for (i = 0; r == 0 && !*loaded && armed && i < 100; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		r = real_crash_loaded(&(struct real){ .c = c }, loaded);
	}
	return r;
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

static int verb_status(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	struct lazy_cma_range *a = NULL;
	struct lk_state st;
	struct real rl;
	uint64_t crash_size = 0;
	bool loaded = false, have, ours, kexec_ok, crash_size_ok;
	const char *by;
	char s1[32], s2[64], node_json[16] = "null";
	char id[64], prev[6144];
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
	ddir = load_config(c) == 0 ? dump_dir(c) : NULL;
	if (ddir && lastdump_find(ddir, &ld) < 0)
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
					describe_region("low companion",
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
			fmt_size(st.main_len, s1, sizeof(s1)));
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
	const char *ddir = c->config_loaded ? dump_dir(c) : NULL;
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
	if (ddir && lastdump_find(ddir, &ld) == 0 && ld.found) {
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
static int metrics_update(struct context *c, bool verbose)
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

static int verb_metrics(struct context *c, const struct verb *v, int argc,
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

/* ---- test ----------------------------------------------------------------- */

/*
 * test_file_current - @path (what was loaded at @armed_at) is there and not
 * changed since. Return: 0, or -ESTALE / -errno with the message given.
 */
static int test_file_current(const char *what, const char *path,
			     int64_t armed_at)
{
	struct stat sb;
	char when[64];

	if (!path || !*path)
		return 0;
	if (stat(path, &sb) < 0) {
		log_failure(-errno, "Run 'systemctl reload lazy-kdump' to arm with what is there now.",
			    "The %s %s that kdump was armed with is gone", what, path);
		return -ENOENT;
	}
	if ((int64_t)sb.st_mtime > armed_at) {
		log_msg("The %s %s changed after kdump was armed at %s: the crash kernel would run the old one. Run 'systemctl reload lazy-kdump' first.",
			what, path, time_str(armed_at, when, sizeof(when)));
		return -ESTALE;
	}
	return 0;
}

/*
 * test_dump_target - the capture can write where DUMP_TARGET says: a
 * directory (or its nearest existing parent) where a file can be created;
 * for DEVICE:PATH, that the device is there.
 */
static int test_dump_target(struct context *c)
{
	const char *t = c->cfg.dump_target ? c->cfg.dump_target :
			CONFIG_DEFAULT_DUMP_TARGET;
	const char *dir = dump_dir(c);
	char p[PATH_MAX], dev[PATH_MAX], probe[PATH_MAX + 32], sz[32];
	struct statvfs vfs;
	struct stat sb;
	int fd;

	if (!dir) {
		size_t n = (size_t)(strstr(t, ":/") - t);
		const char *link = NULL;

		snprintf(dev, sizeof(dev), "%.*s", (int)n, t);
		if (strncmp(dev, "UUID=", 5) == 0)
			link = "/dev/disk/by-uuid/";
		else if (strncmp(dev, "LABEL=", 6) == 0)
			link = "/dev/disk/by-label/";
		else if (strncmp(dev, "PARTUUID=", 9) == 0)
			link = "/dev/disk/by-partuuid/";
		else if (strncmp(dev, "PARTLABEL=", 10) == 0)
			link = "/dev/disk/by-partlabel/";
		if (link)
			snprintf(p, sizeof(p), "%s%s", link, strchr(dev, '=') + 1);
		else
			snprintf(p, sizeof(p), "%s", dev);
		if (stat(p, &sb) < 0 || !S_ISBLK(sb.st_mode)) {
			log_msg("DUMP_TARGET=%s: no block device %s on this machine: the capture would find nothing to write to. Fix DUMP_TARGET in the configuration.",
				t, p);
			return -ENODEV;
		}
		printf("ok: the dump device %s is there (%s; the capture mounts it)\n",
		       dev, p);
		return 0;
	}
	snprintf(p, sizeof(p), "%s", dir);
	while (stat(p, &sb) < 0) {
		char *slash = strrchr(p, '/');

		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "/");
			break;
		}
		*slash = '\0';
	}
	snprintf(probe, sizeof(probe), "%s/.lazy-kdump-test.XXXXXX", p);
	fd = mkstemp(probe);
	if (fd < 0) {
		log_failure(-errno, "The capture could not write the dump there: fix DUMP_TARGET or the file system.",
			    "Failed to create a file in %s (DUMP_TARGET=%s)", p, t);
		return -EACCES;
	}
	close(fd);
	unlink(probe);
	if (statvfs(p, &vfs) == 0)
		fmt_mib((uint64_t)vfs.f_bavail * vfs.f_frsize, sz, sizeof(sz));
	else
		snprintf(sz, sizeof(sz), "?");
	printf("ok: the dump target %s is writable (%s free)\n", dir, sz);
	return 0;
}

static int verb_test(struct context *c, const struct verb *v, int argc,
		     char **argv)
{
	struct lk_state st;
	struct lk_marker m;
	char line[16], path[PATH_MAX], s1[32], s2[64];
	bool have, loaded = false;
	int fd, r, bad = 0;

	(void)v;
	(void)argc;
	(void)argv;
	if (need_root("test") < 0 || load_config(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	r = crash_loaded_settled(c, have && st.armed, &loaded);
	if (r < 0 || !loaded) {
		log_msg("kdump is not armed: a panic now would leave no dump. Run 'systemctl start lazy-kdump' (or '" PROG " load') first.");
		state_free(&st);
		return EXIT_FAILURE;
	}
	if (!have || !st.armed) {
		log_msg("The crash kernel was loaded by another tool (kdump-tools, kdumpctl or kexec -p), not lazy-kdump: use that tool's test.");
		state_free(&st);
		return EXIT_FAILURE;
	}
	printf("ok: kdump is armed by lazy-kdump since %s (%s crash region)\n",
	       time_str(st.armed_at, s2, sizeof(s2)),
	       fmt_size(st.main_len + st.low_len, s1, sizeof(s1)));
	if (test_file_current("crash kernel", st.kernel, st.armed_at) < 0 ||
	    test_file_current("capture initrd", st.initrd, st.armed_at) < 0)
		bad = 1;
	else
		printf("ok: the crash kernel and capture initrd are the ones loaded\n");
	state_free(&st);
	if (test_dump_target(c) < 0)
		bad = 1;
	if (bad) {
		log_msg("Nothing was done: fix the above, then run '" PROG " test' again.");
		return EXIT_FAILURE;
	}
	if (!c->yes) {
		if (!isatty(STDIN_FILENO)) {
			log_msg("'" PROG " test' panics this machine: confirm with --yes. Nothing was done.");
			return EXIT_FAILURE;
		}
		fputs("This panics the machine now; it reboots after the capture. Type 'yes' to go on: ",
		      stdout);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin) ||
		    strcmp(line, "yes\n") != 0) {
			log_msg("Not confirmed: nothing was done.");
			return EXIT_FAILURE;
		}
	}
	/* For the next boot: this panic was a test. */
	memset(&m, 0, sizeof(m));
	boot_id(c, m.boot_id, sizeof(m.boot_id));
	m.armed_at = (int64_t)time(NULL);
	r = m.boot_id[0] ? marker_write(c->vardir, LASTDUMP_TEST_MARKER, &m) : 0;
	if (r < 0)
		log_failure(r, NULL, "Warning: failed to write %s/" LASTDUMP_TEST_MARKER " (the next boot will not know the panic was a test)",
			    c->vardir);
	printf("Panicking now (sysrq c): after the capture and the reboot, '" PROG " status' and the service's journal say whether the dump arrived.\n");
	fflush(stdout);
	sync();
	snprintf(path, sizeof(path), "%s" PROC_SYSRQ_TRIGGER,
		 c->sysroot ? c->sysroot : "");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "c", 1) != 1) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		marker_remove(c->vardir, LASTDUMP_TEST_MARKER);
		log_failure(r, "Is /proc mounted?", "Failed to panic the machine through %s",
			    path);
		return EXIT_FAILURE;
	}
	close(fd);
	return EXIT_SUCCESS;
}

static int verb_config(struct context *c, const struct verb *v, int argc,
		       char **argv)
{
	const char *path = c->config_path ? c->config_path : CONFIG_DEFAULT_PATH;
	char *text, *dt;

	(void)argc;
	(void)argv;
	if (c->dump_target && !c->capture)
		return usage_error(v, "--dump-target applies only with --capture.");
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (c->dump_target) {
		dt = strdup(c->dump_target);
		if (!dt) {
			log_failure(-ENOMEM, NULL, "Failed to copy the dump target");
			return EXIT_FAILURE;
		}
		free(c->cfg.dump_target);
		c->cfg.dump_target = dt;
	}
	text = config_format(&c->cfg, c->capture ? CONFIG_FORMAT_CAPTURE :
			     CONFIG_FORMAT_FULL, path);
	if (!text) {
		log_failure(-ENOMEM, NULL, "Failed to write out the configuration %s",
			    path);
		return EXIT_FAILURE;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_SUCCESS;
}

/* ---- verbs, help, main -------------------------------------------------- */

#define FILES_HELP \
	"Files: " CONFIG_DEFAULT_PATH " (--config, $" ENV_CONFIG "); state in\n" \
	STATE_DEFAULT_DIR "/" STATE_FILE " and lock " STATE_DEFAULT_DIR "/" STATE_LOCK " ($" ENV_STATE_DIR ").\n"

static const struct verb verbs[] = {
	{
		"load", 0, 0, verb_load,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_SIZE) | OPT(ARG_NODE) | OPT(ARG_PLACEMENT),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--size SIZE|auto] [--node N] [--placement low|high]",
		"Arm kdump: reserve, bind and load the crash kernel.",
		"Arm kdump on this running machine: size the crash region from the\n"
		"crash kernel and capture initrd (see 'estimate'), reserve it through\n"
		"/dev/lazy_cma (running 'modprobe lazy_cma' when the device is\n"
		"missing), bind it as the kernel's \"Crash kernel\" region and load the\n"
		"crash kernel with kexec_file_load(2). If any step after the\n"
		"reservation fails, everything is undone: nothing stays reserved and no\n"
		"half-loaded crash kernel is left.\n"
		"\n"
		"  --kernel PATH      crash kernel (KERNEL=; default\n"
		"                     /boot/vmlinuz-$(uname -r), or\n"
		"                     /usr/lib/modules/$(uname -r)/vmlinuz)\n"
		"  --initrd PATH      capture initrd (INITRD=; default\n"
		"                     " DEFAULT_INITRD_DIR "/initrd-$(uname -r).img)\n"
		"  --append \"WORDS\"   more words for the crash command line; NAME=VALUE\n"
		"                     replaces an earlier NAME= (e.g. nr_cpus=2)\n"
		"  --size SIZE|auto   crash region size (SIZE=; default auto); sizes\n"
		"                     below the hard minimum of the images are refused\n"
		"  --node N           NUMA node for the region (NODE=; default any)\n"
		"  --placement low|high\n"
		"                     low (default): the region below 4 GiB; when no\n"
		"                     window is found there, it goes high. high: above\n"
		"                     4 GiB plus a low companion below 4 GiB (bound as\n"
		"                     crashk_low_res) of max(swiotlb + 8 MiB, 256 MiB),\n"
		"                     the kernel's crashkernel=,high rule\n"
		"\n"
		"The crash command line is /proc/cmdline without crashkernel=,\n"
		"panic_on_warn, BOOT_IMAGE=, initrd= and the CMDLINE_REMOVE words\n"
		"(default: " CMDLINE_DEFAULT_REMOVE "),\n"
		"then CMDLINE_APPEND (default: " CMDLINE_DEFAULT_APPEND "),\n"
		"then --append, then disable_cpu_apicid=<boot CPU> with nr_cpus=1.\n"
		"\n"
		"A boot-time crashkernel= reservation is used as it is when it is large\n"
		"enough for the size ('status' says so); otherwise load fails and says\n"
		"how much it has and needs. Already armed: use 'resize' or 'unload'.\n"
		"Needs root.\n",
	},
	{
		"unload", 0, 0, verb_unload, 0,
		"",
		"Disarm kdump and give the memory back.",
		"Unload the crash kernel lazy-kdump loaded, unbind and free its\n"
		"reservations (buffers named " ARM_NAME " and " ARM_NAME_LOW "). A crash\n"
		"kernel loaded by another tool is left alone; a boot-time crashkernel=\n"
		"reservation is only unloaded, never freed. Needs root.\n",
	},
	{
		"resize", 0, 1, verb_resize, 0,
		"[SIZE|auto]",
		"Grow or shrink the armed crash region and reload.",
		"Unload the crash kernel, resize the crash region (in place when it\n"
		"can, otherwise moved; it stays bound) and load the same crash kernel,\n"
		"initrd and command line again. Without an argument the size is\n"
		"recomputed the way it was chosen (auto stays auto). When the region\n"
		"cannot grow, it is left as it was and the previous crash kernel is\n"
		"loaded again: the command fails saying kdump is still armed with the\n"
		"previous size. If even that fails it says loudly that kdump is\n"
		"DISARMED. Needs root.\n",
	},
	{
		"reload", 0, 0, verb_reload,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_SIZE),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--size SIZE|auto]",
		"Arm again with the current configuration, keeping the region.",
		"Load the crash kernel, initrd and command line the configuration\n"
		"(and these options) name now, into the crash region already held:\n"
		"after a configuration change, a new kernel or a rebuilt capture\n"
		"initrd. The region is resized when the new size differs (SIZE=,\n"
		"--size; auto is recomputed for the new files). When the new files\n"
		"cannot be loaded, the previous ones are loaded again and the command\n"
		"fails saying kdump is still armed as before; only if even that fails\n"
		"does it say loudly that kdump is DISARMED. NODE and PLACEMENT do not\n"
		"move the region (use unload and load). When nothing is armed, reload\n"
		"runs load. systemctl reload lazy-kdump runs this. Needs root.\n",
	},
	{
		"status", 0, 0, verb_status, OPT(ARG_JSON),
		"[--json]",
		"Show whether kdump is armed, and with what.",
		"Show whether a crash kernel is loaded (/sys/kernel/kexec_crash_loaded),\n"
		"who loaded it, and what lazy-kdump recorded: the crash region(s), size,\n"
		"node, kernel, initrd, command line and when it was armed, and whether\n"
		"the reservation is lazy-kdump's or a boot-time crashkernel=. Also the\n"
		"last dump in DUMP_TARGET (its status: saved, no-space,\n"
		"short-of-memory, ...), and what 'load' found about the previous boot:\n"
		"lazy-kdump keeps a marker in " LASTDUMP_DEFAULT_VARDIR " while armed,\n"
		"which 'unload' removes; a marker of an earlier boot means that boot\n"
		"ended armed without a clean shutdown, and 'load' says what it left\n"
		"(its dump, a capture short of memory, or nothing).\n"
		"\n"
		"  --json   one JSON object, every key in every state (null where\n"
		"           unknown): schema_version (1), state (armed, armed-by-other,\n"
		"           not-armed, unloaded, held-not-loaded, no-kexec, unknown),\n"
		"           armed, kexec_crash_loaded, by_lazy_kdump,\n"
		"           boot_time_reservation, kexec_crash_size, region {addr, len,\n"
		"           node, high}, low_region {addr, len}, size, size_auto,\n"
		"           kernel, initrd, cmdline, armed_at, last_dump {path, result,\n"
		"           memory, reason, finished}, previous_boot\n"
		"\n"
		"Exit status 0 when armed, 3 when not (as kdumpctl status).\n",
	},
	{
		"estimate", 0, 0, verb_estimate,
		OPT(ARG_KERNEL) | OPT(ARG_INITRD) | OPT(ARG_APPEND) |
			OPT(ARG_NODE) | OPT(ARG_JSON),
		"[--kernel PATH] [--initrd PATH] [--append \"WORDS\"] [--json]",
		"Show the recommended size and every term of it.",
		"Print the crash region 'load' would reserve with --size auto, and\n"
		"every term of it, derived from the files the crash kernel will run:\n"
		"\n"
		"  kernel           bzImage init_size (+ slack when kernel_alignment\n"
		"                   exceeds 2 MiB)\n"
		"  initrd           the initrd as loaded (file size)\n"
		"  initrd-unpacked  its cpio archives unpacked into tmpfs (all\n"
		"                   gzip, bzip2, lzma, xz, lz4 and zstd segments read)\n"
		"  segments         purgatory, boot parameters + command line, ELF\n"
		"                   core header\n"
		"  kernel-runtime   the crash kernel's own run-time memory with\n"
		"                   nr_cpus=1, per kernel series (from the bzImage's\n"
		"                   version string)\n"
		"  makedumpfile     its bitmaps for this machine's RAM + resident\n"
		"  margin           5% + 4 MiB\n"
		"\n"
		"The total is rounded up to 2 MiB. Also shown: the hard minimum (no\n"
		"smaller size can be loaded) and the low companion of placement high.\n"
		"No side effects; root not needed (without it RAM comes from\n"
		"/proc/meminfo). --node is accepted and does not change the size.\n"
		"\n"
		"  --json   one JSON object: schema_version (1), kernel,\n"
		"           kernel_release, initrd, cmdline,\n"
		"           terms [{name, bytes, how}], sum, total, hard_minimum,\n"
		"           low_companion, runtime_series, runtime_provisional,\n"
		"           runtime_fallback\n",
	},
	{
		"metrics", 0, 0, verb_metrics, OPT(ARG_WRITE),
		"[--write]",
		"Print the state as Prometheus metrics, or write the metrics file.",
		"Print what 'status' knows in the Prometheus text format, for\n"
		"node_exporter's textfile collector: lazy_kdump_info{version,kernel},\n"
		"lazy_kdump_armed, lazy_kdump_armed_by_lazy_kdump,\n"
		"lazy_kdump_crash_region_bytes, lazy_kdump_kexec_crash_size_bytes,\n"
		"lazy_kdump_size_auto, lazy_kdump_armed_timestamp_seconds and, when\n"
		"DUMP_TARGET holds a capture, lazy_kdump_last_dump_info{result,path},\n"
		"lazy_kdump_last_dump_timestamp_seconds,\n"
		"lazy_kdump_last_dump_vmcore_bytes and\n"
		"lazy_kdump_last_dump_short_of_memory (a sample is left out when its\n"
		"value is not known).\n"
		"\n"
		"  --write   write them to METRICS_FILE instead (default\n"
		"            " METRICS_DEFAULT_FILE ",\n"
		"            only when that directory exists; none: never), atomically\n"
		"\n"
		"load, unload, resize and reload write the file themselves after\n"
		"every run, whether they succeeded or not; so does the service.\n"
		"Root not needed to print.\n",
	},
	{
		"test", 0, 0, verb_test, OPT(ARG_YES),
		"[--yes]",
		"Check the kdump setup, then panic the machine to prove it.",
		"Check that kdump is armed by lazy-kdump, that the crash kernel and\n"
		"capture initrd on disk are the ones loaded (not changed since), and\n"
		"that the dump target is writable (DUMP_TARGET's directory: a file is\n"
		"created and removed there; DEVICE:PATH: the device is there). Then,\n"
		"only when confirmed (typing 'yes' at the terminal, or --yes), panic\n"
		"the machine through /proc/sysrq-trigger. The capture saves the dump\n"
		"and reboots; at the next boot the service's journal and 'status' say\n"
		"that the panic was this test and what it left (the dump and its\n"
		"result, or that nothing arrived). When a check fails, or without\n"
		"confirmation, nothing is done (exit status 1). Needs root.\n"
		"\n"
		"  --yes   do not ask (scripts): panic after the checks\n",
	},
	{
		"config", 0, 0, verb_config,
		OPT(ARG_CAPTURE) | OPT(ARG_DUMP_TARGET),
		"[--capture [--dump-target SPEC]]",
		"Check the configuration and print it, normalised.",
		"Read the configuration as 'load' does, fail with the same message when\n"
		"it is invalid, and print it normalised: one KEY=VALUE a line, every\n"
		"key, defaults filled in (an empty KERNEL or INITRD stands for the\n"
		"running kernel's default), the value verbatim to the end of the line:\n"
		"no quotes, no comments.\n"
		"\n"
		"  --capture           only what the capture initrd reads (DUMP_TARGET,\n"
		"                      CORE_COLLECTOR, FINAL_ACTION, KEEP_DUMPS, MIN_FREE\n"
		"                      in bytes or N%, KDUMP_PRE, KDUMP_POST,\n"
		"                      HOOK_TIMEOUT), after the line\n"
		"                      \"" CONFIG_CAPTURE_MAGIC "\": the file the dracut module\n"
		"                      writes as " CONFIG_CAPTURE_PATH " into the\n"
		"                      capture initrd. The shell scripts of the initrd\n"
		"                      read only that file.\n"
		"  --dump-target SPEC  DUMP_TARGET as the crash kernel must see it (the\n"
		"                      dracut module gives the UUID=...:PATH form of a\n"
		"                      target that is not on the root file system)\n"
		"\n"
		"No side effects; root not needed.\n",
	},
};

#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

static void help(FILE *f)
{
	size_t i;

	fputs("Usage: " PROG " [--config PATH] [--device PATH] VERB [OPTIONS...]\n"
	      "\n"
	      "Arm kdump on a machine booted without crashkernel=: the crash region\n"
	      "is sized from the crash kernel and capture initrd, reserved at run time\n"
	      "through the lazy_cma module, and resizable without a reboot.\n"
	      "\n"
	      "Verbs:\n", f);
	for (i = 0; i < N_VERBS; i++)
		fprintf(f, "  %s %s\n      %s\n", verbs[i].name,
			verbs[i].synopsis, verbs[i].summary);
	fputs("\n"
	      "Run '" PROG " VERB --help' for what a verb does and its options.\n"
	      "\n"
	      "Options:\n"
	      "      --config PATH  configuration file (default " CONFIG_DEFAULT_PATH ";\n"
	      "                     it may be missing unless given explicitly)\n"
	      "      --device PATH  the lazy_cma device (default " LCMA_DEFAULT_DEVICE ")\n"
	      "  -h, --help         show this help and exit\n"
	      "      --version      show the version and exit\n"
	      "\n"
	      "SIZE is bytes with an optional binary unit (192M, 1.5G) or 'auto'.\n"
	      "Options override the configuration file, which overrides defaults.\n"
	      "\n"
	      "Configuration keys (KEY=VALUE, # comments, unknown keys are errors):\n"
	      "  KERNEL, INITRD, CMDLINE_REMOVE, CMDLINE_APPEND, SIZE (auto|SIZE),\n"
	      "  NODE, PLACEMENT (low|high), and for the capture initrd DUMP_TARGET\n"
	      "  (default " CONFIG_DEFAULT_DUMP_TARGET "), CORE_COLLECTOR (default\n"
	      "  \"" CONFIG_DEFAULT_CORE_COLLECTOR "\"), FINAL_ACTION (reboot|poweroff|halt|shell),\n"
	      "  KEEP_DUMPS (default 3), MIN_FREE (SIZE or N%, default 5%), KDUMP_PRE,\n"
	      "  KDUMP_POST (hooks: absolute paths) and HOOK_TIMEOUT (default 60 s); and\n"
	      "  METRICS_FILE (PATH.prom or none; see 'metrics').\n"
	      "\n"
	      FILES_HELP
	      "\n"
	      "Environment:\n"
	      "  " ENV_CONFIG "     configuration file (like --config)\n"
	      "  " ENV_STATE_DIR "  directory of the state file and lock\n"
	      "  " ENV_MODPROBE "   command run as 'CMD lazy_cma' (default modprobe)\n"
	      "  " ENV_VARDIR "   directory of the arming marker (default\n"
	      "                        " LASTDUMP_DEFAULT_VARDIR ")\n"
	      "  " ENV_METRICS " the metrics file (like METRICS_FILE)\n"
	      "  " ENV_SYSROOT "    prefix of every /proc and /sys path (tests)\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success (status: kdump is armed)\n"
	      "  1  failure; the message says what failed and what to do\n"
	      "  2  invalid command line\n"
	      "  3  status: kdump is not armed\n"
	      "\n"
	      "Examples:\n"
	      "  " PROG " estimate\n"
	      "  " PROG " load\n"
	      "  " PROG " status --json\n"
	      "  " PROG " metrics\n"
	      "  " PROG " test\n"
	      "  " PROG " config\n"
	      "  " PROG " resize 256M\n"
	      "  " PROG " unload\n", f);
}

static void verb_help(const struct verb *v, FILE *f)
{
	fprintf(f, "Usage: " PROG " %s %s\n\n%s", v->name, v->synopsis, v->help);
	fputs("\nExit status: 0 success, 1 failure, 2 invalid command line"
	      "; status: 3 not armed.\n", f);
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

static int dispatch(struct context *c, int argc, char **argv)
{
	const struct verb *v;
	char buf[64];
	unsigned int n;
	int opt, r;

	v = find_verb(argv[0]);
	if (!v)
		return usage_error(NULL, "Unknown verb '%s'.", argv[0]);

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", verb_options, NULL)) != -1) {
		if (opt >= ARG_KERNEL && !(v->options & OPT(opt)))
			return usage_error(v, "Option '--%s' does not apply to '%s'.",
					   option_name(opt), v->name);
		switch (opt) {
		case 'h':
			verb_help(v, stdout);
			return EXIT_SUCCESS;
		case ARG_CONFIG:
			c->config_path = optarg;
			c->config_explicit = true;
			break;
		case ARG_DEVICE:
			c->device = optarg;
			break;
		case ARG_KERNEL:
			c->kernel = optarg;
			break;
		case ARG_INITRD:
			c->initrd = optarg;
			break;
		case ARG_APPEND:
			c->append = optarg;
			break;
		case ARG_SIZE: {
			uint64_t s;

			if (strcmp(optarg, "auto") != 0 &&
			    (size_parse(optarg, &s) < 0 || s == 0))
				return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
						   optarg);
			c->size = optarg;
			break;
		}
		case ARG_NODE:
			r = node_parse(optarg, &c->node);
			if (r < 0)
				return usage_error(v, "Invalid node '%s': expected a NUMA node number such as 0 or 1.",
						   optarg);
			c->node_set = true;
			break;
		case ARG_PLACEMENT:
			if (placement_parse(optarg, &c->placement) < 0)
				return usage_error(v, "Invalid placement '%s': expected low or high.",
						   optarg);
			c->placement_set = true;
			break;
		case ARG_JSON:
			c->json = true;
			break;
		case ARG_CAPTURE:
			c->capture = true;
			break;
		case ARG_WRITE:
			c->write = true;
			break;
		case ARG_YES:
			c->yes = true;
			break;
		case ARG_DUMP_TARGET:
			if (!*optarg || dump_target_check(optarg) < 0)
				return usage_error(v, "Invalid dump target '%s': expected an absolute PATH or DEVICE:PATH such as UUID=...:/crash.",
						   optarg);
			c->dump_target = optarg;
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
	if (v->fn == verb_resize && n == 1 && strcmp(argv[optind], "auto") != 0) {
		uint64_t s;

		if (size_parse(argv[optind], &s) < 0 || s == 0)
			return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
					   argv[optind]);
	}
	r = v->fn(c, v, (int)n, argv + optind);
	/*
	 * What changes the crash setup updates the metrics file, also after
	 * a failure (then it says "not armed" when that is so). Not without
	 * root: nothing changed then.
	 */
	if ((v->fn == verb_load || v->fn == verb_unload ||
	     v->fn == verb_resize || v->fn == verb_reload) &&
	    geteuid() == 0 && (c->config_loaded || load_config_quiet(c) == 0))
		metrics_update(c, false);
	return r;
}

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

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int main(int argc, char **argv)
{
	struct context c;
	char buf[64];
	int opt, ret, r;

	memset(&c, 0, sizeof(c));
	c.started = (int64_t)time(NULL);
	config_init(&c.cfg);
	c.lock_fd = -1;
	c.node = -1;
	c.config_path = getenv(ENV_CONFIG);
	if (c.config_path && !*c.config_path)
		c.config_path = NULL;
	c.config_explicit = c.config_path != NULL;
	c.state_dir = env_or(ENV_STATE_DIR, STATE_DEFAULT_DIR);
	c.vardir = env_or(ENV_VARDIR, LASTDUMP_DEFAULT_VARDIR);
	c.sysroot = env_or(ENV_SYSROOT, NULL);
	c.modprobe = env_or(ENV_MODPROBE, "modprobe");
	/* Report EPIPE on stdout instead of dying in the middle of a verb. */
	signal(SIGPIPE, SIG_IGN);

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", global_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			help(stdout);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_VERSION:
			puts(PROG " " LAZY_KDUMP_VERSION);
			ret = EXIT_SUCCESS;
			goto out;
		case ARG_CONFIG:
			c.config_path = optarg;
			c.config_explicit = true;
			break;
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
	config_free(&c.cfg);
	if (c.lock_fd >= 0)
		close(c.lock_fd);
	r = close_stdout();
	if (r < 0 && ret != EXIT_USAGE && ret != EXIT_FAILURE) {
		log_failure(r, NULL, "Failed to write to stdout");
		ret = EXIT_FAILURE;
	}
	return ret;
}
