// SPDX-License-Identifier: GPL-2.0
/*
 * frag - the fragmentation workload of the allocation benchmark
 * (tests/bench/alloc.sh), run inside the QEMU guests as root.
 *
 * It leaves unmovable kernel allocations (pipe buffers, page tables) in
 * pageblocks scattered across physical memory and gives everything else
 * back. The page allocator puts an unmovable page that finds no free
 * unmovable page into a free pageblock of another type that it claims,
 * largest free block first (and, for ZONE_NORMAL, only whole pageblocks
 * while one is free: ALLOC_NOFRAGMENT), relabelling it MIGRATE_UNMOVABLE
 * and handing it out page by page. So the workload makes chosen, scattered
 * pageblocks the only whole free pageblocks and then allocates unmovable
 * pages until every one of them holds some:
 *
 *  1. Fill: anonymous memory (movable, order-0: MADV_NOHUGEPAGE, populated
 *     with MADV_POPULATE_WRITE) in 64 MiB chunks until MemFree is down to
 *     the zones' high watermarks + RESERVE_MIB (default 48).
 *  2. Choose: /proc/self/pagemap gives every filler page's frame. Walking
 *     the pageblocks (2 MiB) in physical order, the next one the filler
 *     owns entirely is chosen after a gap drawn from an exponential
 *     distribution of mean MEAN_GAP_MIB (default 128; at least 8 MiB;
 *     fixed PRNG seed SEED, default 1).
 *  3. Scrap: one filler page in 16 outside the chosen pageblocks is freed,
 *     single pages whose neighbours stay in use: free memory that is no
 *     whole pageblock, so that the machine is not short of memory (no
 *     reclaim, no compaction, no OOM) while the next steps allocate.
 *  4. Use up: pipes and page tables (below) until no free block of
 *     pageblock order or larger is left in ZONE_DMA32 and ZONE_NORMAL
 *     (/proc/pagetypeinfo; HighAtomic reserves aside): the free memory the
 *     filler left behind, claimed by unmovable pages where it happened to
 *     be. At most 1 GiB.
 *  5. Punch: the filler's pages in the chosen pageblocks are freed
 *     (MADV_DONTNEED), from CPU 1; then CPU 1 is taken offline and back
 *     online, which drains its per-cpu free lists into the buddy
 *     allocator: the chosen pageblocks are now the only whole free
 *     pageblocks (without CPU hotplug some of their pages may stay on a
 *     per-cpu list; the output says so).
 *  6. Steal: pipes, one at a time, until every chosen pageblock holds a
 *     page in use, at most their size + 64 MiB. /proc/kpageflags tells
 *     free pages (KPF_BUDDY, every page of a free buddy block) from used
 *     ones; the pipe pages are the only allocations then.
 *  7. Release: the filler (and the scraps) are unmapped.
 *
 * The unmovable allocations are pipes of 1 MiB (F_SETPIPE_SZ, filled,
 * write end closed: 256 unmovable pages each) and, in step 4 only, for
 * every 8 pipes 64 page-table pages (a sparse mapping, MADV_NOHUGEPAGE,
 * touched once per 2 MiB; each touch also maps one movable page).
 *
 * While it works, proactive compaction is off (vm.compaction_proactiveness
 * = 0: the frames read in step 2 must stay put) and the per-cpu free lists
 * are kept small (vm.percpu_pagelist_high_fraction: 6.7+ grows them to
 * hundreds of MiB, free memory no unmovable request can use); both are
 * restored before "ready". Steps 4 and 6 also stop when MemFree falls to
 * the high watermarks + 32 MiB.
 *
 * Output: "frag: ..." lines (what each step did and took; per zone the
 * Unmovable and Movable pageblock counts of /proc/pagetypeinfo before and
 * after, and, from a scan of /proc/kpageflags after step 7, how many
 * pageblocks hold a page that is neither free nor on an LRU list, i.e. one
 * alloc_contig_range() cannot take, and the largest stretch without one or
 * a hole; /proc/buddyinfo after), then "frag: ready". The
 * allocations are held until SIGTERM or SIGINT; exiting frees them.
 *
 * Usage: frag [-g MEAN_GAP_MIB] [-s SEED] [-r RESERVE_MIB]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGE		4096UL
#define BLOCK_PAGES	512UL		/* pageblock_nr_pages on x86-64 */
#define BLOCK_ORDER	9
#define CHUNK		(64UL << 20)
#define MAX_CHUNKS	4096
#define MAX_ZONES	16
#define PIPE_BYTES	(1UL << 20)
#define PT_REGION	(64UL << 30)	/* virtual; 32768 page tables at most */
#define PT_PER_BATCH	64
#define PIPES_PER_PT	8
#define SCRAP_EVERY	16
/* /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) */
#define KPF_LRU		(1ULL << 5)
#define KPF_BUDDY	(1ULL << 10)

