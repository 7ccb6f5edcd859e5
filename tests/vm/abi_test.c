// SPDX-License-Identifier: GPL-2.0
/*
 * abi_test - the /dev/lazy_cma ABI, one documented behaviour per case.
 *
 * Runs inside a test guest, as root, with lazy_cma.ko loaded. Prints TAP
 * lines without numbers; exits 0 iff every case passed (skips pass).
 *
 * Every expectation is the errno module/uapi/lazy_cma.h documents for that
 * input, and every case gives exactly one input error. Each case records
 * what it allocates, binds and maps; the runner undoes all of it after the
 * case, pass or fail, and then frees any buffer still carrying this
 * process's name prefix ("abi-test-<pid>-"). The last cases check that no
 * such buffer is left, in LIST and in /proc/iomem, and that the free page
 * count came back.
 */
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "vmutil.h"

/* The layouts the header promises; a change here is an ABI break. */
_Static_assert(sizeof(struct lazy_cma_allocation_data) == 88, "alloc size");
_Static_assert(sizeof(struct lazy_cma_resize_data) == 16, "resize size");
_Static_assert(sizeof(struct lazy_cma_range) == LAZY_CMA_RANGE_SIZE_V1,
	       "range size");
_Static_assert(sizeof(struct lazy_cma_list) == 24, "list size");
_Static_assert(sizeof(struct lazy_cma_crash_bind) == 24, "bind size");
_Static_assert(sizeof(struct lazy_cma_crash_unbind) == 16, "unbind size");
_Static_assert(sizeof(struct lazy_cma_kexec_lock) == 16, "kexec lock size");
_Static_assert(sizeof(struct lazy_cma_alloc_report) == 64, "report size");

#define NOBODY			65534
#define DEFAULT_TIMEOUT		1200
/* Free pages may differ from the baseline by this much after all cases. */
#define LEAK_SLACK_FIXED	(4 * MiB)
#define LEAK_SLACK_PERCENT	2

struct ctx {
	int fd;
	char prefix[40];		/* "abi-test-<pid>-" */
	uint64_t memtotal;		/* bytes */
	uint64_t crashk_res;		/* 0: not found in /proc/kallsyms */
	uint64_t crashk_low_res;
	uint64_t kexec_lock;		/* __kexec_lock; 0: not found */
	uint64_t iomem_resource;
	bool crash_at_boot;		/* "Crash kernel" in iomem at start */
	bool ram_above_4g;
	unsigned int rescued;		/* buffers the cases lost track of */
	unsigned int cleanup_errors;	/* undo steps that failed */
};

struct tcase {
	const char *name;
	void (*fn)(struct ctx *c, const struct tcase *t);
	unsigned long long param;
};

/* ------------------------------------------------------------------ */
/* What the running case owns; cleanup() undoes it.                    */

#define MAX_OWNED	16
#define MAX_STRAYS	8

struct owned {
	uint64_t phys;
	uint64_t len;
	bool bound;
	void *map;
	size_t maplen;
};

struct stray_map {
	void *addr;
	size_t len;
};

static struct owned owned[MAX_OWNED];
static unsigned int nowned;
static struct stray_map strays[MAX_STRAYS];
static unsigned int nstrays;

static const char *volatile current_case = "setup";

static struct owned *own_find(uint64_t phys)
{
	unsigned int i;

	for (i = 0; i < nowned; i++)
		if (owned[i].phys == phys)
			return &owned[i];
	return NULL;
}

static void own_add(uint64_t phys, uint64_t len)
{
	/* Untracked overflow is still freed by name in cleanup(). */
	if (nowned < MAX_OWNED) {
		memset(&owned[nowned], 0, sizeof(owned[nowned]));
		owned[nowned].phys = phys;
		owned[nowned].len = len;
		nowned++;
	}
}

static void own_del(uint64_t phys)
{
	struct owned *o = own_find(phys);

	if (o)
		*o = owned[--nowned];
}

static void set_name(const struct ctx *c, char name[LAZY_CMA_NAME_MAX],
		     const char *tag)
{
	memset(name, 0, LAZY_CMA_NAME_MAX);
	snprintf(name, LAZY_CMA_NAME_MAX, "%s%s", c->prefix, tag);
}

/* ALLOC through @cmd (which may be a wrong encoding); tracks a success. */
static int t_alloc_cmd(struct ctx *c, unsigned long cmd,
		       struct lazy_cma_allocation_data *a)
{
	int ret = lc_ioctl(c->fd, cmd, a);

	if (ret == 0)
		own_add(a->phys_addr, round_up_u64(a->len, LC_PAGE));
	return ret;
}

static int t_alloc(struct ctx *c, uint64_t len, int node, uint32_t flags,
		   const char *tag, uint64_t *phys)
{
	struct lazy_cma_allocation_data a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.len = len;
	a.node = node;
	a.flags = flags;
	set_name(c, a.name, tag);
	ret = t_alloc_cmd(c, LAZY_CMA_IOCTL_ALLOC, &a);
	if (ret == 0)
		*phys = a.phys_addr;
	return ret;
}

static int t_free(struct ctx *c, uint64_t phys)
{
	int ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE, &phys);

	if (ret == 0)
		own_del(phys);
	return ret;
}

static int t_resize(struct ctx *c, struct lazy_cma_resize_data *r)
{
	uint64_t old = r->phys_addr;
	struct owned *o;
	int ret;

	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_RESIZE, r);
	if (ret == 0) {
		o = own_find(old);
		if (o) {
			o->phys = r->phys_addr;
			o->len = r->len;
		}
	}
	return ret;
}

static int t_bind(struct ctx *c, struct lazy_cma_crash_bind *b)
{
	struct owned *o;
	int ret;

	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_BIND, b);
	if (ret == 0) {
		o = own_find(b->phys_addr);
		if (o)
			o->bound = true;
	}
	return ret;
}

static int t_unbind(struct ctx *c, struct lazy_cma_crash_unbind *u)
{
	struct owned *o;
	int ret;

	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_UNBIND, u);
	if (ret == 0) {
		o = own_find(u->phys_addr);
		if (o)
			o->bound = false;
	}
	return ret;
}

static int t_mmap(int fd, uint64_t off, size_t len, void **out)
{
	struct owned *o;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	o = own_find(off);
	if (o && !o->map) {
		o->map = p;
		o->maplen = len;
	} else if (nstrays < MAX_STRAYS) {
		strays[nstrays].addr = p;
		strays[nstrays].len = len;
		nstrays++;
	}
	*out = p;
	return 0;
}

static int t_munmap(void *p, size_t len)
{
	unsigned int i;

	if (munmap(p, len) < 0)
		return -errno;
	for (i = 0; i < nowned; i++)
		if (owned[i].map == p)
			owned[i].map = NULL;
	for (i = 0; i < nstrays; i++)
		if (strays[i].addr == p)
			strays[i] = strays[--nstrays];
	return 0;
}

static void free_untracked(struct ctx *c, const char *name,
			   const struct lazy_cma_range *e)
{
	struct lazy_cma_crash_unbind u;
	uint64_t phys = e->phys_addr;
	int ret;

	c->rescued++;
	tap_diag("cleanup after '%s': untracked buffer '%s' at %#" PRIx64
		 " (%" PRIu64 " bytes) is left; freeing it", name, e->name,
		 phys, (uint64_t)e->len);
	if (e->flags & (LAZY_CMA_RANGE_CRASH | LAZY_CMA_RANGE_CRASH_LOW)) {
		memset(&u, 0, sizeof(u));
		u.phys_addr = phys;
		ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_UNBIND, &u);
		if (ret)
			tap_diag("cleanup: CRASH_UNBIND of %#" PRIx64
				 " failed: %s", phys, tap_errname(-ret));
	}
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE, &phys);
	if (ret) {
		c->cleanup_errors++;
		tap_diag("cleanup: FREE of %#" PRIx64 " failed: %s; it stays "
			 "allocated", phys, tap_errname(-ret));
	}
}

/* Undo everything the case @name left: mappings, bindings, buffers. */
static void cleanup(struct ctx *c, const char *name)
{
	struct lazy_cma_crash_unbind u;
	struct lazy_cma_range *r;
	uint32_t n, i;
	int ret;

	while (nstrays)
		t_munmap(strays[0].addr, strays[0].len);
	while (nowned) {
		struct owned o = owned[nowned - 1];

		nowned--;
		if (o.map && munmap(o.map, o.maplen) < 0)
			tap_diag("cleanup after '%s': munmap failed: %m", name);
		if (o.bound) {
			memset(&u, 0, sizeof(u));
			u.phys_addr = o.phys;
			ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_UNBIND, &u);
			if (ret) {
				c->cleanup_errors++;
				tap_diag("cleanup after '%s': CRASH_UNBIND of %#"
					 PRIx64 " failed: %s", name, o.phys,
					 tap_errname(-ret));
			}
		}
		ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE, &o.phys);
		if (ret == -ENOENT) {
			/* Moved or freed behind our back: found by name below. */
			tap_diag("cleanup after '%s': buffer %#" PRIx64
				 " is gone already (ENOENT)", name, o.phys);
		} else if (ret) {
			c->cleanup_errors++;
			tap_diag("cleanup after '%s': FREE of %#" PRIx64
				 " failed: %s; it stays allocated", name,
				 o.phys, tap_errname(-ret));
		}
	}
	ret = lc_list_all(c->fd, &r, &n);
	if (ret) {
		c->cleanup_errors++;
		tap_diag("cleanup after '%s': LIST failed: %s", name,
			 tap_errname(-ret));
		return;
	}
	for (i = 0; i < n; i++)
		if (strncmp(r[i].name, c->prefix, strlen(c->prefix)) == 0)
			free_untracked(c, name, &r[i]);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Small helpers for the cases.                                        */

/* Reports a failed fixture step as the case's result; returns false. */
static bool setup_ok(const char *name, int ret, const char *what)
{
	if (ret == 0)
		return true;
	tap_not_ok("%s: setup: %s failed: %s", name, what, tap_errname(-ret));
	return false;
}

/* An address at which nothing is mapped. */
static void *unmapped_page(void)
{
	void *p = mmap(NULL, LC_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)8;
	munmap(p, LC_PAGE);
	return p;
}

/* A page holding a copy of @arg, then made read-only; NULL on failure. */
static void *readonly_copy(const void *arg, size_t len)
{
	void *p = mmap(NULL, LC_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, arg, len);
	if (mprotect(p, LC_PAGE, PROT_READ) < 0) {
		munmap(p, LC_PAGE);
		return NULL;
	}
	return p;
}

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static void fill(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern(seed, i);
}

/* Byte offset of the first word that differs from the pattern, or -1. */
static long long first_mismatch(const void *p, size_t len, uint64_t seed)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern(seed, i))
			return (long long)(i * 8);
	return -1;
}

/* LIST entry of @phys into *out (a copy). */
static int list_entry(struct ctx *c, uint64_t phys, struct lazy_cma_range *out)
{
	const struct lazy_cma_range *e;
	struct lazy_cma_range *r;
	uint32_t n;
	int ret;

	ret = lc_list_all(c->fd, &r, &n);
	if (ret)
		return ret;
	e = lc_find(r, n, phys);
	if (e)
		*out = *e;
	free(r);
	return e ? 0 : -ENOENT;
}

static int list_count(struct ctx *c, uint32_t *count)
{
	struct lazy_cma_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
	if (ret == 0)
		*count = l.count;
	return ret;
}

