// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test - random operation sequences on /dev/lazy_cma, checked against
 * a model.
 *
 *   fuzz_test [-s SEED] [-n OPS] [-p PROCS] [-k KERNEL -i INITRD] [-t SECS]
 *
 * PROCS worker processes (default 4) run OPS random operations each
 * (default 500), drawn from every operation of the device and its
 * surroundings, valid and invalid:
 *  - ALLOC, RESIZE, FREE, LIST, CRASH_BIND, CRASH_UNBIND, KEXEC_LOCK,
 *    ALLOC_REPORT (checked against the model of each file's last allocation) with
 *    valid arguments on the worker's own buffers, and with bad ones: bad
 *    pointers, sizes 0, unaligned, huge and overflowing, reserved fields and
 *    unknown flags set, absent nodes, names without NUL or with control
 *    characters, addresses that are no buffer, short and long LIST entries;
 *  - mmap (whole or head), writing and reading a pattern, munmap; close and
 *    reopen the device; fork with the device open and a mapping live (the
 *    child writes through the mapping and exits);
 *  - worker 0 only (one crash region per kernel): binding its crash buffer,
 *    kexec_file_load() of KERNEL and INITRD into it and unloading, resizing
 *    and unbinding it (EBUSY while loaded), writes to
 *    /sys/kernel/kexec_crash_size (the current size: 0; another: EINVAL);
 *  - memory blocks offlined and onlined again (a block holding a buffer
 *    must never go offline; a free one may, and is brought back), and
 *    attempts to unload the module (EAGAIN while the device is open).
 *
 * Each worker owns its buffers (named fz-W-N) and knows exactly what must be
 * true of them: which exist, their lengths, which is bound, mapped, loaded.
 * Every result is checked against that model, errno by errno, and the
 * state afterwards against LIST. Results that depend on the whole
 * machine (ENOMEM, a window found or not, a block that will not offline)
 * are accepted as such and the model follows them.
 *
 * Seeded and reproducible: the seed is printed; worker W draws from
 * SEED + W, and draws its random numbers before it knows a result, so the
 * same seed gives every worker the same sequence of operations again.
 *
 * At the end every worker frees what it holds; the parent checks that no
 * fz- buffer is left in LIST or /proc/iomem and that free memory is back
 * near its baseline. The guest script checks the kernel log (the rig fails
 * a script whose run left an oops, WARN, BUG, bad page, lockdep or KASAN
 * report) and that the module unloads.
 *
 * TAP on stdout: one line per worker, then the checks; a failing worker
 * prints its last operations.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vmutil.h"

#define MAX_OWN		8
#define CRASH_LEN	(160 * MiB)
#define HIST		16
#define CMDLINE		"console=ttyS0 panic=-1 nr_cpus=1"

struct buf {
	uint64_t phys, len;
	char name[LAZY_CMA_NAME_MAX];
	uint64_t key;		/* what its mapped pages hold: key ^ offset */
	void *map;		/* our live mapping, or NULL */
	uint64_t map_len;
	bool crash;		/* worker 0's crash buffer */
};

struct worker {
	int id, fd;
	uint64_t rng;
	unsigned int serial, ops, failures, enomem, offlined, loads;
	unsigned int hotplug_zero;	/* kexec_crash_loaded read 0 for a moment */
	struct buf b[MAX_OWN];
	unsigned int n;
	bool bound, loaded;	/* worker 0: its crash buffer */
	/* What ALLOC_REPORT must say: the last ALLOC or RESIZE on fd that
	 * succeeded or failed with ENOMEM or EINTR (rep_valid: one did). */
	bool rep_valid;
	uint32_t rep_op;
	int rep_err;
	uint64_t rep_len;
	char hist[HIST][160];
	unsigned int nhist;
};

static const char *kernel_path, *initrd_path;
static pid_t workers[64];
static unsigned int nworkers, alarm_secs;
static uint64_t crashk_res, kexec_lock;
static bool ram_above_4g;

static uint64_t rnd(struct worker *w)
{
	/* xorshift64*: deterministic per seed, good enough to pick ops. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int pick(struct worker *w, unsigned int n)
{
	return (unsigned int)(rnd(w) % n);
}

__attribute__((format(printf, 2, 3)))
static void note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->hist[w->nhist % HIST], sizeof(w->hist[0]), fmt, ap);
	va_end(ap);
	w->nhist++;
}

__attribute__((format(printf, 2, 3)))
static void fail(struct worker *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# worker %d op %u: %s\n", w->id, w->ops, msg);
	if (!w->failures++) {
		unsigned int h;

		printf("# worker %d's operations before it:\n", w->id);
		for (h = w->nhist > HIST ? w->nhist - HIST : 0; h < w->nhist;
		     h++)
			printf("#   %s\n", w->hist[h % HIST]);
	}
}

/* @ret must be one of the errnos of @want (0-terminated, 0 first = ok). */
static bool expect(struct worker *w, const char *what, int ret,
		   const int *want, size_t nwant)
{
	size_t i;

	for (i = 0; i < nwant; i++)
		if (-ret == want[i])
			return true;
	fail(w, "%s gave %s, not one of the documented results", what,
	     tap_errname(-ret));
	return false;
}

#define EXPECT(w, what, ret, ...) \
	expect(w, what, ret, (const int[]){ __VA_ARGS__ }, \
	       sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static void *bad_ptr(struct worker *w)
{
	static void *const ptrs[] = {
		(void *)8, (void *)0xffffffffff600000ULL,
		(void *)0xffff888000000000ULL, (void *)0x7ffffffff000ULL,
	};

	return ptrs[pick(w, 4)];
}

static struct buf *own(struct worker *w)
{
	return w->n ? &w->b[pick(w, w->n)] : NULL;
}

static void forget(struct worker *w, struct buf *b)
{
	*b = w->b[--w->n];
}

/* LIST, and check every buffer of ours against the model. */
static void check_list(struct worker *w)
{
	struct lazy_cma_range *r;
	const struct lazy_cma_range *e;
	uint32_t n, i;
	int ret = lc_list_all(w->fd, &r, &n);

	if (!EXPECT(w, "LIST", ret, 0, ENOMEM))
		return;
	if (ret)
		return;
	for (i = 0; i < w->n; i++) {
		struct buf *b = &w->b[i];
		uint32_t want = 0;

		e = lc_find(r, n, b->phys);
		if (!e || strcmp(e->name, b->name)) {
			fail(w, "LIST does not show %s at %#" PRIx64, b->name,
			     b->phys);
			continue;
		}
		if (e->len != b->len)
			fail(w, "LIST says %s is %" PRIu64 " bytes, not %" PRIu64,
			     b->name, (uint64_t)e->len, b->len);
		if (b->crash && w->bound)
			want |= LAZY_CMA_RANGE_CRASH;
		if (b->crash && w->loaded)
			want |= LAZY_CMA_RANGE_CRASH_LOADED;
		if (b->map)
			want |= LAZY_CMA_RANGE_MAPPED;
		if (e->flags != want)
			fail(w, "LIST flags of %s are %#x, not %#x", b->name,
			     e->flags, want);
	}
	free(r);
}

/* The model of ALLOC_REPORT: ALLOC or RESIZE (@op) of @len gave @ret. */
static void rep_seen(struct worker *w, uint32_t op, int ret, uint64_t len)
{
	if (ret && ret != -ENOMEM && ret != -EINTR)
		return;
	w->rep_valid = true;
	w->rep_op = op;
	w->rep_err = ret;
	w->rep_len = round_up_u64(len, LC_PAGE);
}

static int do_alloc(struct worker *w, uint64_t len, uint32_t flags,
		    const char *name, uint64_t *phys)
{
	struct lazy_cma_allocation_data a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.len = len;
	a.node = -1;
	a.flags = flags;
	snprintf(a.name, sizeof(a.name), "%s", name);
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC, &a);
	rep_seen(w, LAZY_CMA_REPORT_ALLOC, ret, len);
	if (!ret)
		*phys = a.phys_addr;
	return ret;
}

static void op_alloc(struct worker *w)
{
	static const uint64_t sizes[] = {
		4 * KiB, 12 * KiB, 2 * MiB, 2 * MiB + 4 * KiB, 4 * MiB,
		8 * MiB, 16 * MiB, 32 * MiB,
	};
	uint64_t len = sizes[pick(w, 8)], phys = 0;
	uint32_t flags = (uint32_t[]){ 0, 0, LAZY_CMA_ALLOC_BELOW_4G,
				       LAZY_CMA_ALLOC_ABOVE_4G }[pick(w, 4)];
	struct buf *b;
	int ret;

	if (w->n == MAX_OWN)
		return;
	b = &w->b[w->n];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "fz-%d-%u", w->id, w->serial++);
	ret = do_alloc(w, len, flags, b->name, &phys);
	note(w, "ALLOC %s %" PRIu64 " flags %#x: %s %#" PRIx64, b->name, len,
	     flags, tap_errname(-ret), phys);
	if ((flags & LAZY_CMA_ALLOC_ABOVE_4G) && !ram_above_4g) {
		EXPECT(w, "ALLOC ABOVE_4G without RAM there", ret, EINVAL);
		return;
	}
	if (!EXPECT(w, "ALLOC", ret, 0, ENOMEM))
		return;
	if (ret) {
		w->enomem++;
		return;
	}
	if (phys % LC_PAGEBLOCK)
		fail(w, "ALLOC gave %#" PRIx64 ", not pageblock-aligned", phys);
	if ((flags & LAZY_CMA_ALLOC_BELOW_4G) && phys + len > FOUR_GIB)
		fail(w, "ALLOC BELOW_4G gave %#" PRIx64, phys);
	if ((flags & LAZY_CMA_ALLOC_ABOVE_4G) && phys < FOUR_GIB)
		fail(w, "ALLOC ABOVE_4G gave %#" PRIx64, phys);
	b->phys = phys;
	b->len = round_up_u64(len, LC_PAGE);
	b->key = rnd(w) | 1;
	w->n++;
}

/* Invalid ALLOC arguments: each has exactly one documented errno. */
static void op_alloc_bad(struct worker *w)
{
	struct lazy_cma_allocation_data a;
	unsigned int k = pick(w, 9);
	int want = EINVAL, ret;

	memset(&a, 0, sizeof(a));
	a.len = 2 * MiB;
	a.node = -1;
	strcpy(a.name, "fz-bad");
	switch (k) {
	case 0:
		a.len = 0;
		break;
	case 1:
		a.len = 1ULL << 62;
		break;
	case 2:
		a.len = UINT64_MAX - 100;
		break;
	case 3:
		a.flags = 1U << (2 + pick(w, 30));
		break;
	case 4:
		a.flags = LAZY_CMA_ALLOC_BELOW_4G | LAZY_CMA_ALLOC_ABOVE_4G;
		break;
	case 5:
		a.node = -2 - (int)pick(w, 1000);
		break;
	case 6:
		a.node = 1000 + (int)pick(w, 1000);
		want = ENODEV;
		break;
	case 7:
		memset(a.name, 'x', sizeof(a.name));
		break;
	default:
		a.name[1] = (char)(1 + pick(w, 31));
		break;
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC, &a);
	if (a.len <= UINT64_MAX - LC_PAGE)
		rep_seen(w, LAZY_CMA_REPORT_ALLOC, ret, a.len);
	note(w, "ALLOC bad %u: %s", k, tap_errname(-ret));
	if (!ret) {
		/* Never leave it behind, whatever the verdict. */
		lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &a.phys_addr);
		fail(w, "ALLOC with bad argument %u succeeded", k);
		return;
	}
	EXPECT(w, "ALLOC with a bad argument", ret, want);
}

