// SPDX-License-Identifier: GPL-2.0
/*
 * vmutil.c - helpers shared by the lazy_cma VM test programs (see vmutil.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD	0x00000001
#define KEXEC_FILE_ON_CRASH	0x00000002
#endif

#include "vmutil.h"

int lc_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg) < 0)
		return -errno;
	return 0;
}

int lc_list_all(int fd, struct lazy_cma_range **out, uint32_t *n)
{
	struct lazy_cma_list l;
	struct lazy_cma_range *arr = NULL;
	uint32_t room;
	int ret, tries;

	memset(&l, 0, sizeof(l));
	l.entry_size = sizeof(struct lazy_cma_range);
	ret = lc_ioctl(fd, LAZY_CMA_IOCTL_LIST, &l);
	if (ret)
		return ret;
	for (tries = 0; tries < 8; tries++) {
		room = l.count + 8;
		arr = calloc(room, sizeof(*arr));
		if (!arr)
			return -ENOMEM;
		memset(&l, 0, sizeof(l));
		l.entry_size = sizeof(struct lazy_cma_range);
		l.count = room;
		l.entries = (uintptr_t)arr;
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_LIST, &l);
		if (ret) {
			free(arr);
			return ret;
		}
		if (l.count <= room) {
			*out = arr;
			*n = l.count;
			return 0;
		}
		free(arr);
	}
	return -EAGAIN;
}

const struct lazy_cma_range *lc_find(const struct lazy_cma_range *r,
				     uint32_t n, uint64_t phys)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (r[i].phys_addr == phys)
			return &r[i];
	return NULL;
}

uint32_t lc_count_prefix(const struct lazy_cma_range *r, uint32_t n,
			 const char *prefix)
{
	size_t plen = strlen(prefix);
	uint32_t i, count = 0;

	for (i = 0; i < n; i++)
		if (strncmp(r[i].name, prefix, plen) == 0)
			count++;
	return count;
}

static const char *const zone_names[] = {
	[LAZY_CMA_ZONE_DMA] = "DMA",
	[LAZY_CMA_ZONE_DMA32] = "DMA32",
	[LAZY_CMA_ZONE_NORMAL] = "Normal",
	[LAZY_CMA_ZONE_MOVABLE] = "Movable",
};

const char *lc_zone_name(uint32_t zone)
{
	if (zone < sizeof(zone_names) / sizeof(zone_names[0]))
		return zone_names[zone];
	return NULL;
}

int lc_zone_code(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]); i++)
		if (strcmp(zone_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* The number after "@key" at the start of a line of @path. */
static int read_keyed(const char *path, const char *key, uint64_t *val)
{
	char line[256];
	size_t klen = strlen(key);
	unsigned long long v;
	FILE *f;
	int ret = -ENOENT;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) != 0)
			continue;
		if (sscanf(line + klen, " %llu", &v) != 1) {
			ret = -EINVAL;
			break;
		}
		*val = v;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int read_meminfo(const char *key, uint64_t *bytes)
{
	char k[64];
	uint64_t kb = 0;
	int ret;

	snprintf(k, sizeof(k), "%s:", key);
	ret = read_keyed("/proc/meminfo", k, &kb);
	if (ret)
		return ret;
	*bytes = kb * KiB;
	return 0;
}

int read_vmstat(const char *key, uint64_t *val)
{
	char k[64];

	snprintf(k, sizeof(k), "%s ", key);
	return read_keyed("/proc/vmstat", k, val);
}

/*
 * Pages on the per-cpu free lists ("count:" under each zone's pagesets in
 * /proc/zoneinfo): free, but not in nr_free_pages. Newer kernels let these
 * lists grow to tens of MiB, which would look like a leak.
 */
static int pcp_pages(uint64_t *pages)
{
	char line[256];
	uint64_t sum = 0, v;
	FILE *f;

	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %" SCNu64, &v) == 1)
			sum += v;
	fclose(f);
	*pages = sum;
	return 0;
}