/* Checks that /proc/iomem has exactly one @name, at [phys, phys+len-1]. */
static void check_iomem(const char *name, const char *bufname, uint64_t phys,
			uint64_t len)
{
	size_t count = 0;
	bool exact = false;
	int ret;

	ret = iomem_find(bufname, phys, phys + len - 1, &count, &exact);
	if (ret) {
		tap_not_ok("%s: reading /proc/iomem failed: %s", name,
			   tap_errname(-ret));
		return;
	}
	tap_check(count == 1 && exact, name,
		  "expected one '%s' at %#" PRIx64 "-%#" PRIx64 ", found %zu "
		  "entries of that name%s", bufname, phys, phys + len - 1,
		  count, exact ? " (one of them exact)" : ", none exact");
}

static bool need_crashk(const struct ctx *c, const char *name)
{
	if (c->crashk_res)
		return true;
	tap_skip(name, "crashk_res address not readable from /proc/kallsyms");
	return false;
}

static bool need_no_boot_crash(const struct ctx *c, const char *name)
{
	if (!c->crash_at_boot)
		return true;
	tap_skip(name, "guest booted with crashkernel=: CRASH_BIND gives "
		 "EEXIST as well");
	return false;
}

/* ------------------------------------------------------------------ */
/* Command encoding: the whole command must match, else ENOTTY.        */

#define ALLOC_SZ	sizeof(struct lazy_cma_allocation_data)
#define LIST_SZ		sizeof(struct lazy_cma_list)
#define RW		(_IOC_READ | _IOC_WRITE)

static void c_enotty_alloc(struct ctx *c, const struct tcase *t)
{
	union {
		struct lazy_cma_allocation_data a;
		unsigned char raw[ALLOC_SZ + 8];
	} u;

	memset(&u, 0, sizeof(u));
	u.a.len = 2 * MiB;
	u.a.node = -1;
	set_name(c, u.a.name, "enotty");
	memset(u.raw + ALLOC_SZ, 0x5a, 8);	/* a non-zero tail */
	tap_errno(t->name, t_alloc_cmd(c, (unsigned long)t->param, &u.a),
		  ENOTTY);
}

static void c_enotty_free(struct ctx *c, const struct tcase *t)
{
	uint64_t phys;
	int ret;

	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "enotty", &phys),
		      "ALLOC 2 MiB"))
		return;
	ret = lc_ioctl(c->fd, (unsigned long)t->param, &phys);
	if (ret == 0)
		own_del(phys);
	tap_errno(t->name, ret, ENOTTY);
}

static void c_enotty_list(struct ctx *c, const struct tcase *t)
{
	union {
		struct lazy_cma_list l;
		unsigned char raw[LIST_SZ + 8];
	} u;

	memset(&u, 0, sizeof(u));
	u.l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	tap_errno(t->name, lc_ioctl(c->fd, (unsigned long)t->param, &u.l),
		  ENOTTY);
}

/* ------------------------------------------------------------------ */
/* ALLOC input errors.                                                 */

enum alloc_bad {
	A_LEN0, A_LEN_HUGE, A_FLAG31, A_FLAG2, A_BOTH, A_NODE_M2, A_NODE_MIN,
	A_NODE_BIG, A_NODE_ABSENT, A_NAME_NONUL, A_NAME_CTRL, A_NAME_NL,
	A_NAME_DEL, A_NAME_HIGH,
};

static void c_alloc_bad(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_allocation_data a;
	int want = EINVAL, n;

	memset(&a, 0, sizeof(a));
	a.len = 2 * MiB;
	a.node = -1;
	set_name(c, a.name, "bad");
	switch ((enum alloc_bad)t->param) {
	case A_LEN0:
		a.len = 0;
		break;
	case A_LEN_HUGE:
		a.len = 1ULL << 62;
		break;
	case A_FLAG31:
		a.flags = 1U << 31;
		break;
	case A_FLAG2:
		a.flags = 1U << 2;
		break;
	case A_BOTH:
		a.flags = LAZY_CMA_ALLOC_BELOW_4G | LAZY_CMA_ALLOC_ABOVE_4G;
		break;
	case A_NODE_M2:
		a.node = -2;
		break;
	case A_NODE_MIN:
		a.node = INT32_MIN;
		break;
	case A_NODE_BIG:
		a.node = 1000000;
		want = ENODEV;
		tap_diag("the header gives EINVAL only for a node below -1, and "
			 "ENODEV for a node that is not online");
		break;
	case A_NODE_ABSENT:
		if (!node_exists(0)) {
			tap_skip(t->name, "no /sys/devices/system/node/node0");
			return;
		}
		for (n = 1; node_exists(n); n++)
			;
		tap_diag("node %d is the first without a sysfs directory", n);
		a.node = n;
		want = ENODEV;
		break;
	case A_NAME_NONUL:
		memset(a.name, 'a', sizeof(a.name));
		break;
	case A_NAME_CTRL:
		set_name(c, a.name, "ctl\001x");
		break;
	case A_NAME_NL:
		set_name(c, a.name, "nl\nx");
		break;
	case A_NAME_DEL:
		set_name(c, a.name, "del\177x");
		break;
	case A_NAME_HIGH:
		set_name(c, a.name, "utf8-\303\251");
		break;
	}
	tap_errno(t->name, t_alloc_cmd(c, LAZY_CMA_IOCTL_ALLOC, &a), want);
}

/* Sums and maxima over /proc/zoneinfo, in bytes. */
struct zone_totals {
	uint64_t present_all;		/* every zone, every node */
	uint64_t largest_eligible;	/* managed, largest DMA32/Normal/Movable */
};

static int zone_totals(struct zone_totals *zt)
{
	struct zone_ent *z;
	size_t n, i;
	int ret, code;

	ret = zoneinfo_read(&z, &n);
	if (ret)
		return ret;
	memset(zt, 0, sizeof(*zt));
	for (i = 0; i < n; i++) {
		zt->present_all += z[i].present * LC_PAGE;
		code = lc_zone_code(z[i].name);
		if (code == LAZY_CMA_ZONE_DMA32 ||
		    code == LAZY_CMA_ZONE_NORMAL ||
		    code == LAZY_CMA_ZONE_MOVABLE) {
			if (z[i].managed * LC_PAGE > zt->largest_eligible)
				zt->largest_eligible = z[i].managed * LC_PAGE;
		}
	}
	free(z);
	return 0;
}

static void c_alloc_over_ram(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_allocation_data a;
	struct zone_totals zt;
	uint64_t all;
	int ret;

	ret = zone_totals(&zt);
	if (!setup_ok(t->name, ret, "reading /proc/zoneinfo"))
		return;
	all = c->memtotal > zt.present_all ? c->memtotal : zt.present_all;
	memset(&a, 0, sizeof(a));
	a.len = round_up_u64(all + GiB, LC_PAGEBLOCK);
	a.node = -1;
	set_name(c, a.name, "over-ram");
	tap_diag("MemTotal %" PRIu64 " MiB, present pages of all zones %"
		 PRIu64 " MiB: asking for %" PRIu64 " MiB", c->memtotal / MiB,
		 zt.present_all / MiB, (uint64_t)a.len / MiB);
	tap_errno(t->name, t_alloc_cmd(c, LAZY_CMA_IOCTL_ALLOC, &a), EINVAL);
}

/*
 * A length no eligible zone is too small for (so not EINVAL under any
 * reading of "all memory of the eligible zones") but that free memory
 * cannot cover: ENOMEM. 95% of MemTotal, as first planned, is below free
 * memory on a fresh busybox guest, so the length is taken from
 * nr_free_pages instead.
 */
static bool enomem_len(struct ctx *c, const struct tcase *t, uint64_t *ret_len)
{
	struct zone_totals zt;
	uint64_t freeb = 0, lo, hi, len;
	int ret;

	ret = zone_totals(&zt);
	if (!setup_ok(t->name, ret, "reading /proc/zoneinfo"))
		return false;
	ret = free_bytes(&freeb);
	if (!setup_ok(t->name, ret, "reading nr_free_pages"))
		return false;
	/*
	 * The window's used pages must move to free pages outside it, so a
	 * window larger than all free memory cannot be taken. 16 MiB covers
	 * the per-cpu free lists, which nr_free_pages does not count.
	 */
	lo = round_up_u64(freeb + 16 * MiB, LC_PAGEBLOCK);
	hi = zt.largest_eligible / LC_PAGEBLOCK * LC_PAGEBLOCK;
	tap_diag("MemTotal %" PRIu64 " MiB, free %" PRIu64 " MiB, largest "
		 "eligible zone %" PRIu64 " MiB managed", c->memtotal / MiB,
		 freeb / MiB, zt.largest_eligible / MiB);
	if (lo > hi) {
		tap_skip(t->name, "free memory + 16 MiB exceeds the largest "
			 "eligible zone: no length is both plausible and "
			 "uncoverable");
		return false;
	}
	len = c->memtotal * 95 / 100 / LC_PAGEBLOCK * LC_PAGEBLOCK;
	if (len < lo)
		len = lo;
	if (len > hi)
		len = hi;
	*ret_len = len;
	return true;
}

static void c_alloc_enomem(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_allocation_data a;
	uint64_t len;

	if (!enomem_len(c, t, &len))
		return;
	memset(&a, 0, sizeof(a));
	a.len = len;
	a.node = -1;
	set_name(c, a.name, "enomem");
	tap_diag("asking for %" PRIu64 " MiB", len / MiB);
	tap_errno(t->name, t_alloc_cmd(c, LAZY_CMA_IOCTL_ALLOC, &a), ENOMEM);
}

static void c_alloc_unmapped(struct ctx *c, const struct tcase *t)
{
	tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_ALLOC,
				    unmapped_page()), EFAULT);
}

/* ALLOC into a read-only argument: param 0 checks the errno, 1 the leak. */
static void c_alloc_readonly(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_range *r;
	uint32_t n, i, left = 0;
	void *p;
	int ret;

	memset(&a, 0, sizeof(a));
	a.len = 2 * MiB;
	a.node = -1;
	set_name(c, a.name, t->param ? "ro-leak" : "ro");
	p = readonly_copy(&a, sizeof(a));
	if (!p) {
		tap_not_ok("%s: setup: read-only page: %m", t->name);
		return;
	}
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_ALLOC, p);
	munmap(p, LC_PAGE);
	if (t->param == 0) {
		tap_errno(t->name, ret, EFAULT);
		return;
	}
	ret = lc_list_all(c->fd, &r, &n);
	if (!setup_ok(t->name, ret, "LIST"))
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(r[i].name, a.name) != 0)
			continue;
		left++;
		/* Not ours to keep: cleanup() frees it by name. */
	}
	free(r);
	tap_check(left == 0, t->name, "%u buffer(s) named '%s' exist after "
		  "the ALLOC that failed with EFAULT", left, a.name);
}

/* ------------------------------------------------------------------ */
/* Valid allocations.                                                  */

static void c_empty_name(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_range e = { 0 };
	int ret;

	memset(&a, 0, sizeof(a));
	a.len = 2 * MiB;
	a.node = -1;
	if (!setup_ok(t->name, t_alloc_cmd(c, LAZY_CMA_IOCTL_ALLOC, &a),
		      "ALLOC 2 MiB with an empty name"))
		return;
	if (t->param) {
		check_iomem(t->name, LAZY_CMA_DEFAULT_NAME, a.phys_addr,
			    2 * MiB);
		return;
	}
	ret = list_entry(c, a.phys_addr, &e);
	if (!setup_ok(t->name, ret, "LIST entry of the new buffer"))
		return;
	tap_check(strcmp(e.name, LAZY_CMA_DEFAULT_NAME) == 0, t->name,
		  "LIST names it '%.64s'", e.name);
}

