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
			char *c;

			snprintf(out, size, "%.*s", (int)(len - klen - 1),
				 p + klen + 1);
			/*
			 * A control character (ssh's "\r" in a reason) would
			 * make the journal keep the verdict as a blob.
			 */
			for (c = out; *c; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					*c = ' ';
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

/*
 * One capture: @status is its status file, @path what to report; false
 * when @status is not a readable regular file.
 */
static bool read_one(const char *status, const char *path,
		     struct lk_lastdump *out)
{
	static char text[STATUS_MAX];
	char num[32] = "", vmcore[4200];
	struct stat st;

	if (stat(status, &st) < 0 || !S_ISREG(st.st_mode) ||
	    read_small(status, text, sizeof(text)) < 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->found = true;
	if (kv(text, "finished", num, sizeof(num)))
		out->finished = strtoll(num, NULL, 10);
	if (out->finished <= 0)
		out->finished = (int64_t)st.st_mtime;
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (!kv(text, "result", out->result, sizeof(out->result)))
		snprintf(out->result, sizeof(out->result), "unknown");
	kv(text, "memory", out->memory, sizeof(out->memory));
	kv(text, "reason", out->reason, sizeof(out->reason));
	out->vmcore_bytes = -1;
	/* vmcore, or vmcore.flat (a dump sent over ssh). */
	if (strcmp(status, path) != 0 &&
	    ((snprintf(vmcore, sizeof(vmcore), "%s/vmcore", path) < (int)sizeof(vmcore) &&
	      stat(vmcore, &st) == 0 && S_ISREG(st.st_mode)) ||
	     (snprintf(vmcore, sizeof(vmcore), "%s/vmcore.flat", path) < (int)sizeof(vmcore) &&
	      stat(vmcore, &st) == 0 && S_ISREG(st.st_mode))))
		out->vmcore_bytes = (int64_t)st.st_size;
	return true;
}

/*
 * A dump directory without a status file: a capture that never finished
 * (the crash kernel hung or was reset, or the power failed).
 */
static bool read_unfinished(const char *path, struct lk_lastdump *out)
{
	char vmcore[4200];
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	memset(out, 0, sizeof(*out));
	out->found = true;
	out->finished = (int64_t)st.st_mtime;
	snprintf(out->path, sizeof(out->path), "%s", path);
	snprintf(out->result, sizeof(out->result), "incomplete");
	snprintf(out->reason, sizeof(out->reason),
		 "no status file: the capture did not finish (the crash kernel hung or was reset, or the power failed)");
	out->vmcore_bytes = -1;
	if (snprintf(vmcore, sizeof(vmcore), "%s/vmcore", path) < (int)sizeof(vmcore) &&
	    stat(vmcore, &st) == 0 && S_ISREG(st.st_mode))
		out->vmcore_bytes = (int64_t)st.st_size;
	return true;
}

/* Each capture status in @dir, to @fn; a missing @dir has none. */
static int for_each(const char *dir,
		    void (*fn)(const struct lk_lastdump *one, void *arg),
		    void *arg)
{
	struct lk_lastdump *one;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	one = malloc(sizeof(*one));
	if (!one) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char path[4096], status[4200];
		size_t len = strlen(de->d_name);
		bool ok;

		if (de->d_name[0] == '.' || !is_dump_name(de->d_name))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (strncmp(de->d_name, failed_prefix, strlen(failed_prefix)) == 0 &&
		    len > 7 && strcmp(de->d_name + len - 7, ".status") == 0) {
			ok = read_one(path, path, one);
		} else {
			snprintf(status, sizeof(status), "%s/status", path);
			ok = read_one(status, path, one) ||
			     read_unfinished(path, one);
		}
		if (ok)
			fn(one, arg);
	}
	free(one);
	closedir(d);
	return 0;
}

/* Oldest first: by "finished", then by path. */
static int by_time(const void *a, const void *b)
{
	const struct lk_lastdump *x = a, *y = b;

	if (x->finished != y->finished)
		return x->finished < y->finished ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void keep_newest(const struct lk_lastdump *one, void *arg)
{
	struct lk_lastdump *best = arg;

	if (!best->found || by_time(one, best) > 0)
		*best = *one;
}

int lastdump_find(const char *dir, struct lk_lastdump *ld)
{
	memset(ld, 0, sizeof(*ld));
	return for_each(dir, keep_newest, ld);
}

struct list {
	struct lk_lastdump *v;
	size_t n, cap;
	int err;
};

static void add_one(const struct lk_lastdump *one, void *arg)
{
	struct list *l = arg;

	if (l->err)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct lk_lastdump *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->err = -ENOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *one;
}

int lastdump_list(const char *dir, struct lk_lastdump **list, size_t *n)
{
	struct list l = { NULL, 0, 0, 0 };
	int r = for_each(dir, add_one, &l);

	if (!r)
		r = l.err;
	if (r < 0) {
		free(l.v);
		*list = NULL;
		*n = 0;
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_time);
	*list = l.v;
	*n = l.n;
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
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return -errno;
	}
	/* A removal that a crash undoes would report a clean end as not. */
	return dir_sync(path);
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
