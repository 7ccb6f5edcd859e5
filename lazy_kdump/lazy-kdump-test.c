// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump test: check that kdump is armed by lazy-kdump with the files
 * on disk and that the dump target is writable, then, when confirmed, panic
 * the machine through /proc/sysrq-trigger, leaving a marker that tells the
 * next boot the panic was a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/dumpdir.h"
#include "lib/lastdump.h"
#include "lazy-kdump.h"

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
 * The block device node @p of DUMP_TARGET=@t is here: 0, or -ENODEV with
 * the message.
 */
static int test_block_device(const char *t, const char *p)
{
	struct stat sb;

	if (stat(p, &sb) == 0 && S_ISBLK(sb.st_mode))
		return 0;
	log_msg("DUMP_TARGET=%s: no block device %s on this machine: the capture would find nothing to write to. Fix DUMP_TARGET in the configuration.",
		t, p);
	return -ENODEV;
}

/*
 * test_raw_device - DUMP_TARGET=raw:DEVICE names a block device here that
 * can be opened for writing; mkinitrd checks the rest when arming (nothing
 * uses it, no signature on it, its size).
 */
static int test_raw_device(const struct context *c, const char *t)
{
	const char *spec = config_raw_device(&c->cfg);
	char p[PATH_MAX], tagged[PATH_MAX];
	int fd;

	if (strncmp(spec, "/dev/", 5) == 0) {
		snprintf(p, sizeof(p), "%s", spec);
	} else {
		/* PARTUUID=... or PARTLABEL=...: their /dev/disk link. */
		snprintf(tagged, sizeof(tagged), "%s:/", spec);
		if (dumpdir_device_node(tagged, p, sizeof(p)) < 0)
			snprintf(p, sizeof(p), "%s", spec);
	}
	if (test_block_device(t, p) < 0)
		return -ENODEV;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = -errno;

		log_failure(e, "Give DUMP_TARGET=raw: a device nothing else uses.",
			    "Failed to open the raw dump device %s for writing (DUMP_TARGET=%s)",
			    p, t);
		return e;
	}
	close(fd);
	printf("ok: the raw dump device %s is there and can be written (the next boot saves its dumps in %s)\n",
	       p, config_raw_save_dir(&c->cfg));
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
	int fd, r;

	if (config_net_kind(&c->cfg) != NET_NONE) {
		char *args[] = { (char *)mkinitrd_path(),
				 (char *)"--check-target", NULL };

		/* What arming checks, and the server must answer now. */
		r = run_helper(c, args);
		if (r < 0)
			log_failure(r, "Reinstall lazy-kdump.", "Failed to run %s",
				    args[0]);
		if (r != 0)
			return -EHOSTUNREACH;
		printf("ok: the dump server of %s answers and takes dumps\n", t);
		return 0;
	}
	if (config_raw_device(&c->cfg)) {
		r = test_raw_device(c, t);
		if (r < 0)
			return r;
		/* Then RAW_SAVE_DIR, where the next boot saves the dump. */
	} else if (!dir) {
		snprintf(dev, sizeof(dev), "%.*s", (int)(dumpdir_split(t) - t), t);
		if (dumpdir_device_node(t, p, sizeof(p)) < 0)
			snprintf(p, sizeof(p), "%s", dev);
		if (test_block_device(t, p) < 0)
			return -ENODEV;
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
	printf("ok: the %s %s is writable (%s free)\n",
	       config_raw_device(&c->cfg) ? "RAW_SAVE_DIR" : "dump target",
	       dir, sz);
	return 0;
}

int verb_test(struct context *c, const struct verb *v, int argc,
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