enum alloc_ok {
	V_LISTED, V_FRESH, V_NODE, V_ZONE, V_IOMEM, V_FREE_LIST,
	V_FREE_IOMEM, V_ROUNDUP, V_BELOW, V_ABOVE,
};

static void c_alloc_ok(struct ctx *c, const struct tcase *t)
{
	char bufname[LAZY_CMA_NAME_MAX];
	struct lazy_cma_range e = { 0 };
	uint64_t phys, len = 8 * MiB;
	uint32_t flags = 0;
	struct zone_ent *z;
	size_t nz, i;
	bool inside;
	int ret, node;

	switch ((enum alloc_ok)t->param) {
	case V_ROUNDUP:
		len = 2 * MiB + 1;
		break;
	case V_BELOW:
		flags = LAZY_CMA_ALLOC_BELOW_4G;
		break;
	case V_ABOVE:
		if (!c->ram_above_4g) {
			tap_skip(t->name, "no memory above 4 GiB");
			return;
		}
		flags = LAZY_CMA_ALLOC_ABOVE_4G;
		break;
	default:
		break;
	}
	set_name(c, bufname, "valid");
	ret = t_alloc(c, len, -1, flags, "valid", &phys);
	if (!setup_ok(t->name, ret, "ALLOC"))
		return;
	len = round_up_u64(len, LC_PAGE);

	switch ((enum alloc_ok)t->param) {
	case V_LISTED:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		tap_check(e.len == len && strcmp(e.name, bufname) == 0 &&
			  phys % LC_PAGEBLOCK == 0, t->name,
			  "phys %#" PRIx64 " len %" PRIu64 " name '%.64s'; "
			  "expected len %" PRIu64 " name '%s' on a 2 MiB "
			  "boundary", phys, (uint64_t)e.len, e.name, len,
			  bufname);
		return;
	case V_FRESH:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		tap_check(e.flags == 0 && e.map_count == 0 && e.reserved == 0,
			  t->name, "flags %#x map_count %u reserved %u",
			  e.flags, e.map_count, e.reserved);
		return;
	case V_NODE:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		ret = node_of_range(phys, len, &node);
		if (ret) {
			tap_skip(t->name, "sysfs cannot place %#" PRIx64
				 " in a node: %s", phys, tap_errname(-ret));
			return;
		}
		tap_check(e.node == node, t->name, "LIST says node %d, "
			  "sysfs memory blocks say node %d", e.node, node);
		return;
	case V_ZONE:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		if (!lc_zone_name(e.zone) || e.zone == LAZY_CMA_ZONE_DMA) {
			tap_not_ok("%s: LIST says zone %u, expected DMA32, "
				   "Normal or Movable", t->name, e.zone);
			return;
		}
		ret = zoneinfo_read(&z, &nz);
		if (!setup_ok(t->name, ret, "reading /proc/zoneinfo"))
			return;
		inside = false;
		for (i = 0; i < nz; i++) {
			uint64_t zs = z[i].start_pfn * LC_PAGE;
			uint64_t ze = zs + z[i].spanned * LC_PAGE;

			if (z[i].node == e.node && z[i].has_start_pfn &&
			    strcmp(z[i].name, lc_zone_name(e.zone)) == 0 &&
			    zs <= phys && phys + len <= ze)
				inside = true;
		}
		free(z);
		tap_check(inside, t->name, "zone %s of node %d (from LIST) "
			  "does not span %#" PRIx64 "-%#" PRIx64 " in "
			  "/proc/zoneinfo", lc_zone_name(e.zone), e.node, phys,
			  phys + len - 1);
		return;
	case V_IOMEM:
		check_iomem(t->name, bufname, phys, len);
		return;
	case V_FREE_LIST:
	case V_FREE_IOMEM:
		ret = t_free(c, phys);
		if (ret) {
			tap_not_ok("%s: FREE failed: %s", t->name,
				   tap_errname(-ret));
			return;
		}
		if (t->param == V_FREE_LIST) {
			ret = list_entry(c, phys, &e);
			tap_check(ret == -ENOENT, t->name, "LIST still shows "
				  "%#" PRIx64 " (or failed: %s)", phys,
				  tap_errname(-ret));
		} else {
			size_t count = 0;
			bool exact = false;

			ret = iomem_find(bufname, 0, 0, &count, &exact);
			tap_check(ret == 0 && count == 0, t->name, "/proc/iomem "
				  "still has %zu '%s' entries (read: %s)",
				  count, bufname, tap_errname(-ret));
		}
		return;
	case V_ROUNDUP:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		tap_check(e.len == 2 * MiB + LC_PAGE, t->name, "asked for "
			  "2 MiB + 1 byte, LIST shows %" PRIu64 " bytes",
			  (uint64_t)e.len);
		return;
	case V_BELOW:
		tap_check(phys + len <= FOUR_GIB, t->name, "buffer at %#"
			  PRIx64 "-%#" PRIx64, phys, phys + len - 1);
		return;
	case V_ABOVE:
		tap_check(phys >= FOUR_GIB, t->name, "buffer at %#" PRIx64,
			  phys);
		return;
	}
}

static void c_alloc_aligned(struct ctx *c, const struct tcase *t)
{
	uint64_t phys;

	if (!setup_ok(t->name, t_alloc(c, 8 * MiB, -1, 0, "aligned", &phys),
		      "ALLOC 8 MiB"))
		return;
	tap_check(phys % LC_PAGEBLOCK == 0, t->name, "phys_addr %#" PRIx64
		  " is not on a 2 MiB boundary", phys);
}

/*
 * Without placement, the first kernel zone with room takes the buffer:
 * Normal, then DMA32; never Movable while a kernel zone exists.
 */
static void c_alloc_policy(struct ctx *c, const struct tcase *t)
{
	static const int order[] = {
		LAZY_CMA_ZONE_NORMAL, LAZY_CMA_ZONE_DMA32,
	};
	const uint64_t len = 8 * MiB, slack = 64 * MiB;
	struct lazy_cma_range e = { 0 };
	struct zone_ent *z;
	size_t nz, i, k;
	int ret, want = -1;
	uint64_t phys;

	ret = zoneinfo_read(&z, &nz);
	if (!setup_ok(t->name, ret, "reading /proc/zoneinfo"))
		return;
	for (k = 0; k < 2 && want < 0; k++)
		for (i = 0; i < nz; i++)
			if (lc_zone_code(z[i].name) == order[k] &&
			    z[i].free * LC_PAGE >= len + slack)
				want = order[k];
	free(z);
	if (want < 0) {
		tap_skip(t->name, "no eligible zone has %" PRIu64 " MiB free",
			 (len + slack) / MiB);
		return;
	}
	tap_diag("first kernel zone with %" PRIu64 " MiB free: %s",
		 (len + slack) / MiB, lc_zone_name((uint32_t)want));
	if (!setup_ok(t->name, t_alloc(c, len, -1, 0, "policy", &phys),
		      "ALLOC 8 MiB"))
		return;
	if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
		return;
	tap_check(e.zone == (uint32_t)want, t->name, "expected zone %s, LIST "
		  "says %u (%s) at %#" PRIx64, lc_zone_name((uint32_t)want),
		  e.zone, lc_zone_name(e.zone) ? lc_zone_name(e.zone) : "?",
		  phys);
}

/* One result per node with memory: ALLOC on node N lands on node N. */
static void c_alloc_nodes(struct ctx *c, const struct tcase *t)
{
	int nodes[64], nn, i, ret, sysnode;
	struct lazy_cma_range e = { 0 };
	char name[96];
	uint64_t phys;

	ret = nodes_with_memory(nodes, 64, &nn);
	if (!setup_ok(t->name, ret, "reading the nodes with memory"))
		return;
	for (i = 0; i < nn; i++) {
		snprintf(name, sizeof(name), "%s (node %d)", t->name, nodes[i]);
		ret = t_alloc(c, 2 * MiB, nodes[i], 0, "node", &phys);
		if (!setup_ok(name, ret, "ALLOC 2 MiB"))
			continue;
		ret = list_entry(c, phys, &e);
		if (setup_ok(name, ret, "LIST entry")) {
			ret = node_of_range(phys, 2 * MiB, &sysnode);
			if (ret)
				tap_not_ok("%s: LIST says node %d; sysfs "
					   "cannot place %#" PRIx64 ": %s",
					   name, e.node, phys,
					   tap_errname(-ret));
			else
				tap_check(e.node == nodes[i] &&
					  sysnode == nodes[i], name,
					  "LIST says node %d, sysfs memory "
					  "blocks say node %d", e.node,
					  sysnode);
		}
		t_free(c, phys);
	}
}

/* ------------------------------------------------------------------ */
/* RESIZE                                                              */

enum resize_bad { R_ZERO_ADDR, R_INSIDE, R_LEN0, R_HUGE, R_UNMAPPED };

static void c_resize_bad(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_resize_data r;
	uint64_t phys;
	int want = EINVAL;

	if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, 0, "resize", &phys),
		      "ALLOC 4 MiB"))
		return;
	r.phys_addr = phys;
	r.len = 8 * MiB;
	switch ((enum resize_bad)t->param) {
	case R_ZERO_ADDR:
		r.phys_addr = 0;
		want = ENOENT;
		break;
	case R_INSIDE:
		r.phys_addr = phys + 2 * MiB;
		want = ENOENT;
		break;
	case R_LEN0:
		r.len = 0;
		break;
	case R_HUGE:
		r.len = 1ULL << 62;
		break;
	case R_UNMAPPED:
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_RESIZE,
					    unmapped_page()), EFAULT);
		return;
	}
	tap_errno(t->name, t_resize(c, &r), want);
}

/* RESIZE (grow 2 -> 4 MiB) into a read-only argument. */
static void c_resize_readonly(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_resize_data r;
	struct lazy_cma_range e = { 0 };
	uint64_t phys;
	void *p;
	int ret;

	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "resize-ro", &phys),
		      "ALLOC 2 MiB"))
		return;
	r.phys_addr = phys;
	r.len = 4 * MiB;
	p = readonly_copy(&r, sizeof(r));
	if (!p) {
		tap_not_ok("%s: setup: read-only page: %m", t->name);
		return;
	}
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_RESIZE, p);
	munmap(p, LC_PAGE);
	if (t->param == 0) {
		tap_errno(t->name, ret, EFAULT);
		return;
	}
	ret = list_entry(c, phys, &e);
	if (ret)
		tap_not_ok("%s: after the failed RESIZE no buffer starts at %#"
			   PRIx64 " any more (moved?)", t->name, phys);
	else
		tap_check(e.len == 2 * MiB, t->name, "after the failed RESIZE "
			  "the buffer is %" PRIu64 " bytes, not 2 MiB",
			  (uint64_t)e.len);
}

