// SPDX-License-Identifier: GPL-2.0
/*
 * benchalloc - the measuring tool of the allocation benchmark
 * (tests/bench/alloc.sh), run inside the QEMU guests. Static, raw ioctls
 * on the ABI header only, one "key=value ..." line on stdout per call:
 *
 *   benchalloc alloc DEV SIZE NAME
 *       Allocate SIZE (K/M/G suffix) named NAME from DEV (/dev/lazy_cma or
 *       /dev/lazy_cma_seed, the baseline), free it again, and print
 *       ok= err= ns= kns= attempts= zone= phys=
 *       ns is the wall time of the ALLOC ioctl (CLOCK_MONOTONIC), kns the
 *       module's own time of its search, attempts its alloc_contig_range()
 *       calls: for lazy_cma from LAZY_CMA_IOCTL_LIST (or, after a failure,
 *       from its kernel log line), for the baseline from its read-only
 *       parameters last_attempts/last_ns. zone is read from /proc/zoneinfo.
 *   benchalloc info NAME
 *       The same fields for the lazy_cma buffer named NAME (e.g. the crash
 *       region "lazy-kdump" that lazy-kdump load allocated), or, when there
 *       is none, for its allocation failure logged by the module.
 *   benchalloc time CMD [ARG...]
 *       Run CMD (its stdout goes to stderr) and print rc= ns=.
 *   benchalloc fill-cache DEV FREE_PCT
 *       Put the block device DEV into the page cache with readahead(2), from
 *       its start, until MemFree is at most FREE_PCT % of MemTotal or DEV
 *       ends; pages already cached cost only a lookup. The caller keeps DEV
 *       open (6.1 drops a block device's cache on its last close). Returns
 *       when no read is in flight on DEV any more. Prints ns= cached_kb=
 *       free_kb= total_kb= read_mib=.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lazy_cma.h"

#define SEED_PARAMS "/sys/module/lazy_cma_seed/parameters/"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "benchalloc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 0 && v)
		return v;
bad:
	fprintf(stderr, "benchalloc: bad size '%s'\n", s);
	exit(2);
}

static const char *errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EINTR: return "EINTR";
	case ENODEV: return "ENODEV";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	default: return "other";
	}
}

/* The zone holding @pfn, from /proc/zoneinfo (start_pfn, spanned). */
static void zone_of(uint64_t pfn, char *out, size_t len)
{
	char line[256], zone[32] = "?", cur[32] = "";
	uint64_t start = 0, spanned = 0, v;
	bool have_start = false;
	FILE *f = fopen("/proc/zoneinfo", "r");

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int node;

		if (sscanf(line, "Node %d, zone %31s", &node, cur) == 2) {
			spanned = 0;
			have_start = false;
			continue;
		}
		if (sscanf(line, " spanned %" SCNu64, &v) == 1)
			spanned = v;
		else if (sscanf(line, " start_pfn: %" SCNu64, &v) == 1) {
			start = v;
			have_start = true;
		}
		if (have_start && spanned && pfn >= start &&
		    pfn < start + spanned) {
			snprintf(zone, sizeof(zone), "%s", cur);
			break;
		}
	}
	fclose(f);
	snprintf(out, len, "%s", zone);
}

static bool read_u64(const char *path, uint64_t *v)
{
	FILE *f = fopen(path, "r");
	long long x;
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%lld", &x) == 1;
	fclose(f);
	if (ok)
		*v = (uint64_t)x;
	return ok;
}

/* The LIST entry of the lazy_cma buffer at @phys (or named @name). */
static bool lcma_entry(int fd, uint64_t phys, const char *name,
		       struct lazy_cma_range *out)
{
	struct lazy_cma_range ents[64];
	struct lazy_cma_list l = {
		.entry_size = sizeof(ents[0]),
		.count = 64,
		.entries = (uintptr_t)ents,
	};
	uint32_t i;

	if (ioctl(fd, LAZY_CMA_IOCTL_LIST, &l) < 0)
		return false;
	for (i = 0; i < l.count && i < 64; i++) {
		if (name ? !strcmp(ents[i].name, name) : ents[i].phys_addr == phys) {
			*out = ents[i];
			return true;
		}
	}
	return false;
}

/*
 * lazy_cma's log line of a failed allocation of @name:
 * "no contiguous N MiB for NAME: A attempt(s) over W candidate window(s) in T ms"
 * or "cannot allocate N MiB: ..." (refused before any attempt).
 */
static void lcma_failure(const char *name, uint64_t *attempts, uint64_t *kns)
{
	char key[LAZY_CMA_NAME_MAX + 16], *buf, *p, *hit = NULL;
	int n = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	unsigned int a;
	unsigned long long ms;

	*attempts = 0;
	*kns = 0;
	if (n <= 0 || !(buf = malloc((size_t)n + 1)))
		return;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, n);
	if (n <= 0) {
		free(buf);
		return;
	}
	buf[n] = 0;
	snprintf(key, sizeof(key), " for %s: ", name);
	for (p = strstr(buf, key); p; p = strstr(p + 1, key))
		hit = p;
	if (hit && sscanf(hit + strlen(key), "%u attempt(s) over %*u candidate window(s) in %llu ms",
			  &a, &ms) == 2) {
		*attempts = a;
		*kns = ms * 1000000ULL;
	}
	free(buf);
}

static void print_result(bool ok, int err, uint64_t ns, uint64_t kns,
			 uint64_t attempts, uint64_t phys, uint64_t len)
{
	char zone[32] = "-";

	if (ok)
		zone_of(phys >> 12, zone, sizeof(zone));
	printf("ok=%d err=%s ns=%" PRIu64 " kns=%" PRIu64 " attempts=%" PRIu64
	       " zone=%s phys=0x%" PRIx64 " len=%" PRIu64 "\n",
	       ok, errno_name(err), ns, kns, attempts, zone, phys, len);
}

