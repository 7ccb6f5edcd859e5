// SPDX-License-Identifier: GPL-2.0
/*
 * sysinfo - what lazy-kdump reads from /proc and /sys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysinfo.h"

#define SYS_READ_MAX	(16 << 20)

int sys_path(char *buf, size_t size, const char *root, const char *path)
{
	int n = snprintf(buf, size, "%s%s", root ? root : "", path);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int sys_read(const char *root, const char *path, char **ret)
{
	char p[4096], *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, r;

	r = sys_path(p, sizeof(p), root, path);
	if (r < 0)
		return r;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (cap - len < 4097) {
			char *nb;

			if (cap >= SYS_READ_MAX) {
				r = -EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				r = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*ret = buf;
	return 0;
fail:
	close(fd);
	free(buf);
	return r;
}

int sys_read_u64(const char *root, const char *path, uint64_t *ret)
{
	unsigned long long v;
	char *t, *end;
	int r;

	r = sys_read(root, path, &t);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoull(t, &end, 10);
	if (end == t || errno || (*end && *end != '\n')) {
		free(t);
		return -EINVAL;
	}
	free(t);
	*ret = v;
	return 0;
}

int iomem_parse(const char *text, struct iomem_summary *ret)
{
	struct iomem_summary s;
	const char *line = text;

	memset(&s, 0, sizeof(s));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		unsigned long long a, b;
		int indent = 0, pos = 0;
		const char *name;

		while (line[indent] == ' ')
			indent++;
		if (sscanf(line + indent, "%llx-%llx : %n", &a, &b, &pos) == 2 &&
		    pos > 0) {
			size_t nlen;

			name = line + indent + pos;
			nlen = nl ? (size_t)(nl - name) : strlen(name);
			if (indent == 0 && nlen == 10 &&
			    strncmp(name, "System RAM", 10) == 0) {
				if (a == 0 && b == 0)
					s.hidden = true;
				else if (b >= a) {
					s.ram_bytes += b - a + 1;
					if (b + 1 > s.ram_end)
						s.ram_end = b + 1;
				}
				s.ram_ranges++;
			} else if (nlen == 12 &&
				   strncmp(name, "Crash kernel", 12) == 0) {
				if (s.n_crash < IOMEM_MAX_CRASH) {
					s.crash_start[s.n_crash] = a;
					s.crash_end[s.n_crash] = b;
				}
				s.n_crash++;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (s.n_crash > IOMEM_MAX_CRASH)
		s.n_crash = IOMEM_MAX_CRASH;
	*ret = s;
	return 0;
}

int meminfo_kb(const char *text, const char *key, uint64_t *ret)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			unsigned long long v;

			if (sscanf(line + klen + 1, "%llu", &v) == 1) {
				*ret = v;
				return 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int cpulist_count(const char *text, unsigned int *ret)
{
	const char *p = text;
	unsigned long total = 0;

	while (*p && *p != '\n') {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (b < a || b - a > 1UL << 20)
			return -EINVAL;
		total += b - a + 1;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	if (total == 0 || total > 1UL << 20)
		return -EINVAL;
	*ret = (unsigned int)total;
	return 0;
}

/* "key<blanks>: value" -> value, or NULL. */
static const char *cpuinfo_value(const char *line, const char *key)
{
	size_t k = strlen(key);

	if (strncmp(line, key, k) != 0)
		return NULL;
	line += k;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != ':')
		return NULL;
	line++;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

int cpuinfo_boot_apicid(const char *text, unsigned int *ret)
{
	const char *line = text, *v;
	int in_cpu0 = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');

		v = cpuinfo_value(line, "processor");
		if (v)
			in_cpu0 = strtoul(v, NULL, 10) == 0 && *v == '0';
		v = cpuinfo_value(line, "apicid");
		if (v && in_cpu0 && *v >= '0' && *v <= '9') {
			*ret = (unsigned int)strtoul(v, NULL, 10);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int lockdown_mode(const char *text, char *buf, size_t size)
{
	const char *a = strchr(text, '['), *b;

	if (!a)
		return -ENOENT;
	b = strchr(a, ']');
	if (!b || b == a + 1)
		return -ENOENT;
	snprintf(buf, size, "%.*s", (int)(b - a - 1), a + 1);
	return 0;
}

int file_write_atomic(const char *path, const char *text)
{
	char tmp[4200];
	size_t len = strlen(text), done = 0;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* The mode whatever the umask: node_exporter may read as another user. */
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	while (!r && done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	else
		r = dir_sync(path);
	return r;
}

int dir_sync(const char *path)
{
	char dir[4200];
	char *slash;
	int fd, r = 0;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}