static void c_resize_roundup(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_resize_data r;
	struct lazy_cma_range e = { 0 };
	uint64_t phys;

	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "roundup", &phys),
		      "ALLOC 2 MiB"))
		return;
	r.phys_addr = phys;
	r.len = 2 * MiB + 1;
	if (!setup_ok(t->name, t_resize(c, &r), "RESIZE to 2 MiB + 1"))
		return;
	if (!setup_ok(t->name, list_entry(c, r.phys_addr, &e), "LIST entry"))
		return;
	tap_check(r.len == 2 * MiB + LC_PAGE && e.len == r.len, t->name,
		  "RESIZE returned len %" PRIu64 ", LIST shows %" PRIu64
		  ", expected %" PRIu64, (uint64_t)r.len, (uint64_t)e.len,
		  2 * MiB + LC_PAGE);
}

/* Maps @len of the buffer at @phys and compares it with @seed. */
static int check_contents(struct ctx *c, uint64_t phys, size_t len,
			  uint64_t seed, long long *bad)
{
	void *p;
	int ret;

	ret = t_mmap(c->fd, phys, len, &p);
	if (ret)
		return ret;
	*bad = first_mismatch(p, len, seed);
	t_munmap(p, len);
	return 0;
}

/* Grow 8 -> 16 MiB, shrink 16 -> 4 MiB; contents, LIST and iomem follow. */
static void c_resize_flow(struct ctx *c, const struct tcase *t)
{
	const uint64_t seed = 0x6c617a79;
	char bufname[LAZY_CMA_NAME_MAX], name[160];
	struct lazy_cma_resize_data r;
	struct lazy_cma_range e = { 0 };
	uint64_t phys, old;
	long long bad = -1;
	void *p;
	int ret;

	set_name(c, bufname, "flow");
	if (!setup_ok(t->name, t_alloc(c, 8 * MiB, -1, 0, "flow", &phys),
		      "ALLOC 8 MiB"))
		return;
	if (!setup_ok(t->name, t_mmap(c->fd, phys, 8 * MiB, &p), "mmap"))
		return;
	fill(p, 8 * MiB, seed);
	t_munmap(p, 8 * MiB);

	snprintf(name, sizeof(name), "%s: grow 8 -> 16 MiB succeeds", t->name);
	r.phys_addr = phys;
	r.len = 16 * MiB;
	if (!tap_success(name, t_resize(c, &r)))
		return;
	if (r.phys_addr != phys)
		tap_diag("grow moved the buffer from %#" PRIx64 " to %#" PRIx64,
			 phys, (uint64_t)r.phys_addr);
	else
		tap_diag("grow kept the buffer at %#" PRIx64, phys);

	snprintf(name, sizeof(name), "%s: LIST shows 16 MiB after the grow",
		 t->name);
	ret = list_entry(c, r.phys_addr, &e);
	tap_check(ret == 0 && e.len == 16 * MiB && r.len == 16 * MiB &&
		  strcmp(e.name, bufname) == 0 &&
		  r.phys_addr % LC_PAGEBLOCK == 0, name,
		  "RESIZE says %#" PRIx64 "+%" PRIu64 "; LIST %s len %" PRIu64,
		  (uint64_t)r.phys_addr, (uint64_t)r.len,
		  ret ? "has no such entry" : "shows", ret ? 0 : (uint64_t)e.len);

	snprintf(name, sizeof(name), "%s: /proc/iomem follows the grow",
		 t->name);
	check_iomem(name, bufname, r.phys_addr, 16 * MiB);

	snprintf(name, sizeof(name), "%s: grow keeps the first 8 MiB",
		 t->name);
	ret = check_contents(c, r.phys_addr, 8 * MiB, seed, &bad);
	if (setup_ok(name, ret, "mmap of the grown buffer"))
		tap_check(bad < 0, name, "first difference at byte %lld", bad);

	old = r.phys_addr;
	snprintf(name, sizeof(name), "%s: shrink 16 -> 4 MiB succeeds",
		 t->name);
	r.len = 4 * MiB;
	if (!tap_success(name, t_resize(c, &r)))
		return;

	snprintf(name, sizeof(name), "%s: shrink keeps the address", t->name);
	tap_check(r.phys_addr == old, name, "moved from %#" PRIx64 " to %#"
		  PRIx64, old, (uint64_t)r.phys_addr);

	snprintf(name, sizeof(name), "%s: LIST shows 4 MiB after the shrink",
		 t->name);
	ret = list_entry(c, r.phys_addr, &e);
	tap_check(ret == 0 && e.len == 4 * MiB && r.len == 4 * MiB, name,
		  "RESIZE says len %" PRIu64 "; LIST %s len %" PRIu64,
		  (uint64_t)r.len, ret ? "has no such entry" : "shows",
		  ret ? 0 : (uint64_t)e.len);

	snprintf(name, sizeof(name), "%s: /proc/iomem follows the shrink",
		 t->name);
	check_iomem(name, bufname, r.phys_addr, 4 * MiB);

	snprintf(name, sizeof(name), "%s: shrink keeps the first 4 MiB",
		 t->name);
	ret = check_contents(c, r.phys_addr, 4 * MiB, seed, &bad);
	if (setup_ok(name, ret, "mmap of the shrunk buffer"))
		tap_check(bad < 0, name, "first difference at byte %lld", bad);
}

/* ------------------------------------------------------------------ */
/* FREE                                                                */

enum free_bad { F_ZERO_ADDR, F_INSIDE, F_DOUBLE, F_UNMAPPED };

static void c_free_bad(struct ctx *c, const struct tcase *t)
{
	uint64_t phys;
	int ret;

	if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, 0, "free", &phys),
		      "ALLOC 4 MiB"))
		return;
	switch ((enum free_bad)t->param) {
	case F_ZERO_ADDR:
		tap_errno(t->name, t_free(c, 0), ENOENT);
		break;
	case F_INSIDE:
		tap_errno(t->name, t_free(c, phys + 2 * MiB), ENOENT);
		break;
	case F_DOUBLE:
		ret = t_free(c, phys);
		if (!setup_ok(t->name, ret, "first FREE"))
			return;
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE, &phys),
			  ENOENT);
		break;
	case F_UNMAPPED:
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE,
					    unmapped_page()), EFAULT);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* LIST                                                                */

enum list_bad { L_FLAGS, L_RESERVED, L_SMALL, L_LARGE, L_COUNT };

static void c_list_bad(struct ctx *c, const struct tcase *t)
{
	const size_t room = 65537;
	struct lazy_cma_list l;
	size_t maplen = room * LAZY_CMA_RANGE_SIZE_V1;
	uint64_t phys;
	void *arr;

	/* A buffer, so a wrong acceptance would have something to write. */
	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "list", &phys),
		      "ALLOC 2 MiB"))
		return;
	arr = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arr == MAP_FAILED) {
		tap_not_ok("%s: setup: mmap of the entry array: %m", t->name);
		return;
	}
	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	l.count = 16;
	l.entries = (uintptr_t)arr;
	switch ((enum list_bad)t->param) {
	case L_FLAGS:
		l.flags = 1;
		break;
	case L_RESERVED:
		l.reserved = 1;
		break;
	case L_SMALL:
		l.entry_size = LAZY_CMA_RANGE_SIZE_V1 - 1;
		break;
	case L_LARGE:
		l.entry_size = 4097;
		l.count = 1;
		break;
	case L_COUNT:
		l.count = 65537;
		break;
	}
	tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l), EINVAL);
	munmap(arr, maplen);
}

/* entry_size 200: the known 112 bytes are filled, the rest zeroed. */
static void c_list_tail(struct ctx *c, const struct tcase *t)
{
	const uint32_t esz = 200;
	char bufname[LAZY_CMA_NAME_MAX];
	const struct lazy_cma_range *e;
	struct lazy_cma_list l;
	uint32_t total = 0, i, k, dirty = 0, found = 0;
	unsigned char *arr;
	uint64_t phys;
	int ret;

	set_name(c, bufname, "tail");
	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "tail", &phys),
		      "ALLOC 2 MiB"))
		return;
	if (!setup_ok(t->name, list_count(c, &total), "LIST count"))
		return;
	arr = malloc((size_t)(total + 1) * esz);
	if (!arr) {
		tap_not_ok("%s: setup: out of memory", t->name);
		return;
	}
	memset(arr, 0xaa, (size_t)(total + 1) * esz);
	memset(&l, 0, sizeof(l));
	l.entry_size = esz;
	l.count = total + 1;
	l.entries = (uintptr_t)arr;
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
	if (ret) {
		tap_not_ok("%s: LIST with entry_size %u failed: %s", t->name,
			   esz, tap_errname(-ret));
		free(arr);
		return;
	}
	for (i = 0; i < l.count && i < total + 1; i++) {
		e = (const void *)(arr + (size_t)i * esz);
		for (k = LAZY_CMA_RANGE_SIZE_V1; k < esz; k++)
			if (arr[(size_t)i * esz + k] != 0)
				dirty++;
		if (e->phys_addr == phys && e->len == 2 * MiB &&
		    strcmp(e->name, bufname) == 0)
			found++;
	}
	free(arr);
	tap_check(dirty == 0 && found == 1, t->name, "%u non-zero tail "
		  "bytes; the new buffer's entry found %u times (count %u)",
		  dirty, found, l.count);
}

/* Room for 1 of N buffers: one entry written, count N returned. */
static void c_list_short(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_range *full, arr[2];
	struct lazy_cma_list l;
	uint32_t n0 = 0, nfull = 0;
	uint64_t phys;
	const unsigned char *s;
	bool untouched = true;
	size_t k;
	int i, ret;

	if (!setup_ok(t->name, list_count(c, &n0), "LIST count"))
		return;
	for (i = 0; i < 3; i++)
		if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "short",
					       &phys), "ALLOC 2 MiB"))
			return;
	if (!setup_ok(t->name, lc_list_all(c->fd, &full, &nfull), "full LIST"))
		return;
	memset(arr, 0xaa, sizeof(arr));
	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	l.count = 1;
	l.entries = (uintptr_t)arr;
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
	s = (const unsigned char *)&arr[1];
	for (k = 0; k < sizeof(arr[1]); k++)
		if (s[k] != 0xaa)
			untouched = false;
	tap_check(ret == 0 && l.count == n0 + 3 && nfull == n0 + 3 &&
		  arr[0].phys_addr == full[0].phys_addr &&
		  arr[0].len == full[0].len &&
		  strcmp(arr[0].name, full[0].name) == 0 && untouched, t->name,
		  "LIST returned %s, count %u (expected %u), first entry %s, "
		  "second slot %s", tap_errname(-ret), l.count, n0 + 3,
		  arr[0].phys_addr == full[0].phys_addr ? "right" : "wrong",
		  untouched ? "untouched" : "written");
	free(full);
}

/* count 0 and no array: the number of buffers, which follows ALLOC. */
static void c_list_count0(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_list l;
	uint32_t before;
	uint64_t phys;
	int ret;

	if (!setup_ok(t->name, list_count(c, &before), "first LIST count"))
		return;
	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "count0", &phys),
		      "ALLOC 2 MiB"))
		return;
	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
	tap_check(ret == 0 && l.count == before + 1, t->name, "LIST returned "
		  "%s with count %u; expected count %u", tap_errname(-ret),
		  l.count, before + 1);
}

enum list_fault { LF_ENTRIES, LF_UNMAPPED, LF_READONLY };

