// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers more than one verb of lazy-kdump uses: the messages (usage
 * errors, failures with their hint) and the formats of sizes, times and
 * JSON strings; struct real's device handle and the kernel's
 * kexec_crash_loaded; reading the configuration, resolving and sizing the
 * crash kernel and capture initrd (prepare()); the root check, the state
 * file, this boot's id and the dump directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cmdline.h"
#include "lib/json.h"
#include "lib/size.h"
#include "lib/sysinfo.h"
#include "lib/dumpdir.h"
#include "lazy-kdump.h"

/* ---- messages ---------------------------------------------------------- */

int usage_error(const struct verb *v, const char *fmt, ...)
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
void log_failure(int err, const char *hint, const char *fmt, ...)
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

void log_msg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *fmt_size(uint64_t v, char *buf, size_t size)
{
	size_format(v, buf, size);
	return buf;
}

/* "80.5 MiB" for estimates, where exactness does not help. */
const char *fmt_mib(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " MiB", (uint64_t)(v / MiB),
		 (uint64_t)(v % MiB * 10 / MiB));
	return buf;
}

void json_value(const char *val)
{
	size_t n = json_escape(NULL, 0, val);
	char *buf = malloc(n + 1);

	if (!buf) {
		fputs("null", stdout);
		return;
	}
	json_escape(buf, n + 1, val);
	fputs(buf, stdout);
	free(buf);
}

void json_str(const char *key, const char *val, bool comma)
{
	printf("  \"%s\": ", key);
	json_value(val);
	printf("%s\n", comma ? "," : "");
}

void describe_region(const char *what, uint64_t addr, uint64_t len,
		     bool high)
{
	char a[32];

	printf("  %-14s %s at 0x%" PRIx64 "-0x%" PRIx64 " (%s 4 GiB)\n", what,
	       fmt_size(len, a, sizeof(a)), addr, addr + len - 1,
	       high ? "above" : "below");
}

const char *time_str(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, size, "unknown");
	return buf;
}

/* ---- the real system: the device and kexec_crash_loaded ----------------- */

static int rd_bool(const char *root, const char *path, bool *ret)
{
	uint64_t v;
	int r = sys_read_u64(root, path, &v);

	if (r == 0)
		*ret = v != 0;
	return r;
}

