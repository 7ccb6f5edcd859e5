// SPDX-License-Identifier: GPL-2.0
/*
 * lib/dumpdir.c: DUMP_TARGET's directory on a fake system (a /dev with
 * by-uuid and by-label links to regular files, a mountinfo), and
 * lib/lastdump.c's listing of a dump directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpdir.h"
#include "lastdump.h"
#include "tap.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkdir(p, 0755);
}

static void link_to(const char *target, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0)
		diag("symlink %s: %s", p, strerror(errno));
}

static void resolves(const char *target, int want_r, const char *want)
{
	char buf[512] = "";
	int r = dumpdir_resolve(target, root, buf, sizeof(buf));

	if (want_r)
		is_int(r, want_r, "%s: %s", target, strerror(-want_r));
	else
		ok(r == 0 && strcmp(buf, want) == 0, "%s -> %s (got %d, '%s')",
		   target, want, r, buf);
}

static void t_resolve(void)
{
	char node[256];

	dir("dev");
	dir("dev/disk");
	dir("dev/disk/by-uuid");
	dir("dev/disk/by-label");
	dir("dev/mapper");
	dir("proc");
	dir("proc/self");
	put("dev/vda", "");
	put("dev/vdb", "");
	put("dev/vdc", "");
	put("dev/dm-3", "");
	link_to("../../vdb", "dev/disk/by-uuid/1111");
	link_to("../../vdc", "dev/disk/by-uuid/2222");
	link_to("../../dm-3", "dev/disk/by-label/my\\x20dumps");
	link_to("../dm-3", "dev/mapper/mpatha");
	link_to("../../vda", "dev/disk/by-uuid/root");
	put("proc/self/mountinfo",
	    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	    "40 22 254:16 /sub /bind rw,relatime shared:3 - ext4 /dev/vdb rw\n"
	    "41 22 254:16 / /srv/my\\040dumps rw,relatime shared:4 master:1 - ext4 /dev/vdb rw\n"
	    "42 22 253:3 / /mnt/mp rw,relatime - xfs /dev/mapper/mpatha rw\n");

	resolves("/var/crash", 0, "/var/crash");
	resolves("UUID=1111:/", 0, "/srv/my dumps");
	resolves("UUID=1111:/crash", 0, "/srv/my dumps/crash");
	resolves("UUID=1111:/sub/x", 0, "/srv/my dumps/sub/x");
	resolves("/dev/vdb:/", 0, "/srv/my dumps");
	resolves("LABEL=my dumps:/x", 0, "/mnt/mp/x");
	resolves("UUID=root:/var/crash", 0, "/var/crash");
	resolves("UUID=root:/", 0, "/");
	resolves("UUID=2222:/", -ENOENT, NULL);
	resolves("UUID=3333:/", -ENODEV, NULL);
	resolves("FOO=bar:/", -EINVAL, NULL);
	resolves("relative", -EINVAL, NULL);
	is_int(dumpdir_device_node("PARTUUID=ab:/x", node, sizeof(node)), 0,
	       "PARTUUID= names a by-partuuid link");
	is_str(node, "/dev/disk/by-partuuid/ab", "... /dev/disk/by-partuuid/ab");
	is_int(dumpdir_device_node("LABEL=a/b c:/x:/y", node, sizeof(node)), 0,
	       "the last :/ ends DEVICE");
	is_str(node, "/dev/disk/by-label/a\\x2fb\\x20c:\\x2fx",
	       "... and a label is escaped as udev names its link");
	/* The bind mount of /sub: when it is the only mount, PATHs under
	 * /sub are found through it. */
	put("proc/self/mountinfo",
	    "40 22 254:16 /sub /bind rw,relatime shared:3 - ext4 /dev/vdb rw\n");
	resolves("UUID=1111:/sub/x", 0, "/bind/x");
	resolves("UUID=1111:/sub", 0, "/bind");
	resolves("UUID=1111:/subway", -ENOENT, NULL);
	resolves("UUID=1111:/", -ENOENT, NULL);
}

static void t_list(void)
{
	struct lk_lastdump *v = NULL, last;
	size_t n = 0;
	char d[512];

	snprintf(d, sizeof(d), "%s/crash", root);
	mkdir(d, 0755);
	dir("crash/h-2026-01-02-00:00:00");
	put("crash/h-2026-01-02-00:00:00/status", "result=saved\nfinished=200\n");
	put("crash/h-2026-01-02-00:00:00/vmcore", "0123456789");
	dir("crash/h-2026-01-01-00:00:00");
	put("crash/h-2026-01-01-00:00:00/status",
	    "result=no-space\nreason=full\nfinished=100\n");
	put("crash/lazy-kdump-failed-h-2026-01-03-00:00:00.status",
	    "result=no-target\nfinished=300\n");
	dir("crash/h-2026-01-04-00:00:00");	/* cut short: no status */
	dir("crash/other");
	put("crash/other/status", "result=saved\n");
	is_int(lastdump_list(d, &v, &n), 0, "lastdump_list reads the directory");
	is_int((long long)n, 4, "four captures (not the directory without a date)");
	if (n == 4) {
		ok(strstr(v[0].path, "h-2026-01-01") && v[0].finished == 100 &&
		   !strcmp(v[0].result, "no-space") && !strcmp(v[0].reason, "full") &&
		   v[0].vmcore_bytes == -1, "oldest first, with its reason, no vmcore");
		ok(strstr(v[1].path, "h-2026-01-02") && v[1].vmcore_bytes == 10,
		   "then the saved one, with its vmcore's size");
		ok(strstr(v[2].path, "failed") && !strcmp(v[2].result, "no-target"),
		   "then the failed capture's status file");
		ok(strstr(v[3].path, "h-2026-01-04") &&
		   !strcmp(v[3].result, "incomplete") && v[3].reason[0],
		   "a dump directory without status: incomplete, said why");
	}
	free(v);
	is_int(lastdump_find(d, &last), 0, "lastdump_find");
	ok(last.found && strstr(last.path, "h-2026-01-04"),
	   "lastdump_find: the newest is the one lastdump_list puts last");
	snprintf(d, sizeof(d), "%s/nothing", root);
	ok(lastdump_list(d, &v, &n) == 0 && n == 0 && !v, "a missing directory has none");
}

int main(void)
{
	snprintf(root, sizeof(root), "%s/lazy-dumpdir.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	t_resolve();
	t_list();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			diag("could not remove %s", root);
	}
	return tap_done();
}