static void c_list_fault(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_list l;
	uint64_t phys;
	void *p;
	int ret;

	if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "lfault", &phys),
		      "ALLOC 2 MiB"))
		return;
	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	switch ((enum list_fault)t->param) {
	case LF_ENTRIES:
		l.count = 4;
		l.entries = 8;
		ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
		break;
	case LF_UNMAPPED:
		ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, unmapped_page());
		break;
	case LF_READONLY:
		p = readonly_copy(&l, sizeof(l));
		if (!p) {
			tap_not_ok("%s: setup: read-only page: %m", t->name);
			return;
		}
		ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, p);
		munmap(p, LC_PAGE);
		break;
	default:
		return;
	}
	tap_errno(t->name, ret, EFAULT);
}

/* Entries come ordered by address, without overlap, reserved 0. */
static void c_list_order(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_range *r;
	uint64_t phys[3];
	uint32_t n, i, mine = 0;
	const char *why = NULL;
	int k;

	for (k = 0; k < 3; k++)
		if (!setup_ok(t->name, t_alloc(c, (uint64_t)(k + 1) * 2 * MiB,
					       -1, 0, "order", &phys[k]),
			      "ALLOC"))
			return;
	if (!setup_ok(t->name, lc_list_all(c->fd, &r, &n), "LIST"))
		return;
	for (i = 0; i < n && !why; i++) {
		if (i > 0 && r[i - 1].phys_addr + r[i - 1].len > r[i].phys_addr)
			why = "entries out of order or overlapping";
		else if (r[i].reserved != 0)
			why = "reserved is not 0";
		else if (!memchr(r[i].name, 0, sizeof(r[i].name)))
			why = "a name is not NUL-terminated";
		else if (r[i].len == 0 || r[i].len % LC_PAGE)
			why = "a length is not a whole number of pages";
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < 3; k++)
			if (r[i].phys_addr == phys[k])
				mine++;
	if (!why && mine != 3)
		why = "not all three new buffers are listed";
	tap_check(!why, t->name, "%s (entry %u of %u)", why ? why : "",
		  i, n);
	free(r);
}

/* ------------------------------------------------------------------ */
/* CRASH_BIND / CRASH_UNBIND                                           */

enum bind_bad {
	B_ENOENT, B_FLAG31, B_FLAG1, B_RESERVED, B_RES0, B_RES_OTHER,
	B_RES_PLUS8, B_LOW_ON_CRASHK, B_NOLOW_ON_LOWRES, B_LOW_ABOVE4G,
	B_UNMAPPED, B_EEXIST_BOOT,
};

static void c_bind_bad(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_crash_bind b;
	uint32_t aflags = 0;
	int want = EINVAL;
	uint64_t phys;

	switch ((enum bind_bad)t->param) {
	case B_RES0:
	case B_UNMAPPED:
		break;
	case B_ENOENT:
		if (!need_crashk(c, t->name) ||
		    !need_no_boot_crash(c, t->name))
			return;
		want = ENOENT;
		break;
	case B_EEXIST_BOOT:
		if (!c->crash_at_boot) {
			tap_skip(t->name, "guest booted without crashkernel=");
			return;
		}
		if (!need_crashk(c, t->name))
			return;
		aflags = LAZY_CMA_ALLOC_BELOW_4G;
		want = EEXIST;
		break;
	case B_RES_OTHER:
		if (!c->iomem_resource) {
			tap_skip(t->name, "iomem_resource not readable from "
				 "/proc/kallsyms");
			return;
		}
		break;
	case B_LOW_ON_CRASHK:
		if (!need_crashk(c, t->name))
			return;
		aflags = LAZY_CMA_ALLOC_BELOW_4G;
		break;
	case B_NOLOW_ON_LOWRES:
		if (!c->crashk_low_res) {
			tap_skip(t->name, "crashk_low_res not readable from "
				 "/proc/kallsyms");
			return;
		}
		aflags = LAZY_CMA_ALLOC_BELOW_4G;
		break;
	case B_LOW_ABOVE4G:
		if (!c->ram_above_4g) {
			tap_skip(t->name, "no memory above 4 GiB");
			return;
		}
		if (!c->crashk_low_res) {
			tap_skip(t->name, "crashk_low_res not readable from "
				 "/proc/kallsyms");
			return;
		}
		if (!need_no_boot_crash(c, t->name))
			return;
		aflags = LAZY_CMA_ALLOC_ABOVE_4G;
		break;
	default:
		if (!need_crashk(c, t->name))
			return;
		break;
	}
	if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, aflags, "bind", &phys),
		      "ALLOC 4 MiB"))
		return;
	memset(&b, 0, sizeof(b));
	b.phys_addr = phys;
	b.res_addr = c->crashk_res;
	switch ((enum bind_bad)t->param) {
	case B_ENOENT:
		b.phys_addr = phys + 2 * MiB;
		break;
	case B_FLAG31:
		b.flags = 1U << 31;
		break;
	case B_FLAG1:
		b.flags = 1U << 1;
		break;
	case B_RESERVED:
		b.reserved = 1;
		break;
	case B_RES0:
		b.res_addr = 0;
		break;
	case B_RES_OTHER:
		b.res_addr = c->iomem_resource;
		break;
	case B_RES_PLUS8:
		b.res_addr = c->crashk_res + 8;
		break;
	case B_LOW_ON_CRASHK:
		b.flags = LAZY_CMA_CRASH_LOW;
		break;
	case B_NOLOW_ON_LOWRES:
		b.res_addr = c->crashk_low_res;
		break;
	case B_LOW_ABOVE4G:
		b.flags = LAZY_CMA_CRASH_LOW;
		b.res_addr = c->crashk_low_res;
		break;
	case B_UNMAPPED:
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_BIND,
					    unmapped_page()), EFAULT);
		return;
	case B_EEXIST_BOOT:
		break;
	}
	tap_errno(t->name, t_bind(c, &b), want);
}

/* ------------------------------------------------------------------ */
/* KEXEC_LOCK                                                          */

enum klock_case { K_FLAGS, K_RESERVED, K_CRASHK, K_PLUS4, K_ZERO, K_EFAULT,
		  K_OK, K_AGAIN };

static void c_kexec_lock(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_kexec_lock k;
	int want = EINVAL;

	if (!c->kexec_lock) {
		tap_skip(t->name, "__kexec_lock not readable from /proc/kallsyms");
		return;
	}
	memset(&k, 0, sizeof(k));
	k.addr = c->kexec_lock;
	switch ((enum klock_case)t->param) {
	case K_FLAGS:
		k.flags = 1;
		break;
	case K_RESERVED:
		k.reserved = 1;
		break;
	case K_CRASHK:
		if (!need_crashk(c, t->name))
			return;
		k.addr = c->crashk_res;
		break;
	case K_PLUS4:
		k.addr = c->kexec_lock + 4;
		break;
	case K_ZERO:
		k.addr = 0;
		break;
	case K_EFAULT:
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_KEXEC_LOCK,
					    unmapped_page()), EFAULT);
		return;
	case K_OK:
	case K_AGAIN:
		want = 0;
		break;
	}
	tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_KEXEC_LOCK, &k),
		  want);
}

/* ------------------------------------------------------------------ */
/* ALLOC_REPORT                                                        */

enum report_case { RP_NODATA, RP_FLAGS, RP_EFAULT, RP_ENOTTY, RP_OK, RP_ENOMEM,
		   RP_EINVAL_KEEPS, RP_RESIZE, RP_PER_FILE };

static int t_report(int fd, struct lazy_cma_alloc_report *r)
{
	memset(r, 0, sizeof(*r));
	return lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC_REPORT, r);
}

static bool report_reserved_zero(const struct lazy_cma_alloc_report *r)
{
	return !r->flags && !r->reserved[0] && !r->reserved[1];
}

/*
 * Each case on a file of its own (the report is per open file), with
 * c->fd pointing at it meanwhile so that t_alloc() and t_resize() track
 * what it allocates.
 */
static void c_report(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_alloc_report r;
	struct lazy_cma_resize_data rs;
	int fd, fd2 = -1, save = c->fd, ret;
	uint64_t phys = 0, len;

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (!setup_ok(t->name, fd < 0 ? -errno : 0, "opening " LC_DEVICE))
		return;
	c->fd = fd;
	switch ((enum report_case)t->param) {
	case RP_NODATA:
		tap_errno(t->name, t_report(fd, &r), ENODATA);
		break;
	case RP_FLAGS:
		if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "rep", &phys),
			      "ALLOC 2 MiB"))
			break;
		memset(&r, 0, sizeof(r));
		r.flags = 1;
		tap_errno(t->name, lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC_REPORT, &r),
			  EINVAL);
		break;
	case RP_EFAULT:
		tap_errno(t->name, lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC_REPORT,
					    unmapped_page()), EFAULT);
		break;
	case RP_ENOTTY:
		tap_errno(t->name, lc_ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE,
						     LAZY_CMA_IOC_MAGIC, 0x7,
						     sizeof(r) - 8), &r),
			  ENOTTY);
		break;
	case RP_OK:
		if (!setup_ok(t->name, t_alloc(c, 8 * MiB + 100, -1, 0, "rep",
					       &phys), "ALLOC 8 MiB + 100"))
			break;
		ret = t_report(fd, &r);
		tap_check(!ret && r.op == LAZY_CMA_REPORT_ALLOC && !r.error &&
			  r.len == 8 * MiB + LC_PAGE && r.attempts >= 1 &&
			  r.ns > 0 && report_reserved_zero(&r), t->name,
			  "ret %d op %u error %d len %" PRIu64 " attempts %u "
			  "ns %" PRIu64, ret, r.op, r.error, (uint64_t)r.len,
			  r.attempts, (uint64_t)r.ns);
		break;
	case RP_ENOMEM:
		if (!enomem_len(c, t, &len))
			break;
		if (!setup_ok(t->name, t_alloc(c, len, -1, 0, "rep", &phys) ==
			      -ENOMEM ? 0 : -EPROTO, "ALLOC beyond free memory failing with ENOMEM"))
			break;
		ret = t_report(fd, &r);
		tap_diag("largest usable window %" PRIu64 " MiB of %" PRIu64
			 " MiB asked, %u attempt(s), sweep flags %#x",
			 (uint64_t)r.largest / MiB, len / MiB, r.attempts,
			 r.sweep);
		tap_check(!ret && r.op == LAZY_CMA_REPORT_ALLOC &&
			  r.error == -ENOMEM && r.len == len && r.largest > 0 &&
			  r.largest % LC_PAGEBLOCK == 0 &&
			  report_reserved_zero(&r), t->name,
			  "ret %d op %u error %d len %" PRIu64 " largest %" PRIu64,
			  ret, r.op, r.error, (uint64_t)r.len,
			  (uint64_t)r.largest);
		break;
	case RP_EINVAL_KEEPS:
		if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, 0, "rep", &phys),
			      "ALLOC 4 MiB"))
			break;
		if (!setup_ok(t->name, t_alloc(c, 0, -1, 0, "rep0", &len) ==
			      -EINVAL ? 0 : -EPROTO, "ALLOC len 0 failing with EINVAL"))
			break;
		ret = t_report(fd, &r);
		tap_check(!ret && r.op == LAZY_CMA_REPORT_ALLOC && !r.error &&
			  r.len == 4 * MiB, t->name, "ret %d op %u error %d len %"
			  PRIu64, ret, r.op, r.error, (uint64_t)r.len);
		break;
	case RP_RESIZE:
		if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, 0, "rep", &phys),
			      "ALLOC 4 MiB"))
			break;
		rs.phys_addr = phys;
		rs.len = 10 * MiB;
		if (!setup_ok(t->name, t_resize(c, &rs), "RESIZE to 10 MiB"))
			break;
		ret = t_report(fd, &r);
		tap_check(!ret && r.op == LAZY_CMA_REPORT_RESIZE && !r.error &&
			  r.len == 10 * MiB && r.attempts >= 1 &&
			  report_reserved_zero(&r), t->name,
			  "ret %d op %u error %d len %" PRIu64 " attempts %u",
			  ret, r.op, r.error, (uint64_t)r.len, r.attempts);
		break;
	case RP_PER_FILE:
		if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "rep", &phys),
			      "ALLOC 2 MiB"))
			break;
		fd2 = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
		if (!setup_ok(t->name, fd2 < 0 ? -errno : 0, "opening a second file"))
			break;
		tap_errno(t->name, t_report(fd2, &r), ENODATA);
		break;
	}
	c->fd = save;
	if (fd2 >= 0)
		close(fd2);
	close(fd);
}