static void op_resize(struct worker *w)
{
	static const uint64_t sizes[] = {
		4 * KiB, 2 * MiB, 6 * MiB, 8 * MiB + 4 * KiB, 24 * MiB,
	};
	struct buf *b = own(w);
	struct lazy_cma_resize_data r;
	uint64_t len;
	int ret;

	if (!b)
		return;
	len = b->crash ? CRASH_LEN - 16 * MiB + pick(w, 3) * 16 * MiB :
			 sizes[pick(w, 5)];
	r.phys_addr = b->phys;
	r.len = len;
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_RESIZE, &r);
	rep_seen(w, LAZY_CMA_REPORT_RESIZE, ret, len);
	note(w, "RESIZE %s %" PRIu64 " -> %" PRIu64 ": %s %#" PRIx64, b->name,
	     b->len, len, tap_errname(-ret), (uint64_t)r.phys_addr);
	len = round_up_u64(len, LC_PAGE);
	if (b->crash && w->loaded) {
		EXPECT(w, "RESIZE of a loaded crash region", ret,
		       len == b->len ? 0 : EBUSY, EBUSY);
		return;
	}
	if (b->map && len < b->len) {
		EXPECT(w, "RESIZE smaller of a mapped buffer", ret, EBUSY);
		return;
	}
	if (!EXPECT(w, "RESIZE", ret, 0, ENOMEM, EBUSY))
		return;
	/*
	 * EBUSY: mapped and it would have to move; bound, and the kexec lock
	 * is held (a memory hotplug event updates a loaded image under it).
	 */
	if (ret == -EBUSY && !b->map && !(b->crash && w->bound))
		fail(w, "RESIZE of %s gave EBUSY: it is neither mapped nor bound",
		     b->name);
	if (ret)
		return;
	if (r.len != len)
		fail(w, "RESIZE says %" PRIu64 " bytes, asked %" PRIu64,
		     (uint64_t)r.len, len);
	if (len <= b->len && r.phys_addr != b->phys)
		fail(w, "RESIZE smaller moved %s", b->name);
	if (b->map && r.phys_addr != b->phys)
		fail(w, "RESIZE moved mapped %s", b->name);
	b->phys = r.phys_addr;
	b->len = len;
}

