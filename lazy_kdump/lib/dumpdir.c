// SPDX-License-Identifier: GPL-2.0
/*
 * dumpdir - where DUMP_TARGET's dumps are on the running system.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dumpdir.h"

static const struct {
	const char *key;
	const char *dir;
} links[] = {
	{ "UUID=", "/dev/disk/by-uuid/" },
	{ "LABEL=", "/dev/disk/by-label/" },
	{ "PARTUUID=", "/dev/disk/by-partuuid/" },
	{ "PARTLABEL=", "/dev/disk/by-partlabel/" },
};

const char *dumpdir_split(const char *target)
{
	const char *p, *last = NULL;

	for (p = strstr(target, ":/"); p; p = strstr(p + 1, ":/"))
		last = p;
	return last;
}

/*
 * @n bytes of @s as udev names a /dev/disk/by-* link: bytes outside
 * 0-9 A-Z a-z # + - . : = @ _ and non-ASCII ones as \xNN (a blank is
 * \x20, "/" \x2f), like blkid_encode_string().
 */
static int encode(char *buf, size_t size, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool plain = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= 'a' && ch <= 'z') || ch >= 0x80 ||
			     strchr("#+-.:=@_", ch);

		if (ch && plain) {
			if (o + 1 >= size)
				return -ENAMETOOLONG;
			buf[o++] = (char)ch;
		} else {
			if (o + 4 >= size)
				return -ENAMETOOLONG;
			snprintf(buf + o, size - o, "\\x%02x", ch);
			o += 4;
		}
	}
	buf[o] = '\0';
	return 0;
}

int dumpdir_device_node(const char *target, char *buf, size_t size)
{
	const char *sep = dumpdir_split(target);
	size_t n, i;
	int w;

	if (!sep)
		return -EINVAL;
	n = (size_t)(sep - target);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		size_t k = strlen(links[i].key), d = strlen(links[i].dir);

		if (n > k && strncmp(target, links[i].key, k) == 0) {
			if (d >= size)
				return -ENAMETOOLONG;
			memcpy(buf, links[i].dir, d);
			return encode(buf + d, size - d, target + k, n - k);
		}
	}
	if (strncmp(target, "/dev/", 5) != 0)
		return -EINVAL;
	w = snprintf(buf, size, "%.*s", (int)n, target);
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

/* Undo mountinfo's octal escapes (\040 for a blank, ...) in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* realpath() of @sysroot followed by @path, into @out (PATH_MAX). */
static int real_under(const char *sysroot, const char *path, char *out)
{
	char full[PATH_MAX];
	int w = snprintf(full, sizeof(full), "%s%s", sysroot, path);

	if (w < 0 || (size_t)w >= sizeof(full))
		return -ENAMETOOLONG;
	return realpath(full, out) ? 0 : -errno;
}

/*
 * @sub (the PATH of DEVICE:PATH) as seen through a mount of the file
 * system's directory @root on @mountpoint, into @buf: false when @sub is
 * not under @root.
 */
static bool through(const char *root, const char *mountpoint, const char *sub,
		    char *buf, size_t size, int *err)
{
	size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	const char *rest;
	int w;

	if (rl && (strncmp(sub, root, rl) != 0 ||
		   (sub[rl] != '\0' && sub[rl] != '/')))
		return false;
	rest = sub + rl;
	if (strcmp(rest, "/") == 0 || !*rest)
		rest = "";
	if (strcmp(mountpoint, "/") == 0 && *rest)
		mountpoint = "";
	w = snprintf(buf, size, "%s%s", mountpoint, rest);
	*err = w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
	return true;
}

int dumpdir_resolve(const char *target, const char *sysroot, char *buf,
		    size_t size)
{
	char node[PATH_MAX], real[PATH_MAX], path[PATH_MAX], src[PATH_MAX];
	struct stat st;
	bool blk;
	const char *sub;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r, w;

	if (target[0] == '/' && !dumpdir_split(target)) {
		w = snprintf(buf, size, "%s", target);
		return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
	}
	r = dumpdir_device_node(target, node, sizeof(node));
	if (r < 0)
		return r;
	sub = dumpdir_split(target) + 1;
	if (real_under(sysroot, node, real) < 0)
		return -ENODEV;
	/* A real block device is matched by its number (a source such as
	 * /dev/root has no node); else (tests, btrfs) by the source's path. */
	blk = stat(real, &st) == 0 && S_ISBLK(st.st_mode);
	w = snprintf(path, sizeof(path), "%s/proc/self/mountinfo", sysroot);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* The last mount that fits: a later one covers an earlier one. */
	r = -ENOENT;
	while (getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
		char *field[6], *save = NULL, *tok, *source = NULL;
		unsigned int maj, min;
		bool dash = false, same;
		int i = 0, e = 0;

		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (i < 6) {
				field[i++] = tok;
			} else if (!dash) {
				dash = strcmp(tok, "-") == 0;
			} else {
				/* the type; the source follows */
				source = strtok_r(NULL, " \n", &save);
				break;
			}
		}
		if (i < 6 || !source)
			continue;
		unescape(field[3]);
		unescape(field[4]);
		unescape(source);
		if (blk && sscanf(field[2], "%u:%u", &maj, &min) == 2 &&
		    maj == major(st.st_rdev) && min == minor(st.st_rdev))
			same = true;
		else
			same = source[0] == '/' &&
			       real_under(sysroot, source, src) == 0 &&
			       strcmp(src, real) == 0;
		if (same && through(field[3], field[4], sub, buf, size, &e))
			r = e;
	}
	free(line);
	fclose(f);
	return r;
}