/* A 2 MiB buffer bound as crashk_res; reports a skip or failure if not. */
static bool bound_fixture(struct ctx *c, const char *name, uint64_t *phys)
{
	struct lazy_cma_crash_bind b;
	int ret;

	if (!need_crashk(c, name) || !need_no_boot_crash(c, name))
		return false;
	if (!setup_ok(name, t_alloc(c, 2 * MiB, -1, 0, "bound", phys),
		      "ALLOC 2 MiB"))
		return false;
	memset(&b, 0, sizeof(b));
	b.phys_addr = *phys;
	b.res_addr = c->crashk_res;
	ret = t_bind(c, &b);
	if (ret == -EOPNOTSUPP) {
		tap_skip(name, "CRASH_BIND gives EOPNOTSUPP on this kernel");
		return false;
	}
	return setup_ok(name, ret, "CRASH_BIND");
}

enum bound { BD_FREE, BD_MMAP, BD_SECOND, BD_FLAGGED, BD_UNBIND_FLAGS,
	     BD_UNBIND_RESERVED, BD_UNBIND_OK };

static void c_bound(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_crash_unbind u;
	struct lazy_cma_crash_bind b;
	struct lazy_cma_range e = { 0 };
	uint64_t phys, other;
	void *p;
	int ret;

	if (!bound_fixture(c, t->name, &phys))
		return;
	memset(&u, 0, sizeof(u));
	u.phys_addr = phys;
	switch ((enum bound)t->param) {
	case BD_FREE:
		tap_errno(t->name, t_free(c, phys), EBUSY);
		break;
	case BD_MMAP:
		tap_errno(t->name, t_mmap(c->fd, phys, 2 * MiB, &p), EBUSY);
		break;
	case BD_SECOND:
		if (!setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "second",
					       &other), "second ALLOC"))
			return;
		memset(&b, 0, sizeof(b));
		b.phys_addr = other;
		b.res_addr = c->crashk_res;
		tap_errno(t->name, t_bind(c, &b), EEXIST);
		break;
	case BD_FLAGGED:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		tap_check((e.flags & LAZY_CMA_RANGE_CRASH) &&
			  !(e.flags & LAZY_CMA_RANGE_CRASH_LOW), t->name,
			  "LIST flags %#x", e.flags);
		break;
	case BD_UNBIND_FLAGS:
		u.flags = 1;
		tap_errno(t->name, t_unbind(c, &u), EINVAL);
		break;
	case BD_UNBIND_RESERVED:
		u.reserved = 1;
		tap_errno(t->name, t_unbind(c, &u), EINVAL);
		break;
	case BD_UNBIND_OK:
		ret = t_unbind(c, &u);
		if (ret) {
			tap_not_ok("%s: CRASH_UNBIND failed: %s", t->name,
				   tap_errname(-ret));
			return;
		}
		ret = t_free(c, phys);
		tap_check(ret == 0, t->name, "FREE after CRASH_UNBIND failed: "
			  "%s", tap_errname(-ret));
		break;
	}
}

enum unbind_bad { U_UNBOUND, U_ENOENT, U_UNMAPPED };

static void c_unbind_bad(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_crash_unbind u;
	uint64_t phys;

	if (t->param == U_UNMAPPED) {
		tap_errno(t->name, lc_ioctl(c->fd, LAZY_CMA_IOCTL_CRASH_UNBIND,
					    unmapped_page()), EFAULT);
		return;
	}
	if (!setup_ok(t->name, t_alloc(c, 4 * MiB, -1, 0, "unbind", &phys),
		      "ALLOC 4 MiB"))
		return;
	memset(&u, 0, sizeof(u));
	u.phys_addr = phys;
	if (t->param == U_ENOENT) {
		u.phys_addr = phys + 2 * MiB;
		tap_errno(t->name, t_unbind(c, &u), ENOENT);
		return;
	}
	tap_errno(t->name, t_unbind(c, &u), EINVAL);
}

/* ------------------------------------------------------------------ */
/* mmap                                                                */

enum map_case {
	M_ZERO, M_SHARED, M_LISTED, M_FREE_BUSY, M_SHRINK_BUSY, M_BIND_BUSY,
	M_UNMAP_FREE, M_FREED, M_INSIDE, M_TOO_LONG, M_PARTIAL, M_AFTER_CLOSE,
};

static void c_mmap(struct ctx *c, const struct tcase *t)
{
	const uint64_t len = 4 * MiB, seed = 0x6d6d6170;
	struct lazy_cma_resize_data r;
	struct lazy_cma_crash_bind b;
	struct lazy_cma_range e = { 0 };
	long long bad = -1;
	uint64_t phys;
	void *p, *q;
	int ret, fd2;

	if (t->param == M_BIND_BUSY &&
	    (!need_crashk(c, t->name) || !need_no_boot_crash(c, t->name)))
		return;
	if (!setup_ok(t->name, t_alloc(c, len, -1, 0, "mmap", &phys),
		      "ALLOC 4 MiB"))
		return;
	switch ((enum map_case)t->param) {
	case M_FREED:
		if (!setup_ok(t->name, t_free(c, phys), "FREE"))
			return;
		tap_errno(t->name, t_mmap(c->fd, phys, 2 * MiB, &p), EINVAL);
		return;
	case M_INSIDE:
		tap_errno(t->name, t_mmap(c->fd, phys + 2 * MiB, 2 * MiB, &p),
			  EINVAL);
		return;
	case M_TOO_LONG:
		tap_errno(t->name, t_mmap(c->fd, phys, len + LC_PAGE, &p),
			  EINVAL);
		return;
	case M_PARTIAL:
		tap_success(t->name, t_mmap(c->fd, phys, LC_PAGE, &p));
		return;
	case M_AFTER_CLOSE:
		fd2 = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd2 < 0) {
			tap_not_ok("%s: setup: second open of %s: %m",
				   t->name, LC_DEVICE);
			return;
		}
		ret = t_mmap(fd2, phys, len, &p);
		close(fd2);
		if (!setup_ok(t->name, ret, "mmap through the second fd"))
			return;
		tap_errno(t->name, t_free(c, phys), EBUSY);
		return;
	default:
		break;
	}
	if (!setup_ok(t->name, t_mmap(c->fd, phys, len, &p), "mmap"))
		return;
	switch ((enum map_case)t->param) {
	case M_ZERO:
		bad = -1;
		for (uint64_t i = 0; i < len / 8; i++)
			if (((volatile uint64_t *)p)[i] != 0) {
				bad = (long long)(i * 8);
				break;
			}
		tap_check(bad < 0, t->name, "non-zero word at byte %lld", bad);
		break;
	case M_SHARED:
		fill(p, len, seed);
		ret = t_mmap(c->fd, phys, len, &q);
		if (!setup_ok(t->name, ret, "second mmap"))
			return;
		bad = first_mismatch(q, len, seed);
		tap_check(bad < 0, t->name, "second mapping differs at byte "
			  "%lld", bad);
		break;
	case M_LISTED:
		if (!setup_ok(t->name, list_entry(c, phys, &e), "LIST entry"))
			return;
		tap_check((e.flags & LAZY_CMA_RANGE_MAPPED) && e.map_count == 1,
			  t->name, "flags %#x map_count %u", e.flags,
			  e.map_count);
		break;
	case M_FREE_BUSY:
		tap_errno(t->name, t_free(c, phys), EBUSY);
		break;
	case M_SHRINK_BUSY:
		r.phys_addr = phys;
		r.len = 2 * MiB;
		tap_errno(t->name, t_resize(c, &r), EBUSY);
		break;
	case M_BIND_BUSY:
		memset(&b, 0, sizeof(b));
		b.phys_addr = phys;
		b.res_addr = c->crashk_res;
		ret = t_bind(c, &b);
		if (ret == -EOPNOTSUPP) {
			tap_skip(t->name, "CRASH_BIND gives EOPNOTSUPP on this "
				 "kernel");
			return;
		}
		tap_errno(t->name, ret, EBUSY);
		break;
	case M_UNMAP_FREE:
		ret = t_munmap(p, len);
		if (!setup_ok(t->name, ret, "munmap"))
			return;
		ret = list_entry(c, phys, &e);
		if (!setup_ok(t->name, ret, "LIST entry"))
			return;
		if (e.flags & LAZY_CMA_RANGE_MAPPED || e.map_count) {
			tap_not_ok("%s: after munmap LIST still says flags %#x "
				   "map_count %u", t->name, e.flags,
				   e.map_count);
			return;
		}
		ret = t_free(c, phys);
		tap_check(ret == 0, t->name, "FREE after munmap: %s",
			  tap_errname(-ret));
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Permissions: a process without CAP_SYS_ADMIN.                       */

enum perm { P_LIST, P_ALLOC, P_FREE, P_OPEN };

struct perm_result {
	int stage;		/* 0: ran the call; 1: could not drop */
	int ret;		/* 0 or -errno */
	uint64_t phys;		/* an ALLOC that wrongly worked */
};

static void perm_child(struct ctx *c, enum perm op, uint64_t phys, int wfd)
{
	struct perm_result res = { 0, 0, 0 };
	struct lazy_cma_allocation_data a;
	struct lazy_cma_list l;
	int fd;

	if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) < 0) {
		res.stage = 1;
		res.ret = -errno;
		goto out;
	}
	switch (op) {
	case P_LIST:
		memset(&l, 0, sizeof(l));
		l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
		res.ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_LIST, &l);
		break;
	case P_ALLOC:
		memset(&a, 0, sizeof(a));
		a.len = 2 * MiB;
		a.node = -1;
		set_name(c, a.name, "nobody");
		res.ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_ALLOC, &a);
		res.phys = a.phys_addr;
		break;
	case P_FREE:
		res.ret = lc_ioctl(c->fd, LAZY_CMA_IOCTL_FREE, &phys);
		break;
	case P_OPEN:
		fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
		res.ret = fd < 0 ? -errno : 0;
		break;
	}
out:
	if (write(wfd, &res, sizeof(res)) != sizeof(res))
		_exit(2);
	_exit(0);
}