static void op_resize_bad(struct worker *w)
{
	struct buf *b = own(w);
	struct lazy_cma_resize_data r = { .phys_addr = 0x1000, .len = 2 * MiB };
	unsigned int k = pick(w, 4);
	int want = ENOENT, ret;

	if (b)
		r.phys_addr = b->phys + LC_PAGE; /* inside: never a start */
	switch (k) {
	case 0:
		r.len = 0;
		want = EINVAL;
		break;
	case 1:
		r.len = UINT64_MAX;
		want = EINVAL;
		break;
	case 2:
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_RESIZE, bad_ptr(w));
		note(w, "RESIZE bad pointer: %s", tap_errname(-ret));
		EXPECT(w, "RESIZE with a bad pointer", ret, EFAULT);
		return;
	default:
		break;
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_RESIZE, &r);
	if (r.len <= UINT64_MAX - LC_PAGE)
		rep_seen(w, LAZY_CMA_REPORT_RESIZE, ret, r.len);
	note(w, "RESIZE bad %u: %s", k, tap_errname(-ret));
	EXPECT(w, "RESIZE with a bad argument", ret, want);
}

/* ALLOC_REPORT against the model, or with a bad argument. */
static void op_report(struct worker *w)
{
	struct lazy_cma_alloc_report r;
	unsigned int k = pick(w, 4);
	int ret;

	memset(&r, 0, sizeof(r));
	if (k == 0) {
		r.flags = 1U << pick(w, 32);
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC_REPORT, &r);
		note(w, "ALLOC_REPORT flags %#x: %s", r.flags, tap_errname(-ret));
		EXPECT(w, "ALLOC_REPORT with flags", ret, EINVAL);
		return;
	}
	if (k == 1) {
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC_REPORT, bad_ptr(w));
		note(w, "ALLOC_REPORT bad pointer: %s", tap_errname(-ret));
		EXPECT(w, "ALLOC_REPORT with a bad pointer", ret, EFAULT);
		return;
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC_REPORT, &r);
	note(w, "ALLOC_REPORT: %s op %u error %d len %" PRIu64 " largest %"
	     PRIu64, tap_errname(-ret), r.op, r.error, (uint64_t)r.len,
	     (uint64_t)r.largest);
	if (!w->rep_valid) {
		EXPECT(w, "ALLOC_REPORT before any allocation on this file",
		       ret, ENODATA);
		return;
	}
	if (!EXPECT(w, "ALLOC_REPORT", ret, 0))
		return;
	if (r.op != w->rep_op || r.error != w->rep_err || r.len != w->rep_len)
		fail(w, "ALLOC_REPORT says op %u error %d len %" PRIu64
		     ", the model op %u error %d len %" PRIu64, r.op, r.error,
		     (uint64_t)r.len, w->rep_op, w->rep_err, w->rep_len);
	if (r.flags || r.reserved[0] || r.reserved[1] ||
	    r.sweep & ~(LAZY_CMA_REPORT_SWEPT | LAZY_CMA_REPORT_SWEEP_CUT |
			LAZY_CMA_REPORT_INTERRUPTED) ||
	    r.largest % LC_PAGEBLOCK)
		fail(w, "ALLOC_REPORT: flags %#x reserved %#" PRIx64 "/%#" PRIx64
		     " sweep %#x largest %#" PRIx64, r.flags,
		     (uint64_t)r.reserved[0], (uint64_t)r.reserved[1], r.sweep,
		     (uint64_t)r.largest);
}

