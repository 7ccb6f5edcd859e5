// SPDX-License-Identifier: GPL-2.0
/*
 * state - what lazy-kdump armed, and the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "sysinfo.h"

void state_init(struct lk_state *s)
{
	memset(s, 0, sizeof(*s));
	s->node = -1;
	s->size_auto = true;
}

void state_free(struct lk_state *s)
{
	free(s->kernel);
	free(s->initrd);
	free(s->cmdline);
	state_init(s);
}

static int parse_u64(const char *v, int base, uint64_t *ret)
{
	unsigned long long x;
	char *end;

	if (!*v || *v == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, base);
	if (errno || *end)
		return -EINVAL;
	*ret = x;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (strcmp(v, "0") == 0)
		*ret = false;
	else if (strcmp(v, "1") == 0)
		*ret = true;
	else
		return -EINVAL;
	return 0;
}

static int set_str(char **field, const char *v)
{
	char *c = strdup(v);

	if (!c)
		return -ENOMEM;
	free(*field);
	*field = c;
	return 0;
}

static int apply(struct lk_state *s, const char *k, const char *v)
{
	uint64_t x;
	int r = 0;

	if (strcmp(k, "version") == 0) {
		r = parse_u64(v, 10, &x);
		if (r == 0 && x != STATE_VERSION)
			r = -EPROTO;
	} else if (strcmp(k, "armed") == 0) {
		r = parse_bool(v, &s->armed);
	} else if (strcmp(k, "source") == 0) {
		if (strcmp(v, "boot-time") == 0)
			s->boot_time = true;
		else if (strcmp(v, "lazy-kdump") == 0)
			s->boot_time = false;
		else
			r = -EINVAL;
	} else if (strcmp(k, "armed_at") == 0) {
		r = parse_u64(v, 10, &x);
		s->armed_at = (int64_t)x;
	} else if (strcmp(k, "kernel") == 0) {
		r = set_str(&s->kernel, v);
	} else if (strcmp(k, "initrd") == 0) {
		r = set_str(&s->initrd, v);
	} else if (strcmp(k, "cmdline") == 0) {
		r = set_str(&s->cmdline, v);
	} else if (strcmp(k, "size") == 0) {
		r = parse_u64(v, 10, &s->size);
	} else if (strcmp(k, "size_auto") == 0) {
		r = parse_bool(v, &s->size_auto);
	} else if (strcmp(k, "node") == 0) {
		if (strcmp(v, "-1") == 0) {
			s->node = -1;
		} else {
			r = parse_u64(v, 10, &x);
			if (r == 0 && x > INT32_MAX)
				r = -EINVAL;
			s->node = (int)x;
		}
	} else if (strcmp(k, "placement") == 0) {
		if (strcmp(v, "high") == 0)
			s->high = true;
		else if (strcmp(v, "low") == 0)
			s->high = false;
		else
			r = -EINVAL;
	} else if (strcmp(k, "working_memory") == 0) {
		if (strcmp(v, "split") == 0)
			s->split = true;
		else if (strcmp(v, "held") == 0)
			s->split = false;
		else
			r = -EINVAL;
	} else if (strcmp(k, "main_addr") == 0) {
		r = parse_u64(v, 16, &s->main_addr);
	} else if (strcmp(k, "main_len") == 0) {
		r = parse_u64(v, 10, &s->main_len);
	} else if (strcmp(k, "low_addr") == 0) {
		r = parse_u64(v, 16, &s->low_addr);
	} else if (strcmp(k, "low_len") == 0) {
		r = parse_u64(v, 10, &s->low_len);
	}
	/* Unknown keys: written by a later version; ignored. */
	return r;
}

int state_parse(const char *text, struct lk_state *ret, struct lk_error *e)
{
	const char *line = text;
	unsigned int lineno = 0;
	struct lk_state s;

	state_init(&s);
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *l = strndup(line, len), *eq;
		int r;

		line = nl ? nl + 1 : NULL;
		lineno++;
		if (!l) {
			state_free(&s);
			return -ENOMEM;
		}
		if (!*l || *l == '#') {
			free(l);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			free(l);
			state_free(&s);
			return lk_error_set(e, -EINVAL, "line %u has no '='",
					    lineno);
		}
		*eq = '\0';
		r = apply(&s, l, eq + 1);
		if (r < 0) {
			if (r != -ENOMEM)
				lk_error_set(e, -EINVAL,
					     r == -EPROTO ?
					     "line %u: unknown version '%s' (written by another lazy-kdump version)" :
					     "line %u: invalid value '%s'",
					     lineno, eq + 1);
			free(l);
			state_free(&s);
			return r == -ENOMEM ? r : -EINVAL;
		}
		free(l);
	}
	*ret = s;
	return 0;
}

static int state_path(char *buf, size_t size, const char *dir,
		      const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int state_read(const char *dir, struct lk_state *ret, struct lk_error *e)
{
	char p[4096], *text;
	int r;

	r = state_path(p, sizeof(p), dir, STATE_FILE);
	if (r < 0)
		return r;
	r = sys_read(NULL, p, &text);
	if (r < 0)
		return r;
	r = state_parse(text, ret, e);
	free(text);
	return r;
}

static int has_newline(const char *s)
{
	return s && strchr(s, '\n');
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_write(const char *dir, const struct lk_state *s)
{
	char path[4096], tmp[4096];
	FILE *f;
	int fd, r, dfd;

	if (has_newline(s->kernel) || has_newline(s->initrd) ||
	    has_newline(s->cmdline))
		return -EINVAL;
	r = make_dir(dir);
	if (r < 0)
		return r;
	r = state_path(path, sizeof(path), dir, STATE_FILE);
	if (r == 0)
		r = state_path(tmp, sizeof(tmp), dir, STATE_FILE ".tmp");
	if (r < 0)
		return r;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	fprintf(f, "# Written by lazy-kdump: what it armed. Do not edit.\n"
		   "version=%d\narmed=%d\nsource=%s\narmed_at=%" PRId64 "\n"
		   "kernel=%s\ninitrd=%s\ncmdline=%s\n"
		   "size=%" PRIu64 "\nsize_auto=%d\nnode=%d\nplacement=%s\n"
		   "main_addr=0x%" PRIx64 "\nmain_len=%" PRIu64 "\n"
		   "low_addr=0x%" PRIx64 "\nlow_len=%" PRIu64 "\n"
		   "working_memory=%s\n",
		STATE_VERSION, s->armed, s->boot_time ? "boot-time" : "lazy-kdump",
		s->armed_at, s->kernel ? s->kernel : "",
		s->initrd ? s->initrd : "", s->cmdline ? s->cmdline : "",
		s->size, s->size_auto, s->node, s->high ? "high" : "low",
		s->main_addr, s->main_len, s->low_addr, s->low_len,
		s->split ? "split" : "held");
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) < 0) {
		r = errno > 0 ? -errno : -EIO;
		fclose(f);
		unlink(tmp);
		return r;
	}
	if (fclose(f) != 0) {
		r = errno > 0 ? -errno : -EIO;
		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int state_remove(const char *dir)
{
	char p[4096];
	int r;

	r = state_path(p, sizeof(p), dir, STATE_FILE);
	if (r < 0)
		return r;
	if (unlink(p) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int state_lock(const char *dir, bool wait, int *ret_fd)
{
	char p[4096];
	int fd, r;

	r = make_dir(dir);
	if (r < 0)
		return r;
	r = state_path(p, sizeof(p), dir, STATE_LOCK);
	if (r < 0)
		return r;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		r = -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}