static void c_perm(struct ctx *c, const struct tcase *t)
{
	struct perm_result res;
	enum perm op = (enum perm)t->param;
	uint64_t phys = 0;
	int pfd[2], status;
	struct stat st;
	ssize_t got;
	pid_t pid;

	if (op == P_FREE &&
	    !setup_ok(t->name, t_alloc(c, 2 * MiB, -1, 0, "perm", &phys),
		      "ALLOC 2 MiB"))
		return;
	if (op == P_OPEN && stat(LC_DEVICE, &st) == 0)
		tap_diag("%s is mode %04o, owner %u:%u", LC_DEVICE,
			 (unsigned int)(st.st_mode & 07777),
			 (unsigned int)st.st_uid, (unsigned int)st.st_gid);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		tap_not_ok("%s: setup: pipe: %m", t->name);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		tap_not_ok("%s: setup: fork: %m", t->name);
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		close(pfd[0]);
		perm_child(c, op, phys, pfd[1]);
	}
	close(pfd[1]);
	got = read(pfd[0], &res, sizeof(res));
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (got != sizeof(res)) {
		tap_not_ok("%s: the uid %d child reported nothing (status %#x)",
			   t->name, NOBODY, status);
		return;
	}
	if (res.stage) {
		tap_not_ok("%s: setup: dropping to uid %d failed: %s",
			   t->name, NOBODY, tap_errname(-res.ret));
		return;
	}
	if (op == P_ALLOC && res.ret == 0)
		own_add(res.phys, 2 * MiB);
	if (op == P_FREE && res.ret == 0)
		own_del(phys);
	tap_errno(t->name, res.ret, op == P_OPEN ? EACCES : EPERM);
}

/* ------------------------------------------------------------------ */
/* The end: nothing left behind.                                       */

static uint64_t baseline_free;

static void c_final_tracked(struct ctx *c, const struct tcase *t)
{
	tap_check(c->rescued == 0 && c->cleanup_errors == 0, t->name,
		  "%u buffer(s) were left untracked by failed calls or moved "
		  "behind the cases' backs, %u undo step(s) failed (see the "
		  "cleanup diagnostics above)", c->rescued, c->cleanup_errors);
}

static void c_final_list(struct ctx *c, const struct tcase *t)
{
	struct lazy_cma_range *r;
	uint32_t n, left;

	if (!setup_ok(t->name, lc_list_all(c->fd, &r, &n), "LIST"))
		return;
	left = lc_count_prefix(r, n, c->prefix);
	free(r);
	tap_check(left == 0, t->name, "%u buffer(s) named %s* are left",
		  left, c->prefix);
}

static void c_final_iomem(struct ctx *c, const struct tcase *t)
{
	size_t left = 0;
	int ret;

	ret = iomem_count_prefix(c->prefix, &left);
	if (!setup_ok(t->name, ret, "reading /proc/iomem"))
		return;
	tap_check(left == 0, t->name, "%zu entries named %s* are left",
		  left, c->prefix);
}

static void c_final_memory(struct ctx *c, const struct tcase *t)
{
	uint64_t now = 0, slack;
	int ret;

	(void)c;
	ret = free_bytes(&now);
	if (!setup_ok(t->name, ret, "reading nr_free_pages"))
		return;
	slack = LEAK_SLACK_FIXED + baseline_free * LEAK_SLACK_PERCENT / 100;
	tap_diag("nr_free_pages: %" PRIu64 " KiB before, %" PRIu64 " KiB "
		 "after, tolerance %" PRIu64 " KiB", baseline_free / KiB,
		 now / KiB, slack / KiB);
	tap_check(now + slack >= baseline_free, t->name, "%" PRIu64 " KiB "
		  "fewer free pages than before the cases",
		  (baseline_free - now) / KiB);
}

/* ------------------------------------------------------------------ */

static const struct tcase cases[] = {
	/* First: binding needs the kexec lock (later cases bind). */
	{ "KEXEC_LOCK flags 1 gives EINVAL", c_kexec_lock, K_FLAGS },
	{ "KEXEC_LOCK reserved 1 gives EINVAL", c_kexec_lock, K_RESERVED },
	{ "KEXEC_LOCK of crashk_res's address gives EINVAL", c_kexec_lock,
	  K_CRASHK },
	{ "KEXEC_LOCK of __kexec_lock+4 gives EINVAL", c_kexec_lock, K_PLUS4 },
	{ "KEXEC_LOCK of address 0 gives EINVAL", c_kexec_lock, K_ZERO },
	{ "KEXEC_LOCK with an unmapped argument gives EFAULT", c_kexec_lock,
	  K_EFAULT },
	{ "KEXEC_LOCK of __kexec_lock succeeds", c_kexec_lock, K_OK },
	{ "KEXEC_LOCK given again succeeds", c_kexec_lock, K_AGAIN },
	/* ALLOC_REPORT */
	{ "ALLOC_REPORT on a new open file gives ENODATA", c_report, RP_NODATA },
	{ "ALLOC_REPORT flags 1 gives EINVAL", c_report, RP_FLAGS },
	{ "ALLOC_REPORT with an unmapped argument gives EFAULT", c_report,
	  RP_EFAULT },
	{ "ALLOC_REPORT with a struct 8 bytes short gives ENOTTY", c_report,
	  RP_ENOTTY },
	{ "ALLOC_REPORT after an ALLOC: op, error 0, length in pages", c_report,
	  RP_OK },
	{ "ALLOC_REPORT after ENOMEM: the largest usable window (pageblocks)",
	  c_report, RP_ENOMEM },
	{ "ALLOC_REPORT is kept by an ALLOC failing with EINVAL", c_report,
	  RP_EINVAL_KEEPS },
	{ "ALLOC_REPORT after a RESIZE: op RESIZE, the new length", c_report,
	  RP_RESIZE },
	{ "ALLOC_REPORT is per open file: another file gives ENODATA",
	  c_report, RP_PER_FILE },
	/* Command encoding */
	{ "ioctl number 0x7f gives ENOTTY", c_enotty_alloc,
	  _IOC(RW, LAZY_CMA_IOC_MAGIC, 0x7f, ALLOC_SZ) },
	{ "ioctl of another type ('h') gives ENOTTY", c_enotty_alloc,
	  _IOC(RW, 'h', 0x0, ALLOC_SZ) },
	{ "ALLOC encoded _IOR (wrong direction) gives ENOTTY", c_enotty_alloc,
	  _IOR(LAZY_CMA_IOC_MAGIC, 0x0, struct lazy_cma_allocation_data) },
	{ "ALLOC encoded _IOW (wrong direction) gives ENOTTY", c_enotty_alloc,
	  _IOW(LAZY_CMA_IOC_MAGIC, 0x0, struct lazy_cma_allocation_data) },
	{ "ALLOC encoded _IO (no size) gives ENOTTY", c_enotty_alloc,
	  _IO(LAZY_CMA_IOC_MAGIC, 0x0) },
	{ "ALLOC with a struct 8 bytes short gives ENOTTY", c_enotty_alloc,
	  _IOC(RW, LAZY_CMA_IOC_MAGIC, 0x0, ALLOC_SZ - 8) },
	{ "ALLOC with a struct 8 bytes long (non-zero tail) gives ENOTTY",
	  c_enotty_alloc, _IOC(RW, LAZY_CMA_IOC_MAGIC, 0x0, ALLOC_SZ + 8) },
	{ "FREE encoded _IOWR (wrong direction) gives ENOTTY", c_enotty_free,
	  _IOWR(LAZY_CMA_IOC_MAGIC, 0x2, __u64) },
	{ "LIST with a struct 8 bytes long (zero tail) gives ENOTTY",
	  c_enotty_list, _IOC(RW, LAZY_CMA_IOC_MAGIC, 0x3, LIST_SZ + 8) },
	{ "LIST with a struct 8 bytes short gives ENOTTY", c_enotty_list,
	  _IOC(RW, LAZY_CMA_IOC_MAGIC, 0x3, LIST_SZ - 8) },

	/* ALLOC input errors */
	{ "ALLOC len 0 gives EINVAL", c_alloc_bad, A_LEN0 },
	{ "ALLOC len 1<<62 gives EINVAL", c_alloc_bad, A_LEN_HUGE },
	{ "ALLOC len MemTotal + 1 GiB gives EINVAL", c_alloc_over_ram, 0 },
	{ "ALLOC len above free memory but within a zone gives ENOMEM",
	  c_alloc_enomem, 0 },
	{ "ALLOC flag bit 31 gives EINVAL", c_alloc_bad, A_FLAG31 },
	{ "ALLOC flag bit 2 gives EINVAL", c_alloc_bad, A_FLAG2 },
	{ "ALLOC BELOW_4G|ABOVE_4G gives EINVAL", c_alloc_bad, A_BOTH },
	{ "ALLOC node -2 gives EINVAL", c_alloc_bad, A_NODE_M2 },
	{ "ALLOC node INT32_MIN gives EINVAL", c_alloc_bad, A_NODE_MIN },
	{ "ALLOC node 1000000 (not online) gives ENODEV", c_alloc_bad,
	  A_NODE_BIG },
	{ "ALLOC on the first node absent from sysfs gives ENODEV",
	  c_alloc_bad, A_NODE_ABSENT },
	{ "ALLOC name of 64 bytes without NUL gives EINVAL", c_alloc_bad,
	  A_NAME_NONUL },
	{ "ALLOC name with control char 0x01 gives EINVAL", c_alloc_bad,
	  A_NAME_CTRL },
	{ "ALLOC name with a newline gives EINVAL", c_alloc_bad, A_NAME_NL },
	{ "ALLOC name with DEL (0x7f) gives EINVAL", c_alloc_bad, A_NAME_DEL },
	{ "ALLOC name with a non-ASCII byte gives EINVAL", c_alloc_bad,
	  A_NAME_HIGH },
	{ "ALLOC with an unmapped argument gives EFAULT", c_alloc_unmapped, 0 },
	{ "ALLOC into a read-only argument gives EFAULT", c_alloc_readonly, 0 },
	{ "ALLOC that failed with EFAULT leaves no buffer", c_alloc_readonly,
	  1 },

	/* Valid ALLOC */
	{ "ALLOC with an empty name is listed as lazy_cma", c_empty_name, 0 },
	{ "ALLOC with an empty name is lazy_cma in /proc/iomem", c_empty_name,
	  1 },
	{ "ALLOC 8 MiB returns a 2 MiB-aligned phys_addr", c_alloc_aligned,
	  0 },
	{ "LIST shows a new buffer's length and name", c_alloc_ok, V_LISTED },
	{ "LIST shows a new buffer unmapped and unbound", c_alloc_ok,
	  V_FRESH },
	{ "LIST node of a new buffer owns its memory blocks", c_alloc_ok,
	  V_NODE },
	{ "LIST zone of a new buffer spans it in /proc/zoneinfo", c_alloc_ok,
	  V_ZONE },
	{ "ALLOC without placement takes the first kernel zone with room",
	  c_alloc_policy, 0 },
	{ "/proc/iomem shows a new buffer at exactly its range", c_alloc_ok,
	  V_IOMEM },
	{ "FREE removes a buffer from LIST", c_alloc_ok, V_FREE_LIST },
	{ "FREE removes a buffer from /proc/iomem", c_alloc_ok, V_FREE_IOMEM },
	{ "ALLOC rounds the length up to a whole page", c_alloc_ok,
	  V_ROUNDUP },
	{ "ALLOC BELOW_4G lies below 4 GiB", c_alloc_ok, V_BELOW },
	{ "ALLOC ABOVE_4G lies at or above 4 GiB", c_alloc_ok, V_ABOVE },
	{ "ALLOC on a node lands on that node", c_alloc_nodes, 0 },

	/* RESIZE */
	{ "RESIZE at address 0 (no buffer) gives ENOENT", c_resize_bad,
	  R_ZERO_ADDR },
	{ "RESIZE at an address inside a buffer gives ENOENT", c_resize_bad,
	  R_INSIDE },
	{ "RESIZE to len 0 gives EINVAL", c_resize_bad, R_LEN0 },
	{ "RESIZE to len 1<<62 gives EINVAL", c_resize_bad, R_HUGE },
	{ "RESIZE with an unmapped argument gives EFAULT", c_resize_bad,
	  R_UNMAPPED },
	{ "RESIZE into a read-only argument gives EFAULT", c_resize_readonly,
	  0 },
	{ "RESIZE that failed with EFAULT left the buffer unchanged",
	  c_resize_readonly, 1 },
	{ "RESIZE rounds the length up to a whole page", c_resize_roundup, 0 },
	{ "RESIZE", c_resize_flow, 0 },

	/* FREE */
	{ "FREE at address 0 (no buffer) gives ENOENT", c_free_bad,
	  F_ZERO_ADDR },
	{ "FREE at an address inside a buffer gives ENOENT", c_free_bad,
	  F_INSIDE },
	{ "FREE twice gives ENOENT the second time", c_free_bad, F_DOUBLE },
	{ "FREE with an unmapped argument gives EFAULT", c_free_bad,
	  F_UNMAPPED },

	/* LIST */
	{ "LIST flags 1 gives EINVAL", c_list_bad, L_FLAGS },
	{ "LIST reserved 1 gives EINVAL", c_list_bad, L_RESERVED },
	{ "LIST entry_size 111 gives EINVAL", c_list_bad, L_SMALL },
	{ "LIST entry_size 4097 gives EINVAL", c_list_bad, L_LARGE },
	{ "LIST count 65537 gives EINVAL", c_list_bad, L_COUNT },
	{ "LIST entry_size 200 fills 112 bytes and zeroes the rest",
	  c_list_tail, 0 },
	{ "LIST with room for 1 of N writes 1 entry and returns count N",
	  c_list_short, 0 },
	{ "LIST count 0 without array returns the number of buffers",
	  c_list_count0, 0 },
	{ "LIST with an unwritable entries pointer gives EFAULT", c_list_fault,
	  LF_ENTRIES },
	{ "LIST with an unmapped argument gives EFAULT", c_list_fault,
	  LF_UNMAPPED },
	{ "LIST into a read-only argument gives EFAULT", c_list_fault,
	  LF_READONLY },
	{ "LIST entries are ordered by address, reserved 0", c_list_order, 0 },

	/* CRASH_BIND / CRASH_UNBIND */
	{ "CRASH_BIND of an address inside a buffer gives ENOENT", c_bind_bad,
	  B_ENOENT },
	{ "CRASH_BIND flag bit 31 gives EINVAL", c_bind_bad, B_FLAG31 },
	{ "CRASH_BIND flag bit 1 gives EINVAL", c_bind_bad, B_FLAG1 },
	{ "CRASH_BIND reserved 1 gives EINVAL", c_bind_bad, B_RESERVED },
	{ "CRASH_BIND res_addr 0 gives EINVAL", c_bind_bad, B_RES0 },
	{ "CRASH_BIND res_addr of iomem_resource gives EINVAL", c_bind_bad,
	  B_RES_OTHER },
	{ "CRASH_BIND res_addr crashk_res+8 gives EINVAL", c_bind_bad,
	  B_RES_PLUS8 },
	{ "CRASH_BIND LOW with crashk_res's address gives EINVAL", c_bind_bad,
	  B_LOW_ON_CRASHK },
	{ "CRASH_BIND without LOW on crashk_low_res gives EINVAL", c_bind_bad,
	  B_NOLOW_ON_LOWRES },
	{ "CRASH_BIND LOW of a buffer above 4 GiB gives EINVAL", c_bind_bad,
	  B_LOW_ABOVE4G },
	{ "CRASH_BIND with an unmapped argument gives EFAULT", c_bind_bad,
	  B_UNMAPPED },
	{ "CRASH_BIND with a boot-time crashkernel= region gives EEXIST",
	  c_bind_bad, B_EEXIST_BOOT },
	{ "FREE of a bound buffer gives EBUSY", c_bound, BD_FREE },
	{ "mmap of a bound buffer gives EBUSY", c_bound, BD_MMAP },
	{ "CRASH_BIND of a second buffer gives EEXIST", c_bound, BD_SECOND },
	{ "LIST flags a bound buffer CRASH", c_bound, BD_FLAGGED },
	{ "CRASH_UNBIND flags 1 gives EINVAL", c_bound, BD_UNBIND_FLAGS },
	{ "CRASH_UNBIND reserved 1 gives EINVAL", c_bound, BD_UNBIND_RESERVED },
	{ "CRASH_UNBIND then FREE succeed", c_bound, BD_UNBIND_OK },
	{ "CRASH_UNBIND of an unbound buffer gives EINVAL", c_unbind_bad,
	  U_UNBOUND },
	{ "CRASH_UNBIND at an address inside a buffer gives ENOENT",
	  c_unbind_bad, U_ENOENT },
	{ "CRASH_UNBIND with an unmapped argument gives EFAULT", c_unbind_bad,
	  U_UNMAPPED },

	/* mmap */
	{ "mmap of a new buffer reads zeros", c_mmap, M_ZERO },
	{ "mmap writes are seen through a second mapping", c_mmap, M_SHARED },
	{ "LIST shows a mapped buffer MAPPED with map_count 1", c_mmap,
	  M_LISTED },
	{ "FREE of a mapped buffer gives EBUSY", c_mmap, M_FREE_BUSY },
	{ "RESIZE shrinking a mapped buffer gives EBUSY", c_mmap,
	  M_SHRINK_BUSY },
	{ "CRASH_BIND of a mapped buffer gives EBUSY", c_mmap, M_BIND_BUSY },
	{ "munmap clears MAPPED and FREE then succeeds", c_mmap,
	  M_UNMAP_FREE },
	{ "mmap at a freed buffer's address gives EINVAL", c_mmap, M_FREED },
	{ "mmap at an offset inside a buffer gives EINVAL", c_mmap, M_INSIDE },
	{ "mmap longer than the buffer gives EINVAL", c_mmap, M_TOO_LONG },
	{ "mmap of one page of a buffer works", c_mmap, M_PARTIAL },
	{ "a mapping that outlives close() blocks FREE (EBUSY)", c_mmap,
	  M_AFTER_CLOSE },

	/* Permissions */
	{ "LIST as uid 65534 on a root fd gives EPERM", c_perm, P_LIST },
	{ "ALLOC as uid 65534 on a root fd gives EPERM", c_perm, P_ALLOC },
	{ "FREE as uid 65534 on a root fd gives EPERM", c_perm, P_FREE },
	{ "open as uid 65534 gives EACCES", c_perm, P_OPEN },

	/* The end */
	{ "every case's buffers were tracked and undone", c_final_tracked, 0 },
	{ "LIST shows no buffer of this test left", c_final_list, 0 },
	{ "/proc/iomem shows no buffer of this test left", c_final_iomem, 0 },
	{ "nr_free_pages is back near its baseline", c_final_memory, 0 },
};