static void op_free(struct worker *w)
{
	struct buf *b = own(w);
	uint64_t phys;
	int ret;

	if (!b)
		return;
	phys = b->phys;
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &phys);
	note(w, "FREE %s: %s", b->name, tap_errname(-ret));
	if (b->map || (b->crash && w->bound)) {
		EXPECT(w, "FREE of a mapped or bound buffer", ret, EBUSY);
		return;
	}
	if (EXPECT(w, "FREE", ret, 0) && !ret)
		forget(w, b);
}

static void op_free_bad(struct worker *w)
{
	struct buf *b = own(w);
	uint64_t phys = b ? b->phys + LC_PAGE * (1 + pick(w, 500)) : 0x3000;
	int ret;

	if (pick(w, 2)) {
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, bad_ptr(w));
		note(w, "FREE bad pointer: %s", tap_errname(-ret));
		EXPECT(w, "FREE with a bad pointer", ret, EFAULT);
		return;
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &phys);
	note(w, "FREE %#" PRIx64 " (no buffer): %s", phys, tap_errname(-ret));
	EXPECT(w, "FREE of no buffer", ret, ENOENT);
}

static void op_list_bad(struct worker *w)
{
	static struct lazy_cma_range ents[4];
	struct lazy_cma_list l;
	unsigned int k = pick(w, 6);
	int want = EINVAL, ret;

	memset(&l, 0, sizeof(l));
	l.entry_size = sizeof(ents[0]);
	l.count = 4;
	l.entries = (uintptr_t)ents;
	switch (k) {
	case 0:
		l.flags = 1U << pick(w, 32);
		break;
	case 1:
		l.reserved = 1 + pick(w, 100);
		break;
	case 2:
		l.entry_size = pick(w, LAZY_CMA_RANGE_SIZE_V1);
		break;
	case 3:
		l.entry_size = 4097 + pick(w, 100000);
		break;
	case 4:
		l.count = 65537 + pick(w, 100000);
		break;
	default:
		/* Room for entries, but nowhere to write them. */
		l.entries = (uintptr_t)bad_ptr(w);
		want = w->n ? EFAULT : 0;
		break;
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_LIST, &l);
	note(w, "LIST bad %u: %s", k, tap_errname(-ret));
	if (k == 5) {
		/* Others' buffers count too: EFAULT or, if none exist, 0. */
		EXPECT(w, "LIST into a bad array", ret, EFAULT, 0);
		return;
	}
	EXPECT(w, "LIST with a bad argument", ret, want);
}

