// SPDX-License-Identifier: GPL-2.0
/*
 * lastdump - what the last panic left, for the next boot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lastdump.h"
#include "sysinfo.h"

#define STATUS_MAX	(64 * 1024)

/* Read at most @size - 1 bytes of @path into @buf. */
static int read_small(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return r;
}

/* The value of "KEY=" in @text (key=value lines) into @out. */
static bool kv(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(out, size, "%.*s", (int)(len - klen - 1),
				 p + klen + 1);
			return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static bool is_dump_name(const char *name)
{
	/* HOST-YYYY-mm-dd-HH:MM:SS[-N]: a date and a time in the name. */
	const char *p;

	for (p = name; *p; p++) {
		if (strlen(p) >= 19 && p[4] == '-' && p[7] == '-' &&
		    p[10] == '-' && p[13] == ':' && p[16] == ':')
			return true;
	}
	return false;
}

static const char *failed_prefix = "lazy-kdump-failed-";

/* One candidate: @status is its status file, @path what to report. */
static void consider(const char *status, const char *path,
		     struct lk_lastdump *best)
{
	static char text[STATUS_MAX];
	char num[32] = "";
	struct stat st;
	int64_t finished = 0;

	if (stat(status, &st) < 0 || !S_ISREG(st.st_mode) ||
	    read_small(status, text, sizeof(text)) < 0)
		return;
	if (kv(text, "finished", num, sizeof(num)))
		finished = strtoll(num, NULL, 10);
	if (finished <= 0)
		finished = (int64_t)st.st_mtime;
	if (best->found && finished < best->finished)
		return;
	memset(best, 0, sizeof(*best));
	best->found = true;
	best->finished = finished;
	snprintf(best->path, sizeof(best->path), "%s", path);
	if (!kv(text, "result", best->result, sizeof(best->result)))
		snprintf(best->result, sizeof(best->result), "unknown");
	kv(text, "memory", best->memory, sizeof(best->memory));
	kv(text, "reason", best->reason, sizeof(best->reason));
}

int lastdump_find(const char *dir, struct lk_lastdump *ld)
{
	struct dirent *de;
	DIR *d;

	memset(ld, 0, sizeof(*ld));
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[4096], status[4200];
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || !is_dump_name(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (strncmp(de->d_name, failed_prefix, strlen(failed_prefix)) == 0 &&
		    len > 7 && strcmp(de->d_name + len - 7, ".status") == 0) {
			consider(path, path, ld);
			continue;
		}
		snprintf(status, sizeof(status), "%s/status", path);
		consider(status, path, ld);
	}
	closedir(d);
	return 0;
}

bool lastdump_short_of_memory(const struct lk_lastdump *ld)
{
	return ld->found && (strcmp(ld->memory, "short") == 0 ||
			     strcmp(ld->result, "short-of-memory") == 0);
}

/* Write @text to DIR/NAME atomically, creating DIR. */
static int write_atomic(const char *dir, const char *name, const char *text)
{
	char path[4096];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return file_write_atomic(path, text);
}

int marker_write(const char *vardir, const char *name,
		 const struct lk_marker *m)
{
	char text[160];

	if (strchr(m->boot_id, '\n'))
		return -EINVAL;
	snprintf(text, sizeof(text), "boot_id=%s\narmed_at=%" PRId64 "\n",
		 m->boot_id, m->armed_at);
	return write_atomic(vardir, name, text);
}

int marker_read(const char *vardir, const char *name, struct lk_marker *m)
{
	char path[4096], text[512], num[32];
	int r;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s", vardir, name);
	r = read_small(path, text, sizeof(text));
	if (r < 0)
		return r;
	if (!kv(text, "boot_id", m->boot_id, sizeof(m->boot_id)) ||
	    !m->boot_id[0] || !kv(text, "armed_at", num, sizeof(num)))
		return -EINVAL;
	m->armed_at = strtoll(num, NULL, 10);
	return 0;
}

int marker_remove(const char *vardir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", vardir, name);
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int previous_write(const char *vardir, const char *boot_id, const char *text)
{
	char buf[6400];

	if (strchr(boot_id, '\n') || strchr(text, '\n'))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "boot_id=%s\ntext=%s\n", boot_id, text);
	return write_atomic(vardir, LASTDUMP_PREVIOUS, buf);
}

int previous_read(const char *vardir, const char *boot_id, char *buf,
		  size_t size)
{
	char path[4096], text[6400], id[64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", vardir, LASTDUMP_PREVIOUS);
	r = read_small(path, text, sizeof(text));
	if (r < 0)
		return r;
	if (!kv(text, "boot_id", id, sizeof(id)) || !kv(text, "text", buf, size))
		return -EINVAL;
	return strcmp(id, boot_id) ? -ESTALE : 0;
}
