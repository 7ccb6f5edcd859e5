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

int dumpdir_device_node(const char *target, char *buf, size_t size)
{
	const char *sep = strstr(target, ":/");
	size_t n, i;
	int w;

	if (!sep)
		return -EINVAL;
	n = (size_t)(sep - target);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		size_t k = strlen(links[i].key);

		if (n > k && strncmp(target, links[i].key, k) == 0) {
			w = snprintf(buf, size, "%s%.*s", links[i].dir,
				     (int)(n - k), target + k);
			return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
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

int dumpdir_resolve(const char *target, const char *sysroot, char *buf,
		    size_t size)
{
	char node[PATH_MAX], real[PATH_MAX], path[PATH_MAX], src[PATH_MAX];
	const char *sub;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r, w;

	if (target[0] == '/' && !strstr(target, ":/")) {
		w = snprintf(buf, size, "%s", target);
		return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
	}
	r = dumpdir_device_node(target, node, sizeof(node));
	if (r < 0)
		return r;
	sub = strstr(target, ":/") + 1;
	if (real_under(sysroot, node, real) < 0)
		return -ENODEV;
	w = snprintf(path, sizeof(path), "%s/proc/self/mountinfo", sysroot);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	r = -ENOENT;
	while (r == -ENOENT && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS */
		char *field[6], *save = NULL, *tok, *source = NULL;
		int i = 0;
		bool dash = false;

		for (tok = strtok_r(line, " \n", &save); tok;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (i < 6) {
				field[i++] = tok;
			} else if (!dash) {
				dash = strcmp(tok, "-") == 0;
			} else if (dash && !source) {
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
		if (strcmp(field[3], "/") != 0 || source[0] != '/' ||
		    real_under(sysroot, source, src) < 0 || strcmp(src, real))
			continue;
		w = snprintf(buf, size, "%s%s",
			     strcmp(field[4], "/") == 0 && sub[1] ? "" : field[4],
			     strcmp(sub, "/") == 0 ? "" : sub);
		if (w < 0 || (size_t)w >= size)
			r = -ENAMETOOLONG;
		else
			r = 0;
	}
	free(line);
	fclose(f);
	return r;
}