static void op_mmap(struct worker *w)
{
	struct buf *b = own(w);
	uint64_t len, i;
	void *p;

	if (!b || b->map)
		return;
	len = pick(w, 2) ? b->len : LC_PAGE;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd,
		 (off_t)b->phys);
	note(w, "mmap %s %" PRIu64 ": %s", b->name, len,
	     p == MAP_FAILED ? tap_errname(errno) : "ok");
	if (b->crash && w->bound) {
		if (p != MAP_FAILED) {
			munmap(p, len);
			fail(w, "mmap of a bound buffer succeeded");
		} else if (errno != EBUSY) {
			fail(w, "mmap of a bound buffer gave %s, not EBUSY",
			     tap_errname(errno));
		}
		return;
	}
	if (p == MAP_FAILED) {
		fail(w, "mmap of %s gave %s", b->name, tap_errname(errno));
		return;
	}
	/* Never seen before or ours: zero, or our own pattern. */
	for (i = 0; i < len; i += LC_PAGE) {
		uint64_t *q = (uint64_t *)((char *)p + i);

		if (*q && *q != (b->key ^ i)) {
			fail(w, "mmap of %s shows %#" PRIx64 " at +%" PRIu64 ", neither 0 nor what it wrote there",
			     b->name, *q, i);
			break;
		}
		*q = b->key ^ i;
	}
	b->map = p;
	b->map_len = len;
}

static void unmap(struct worker *w, struct buf *b)
{
	if (!b || !b->map)
		return;
	note(w, "munmap %s", b->name);
	munmap(b->map, b->map_len);
	b->map = NULL;
}

static void op_mmap_bad(struct worker *w)
{
	struct buf *b = own(w);
	uint64_t off = b ? b->phys + LC_PAGE : 0x5000, len = LC_PAGE;
	void *p;

	if (b && pick(w, 2)) {
		off = b->phys;
		len = b->len + LC_PAGE;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, w->fd, (off_t)off);
	note(w, "mmap bad %#" PRIx64 "+%" PRIu64 ": %s", off, len,
	     p == MAP_FAILED ? tap_errname(errno) : "ok");
	if (p != MAP_FAILED) {
		munmap(p, len);
		fail(w, "mmap of no buffer or past its end succeeded");
	} else if (errno != EINVAL) {
		fail(w, "mmap of no buffer or past its end gave %s, not EINVAL",
		     tap_errname(errno));
	}
}