int free_bytes(uint64_t *bytes)
{
	uint64_t pages = 0, pcp = 0;
	int ret;

	ret = read_vmstat("nr_free_pages", &pages);
	if (!ret)
		ret = pcp_pages(&pcp);
	if (ret)
		return ret;
	*bytes = (pages + pcp) * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

int iomem_read(struct iomem_ent **out, size_t *n)
{
	struct iomem_ent *arr = NULL, *tmp;
	size_t cnt = 0, cap = 0, len;
	char line[256];
	uint64_t start, end;
	int off, ret = 0;
	unsigned int sp;
	FILE *f;

	f = fopen("/proc/iomem", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		for (sp = 0; line[sp] == ' '; sp++)
			;
		off = 0;
		if (sscanf(line + sp, "%" SCNx64 "-%" SCNx64 " : %n", &start,
			   &end, &off) != 2 || off == 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(arr, cap * sizeof(*arr));
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			arr = tmp;
		}
		arr[cnt].start = start;
		arr[cnt].end = end;
		arr[cnt].depth = sp / 2;
		len = strcspn(line + sp + off, "\n");
		if (len >= sizeof(arr[cnt].name))
			len = sizeof(arr[cnt].name) - 1;
		memcpy(arr[cnt].name, line + sp + off, len);
		arr[cnt].name[len] = '\0';
		cnt++;
	}
	fclose(f);
	if (ret) {
		free(arr);
		return ret;
	}
	*out = arr;
	*n = cnt;
	return 0;
}

int iomem_find(const char *name, uint64_t start, uint64_t end,
	       size_t *count, bool *exact)
{
	struct iomem_ent *e;
	size_t n, i, c = 0;
	bool x = false;
	int ret;

	ret = iomem_read(&e, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		if (strcmp(e[i].name, name) != 0)
			continue;
		c++;
		if (e[i].start == start && e[i].end == end)
			x = true;
	}
	free(e);
	*count = c;
	*exact = x;
	return 0;
}

int iomem_count_prefix(const char *prefix, size_t *count)
{
	struct iomem_ent *e;
	size_t n, i, c = 0, plen = strlen(prefix);
	int ret;

	ret = iomem_read(&e, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (strncmp(e[i].name, prefix, plen) == 0)
			c++;
	free(e);
	*count = c;
	return 0;
}

int iomem_has(const char *name, bool *yes)
{
	size_t count = 0;
	bool exact = false;
	int ret;

	ret = iomem_find(name, 0, 0, &count, &exact);
	if (ret)
		return ret;
	*yes = count > 0;
	return 0;
}

int iomem_ram_above(uint64_t addr, bool *yes)
{
	struct iomem_ent *e;
	size_t n, i;
	bool y = false;
	int ret;

	ret = iomem_read(&e, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, "System RAM") == 0 && e[i].end >= addr)
			y = true;
	free(e);
	*yes = y;
	return 0;
}

int kallsyms_addr(const char *sym, uint64_t *addr)
{
	char line[512], name[256];
	uint64_t a;
	char type;
	int off, ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		off = 0;
		if (sscanf(line, "%" SCNx64 " %c %255s%n", &a, &type, name,
			   &off) != 3)
			continue;
		if (strcmp(name, sym) != 0)
			continue;
		/* Module symbols carry a "\t[module]" suffix. */
		if (strchr(line + off, '['))
			continue;
		if (a == 0) {
			ret = -EACCES;
			break;
		}
		*addr = a;
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int zoneinfo_read(struct zone_ent **out, size_t *n)
{
	struct zone_ent *arr = NULL, *tmp, *z = NULL;
	size_t cnt = 0, cap = 0;
	char line[256], word[64], zname[16];
	unsigned long long v;
	int node, ret = 0;
	FILE *f;

	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %15s", &node, zname) == 2) {
			if (cnt == cap) {
				cap = cap ? cap * 2 : 8;
				tmp = realloc(arr, cap * sizeof(*arr));
				if (!tmp) {
					ret = -ENOMEM;
					break;
				}
				arr = tmp;
			}
			z = &arr[cnt++];
			memset(z, 0, sizeof(*z));
			z->node = node;
			snprintf(z->name, sizeof(z->name), "%s", zname);
			continue;
		}
		if (!z)
			continue;
		if (sscanf(line, " pages free %llu", &v) == 1) {
			z->free = v;
			continue;
		}
		if (sscanf(line, " %63s %llu", word, &v) != 2)
			continue;
		if (strcmp(word, "spanned") == 0) {
			z->spanned = v;
		} else if (strcmp(word, "present") == 0) {
			z->present = v;
		} else if (strcmp(word, "managed") == 0) {
			z->managed = v;
		} else if (strcmp(word, "start_pfn:") == 0) {
			z->start_pfn = v;
			z->has_start_pfn = true;
		}
	}
	fclose(f);
	if (ret || cnt == 0) {
		free(arr);
		return ret ? ret : -ENOENT;
	}
	*out = arr;
	*n = cnt;
	return 0;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

bool node_exists(int node)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", node);
	return path_exists(path);
}