struct zone_info {
	char name[32];
	uint64_t start, end;		/* pfns */
	long unmov[2], mov[2];		/* pageblocks before/after */
};

static struct { char *addr; size_t len; } chunks[MAX_CHUNKS];
static int nchunks;
static struct zone_info zones[MAX_ZONES];
static int nzones;
static uint64_t rng = 1;
static volatile sig_atomic_t stop;
static char *pt_region;
static uint64_t npipes, npt;

static void die(const char *what)
{
	fprintf(stderr, "frag: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Populated zones from /proc/zoneinfo; returns the sum of high watermarks (kB). */
static uint64_t read_zones(void)
{
	char line[256], name[32];
	uint64_t v, high = 0, present = 0, spanned = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");
	struct zone_info *z = NULL;
	int node;

	if (!f)
		die("/proc/zoneinfo");
	nzones = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &node, name) == 2) {
			z = nzones < MAX_ZONES ? &zones[nzones] : NULL;
			present = spanned = 0;
			if (z) {
				memset(z, 0, sizeof(*z));
				snprintf(z->name, sizeof(z->name), "%s", name);
			}
			continue;
		}
		if (!z)
			continue;
		if (sscanf(line, " high %" SCNu64, &v) == 1)
			high += v * (PAGE / 1024);
		else if (sscanf(line, " spanned %" SCNu64, &v) == 1)
			spanned = v;
		else if (sscanf(line, " present %" SCNu64, &v) == 1)
			present = v;
		else if (sscanf(line, " start_pfn: %" SCNu64, &v) == 1 &&
			 present) {
			z->start = v;
			z->end = v + spanned;
			nzones++;
		}
	}
	fclose(f);
	return high;
}

/* Unmovable and Movable pageblocks per zone from /proc/pagetypeinfo. */
static void read_pagetypes(int when)
{
	char line[512], zname[32], *tok, *save;
	int col_unmov = -1, col_mov = -1, i, c, node;
	bool in_table = false;
	FILE *f = fopen("/proc/pagetypeinfo", "r");

	if (!f)
		die("/proc/pagetypeinfo");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Number of blocks type", 21)) {
			in_table = true;
			c = 0;
			for (tok = strtok_r(line + 21, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save), c++) {
				if (!strcmp(tok, "Unmovable"))
					col_unmov = c;
				else if (!strcmp(tok, "Movable"))
					col_mov = c;
			}
			continue;
		}
		if (!in_table || sscanf(line, "Node %d, zone %31s", &node, zname) != 2)
			continue;
		for (i = 0; i < nzones; i++) {
			if (strcmp(zones[i].name, zname))
				continue;
			tok = strstr(line, zname) + strlen(zname);
			for (c = 0, tok = strtok_r(tok, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save), c++) {
				if (c == col_unmov)
					zones[i].unmov[when] = atol(tok);
				if (c == col_mov)
					zones[i].mov[when] = atol(tok);
			}
		}
	}
	fclose(f);
}

/*
 * Free blocks of pageblock order or larger in ZONE_DMA32 and ZONE_NORMAL,
 * of the types unmovable pages may take (Unmovable, Movable, Reclaimable),
 * from /proc/pagetypeinfo "Free pages count per migrate type at order".
 */
static long big_free_blocks(void)
{
	char line[512], zone[32], type[32];
	long n = 0;
	FILE *f = fopen("/proc/pagetypeinfo", "r");

	if (!f)
		die("/proc/pagetypeinfo");
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, ", type");
		int node, order, off;
		long cnt;

		if (sscanf(line, "Node %d, zone %31[^,], type %31s%n", &node, zone,
			   type, &off) != 3 || !p)
			continue;
		if (strcmp(zone, "DMA32") && strcmp(zone, "Normal"))
			continue;
		if (strcmp(type, "Unmovable") && strcmp(type, "Movable") &&
		    strcmp(type, "Reclaimable"))
			continue;
		p = line + off;
		for (order = 0; sscanf(p, "%ld%n", &cnt, &off) == 1; order++) {
			if (order >= BLOCK_ORDER)
				n += cnt;
			p += off;
		}
	}
	fclose(f);
	return n;
}