/* A child inherits the device and a mapping, writes through it, exits. */
static void op_fork(struct worker *w)
{
	struct buf *b = own(w);
	pid_t pid;
	int st;

	note(w, "fork%s", b && b->map ? " with a mapping" : "");
	pid = fork();
	if (pid < 0) {
		fail(w, "fork: %s", tap_errname(errno));
		return;
	}
	if (!pid) {
		struct lazy_cma_range *r;
		uint32_t n;

		if (b && b->map)
			*(volatile uint64_t *)b->map = b->key;
		_exit(lc_list_all(w->fd, &r, &n) ? 1 : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		fail(w, "a forked child could not use the inherited device");
}

static void op_reopen(struct worker *w)
{
	note(w, "close and reopen");
	close(w->fd);
	w->rep_valid = false;
	w->fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (w->fd < 0) {
		fail(w, "reopen %s: %s", LC_DEVICE, tap_errname(errno));
		exit(1);
	}
}

static void op_unload_module(struct worker *w)
{
	long ret = syscall(SYS_delete_module, LC_MODULE, O_NONBLOCK);

	note(w, "delete_module: %s", ret ? tap_errname(errno) : "ok");
	if (!ret) {
		fail(w, "delete_module succeeded while the device was open");
		exit(1);
	}
	if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
		fail(w, "delete_module gave %s, not EAGAIN", tap_errname(errno));
}

/*
 * Offline a random memory block (in a child with an alarm: offlining
 * retries migration until a signal). A block holding any buffer must stay
 * online; one that went offline comes back.
 */
static void op_offline(struct worker *w)
{
	char path[96], state[16];
	uint64_t bs, start;
	unsigned int i;
	bool holds = false;
	int blocks = 0, blk, st, fd, lk;
	pid_t pid;
	FILE *f;

	f = fopen("/sys/devices/system/memory/block_size_bytes", "re");
	if (!f)
		return;
	if (fscanf(f, "%" SCNx64, &bs) != 1 || !bs) {
		fclose(f);
		return;
	}
	fclose(f);
	while (blocks < 4096) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/memory/memory%d", blocks);
		if (access(path, F_OK))
			break;
		blocks++;
	}
	if (!blocks)
		return;
	blk = (int)pick(w, (unsigned int)blocks);
	start = (uint64_t)blk * bs;
	/* Only our own buffers cannot go away meanwhile. */
	for (i = 0; i < w->n; i++)
		if (w->b[i].phys < start + bs &&
		    w->b[i].phys + w->b[i].len > start)
			holds = true;
	/* One worker at a time offlines and onlines blocks. */
	lk = open("/tmp/fuzz-offline.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0 || lockf(lk, F_LOCK, 0)) {
		fail(w, "lock /tmp/fuzz-offline.lock: %s", tap_errname(errno));
		if (lk >= 0)
			close(lk);
		return;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%d/state",
		 blk);
	pid = fork();
	if (!pid) {
		alarm(5);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		_exit(fd >= 0 && write(fd, "offline", 7) == 7 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	f = fopen(path, "re");
	if (!f || !fgets(state, sizeof(state), f))
		strcpy(state, "?");
	if (f)
		fclose(f);
	note(w, "offline memory%d (%s a buffer of ours): %s", blk,
	     holds ? "holding" : "without", state);
	if (!strncmp(state, "offline", 7)) {
		w->offlined++;
		if (holds)
			fail(w, "memory%d went offline while holding a buffer",
			     blk);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "online", 6) != 6)
			fail(w, "memory%d could not be onlined again", blk);
		if (fd >= 0)
			close(fd);
	}
	close(lk);
}

static int crash_size_write(uint64_t size)
{
	char s[32];
	int fd = open("/sys/kernel/kexec_crash_size", O_WRONLY | O_CLOEXEC);
	int n, ret = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(s, sizeof(s), "%" PRIu64, size);
	if (write(fd, s, (size_t)n) != n)
		ret = -errno;
	close(fd);
	return ret;
}

static int kload(bool unload)
{
	return unload ? kexec_crash_file_load(NULL, NULL, NULL) :
			kexec_crash_file_load(kernel_path, initrd_path, CMDLINE);
}

static struct buf *crash_buf(struct worker *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (w->b[i].crash)
			return &w->b[i];
	return NULL;
}

/*
 * kexec_crash_loaded against the model. A 0 where the model says loaded is
 * not at once a failure: on x86 with crash hotplug (6.5 and later), the
 * kernel's memory hotplug handler sets kexec_crash_image to NULL while it
 * rewrites the loaded image's ELF core header, under the kexec lock
 * (arch_crash_handle_hotplug_event(), "Temporarily invalidate the crash
 * image"), and the other workers offline and online memory blocks. Such a
 * 0 must be gone within a second; it is counted, and a 0 that stays, or a
 * 1 where the model says unloaded, fails.
 */
static void check_crash_loaded(struct worker *w)
{
	int first = kexec_crash_loaded_read(), ret = first;
	unsigned int i;

	for (i = 0; i < 100 && w->loaded && ret == 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		ret = kexec_crash_loaded_read();
	}
	if (ret != w->loaded)
		fail(w, "kexec_crash_loaded read %d, the model says %d (read again %u times: %d)",
		     first, w->loaded, i, ret);
	else if (first != ret)
		w->hotplug_zero++;
}

/* Worker 0: the crash region's life. */
static void op_crash(struct worker *w)
{
	struct lazy_cma_crash_bind bd;
	struct lazy_cma_crash_unbind u;
	struct buf *c = crash_buf(w);
	unsigned int k = pick(w, 8);
	int ret;

	if (!c) {
		uint64_t phys = 0;

		if (w->n == MAX_OWN)
			return;
		c = &w->b[w->n];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "fz-%d-crash", w->id);
		ret = do_alloc(w, CRASH_LEN, LAZY_CMA_ALLOC_BELOW_4G, c->name,
			       &phys);
		note(w, "ALLOC crash: %s", tap_errname(-ret));
		if (!EXPECT(w, "ALLOC of the crash buffer", ret, 0, ENOMEM) ||
		    ret)
			return;
		c->phys = phys;
		c->len = CRASH_LEN;
		c->key = rnd(w) | 1;
		c->crash = true;
		w->n++;
		return;
	}
	memset(&bd, 0, sizeof(bd));
	bd.phys_addr = c->phys;
	bd.res_addr = crashk_res;
	memset(&u, 0, sizeof(u));
	u.phys_addr = c->phys;
	switch (k) {
	case 0:
	case 1:
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_CRASH_BIND, &bd);
		note(w, "BIND: %s", tap_errname(-ret));
		if (w->bound || c->map || w->loaded)
			EXPECT(w, "BIND of a bound or mapped buffer", ret,
			       EBUSY);
		else if (EXPECT(w, "BIND", ret, 0, EBUSY) && !ret)
			w->bound = true;
		break;
	case 2:
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_CRASH_UNBIND, &u);
		note(w, "UNBIND: %s", tap_errname(-ret));
		if (!w->bound)
			EXPECT(w, "UNBIND of an unbound buffer", ret, EINVAL);
		else if (w->loaded)
			EXPECT(w, "UNBIND while loaded", ret, EBUSY);
		else if (EXPECT(w, "UNBIND", ret, 0, EBUSY) && !ret)
			w->bound = false;
		break;
	case 3:
	case 4:
		ret = kload(false);
		note(w, "kexec load: %s", tap_errname(-ret));
		w->loads++;
		/*
		 * Loading frees a loaded image first, then loads; EBUSY: the
		 * kexec lock was held (a memory hotplug event).
		 */
		if (!w->bound)
			EXPECT(w, "kexec load without a crash region", ret,
			       EADDRNOTAVAIL, ENOMEM, EINVAL, EBUSY);
		else if (EXPECT(w, "kexec load", ret, 0, EBUSY) && !ret)
			w->loaded = true;
		else if (ret != -EBUSY)
			w->loaded = false;
		break;
	case 5:
		ret = kload(true);
		note(w, "kexec unload: %s", tap_errname(-ret));
		if (EXPECT(w, "kexec unload", ret, 0, EBUSY) && !ret)
			w->loaded = false;
		break;
	case 6:
		/*
		 * The current size: a no-op. Another: refused. While loaded
		 * the kernel refuses every write (ENOENT) itself.
		 */
		ret = crash_size_write(w->bound ? c->len : 0);
		note(w, "kexec_crash_size = current: %s", tap_errname(-ret));
		if (w->loaded)
			EXPECT(w, "writing kexec_crash_size while loaded", ret,
			       ENOENT, EBUSY);
		else
			EXPECT(w, "writing the current kexec_crash_size", ret,
			       0, EBUSY);
		break;
	default:
		ret = crash_size_write(w->bound ? c->len / 2 : 4096);
		note(w, "kexec_crash_size = other: %s", tap_errname(-ret));
		EXPECT(w, "writing another kexec_crash_size", ret, EINVAL,
		       ENOENT, EBUSY);
		break;
	}
	check_crash_loaded(w);
}