/* ------------------------------------------------------------------ */

static void on_alarm(int sig)
{
	static const char head[] = "not ok - abi_test: no result for too long "
				   "(a call hangs?) in case: ";
	const char *name = current_case;
	ssize_t ignored;

	(void)sig;
	ignored = write(STDOUT_FILENO, head, sizeof(head) - 1);
	ignored = write(STDOUT_FILENO, name, strlen(name));
	ignored = write(STDOUT_FILENO, "\n", 1);
	(void)ignored;
	_exit(1);
}

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"Usage: %s [-t SECONDS] [-l]\n"
		"Checks the %s ABI against module/uapi/lazy_cma.h, as root,\n"
		"with lazy_cma.ko loaded. TAP on stdout, exit 0 iff all passed.\n"
		"  -t SECONDS  fail if the whole run takes longer (default %d)\n"
		"  -l          list the case names and exit\n",
		argv0, LC_DEVICE, DEFAULT_TIMEOUT);
}

static void probe_environment(struct ctx *c)
{
	uint64_t addr;
	int ret;

	ret = read_meminfo("MemTotal", &c->memtotal);
	if (ret)
		tap_diag("reading MemTotal from /proc/meminfo failed: %s",
			 tap_errname(-ret));
	ret = kallsyms_addr("crashk_res", &addr);
	if (ret == 0)
		c->crashk_res = addr;
	else
		tap_diag("crashk_res not found in /proc/kallsyms: %s",
			 tap_errname(-ret));
	if (kallsyms_addr("crashk_low_res", &addr) == 0)
		c->crashk_low_res = addr;
	if (kallsyms_addr("iomem_resource", &addr) == 0)
		c->iomem_resource = addr;
	if (kallsyms_addr("__kexec_lock", &addr) == 0)
		c->kexec_lock = addr;
	ret = iomem_has("Crash kernel", &c->crash_at_boot);
	if (ret)
		tap_diag("reading /proc/iomem failed: %s", tap_errname(-ret));
	ret = iomem_ram_above(FOUR_GIB, &c->ram_above_4g);
	if (ret)
		tap_diag("reading /proc/iomem failed: %s", tap_errname(-ret));
	tap_diag("MemTotal %" PRIu64 " MiB; crashk_res %s, crashk_low_res %s; "
		 "crash region at boot: %s; RAM above 4 GiB: %s",
		 c->memtotal / MiB, c->crashk_res ? "known" : "unknown",
		 c->crashk_low_res ? "known" : "unknown",
		 c->crash_at_boot ? "yes" : "no",
		 c->ram_above_4g ? "yes" : "no");
}

int main(int argc, char **argv)
{
	struct ctx c;
	unsigned long to = DEFAULT_TIMEOUT;
	unsigned int before;
	size_t i;
	char *end;
	int opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:lh")) != -1) {
		switch (opt) {
		case 't':
			errno = 0;
			to = strtoul(optarg, &end, 10);
			if (errno || *end || to == 0 || to > 86400) {
				fprintf(stderr, "%s: invalid -t '%s': give "
					"seconds, 1-86400\n", argv[0], optarg);
				return 1;
			}
			break;
		case 'l':
			for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				printf("%s\n", cases[i].name);
			return 0;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr, argv[0]);
		return 1;
	}

	memset(&c, 0, sizeof(c));
	snprintf(c.prefix, sizeof(c.prefix), "abi-test-%ld-", (long)getpid());
	c.fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (c.fd < 0) {
		ret = errno;
		if (ret == ENOENT) {
			tap_not_ok("%s missing", LC_DEVICE);
			tap_diag("is lazy_cma.ko loaded (/sys/module/%s %s) and "
				 "devtmpfs mounted on /dev?", LC_MODULE,
				 module_loaded(LC_MODULE) ? "exists" :
				 "is absent");
		} else {
			tap_not_ok("cannot open %s: %s", LC_DEVICE,
				   tap_errname(ret));
		}
		return tap_exit_status();
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)to);

	probe_environment(&c);
	ret = free_bytes(&baseline_free);
	if (ret)
		tap_diag("reading nr_free_pages failed: %s", tap_errname(-ret));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		current_case = cases[i].name;
		before = tap_results();
		cases[i].fn(&c, &cases[i]);
		cleanup(&c, cases[i].name);
		if (tap_results() == before)
			tap_not_ok("%s: the case reported no result",
				   cases[i].name);
	}
	alarm(0);
	close(c.fd);
	tap_diag("abi_test: %u results, %u failed", tap_results(),
		 tap_failures());
	return tap_exit_status();
}