static void print_file(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("frag: %s: %s", path, line);
	fclose(f);
}

static uint64_t rand64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A gap in pageblocks: exponential with mean @mean, at least 4 (8 MiB). */
static uint64_t gap_blocks(double mean)
{
	double u = ((double)(rand64() >> 11) + 1.0) / 9007199254740993.0;
	double g = -mean * log(u);

	return g < 4 ? 4 : (uint64_t)g;
}

/* Frames of the @n pages at @addr (0 when not present). */
static void frames(int pm, const char *addr, size_t n, uint64_t *out)
{
	off_t off = (off_t)((uintptr_t)addr / PAGE * 8);
	size_t i;

	if (pread(pm, out, n * 8, off) != (ssize_t)(n * 8))
		die("read /proc/self/pagemap");
	for (i = 0; i < n; i++)
		out[i] = (out[i] >> 63) ? out[i] & ((1ULL << 55) - 1) : 0;
}

/*
 * Sysctls changed while the workload runs, restored before "ready" (and at
 * exit, should it fail half-way).
 */
static struct {
	const char *path, *value;
	char old[32];
	bool changed;
} tunables[] = {
	/* No proactive compaction: the frames read in step 2 must stay put. */
	{ "/proc/sys/vm/compaction_proactiveness", "0", "", false },
	/*
	 * Small per-cpu free lists (high = 4 x batch): 6.7+ grows them to
	 * hundreds of MiB, free memory that unmovable requests cannot use.
	 */
	{ "/proc/sys/vm/percpu_pagelist_high_fraction", "1000000", "", false },
};

static bool write_str(const char *path, const char *val);

static void tunables_restore(void)
{
	size_t i;

	for (i = 0; i < sizeof(tunables) / sizeof(tunables[0]); i++)
		if (tunables[i].changed && write_str(tunables[i].path, tunables[i].old))
			tunables[i].changed = false;
}