static void op_bind_bad(struct worker *w)
{
	struct lazy_cma_crash_bind bd;
	struct buf *b = own(w);
	unsigned int k = pick(w, 5);
	int want = EINVAL, ret;

	memset(&bd, 0, sizeof(bd));
	bd.phys_addr = b ? b->phys + LC_PAGE : 0x7000;
	bd.res_addr = crashk_res;
	switch (k) {
	case 0:
		bd.flags = 1U << (1 + pick(w, 31));
		break;
	case 1:
		bd.reserved = 1 + pick(w, 7);
		break;
	case 2:
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_CRASH_BIND, bad_ptr(w));
		note(w, "BIND bad pointer: %s", tap_errname(-ret));
		EXPECT(w, "BIND with a bad pointer", ret, EFAULT);
		return;
	case 3:
		want = ENOENT;
		break;
	default: {
		struct lazy_cma_kexec_lock kl = { .addr = kexec_lock + 8 };

		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_KEXEC_LOCK, &kl);
		note(w, "KEXEC_LOCK +8: %s", tap_errname(-ret));
		EXPECT(w, "KEXEC_LOCK of a wrong address", ret, EINVAL);
		return;
	}
	}
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_CRASH_BIND, &bd);
	note(w, "BIND bad %u: %s", k, tap_errname(-ret));
	EXPECT(w, "BIND with a bad argument", ret, want);
}

static void run_worker(struct worker *w, unsigned int ops)
{
	struct lazy_cma_kexec_lock kl = { .addr = kexec_lock };
	unsigned int i;

	w->fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (w->fd < 0) {
		fail(w, "open: %s", tap_errname(errno));
		return;
	}
	if (lc_ioctl(w->fd, LAZY_CMA_IOCTL_KEXEC_LOCK, &kl))
		fail(w, "KEXEC_LOCK failed");
	for (w->ops = 0; w->ops < ops && w->failures < 5; w->ops++) {
		unsigned int k = pick(w, 100);

		if (k < 16)
			op_alloc(w);
		else if (k < 22)
			op_alloc_bad(w);
		else if (k < 32)
			op_resize(w);
		else if (k < 36)
			op_resize_bad(w);
		else if (k < 44)
			op_free(w);
		else if (k < 47)
			op_free_bad(w);
		else if (k < 52)
			check_list(w);
		else if (k < 55)
			op_report(w);
		else if (k < 58)
			op_list_bad(w);
		else if (k < 64)
			op_mmap(w);
		else if (k < 69)
			unmap(w, own(w));
		else if (k < 71)
			op_mmap_bad(w);
		else if (k < 73)
			op_fork(w);
		else if (k < 75)
			op_reopen(w);
		else if (k < 76)
			op_unload_module(w);
		else if (k < 78)
			op_offline(w);
		else if (k < 82)
			op_bind_bad(w);
		else if (w->id == 0 && kernel_path)
			op_crash(w);
		else
			check_list(w);
	}
	check_list(w);
	/* Give everything back. */
	if (w->loaded && !kload(true))
		w->loaded = false;
	for (i = 0; i < w->n; i++)
		unmap(w, &w->b[i]);
	if (w->bound) {
		struct lazy_cma_crash_unbind u = { .phys_addr = crash_buf(w)->phys };

		if (lc_ioctl(w->fd, LAZY_CMA_IOCTL_CRASH_UNBIND, &u))
			fail(w, "cleanup: UNBIND failed");
	}
	while (w->n) {
		uint64_t phys = w->b[0].phys;

		if (lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &phys))
			fail(w, "cleanup: FREE of %s failed", w->b[0].name);
		forget(w, &w->b[0]);
	}
	close(w->fd);
}