static int cmd_alloc(const char *dev, const char *size, const char *name)
{
	struct lazy_cma_allocation_data a;
	bool seed = strstr(dev, "seed") != NULL;
	uint64_t t0, ns, kns = 0, attempts = 0, v;
	int fd, ret, err;

	memset(&a, 0, sizeof(a));
	a.len = parse_size(size);
	a.node = -1;
	snprintf(a.name, sizeof(a.name), "%s", name);
	fd = open(dev, O_RDWR);
	if (fd < 0)
		die(dev);
	t0 = now_ns();
	ret = ioctl(fd, LAZY_CMA_IOCTL_ALLOC, &a);
	err = ret < 0 ? errno : 0;
	ns = now_ns() - t0;

	if (seed) {
		if (read_u64(SEED_PARAMS "last_attempts", &v))
			attempts = v;
		if (read_u64(SEED_PARAMS "last_ns", &v))
			kns = v;
	} else if (!ret) {
		struct lazy_cma_range r;

		if (lcma_entry(fd, a.phys_addr, NULL, &r)) {
			attempts = r.alloc_attempts;
			kns = r.alloc_ns;
		}
	} else {
		lcma_failure(name, &attempts, &kns);
	}
	print_result(!ret, err, ns, kns, attempts, ret ? 0 : a.phys_addr, a.len);
	fflush(stdout);
	if (!ret && ioctl(fd, LAZY_CMA_IOCTL_FREE, &a.phys_addr) < 0)
		die("free");
	close(fd);
	return 0;
}

static int cmd_info(const char *name)
{
	struct lazy_cma_range r;
	uint64_t attempts, kns;
	int fd = open("/dev/lazy_cma", O_RDWR);

	if (fd < 0)
		die("/dev/lazy_cma");
	if (lcma_entry(fd, 0, name, &r)) {
		print_result(true, 0, r.alloc_ns, r.alloc_ns, r.alloc_attempts,
			     r.phys_addr, r.len);
	} else {
		lcma_failure(name, &attempts, &kns);
		print_result(false, ENOMEM, kns, kns, attempts, 0, 0);
	}
	close(fd);
	return 0;
}

static int cmd_time(char **argv)
{
	uint64_t t0 = now_ns(), ns;
	int status, rc;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		dup2(2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "benchalloc: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	ns = now_ns() - t0;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("rc=%d ns=%" PRIu64 "\n", rc, ns);
	return 0;
}

static uint64_t meminfo_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	uint64_t v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/*
 * Wait (at most 10 s) until the block device @dev has no request in flight
 * (/sys/class/block/NAME/inflight "0 0"), so that a measurement meets a
 * page cache at rest, not pages still under readahead I/O.
 */
static void wait_inflight(const char *dev)
{
	const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
	struct timespec ms = { 0, 10000000 };
	char path[256];
	unsigned long r, w;
	int i;

	snprintf(path, sizeof(path), "/sys/class/block/%s/inflight", name);
	for (i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		int got;

		if (!f)
			return;
		got = fscanf(f, "%lu %lu", &r, &w);
		fclose(f);
		if (got != 2 || (!r && !w))
			return;
		nanosleep(&ms, NULL);
	}
}

static int cmd_fill_cache(const char *dev, const char *pct)
{
	const uint64_t chunk = 4ULL << 20;
	uint64_t total = meminfo_kb("MemTotal"), target, size = 0, off;
	uint64_t t0 = now_ns();
	char byte;
	int fd;

	target = total * strtoull(pct, NULL, 10) / 100;
	fd = open(dev, O_RDONLY);
	if (fd < 0)
		die(dev);
	if (ioctl(fd, BLKGETSIZE64, &size) < 0)
		die("BLKGETSIZE64");
	/* readahead(2) reads at most the device's readahead window per call. */
	if (ioctl(fd, BLKRASET, (unsigned long)(chunk >> 9)) < 0)
		die("BLKRASET");
	/* The open file took the old window; POSIX_FADV_NORMAL renews it. */
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
	if (errno)
		die("posix_fadvise");
	for (off = 0; off < size; off += chunk) {
		if (meminfo_kb("MemFree") <= target)
			break;
		/* Asynchronous; pages already cached are skipped. */
		if (readahead(fd, (off64_t)off, chunk) < 0)
			die("readahead");
	}
	/* Wait for the last chunk's I/O, then for every read in flight. */
	if (off && pread(fd, &byte, 1, (off_t)(off - 1)) < 0)
		die("pread");
	close(fd);
	wait_inflight(dev);
	printf("ns=%" PRIu64 " cached_kb=%" PRIu64 " free_kb=%" PRIu64
	       " total_kb=%" PRIu64 " read_mib=%" PRIu64 "\n",
	       now_ns() - t0, meminfo_kb("Cached") + meminfo_kb("Buffers"),
	       meminfo_kb("MemFree"), total, off >> 20);
	return 0;
}

static void usage(void)
{
	fputs("usage: benchalloc alloc DEV SIZE NAME | info NAME | time CMD [ARG...] | fill-cache DEV FREE_PCT\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "alloc") && argc == 5)
		return cmd_alloc(argv[2], argv[3], argv[4]);
	if (!strcmp(argv[1], "info") && argc == 3)
		return cmd_info(argv[2]);
	if (!strcmp(argv[1], "time") && argc >= 3)
		return cmd_time(argv + 2);
	if (!strcmp(argv[1], "fill-cache") && argc == 4)
		return cmd_fill_cache(argv[2], argv[3]);
	usage();
	return 2;
}