int nodes_with_memory(int *nodes, int max, int *n)
{
	char buf[256], *p, *end;
	long a, b, i;
	int cnt = 0;
	FILE *f;

	f = fopen("/sys/devices/system/node/has_memory", "re");
	if (!f) {
		if (errno != ENOENT)
			return -errno;
		if (max < 1)
			return -ENOSPC;
		nodes[0] = 0;
		*n = 1;
		return 0;
	}
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	p = buf;
	while (*p && *p != '\n') {
		a = strtol(p, &end, 10);
		if (end == p)
			return -EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1)
				return -EINVAL;
			p = end;
		}
		for (i = a; i <= b; i++) {
			if (cnt >= max)
				return -ENOSPC;
			nodes[cnt++] = (int)i;
		}
		if (*p == ',')
			p++;
	}
	*n = cnt;
	return 0;
}

int node_of_range(uint64_t phys, uint64_t len, int *node)
{
	char path[128], buf[64];
	int nodes[64], nn, i, found = -1, ret;
	uint64_t bs, blk;
	FILE *f;

	if (len == 0)
		return -EINVAL;
	f = fopen("/sys/devices/system/memory/block_size_bytes", "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	bs = strtoull(buf, NULL, 16);
	if (bs == 0)
		return -EINVAL;
	ret = nodes_with_memory(nodes, 64, &nn);
	if (ret)
		return ret;
	for (blk = phys / bs; blk <= (phys + len - 1) / bs; blk++) {
		int here = -1;

		for (i = 0; i < nn; i++) {
			snprintf(path, sizeof(path),
				 "/sys/devices/system/node/node%d/memory%" PRIu64,
				 nodes[i], blk);
			if (path_exists(path)) {
				here = nodes[i];
				break;
			}
		}
		if (here < 0)
			return -ENOENT;
		if (found >= 0 && here != found)
			return -EXDEV;
		found = here;
	}
	*node = found;
	return 0;
}

bool module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return path_exists(path);
}

int kexec_crash_loaded_read(void)
{
	FILE *f = fopen("/sys/kernel/kexec_crash_loaded", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int kexec_crash_file_load(const char *kernel, const char *initrd,
			  const char *cmdline)
{
	int kfd = -1, ifd = -1, ret;
	unsigned long flags = KEXEC_FILE_ON_CRASH;

	if (!kernel) {
		flags |= KEXEC_FILE_UNLOAD;
	} else {
		kfd = open(kernel, O_RDONLY | O_CLOEXEC);
		ifd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (kfd < 0 || ifd < 0) {
			ret = -errno;
			goto out;
		}
	}
	ret = (int)syscall(SYS_kexec_file_load, kfd, ifd,
			   kernel ? strlen(cmdline) + 1 : 0UL,
			   kernel ? cmdline : NULL, flags);
	ret = ret < 0 ? -errno : 0;
out:
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	return ret;
}