/* Out of time: say so, and take the workers down (they hold the device). */
static void on_alarm(int sig)
{
	char msg[128];
	unsigned int i;
	int n;

	(void)sig;
	for (i = 0; i < nworkers; i++)
		kill(workers[i], SIGKILL);
	n = snprintf(msg, sizeof(msg),
		     "not ok - fuzz_test did not finish within %u s (-t)\n",
		     alarm_secs);
	if (write(STDOUT_FILENO, msg, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

int main(int argc, char **argv)
{
	unsigned int procs = 4, ops = 500, i, leftover = 0, secs = 1800;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	uint64_t free0 = 0, free1 = 0;
	struct lazy_cma_range *r;
	size_t niomem = 0;
	uint32_t n;
	int opt, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "s:n:p:k:i:t:h")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			ops = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			procs = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'k':
			kernel_path = optarg;
			break;
		case 'i':
			initrd_path = optarg;
			break;
		case 't':
			secs = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(opt == 'h' ? stdout : stderr,
				"usage: %s [-s SEED] [-n OPS] [-p PROCS] [-k KERNEL -i INITRD] [-t SECS]\n",
				argv[0]);
			return opt == 'h' ? 0 : 1;
		}
	}
	if (!procs || procs > 64 || !ops || (!kernel_path != !initrd_path)) {
		fprintf(stderr, "%s: bad arguments (see -h)\n", argv[0]);
		return 1;
	}
	tap_diag("fuzz_test -s %#" PRIx64 " -n %u -p %u%s (rerun with this seed to repeat)",
		 seed, ops, procs, kernel_path ? " with kexec loads" : "");
	if (kallsyms_addr("crashk_res", &crashk_res) ||
	    kallsyms_addr("__kexec_lock", &kexec_lock)) {
		tap_not_ok("crashk_res and __kexec_lock in /proc/kallsyms");
		return tap_exit_status();
	}
	iomem_ram_above(FOUR_GIB, &ram_above_4g);
	free_bytes(&free0);
	alarm_secs = secs;
	signal(SIGALRM, on_alarm);
	alarm(secs);

	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			tap_not_ok("fork worker %u: %s", i, tap_errname(errno));
			return tap_exit_status();
		}
		if (!pid) {
			struct worker *w = calloc(1, sizeof(*w));

			/* on_alarm is the parent's (offlining children set alarms). */
			signal(SIGALRM, SIG_DFL);
			w->id = (int)i;
			w->rng = (seed + i) * 0x9E3779B97F4A7C15ULL | 1;
			run_worker(w, ops);
			printf("# worker %u: %u ops, %u ENOMEM, %u kexec loads, %u blocks offlined, %u failures\n",
			       i, w->ops, w->enomem, w->loads, w->offlined,
			       w->failures);
			if (w->hotplug_zero)
				printf("# worker %u: kexec_crash_loaded read 0 for a moment %u times while loaded (a crash hotplug update of the ELF core header)\n",
				       i, w->hotplug_zero);
			fflush(stdout);
			_exit(w->failures ? 1 : 0);
		}
		workers[nworkers++] = pid;
	}
	for (i = 0; i < procs; i++) {
		int st;
		pid_t pid = wait(&st);

		tap_check(pid > 0 && WIFEXITED(st) && !WEXITSTATUS(st),
			  "a fuzz worker: every result as documented and modelled",
			  "pid %d ended with status %#x", (int)pid, st);
	}
	alarm(0);
	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && !lc_list_all(fd, &r, &n)) {
		leftover = lc_count_prefix(r, n, "fz-");
		free(r);
	}
	if (fd >= 0)
		close(fd);
	tap_check(!leftover, "no fz- buffer is left in LIST",
		  "%u are", leftover);
	iomem_count_prefix("fz-", &niomem);
	tap_check(!niomem, "no fz- entry is left in /proc/iomem", "%zu are",
		  niomem);
	free_bytes(&free1);
	tap_check(free1 + 64 * MiB >= free0,
		  "free memory is back near its baseline",
		  "%" PRIu64 " MiB before, %" PRIu64 " MiB after", free0 / MiB,
		  free1 / MiB);
	tap_check(kexec_crash_loaded_read() == 0, "no crash kernel is left loaded",
		  "kexec_crash_loaded is 1");
	return tap_exit_status();
}