int real_crash_loaded(void *u, bool *ret)
{
	struct real *rl = u;

	return rd_bool(rl->c->sysroot, SYS_CRASH_LOADED, ret);
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

int real_device_open(void *u, bool load)
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

int real_list(void *u, struct lazy_cma_range **ret, size_t *n)
{
	return lcma_list(&((struct real *)u)->h, ret, n);
}

void real_init(struct real *rl, struct context *c)
{
	memset(rl, 0, sizeof(*rl));
	rl->c = c;
	rl->h.fd = -1;
	rl->modprobe_status = -1;
}

void real_done(struct real *rl)
{
	if (rl->open)
		lcma_close(&rl->h);
	rl->open = false;
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
int crash_loaded_settled(struct context *c, bool armed, bool *loaded)
{
	int i, r = real_crash_loaded(&(struct real){ .c = c }, loaded);

	for (i = 0; r == 0 && !*loaded && armed && i < 100; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		r = real_crash_loaded(&(struct real){ .c = c }, loaded);
	}
	return r;
}

/* ---- configuration and sizing ------------------------------------------ */

int load_config(struct context *c)
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

const char *uname_release(char *buf, size_t size)
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

void prepared_free(struct prepared *p)
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
int prepare(struct context *c, const struct lk_state *from_state,
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

/* ---- root, state and this boot ------------------------------------------ */

int need_root(const char *verb)
{
	if (geteuid() != 0) {
		log_msg("'%s' changes the kernel's crash setup and must run as root (try 'sudo " PROG " %s').",
			verb, verb);
		return -EPERM;
	}
	return 0;
}

int run_helper(const struct context *c, char *const argv[])
{
	int pipefd[2], err = 0, st;
	pid_t pid;
	ssize_t n;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		if (c->config_path)
			setenv("LAZY_KDUMP_CONFIG", c->config_path, 1);
		execv(argv[0], argv);
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	/* The exec's errno, or nothing (the pipe closed on exec). */
	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (n == (ssize_t)sizeof(err))
		return -err;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* 0 with *@st (maybe empty: -ENOENT is fine), or prints and fails. */
int read_state(struct context *c, struct lk_state *st, bool *have)
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

/* This boot's id (the sysroot's, for tests); "" when unknown. */
void boot_id(const struct context *c, char *buf, size_t size)
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

/*
 * DUMP_TARGET's directory on this system (RAW_SAVE_DIR for a raw device,
 * where the next boot saves its dumps); NULL when it names a device.
 */
const char *dump_dir(const struct context *c)
{
	const char *t = c->cfg.dump_target ? c->cfg.dump_target :
			CONFIG_DEFAULT_DUMP_TARGET;

	if (config_raw_device(&c->cfg))
		return config_raw_save_dir(&c->cfg);
	return strstr(t, ":/") ? NULL : t;
}

/*
 * DUMP_TARGET's directory on this system, also for DEVICE:PATH (where the
 * device is mounted): 0, -ENODEV (no such device here), -ENOENT (not
 * mounted here), or another -errno (lib/dumpdir.h).
 */
int dump_dir_here(struct context *c, char *buf, size_t size)
{
	const char *t = c->cfg.dump_target ? c->cfg.dump_target :
			CONFIG_DEFAULT_DUMP_TARGET;

	if (config_raw_device(&c->cfg))
		t = config_raw_save_dir(&c->cfg);
	if (config_net_kind(&c->cfg) != NET_NONE) {
		char *args[] = { (char *)mkinitrd_path(),
				 (char *)"--fetch-dumps", buf, NULL };
		int r, w = snprintf(buf, size, "%s/" NET_MIRROR, c->state_dir);

		if (w < 0 || (size_t)w >= size)
			return -ENAMETOOLONG;
		/* Once per invocation: load reports, then writes the metrics. */
		if (c->mirror)
			return c->mirror > 0 ? 0 : c->mirror;
		/* The helper says what failed; one it could not run, here. */
		r = run_helper(c, args);
		if (r < 0)
			log_failure(r, "Reinstall lazy-kdump.", "Failed to run %s",
				    args[0]);
		c->mirror = r == 0 ? 1 : -EHOSTUNREACH;
		return r == 0 ? 0 : -EHOSTUNREACH;
	}
	return dumpdir_resolve(t, c->sysroot ? c->sysroot : "", buf, size);
}

const char *mkinitrd_path(void)
{
	const char *v = getenv(ENV_MKINITRD);

	return v && *v ? v : LAZY_KDUMP_MKINITRD;
}

void net_display_path(const struct context *c, char *path, size_t size)
{
	char pre[4096], out[4096];
	struct net_target t;
	size_t n;

	if (!c->cfg.dump_target ||
	    net_target_parse(c->cfg.dump_target, &t) < 0)
		return;
	n = (size_t)snprintf(pre, sizeof(pre), "%s/" NET_MIRROR, c->state_dir);
	if (n >= sizeof(pre) || strncmp(path, pre, n) != 0)
		return;
	if (snprintf(out, sizeof(out), "%s:%s%s", t.host, t.path, path + n) <
	    (int)sizeof(out))
		snprintf(path, size, "%s", out);
}

/*
 * The newest capture in DUMP_TARGET's directory @dir (NULL: not here) or,
 * with FAILURE_ACTION=dump-local, in the root file system's /var/crash,
 * where a capture that could not reach its target saved the dump:
 * whichever finished last. Return: lastdump_find()'s for @dir (0 when a
 * fallback dump was found).
 */
int last_dump(const struct context *c, const char *dir, struct lk_lastdump *ld)
{
	struct lk_lastdump fb;
	char local[4096];
	int r = 0;

	memset(ld, 0, sizeof(*ld));
	if (dir)
		r = lastdump_find(dir, ld);
	if (r == 0 && ld->found)
		net_display_path(c, ld->path, sizeof(ld->path));
	if (strcmp(config_failure_action(&c->cfg), "dump-local") != 0)
		return r;
	snprintf(local, sizeof(local), "%s%s", c->sysroot ? c->sysroot : "",
		 CONFIG_LOCAL_DUMP_DIR);
	if (dir && strcmp(dir, local) == 0)
		return r;
	memset(&fb, 0, sizeof(fb));
	if (lastdump_find(local, &fb) == 0 && fb.found &&
	    (r < 0 || !ld->found || fb.finished > ld->finished)) {
		*ld = fb;
		return 0;
	}
	return r;
}