static void tunables_set(void)
{
	size_t i;

	for (i = 0; i < sizeof(tunables) / sizeof(tunables[0]); i++) {
		FILE *f = fopen(tunables[i].path, "r");

		if (!f)
			continue;
		if (fgets(tunables[i].old, sizeof(tunables[i].old), f))
			tunables[i].changed = write_str(tunables[i].path, tunables[i].value);
		fclose(f);
	}
	atexit(tunables_restore);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Write @val to a sysfs/procfs file; true when it took. */
static bool write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

static bool run_on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Drain CPU 1's per-cpu free lists: taking a CPU offline hands its lists
 * back to the buddy allocator. We run on CPU 0 meanwhile.
 */
static bool drain_cpu1(void)
{
	const char *online = "/sys/devices/system/cpu/cpu1/online";
	bool ok;

	if (!run_on_cpu(0))
		return false;
	ok = write_str(online, "0");
	if (ok && !write_str(online, "1"))
		die("bring CPU 1 back online");
	return ok;
}

/*
 * @bytes of unmovable allocations: pipes of 1 MiB and, with @pt, page
 * tables between them.
 */
static void unmovable(uint64_t bytes, bool pt)
{
	static char pipe_data[PIPE_BYTES];
	uint64_t done = 0;
	size_t j;

	while (done < bytes) {
		int fds[2];

		if (pipe2(fds, O_NONBLOCK) < 0)
			die("pipe2");
		if (fcntl(fds[1], F_SETPIPE_SZ, (int)PIPE_BYTES) < 0 ||
		    write(fds[1], pipe_data, PIPE_BYTES) != (ssize_t)PIPE_BYTES)
			die("fill a pipe");
		close(fds[1]);
		npipes++;
		done += PIPE_BYTES;
		if (pt && npipes % PIPES_PER_PT == 0 &&
		    (npt + PT_PER_BATCH) * (2UL << 20) <= PT_REGION) {
			for (j = 0; j < PT_PER_BATCH; j++, npt++)
				pt_region[npt * (2UL << 20)] = 1;
			done += PT_PER_BATCH * PAGE;
		}
	}
}

/* Pages in use (not KPF_BUDDY) in pageblock @b. */
static uint64_t used_in_block(int kpf, uint64_t b)
{
	uint64_t fl[BLOCK_PAGES], n = 0;
	size_t j;

	if (pread(kpf, fl, sizeof(fl), (off_t)(b * BLOCK_PAGES * 8)) != (ssize_t)sizeof(fl))
		die("read /proc/kpageflags");
	for (j = 0; j < BLOCK_PAGES; j++)
		n += !(fl[j] & KPF_BUDDY);
	return n;
}

/* How many chosen pageblocks hold a page in use. */
static uint64_t count_claimed(int kpf, const uint8_t *chosen, uint64_t nblocks)
{
	uint64_t b, n = 0;

	for (b = 0; b < nblocks; b++)
		if (chosen[b] && used_in_block(kpf, b))
			n++;
	return n;
}

/* Free the filler's pages whose frame is in a chosen pageblock. */
static uint64_t punch(int pm, int c, const uint8_t *chosen, uint64_t *pfn)
{
	size_t n = chunks[c].len / PAGE, j, k;
	uint64_t freed = 0;

	frames(pm, chunks[c].addr, n, pfn);
	for (j = 0; j < n; j = k) {
		bool hole = pfn[j] && chosen[pfn[j] / BLOCK_PAGES];

		for (k = j + 1; k < n; k++)
			if ((pfn[k] && chosen[pfn[k] / BLOCK_PAGES]) != hole)
				break;
		if (!hole)
			continue;
		if (madvise(chunks[c].addr + j * PAGE, (k - j) * PAGE,
			    MADV_DONTNEED) < 0)
			die("madvise MADV_DONTNEED");
		freed += k - j;
	}
	return freed;
}

/* System RAM ranges (pfns) from /proc/iomem's top level. */
static struct { uint64_t start, end; } ram[64];
static int nram;

static void read_ram(void)
{
	char line[256];
	uint64_t a, e;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		die("/proc/iomem");
	while (fgets(line, sizeof(line), f) && nram < 64)
		if (line[0] != ' ' && strstr(line, " : System RAM") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &a, &e) == 2 && e > a) {
			ram[nram].start = (a + PAGE - 1) / PAGE;
			ram[nram++].end = (e + 1) / PAGE;
		}
	fclose(f);
}

/* Is pageblock @b wholly System RAM? */
static bool block_in_ram(uint64_t b)
{
	int i;

	for (i = 0; i < nram; i++)
		if (ram[i].start <= b * BLOCK_PAGES &&
		    ram[i].end >= (b + 1) * BLOCK_PAGES)
			return true;
	return false;
}

/*
 * The effect, per zone: pageblocks holding a page that is neither free
 * (KPF_BUDDY) nor on an LRU list (KPF_LRU) -- slab, page tables, pipe
 * buffers, reserved memory: what alloc_contig_range() cannot take (a free
 * page on a per-cpu list also counts, rarely) -- and the largest stretch
 * of pageblocks without one. Pageblocks not wholly System RAM in
 * /proc/iomem (holes, firmware) end a stretch too and are counted apart.
 */
static void scan_zones(int kpf)
{
	static uint64_t fl[BLOCK_PAGES * 64];
	int i;

	read_ram();
	for (i = 0; i < nzones; i++) {
		uint64_t b0 = zones[i].start / BLOCK_PAGES;
		uint64_t b1 = (zones[i].end + BLOCK_PAGES - 1) / BLOCK_PAGES;
		uint64_t b, bad = 0, holes = 0, run = 0, best = 0;

		for (b = b0; b < b1; b += 64) {
			uint64_t nb = b1 - b < 64 ? b1 - b : 64, k, have;
			ssize_t got = pread(kpf, fl, nb * BLOCK_PAGES * 8,
					    (off_t)(b * BLOCK_PAGES * 8));

			if (got < 0)
				die("read /proc/kpageflags");
			have = (uint64_t)got / 8;
			for (k = 0; k < nb; k++) {
				bool pinned = false;
				size_t j;

				if (!block_in_ram(b + k)) {
					holes++;
					run = 0;
					continue;
				}
				for (j = 0; j < BLOCK_PAGES && !pinned; j++) {
					uint64_t f = k * BLOCK_PAGES + j < have ?
						     fl[k * BLOCK_PAGES + j] : 0;

					pinned = !(f & (KPF_BUDDY | KPF_LRU));
				}
				bad += pinned;
				if (pinned)
					run = 0;
				else if (++run > best)
					best = run;
			}
		}
		printf("frag: zone %s: pageblocks Unmovable %ld -> %ld, Movable %ld -> %ld; %" PRIu64 " of %" PRIu64 " pageblocks hold a page alloc_contig_range() cannot take, %" PRIu64 " more are not (wholly) System RAM; largest stretch without either %" PRIu64 " MiB\n",
		       zones[i].name, zones[i].unmov[0], zones[i].unmov[1],
		       zones[i].mov[0], zones[i].mov[1], bad, b1 - b0, holes,
		       best * 2);
	}
}

int main(int argc, char **argv)
{
	double mean_mib = 128, t0 = now_s(), t;
	uint64_t high_kb, reserve_kb, reserve_mib = 48, max_pfn = 0;
	uint64_t nblocks, b, next, nchosen = 0, nfull = 0, punched = 0;
	uint64_t filled = 0, scrapped = 0, claimed = 0, spent, pipes0, *pfn;
	uint16_t *owned;
	uint8_t *chosen;
	struct rlimit rl = { 1 << 16, 1 << 16 };
	struct sigaction sa;
	long big;
	bool drained;
	int opt, pm, kpf, i;
	size_t j;

	while ((opt = getopt(argc, argv, "g:s:r:")) != -1) {
		switch (opt) {
		case 'g': mean_mib = atof(optarg); break;
		case 's': rng = strtoull(optarg, NULL, 0) | 1; break;
		case 'r': reserve_mib = strtoull(optarg, NULL, 0); break;
		default:
			fputs("usage: frag [-g MEAN_GAP_MIB] [-s SEED] [-r RESERVE_MIB]\n", stderr);
			return 2;
		}
	}
	if (mean_mib < 2) {
		fputs("frag: the mean gap must be at least 2 MiB\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit RLIMIT_NOFILE");
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm < 0)
		die("/proc/self/pagemap");
	kpf = open("/proc/kpageflags", O_RDONLY);
	if (kpf < 0)
		die("/proc/kpageflags");

	high_kb = read_zones();
	for (i = 0; i < nzones; i++)
		if (zones[i].end > max_pfn)
			max_pfn = zones[i].end;
	read_pagetypes(0);
	reserve_kb = high_kb + (reserve_mib << 10);
	tunables_set();
	pt_region = mmap(NULL, PT_REGION, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pt_region == MAP_FAILED)
		die("mmap page-table region");
	madvise(pt_region, PT_REGION, MADV_NOHUGEPAGE);

	/* 1. Fill. */
	while (nchunks < MAX_CHUNKS) {
		uint64_t fr = meminfo_kb("MemFree"), len;
		char *p;

		if (fr < reserve_kb + (4 << 10))
			break;
		len = (fr - reserve_kb) << 10;
		len = len > CHUNK ? CHUNK : len & ~((2UL << 20) - 1);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			die("mmap filler");
		madvise(p, len, MADV_NOHUGEPAGE);
		if (madvise(p, len, MADV_POPULATE_WRITE) < 0)
			for (j = 0; j < len; j += PAGE)
				p[j] = 1;
		chunks[nchunks].addr = p;
		chunks[nchunks++].len = len;
		filled += len;
	}
	t = now_s();
	printf("frag: 1 fill: %" PRIu64 " MiB of anonymous memory, MemFree down to %" PRIu64 " MiB (reserve %" PRIu64 " MiB), %.1f s\n",
	       filled >> 20, meminfo_kb("MemFree") >> 10, reserve_kb >> 10, t - t0);

	/* 2. Choose fully owned pageblocks, an exponential gap apart. */
	nblocks = max_pfn / BLOCK_PAGES + 1;
	owned = calloc(nblocks, sizeof(*owned));
	chosen = calloc(nblocks, 1);
	pfn = malloc(CHUNK / PAGE * sizeof(*pfn));
	if (!owned || !chosen || !pfn)
		die("malloc");
	for (i = 0; i < nchunks; i++) {
		size_t n = chunks[i].len / PAGE;

		frames(pm, chunks[i].addr, n, pfn);
		for (j = 0; j < n; j++)
			if (pfn[j] && pfn[j] / BLOCK_PAGES < nblocks)
				owned[pfn[j] / BLOCK_PAGES]++;
	}
	next = gap_blocks(mean_mib / 2) / 2;
	for (b = 0; b < nblocks; b++) {
		if (owned[b] == BLOCK_PAGES)
			nfull++;
		if (b < next || owned[b] != BLOCK_PAGES)
			continue;
		chosen[b] = 1;
		nchosen++;
		next = b + gap_blocks(mean_mib / 2);
	}
	printf("frag: 2 choose: %" PRIu64 " pageblocks (mean gap %.0f MiB) of the %" PRIu64 " the filler owns entirely (of %" PRIu64 ")\n",
	       nchosen, mean_mib, nfull, nblocks);

	/* 3. Scrap one page in SCRAP_EVERY outside the chosen pageblocks. */
	for (i = 0; i < nchunks; i++) {
		frames(pm, chunks[i].addr, chunks[i].len / PAGE, pfn);
		for (j = 0; j < chunks[i].len / PAGE; j += SCRAP_EVERY) {
			if (!pfn[j] || chosen[pfn[j] / BLOCK_PAGES])
				continue;
			if (madvise(chunks[i].addr + j * PAGE, PAGE, MADV_DONTNEED) < 0)
				die("madvise MADV_DONTNEED");
			scrapped++;
		}
	}
	printf("frag: 3 scrap: %" PRIu64 " single pages freed, MemFree %" PRIu64 " MiB, %.1f s\n",
	       scrapped, meminfo_kb("MemFree") >> 10, now_s() - t);
	t = now_s();

	/* 4. Use up the whole free blocks left. */
	for (spent = 0; spent < (1UL << 30); spent += PIPE_BYTES) {
		big = big_free_blocks();
		if (!big || meminfo_kb("MemFree") < high_kb + (32 << 10))
			break;
		unmovable(PIPE_BYTES, true);
	}
	printf("frag: 4 use up: %" PRIu64 " pipes of 1 MiB, %" PRIu64 " page-table pages; free blocks of pageblock order or more left: %ld; MemFree %" PRIu64 " MiB, %.1f s\n",
	       npipes, npt, big_free_blocks(), meminfo_kb("MemFree") >> 10,
	       now_s() - t);
	t = now_s();
	pipes0 = npipes;

	/* 5. Punch the chosen pageblocks from CPU 1, then drain CPU 1. */
	drained = run_on_cpu(1);
	for (i = 0; i < nchunks; i++)
		punched += punch(pm, i, chosen, pfn);
	drained = drained && drain_cpu1();
	printf("frag: 5 punch: %" PRIu64 " pages freed in the chosen pageblocks, %s; free blocks of pageblock order or more: %ld\n",
	       punched, drained ? "per-cpu lists drained (CPU 1 offline/online)" :
				  "per-cpu lists NOT drained (no CPU 1 hotplug)",
	       big_free_blocks());

	/* 6. Steal until every chosen pageblock holds a page in use. */
	for (spent = 0; spent < nchosen * (2UL << 20) + (64UL << 20);
	     spent += PIPE_BYTES) {
		claimed = count_claimed(kpf, chosen, nblocks);
		if (claimed == nchosen ||
		    meminfo_kb("MemFree") < high_kb + (32 << 10))
			break;
		unmovable(PIPE_BYTES, false);
	}
	claimed = count_claimed(kpf, chosen, nblocks);
	printf("frag: 6 steal: %" PRIu64 " pipes of 1 MiB; %" PRIu64 " of the %" PRIu64 " chosen pageblocks hold unmovable pages; MemFree %" PRIu64 " MiB, %.1f s\n",
	       npipes - pipes0, claimed, nchosen, meminfo_kb("MemFree") >> 10,
	       now_s() - t);

	/* 7. Release the filler. */
	for (i = 0; i < nchunks; i++)
		munmap(chunks[i].addr, chunks[i].len);
	tunables_restore();
	read_pagetypes(1);
	scan_zones(kpf);
	close(kpf);
	close(pm);
	print_file("/proc/buddyinfo");
	printf("frag: done in %.1f s: %" PRIu64 " pipes (%" PRIu64 " MiB of pipe buffers), %" PRIu64 " page-table pages held; MemFree %" PRIu64 " MiB\n",
	       now_s() - t0, npipes, npipes * PIPE_BYTES >> 20, npt,
	       meminfo_kb("MemFree") >> 10);
	puts("frag: ready");
	fflush(stdout);

	while (!stop)
		pause();
	return 0;
}
