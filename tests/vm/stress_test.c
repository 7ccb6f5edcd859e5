// SPDX-License-Identifier: GPL-2.0
/*
 * stress_test - /dev/lazy_cma under concurrency, and module unload races.
 *
 * Default mode: N worker processes run M random operations each on their
 * own buffers (ALLOC 1-16 MiB on node -1 or a node with memory, sometimes
 * BELOW_4G; RESIZE up or down; LIST; mmap of one page; FREE) and now and
 * then attack another worker's buffer (FREE, or RESIZE down to one page).
 * Every result must be one the header documents for that call. Afterwards
 * no buffer of the run may be left, in LIST or /proc/iomem, and the free
 * page count must be back near its baseline.
 *
 * Buffers are known by address only, and addresses are reused: an attack
 * may free a buffer while its owner still believes in it, and the owner's
 * next operation on that address then acts on whatever buffer took the
 * address since (often another worker's, which may then move). So every
 * operation that takes an address is logged in shared memory with the
 * address and its start and end on a shared logical clock, and a worker
 * accepts a surprise on its own buffer (ENOENT, EBUSY, a moved shrink, a
 * LIST entry that changed) only when another worker's operation on that
 * same address overlapped the time since the worker last knew the buffer
 * for sure, and only a surprise that kind of operation can cause:
 *  - a FREE or RESIZE by someone else (an attack, or an owner acting on an
 *    address it no longer owns) may have freed or moved the buffer: the
 *    result proves nothing, and the worker looks its buffer up by its
 *    unique name in LIST and believes that;
 *  - an attack's RESIZE to one page makes the length one page, which may
 *    turn a shrink into a grow (moved, ENOMEM);
 *  - someone else's mapping makes FREE and RESIZE fail with EBUSY, and
 *    its writes change the word this worker's mapping reads back.
 * Anything else unexpected is a failure, and a failing worker prints its
 * last operations.
 *
 * --unload-race KO: N processes loop open/LIST/ALLOC/FREE/close while the
 * parent unloads the module with delete_module(O_NONBLOCK) and re-inserts
 * it with finit_module(KO). An open fd or a mapping must pin the module
 * (EAGAIN), ioctls on open fds must keep working, open() may fail only with
 * ENOENT/ENODEV/ENXIO while the module is out, and unloading frees every
 * buffer. A kernel crash shows as a guest that never reports its end.
 *
 * --window-race: N processes each ALLOC a 2 MiB buffer (one pageblock) and
 * FREE it, ROUNDS times, all at once: they keep asking for the same
 * cheapest windows, so their alloc_contig_range() calls isolate the same
 * pageblocks at the same time. Every ALLOC must succeed or give ENOMEM,
 * every FREE succeed, no worker may die, nothing may be left. (In 6.12 an
 * alloc_contig_range() that finds a pageblock already isolated undoes the
 * isolation of its whole range, the other caller's pageblock too: on a
 * DEBUG_VM kernel a VM_BUG_ON in isolate_single_pageblock(), elsewhere
 * pages taken from a pageblock the allocator may hand out.)
 *
 * TAP lines without numbers on stdout; exit 0 iff all passed. alarm()
 * turns a deadlock into a failure.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
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

#define MAX_WORKERS		32
#define MAX_BUFS		4
#define DEFAULT_WORKERS		4
#define DEFAULT_ITERATIONS	50
#define DEFAULT_ROUNDS		30
#define DEFAULT_TIMEOUT		1200
#define FREE_RETRIES		2000
/* Times the final FREE of one buffer may find it moved elsewhere. */
#define FREE_ROUNDS		32
#define LEAK_SLACK_FIXED	(4 * MiB)
#define LEAK_SLACK_PERCENT	2
#define OPLOG_BUCKETS		4096
#define OPLOG_MAX		(1 << 22)
#define HISTORY			48
#define HISTORY_LINE		144

struct wstat {
	long iterations, allocs, enomem, resizes, busy, frees, lists, maps;
	long attacks, attacks_done, explained, relocated;
	long opens, refused, refused_enoent, refused_enodev, refused_enxio;
	int failed;
	char err[480];
};

/* Kinds of logged operations on an address. */
enum op_kind {
	OP_FREE,		/* FREE, by an owner or an attacker */
	OP_RESIZE,		/* an owner's RESIZE: may grow, move, shrink */
	OP_SHRINK,		/* an attack's RESIZE to one page */
	OP_MAP,			/* an owner's mapping, mmap() to munmap() */
};

#define OPM(k)		(1U << (k))
/* Operations after which the buffer may be gone or elsewhere. */
#define OPM_LOST	(OPM(OP_FREE) | OPM(OP_RESIZE))

static const char *const op_names[] = {
	[OP_FREE] = "FREE", [OP_RESIZE] = "RESIZE",
	[OP_SHRINK] = "RESIZE to one page", [OP_MAP] = "mmap",
};

/*
 * One operation on an address. The fields are written before the record
 * is pushed onto its bucket; start is set after that and before the call,
 * end right after the call returned.
 */
struct oprec {
	uint64_t addr;
	_Atomic uint64_t start;	/* 0: the call has not started */
	_Atomic uint64_t end;	/* 0: the call may still be running */
	int32_t next;		/* index + 1 of the next record; 0 ends */
	int16_t worker;
	int16_t kind;
	int32_t buf;		/* the owner's buffer id; -1 for an attack */
};

struct shared {
	atomic_int stop;
	atomic_int quiet;		/* unload mode: only open/close probes */
	atomic_long gen;		/* unload mode: module instance number */
	_Atomic uint64_t clock;		/* stress mode: the logical clock */
	atomic_int nrecs;
	int maxrecs;
	atomic_int bucket[OPLOG_BUCKETS];	/* index + 1 of the newest */
	struct wstat w[MAX_WORKERS];
};

struct opts {
	int workers;
	int iterations;
	int rounds;
	unsigned int timeout;
	uint64_t seed;
	bool steal;
	bool window;
	const char *ko;
};

struct buf {
	uint64_t phys;
	uint64_t len;		/* what this worker believes */
	uint32_t flags;
	int node;
	long gen;
	int id;			/* unique per worker: the number in its name */
	uint64_t since;		/* clock since which phys and len are known */
	char name[LAZY_CMA_NAME_MAX];
};

struct worker {
	int idx;
	int fd;
	uint64_t rng;
	struct buf b[MAX_BUFS];
	int nb;
	unsigned int seq;
	struct wstat *st;
	struct shared *sh;
	const struct opts *o;
	int nodes[64];
	int nnodes;
	char run_prefix[40];	/* "stress-<pid>-" */
	char own_prefix[56];	/* "stress-<pid>-w<i>-" */
	unsigned int nhist;
	char hist[HISTORY][HISTORY_LINE];
};

/* What a worker's own operation may have done, for relocate(). */
#define SELF_MOVED	(1U << 0)	/* a RESIZE that returned 0 */
#define SELF_FREED	(1U << 1)	/* a FREE that returned 0 */
#define SELF_ABSENT	(1U << 2)	/* the call found no buffer there */

static struct shared *sh;
static struct oprec *oplog;
static pid_t children[MAX_WORKERS];
static int nchildren;
static int ko_fd = -1;
static volatile sig_atomic_t module_out;

/* ------------------------------------------------------------------ */

static uint64_t rnd(struct worker *w, uint64_t below)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return below ? z % below : z;
}

__attribute__((format(printf, 2, 3)))
static int fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->st->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(w->st->err, sizeof(w->st->err), fmt, ap);
	va_end(ap);
	w->st->failed = 1;
	return -1;
}

/* One line of the worker's recent history, printed when it fails. */
__attribute__((format(printf, 2, 3)))
static void note(struct worker *w, const char *fmt, ...)
{
	char *line = w->hist[w->nhist++ % HISTORY];
	struct timespec ts;
	va_list ap;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, HISTORY_LINE, "[%5ld.%06ld] ", (long)ts.tv_sec,
		     ts.tv_nsec / 1000);
	va_start(ap, fmt);
	vsnprintf(line + n, HISTORY_LINE - (size_t)n, fmt, ap);
	va_end(ap);
}

static void print_history(struct worker *w)
{
	unsigned int i = w->nhist > HISTORY ? w->nhist - HISTORY : 0;

	tap_diag("stress worker %d, its last operations (CLOCK_MONOTONIC, as "
		 "the kernel log's times; @N is the shared clock):", w->idx);
	for (; i < w->nhist; i++)
		tap_diag("  w%d %s", w->idx, w->hist[i % HISTORY]);
}

static uint64_t tick(void)
{
	return atomic_fetch_add(&sh->clock, 1) + 1;
}

static unsigned int bucket_of(uint64_t addr)
{
	return (unsigned int)((addr >> 21) % OPLOG_BUCKETS);
}

/*
 * Log an operation on @addr that is about to start; @buf is the worker's
 * buffer it is meant for, -1 for an attack. Returns the record's index.
 */
static int op_begin(struct worker *w, enum op_kind kind, uint64_t addr,
		    int buf)
{
	atomic_int *head = &sh->bucket[bucket_of(addr)];
	int i = atomic_fetch_add(&sh->nrecs, 1), old;
	struct oprec *r;

	if (i >= sh->maxrecs)
		return fail(w, "the operation log is full (%d records): run "
			    "fewer workers or iterations", sh->maxrecs);
	r = &oplog[i];
	r->addr = addr;
	r->worker = (int16_t)w->idx;
	r->kind = (int16_t)kind;
	r->buf = buf;
	old = atomic_load(head);
	do
		r->next = old;
	while (!atomic_compare_exchange_weak(head, &old, i + 1));
	atomic_store(&r->start, tick());
	return i;
}

static uint64_t op_end(int i)
{
	uint64_t t = tick();

	atomic_store(&oplog[i].end, t);
	return t;
}

static uint64_t op_start(int i)
{
	return atomic_load(&oplog[i].start);
}

/*
 * The kinds (OPM bits) of the operations of others on @b's address that
 * started before @upto and had not ended by @b->since: those that may
 * have touched the buffer while this worker believed it was there.
 */
static unsigned int others_ops(const struct worker *w, const struct buf *b,
			       uint64_t upto)
{
	unsigned int kinds = 0;
	uint64_t start, end;
	int i;

	for (i = atomic_load(&sh->bucket[bucket_of(b->phys)]); i;
	     i = oplog[i - 1].next) {
		const struct oprec *r = &oplog[i - 1];

		if (r->addr != b->phys ||
		    (r->worker == w->idx && r->buf == b->id))
			continue;
		start = atomic_load(&r->start);
		end = atomic_load(&r->end);
		if (!start || start >= upto || (end && end <= b->since))
			continue;
		kinds |= OPM(r->kind);
	}
	return kinds;
}

static const char *kinds_str(unsigned int kinds, char *out, size_t size)
{
	size_t len = 0;
	unsigned int k;

	out[0] = 0;
	for (k = 0; k <= OP_MAP; k++)
		if (kinds & OPM(k))
			len += (size_t)snprintf(out + len, size - len, "%s%s",
						len ? ", " : "", op_names[k]);
	if (!len)
		snprintf(out, size, "none");
	return out;
}

static void drop_buf(struct worker *w, int i)
{
	w->b[i] = w->b[--w->nb];
}

static int delete_module(void)
{
	if (syscall(SYS_delete_module, LC_MODULE, O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int finit_module(void)
{
	if (syscall(SYS_finit_module, ko_fd, "", 0) < 0)
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Default mode: one worker.                                           */

static int check_placement(struct worker *w, const char *what,
			   const struct buf *b)
{
	int node, ret;

	if (b->phys % LC_PAGEBLOCK)
		return fail(w, "%s: %#" PRIx64 " is not on a 2 MiB boundary",
			    what, b->phys);
	if ((b->flags & LAZY_CMA_ALLOC_BELOW_4G) &&
	    b->phys + b->len > FOUR_GIB)
		return fail(w, "%s: BELOW_4G buffer at %#" PRIx64 "+%" PRIu64
			    " crosses 4 GiB", what, b->phys, b->len);
	if (b->node >= 0) {
		ret = node_of_range(b->phys, b->len, &node);
		if (ret == 0 && node != b->node)
			return fail(w, "%s: buffer for node %d at %#" PRIx64
				    " lies on node %d", what, b->node,
				    b->phys, node);
	}
	return 0;
}

static const struct lazy_cma_range *find_name(const struct lazy_cma_range *r,
					      uint32_t n, const char *name)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		if (strncmp(r[k].name, name, sizeof(r[k].name)) == 0)
			return &r[k];
	return NULL;
}

/*
 * Others' operations may have freed or moved buffer @i, or this worker's
 * own operation (@self, SELF_*) may have acted on another buffer: believe
 * what @r, a LIST that ran between clock @t_list and @t_done, says of the
 * buffer's name, after checking that the operations on its address (others'
 * until the LIST returned, and @self) explain it. Returns 1 when the buffer
 * is gone (it has been dropped), 0 when it is still there, -1 on failure.
 */
static int relocate_in(struct worker *w, int i,
		       const struct lazy_cma_range *r, uint32_t n,
		       uint64_t t_list, uint64_t t_done, unsigned int self)
{
	struct buf *b = &w->b[i];
	const struct lazy_cma_range *e = find_name(r, n, b->name);
	unsigned int kinds = others_ops(w, b, t_done);
	bool moved_by_others = kinds & OPM(OP_RESIZE);
	char ks[64];

	kinds_str(kinds, ks, sizeof(ks));
	if (!e) {
		if (!(kinds & OPM_LOST) && !(self & SELF_FREED))
			return fail(w, "my buffer %s (%#" PRIx64 ") is gone "
				    "from LIST, but nothing freed it (others' "
				    "operations on its address: %s)", b->name,
				    b->phys, ks);
		note(w, "  %s is gone (others' operations on %#" PRIx64
		     ": %s)", b->name, b->phys, ks);
		drop_buf(w, i);
		w->st->relocated++;
		return 1;
	}
	if (e->phys_addr != b->phys && !moved_by_others && !(self & SELF_MOVED))
		return fail(w, "LIST shows my buffer %s at %#llx, but it was "
			    "at %#" PRIx64 " and nothing moved it (others' "
			    "operations there: %s)", b->name, e->phys_addr,
			    b->phys, ks);
	if (e->phys_addr == b->phys && !moved_by_others &&
	    (self & (SELF_FREED | SELF_ABSENT)))
		return fail(w, "my buffer %s is still at %#" PRIx64 " although "
			    "my %s there %s (others' operations there: %s)",
			    b->name, b->phys,
			    self & SELF_FREED ? "FREE" : "call",
			    self & SELF_FREED ? "succeeded" :
			    "found no buffer", ks);
	if (e->phys_addr == b->phys && e->len != b->len && !moved_by_others &&
	    !(self & SELF_MOVED) &&
	    !(e->len == LC_PAGE && (kinds & OPM(OP_SHRINK))))
		return fail(w, "LIST shows my buffer %s at %#" PRIx64 " with "
			    "%llu bytes, not %" PRIu64 ", and nothing resized "
			    "it (others' operations there: %s)", b->name,
			    b->phys, e->len, b->len, ks);
	note(w, "  %s is at %#llx, %llu bytes (others' operations on %#"
	     PRIx64 ": %s)", b->name, e->phys_addr, e->len, b->phys, ks);
	if (e->phys_addr != b->phys || e->len != b->len)
		w->st->relocated++;
	b->phys = e->phys_addr;
	b->len = e->len;
	b->since = t_list;
	return check_placement(w, "LIST", b) ? -1 : 0;
}

/* relocate_in() with a fresh LIST. */
static int relocate(struct worker *w, int i, unsigned int self)
{
	struct lazy_cma_range *r;
	uint64_t t_list = tick(), t_done;
	uint32_t n;
	int ret;

	ret = lc_list_all(w->fd, &r, &n);
	t_done = tick();
	if (ret)
		return fail(w, "LIST failed with %s", tap_errname(-ret));
	w->st->lists++;
	ret = relocate_in(w, i, r, n, t_list, t_done, self);
	free(r);
	return ret;
}

/*
 * Before an operation on buffer @i: when others' operations may have
 * freed or moved it, find it first. Returns 1 when it is gone.
 */
static int settle(struct worker *w, int i)
{
	unsigned int kinds = others_ops(w, &w->b[i], tick());

	if (!(kinds & OPM_LOST))
		return 0;
	w->st->explained++;
	return relocate(w, i, 0);
}

static int op_alloc(struct worker *w)
{
	struct lazy_cma_allocation_data a;
	struct buf *b;
	uint64_t t0;
	int ret, id = (int)w->seq++;

	memset(&a, 0, sizeof(a));
	a.len = MiB + rnd(w, 15 * MiB + 1);
	a.node = rnd(w, 2) ? -1 : w->nodes[rnd(w, (uint64_t)w->nnodes)];
	if (a.node == -1 && rnd(w, 4) == 0)
		a.flags = LAZY_CMA_ALLOC_BELOW_4G;
	snprintf(a.name, sizeof(a.name), "%s%d", w->own_prefix, id);
	t0 = tick();
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC, &a);
	note(w, "@%" PRIu64 " ALLOC %s %llu bytes node %d flags %#x: %s "
	     "%#llx", t0, a.name, a.len, a.node, a.flags, tap_errname(-ret),
	     ret ? 0ULL : a.phys_addr);
	if (ret == -ENOMEM) {
		w->st->enomem++;
		return 0;
	}
	if (ret)
		return fail(w, "ALLOC of %" PRIu64 " bytes (node %d, flags "
			    "%#x) failed with %s; only ENOMEM is documented "
			    "for valid input", (uint64_t)a.len, a.node,
			    a.flags, tap_errname(-ret));
	b = &w->b[w->nb++];
	b->phys = a.phys_addr;
	b->len = round_up_u64(a.len, LC_PAGE);
	b->flags = a.flags;
	b->node = a.node;
	b->gen = 0;
	b->id = id;
	b->since = t0;
	memcpy(b->name, a.name, sizeof(b->name));
	w->st->allocs++;
	return check_placement(w, "ALLOC", b);
}

static int op_resize(struct worker *w, int i)
{
	struct lazy_cma_resize_data r;
	struct buf *b = &w->b[i];
	uint64_t want, t0, t1;
	unsigned int kinds;
	char ks[64];
	bool shrink;
	int ret, rec;

	ret = settle(w, i);
	if (ret)
		return ret < 0 ? ret : 0;
	r.phys_addr = b->phys;
	r.len = MiB + rnd(w, 23 * MiB + 1);
	want = round_up_u64(r.len, LC_PAGE);
	shrink = want <= b->len;
	rec = op_begin(w, OP_RESIZE, b->phys, b->id);
	if (rec < 0)
		return rec;
	t0 = op_start(rec);
	ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_RESIZE, &r);
	t1 = op_end(rec);
	kinds = others_ops(w, b, t1);
	kinds_str(kinds, ks, sizeof(ks));
	note(w, "@%" PRIu64 "-%" PRIu64 " RESIZE %s %#" PRIx64 " %" PRIu64
	     " -> %" PRIu64 ": %s %#llx (others there: %s)", t0, t1, b->name,
	     b->phys, b->len, want, tap_errname(-ret),
	     ret ? 0ULL : r.phys_addr, ks);
	if (ret && ret != -ENOMEM && ret != -EBUSY && ret != -ENOENT)
		return fail(w, "RESIZE of %#" PRIx64 " to %" PRIu64 " failed "
			    "with %s, not documented for valid input",
			    b->phys, want, tap_errname(-ret));
	if (ret == 0 && r.len != want)
		return fail(w, "RESIZE of %#" PRIx64 " to %" PRIu64
			    " returned len %" PRIu64, b->phys, want,
			    (uint64_t)r.len);
	if (ret == 0)
		w->st->resizes++;
	if (kinds & OPM_LOST) {
		/* It may have acted on someone else's buffer. */
		w->st->explained++;
		ret = relocate(w, i, ret == 0 ? SELF_MOVED :
			       ret == -ENOENT ? SELF_ABSENT : 0);
		return ret < 0 ? ret : 0;
	}
	switch (ret) {
	case 0:
		if (shrink && r.phys_addr != b->phys) {
			if (!(kinds & OPM(OP_SHRINK)))
				return fail(w, "RESIZE shrinking %s at %#"
					    PRIx64 " from %" PRIu64 " to %"
					    PRIu64 " moved it to %#" PRIx64
					    " (others' operations there: %s)",
					    b->name, b->phys, b->len, want,
					    (uint64_t)r.phys_addr, ks);
			w->st->explained++;
		}
		b->phys = r.phys_addr;
		b->len = want;
		b->since = t0;
		return check_placement(w, "RESIZE", b);
	case -ENOMEM:
		if (shrink && !(kinds & OPM(OP_SHRINK)))
			return fail(w, "RESIZE shrinking %s at %#" PRIx64
				    " from %" PRIu64 " to %" PRIu64 " gave "
				    "ENOMEM (others' operations there: %s)",
				    b->name, b->phys, b->len, want, ks);
		w->st->explained += shrink;
		w->st->enomem++;
		return 0;
	case -EBUSY:
		if (!(kinds & OPM(OP_MAP)))
			return fail(w, "RESIZE of %s at %#" PRIx64 " gave EBUSY, "
				    "but no one else mapped or resized it "
				    "(others' operations there: %s)", b->name,
				    b->phys, ks);
		w->st->busy++;
		w->st->explained++;
		return 0;
	default:
		return fail(w, "RESIZE of my buffer %s at %#" PRIx64 " gave "
			    "ENOENT, but no one else freed or moved it "
			    "(others' operations there: %s)", b->name, b->phys,
			    ks);
	}
}

/*
 * FREE buffer @i; on EBUSY retry up to @retries times while others'
 * operations explain it. Returns 1 when the buffer is gone, 0 when it is
 * still there (EBUSY, or it was found elsewhere), -1 on failure.
 */
static int free_buf(struct worker *w, int i, const char *what, int retries)
{
	struct buf *b = &w->b[i];
	uint64_t phys, t0, t1;
	unsigned int kinds;
	char ks[64];
	int ret, rec, tries;

	ret = settle(w, i);
	if (ret)
		return ret;
	phys = b->phys;
	rec = op_begin(w, OP_FREE, phys, b->id);
	if (rec < 0)
		return rec;
	t0 = op_start(rec);
	for (tries = 0;; tries++) {
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &phys);
		if (ret != -EBUSY || tries >= retries ||
		    !(others_ops(w, b, tick()) & (OPM(OP_MAP) | OPM_LOST)))
			break;
		usleep(5000);
	}
	t1 = op_end(rec);
	kinds = others_ops(w, b, t1);
	kinds_str(kinds, ks, sizeof(ks));
	note(w, "@%" PRIu64 "-%" PRIu64 " %s %s %#" PRIx64 ": %s after %d "
	     "tries (others there: %s)", t0, t1, what, b->name, phys,
	     tap_errname(-ret), tries + 1, ks);
	if (ret && ret != -ENOENT && ret != -EBUSY)
		return fail(w, "%s of %#" PRIx64 " failed with %s", what, phys,
			    tap_errname(-ret));
	if (ret == 0)
		w->st->frees++;
	if (kinds & OPM_LOST) {
		w->st->explained++;
		return relocate(w, i, ret == 0 ? SELF_FREED :
				ret == -ENOENT ? SELF_ABSENT : 0);
	}
	switch (ret) {
	case 0:
		drop_buf(w, i);
		return 1;
	case -EBUSY:
		if (!(kinds & OPM(OP_MAP)))
			return fail(w, "%s of %s at %#" PRIx64 " gave EBUSY, "
				    "but no one else mapped or resized it "
				    "(others' operations there: %s)", what,
				    b->name, phys, ks);
		if (tries >= retries && retries)
			return fail(w, "%s of %s at %#" PRIx64 " still gave "
				    "EBUSY after %d tries", what, b->name,
				    phys, tries + 1);
		w->st->busy++;
		w->st->explained++;
		return 0;
	default:
		return fail(w, "%s of my buffer %s at %#" PRIx64 " gave ENOENT, "
			    "but no one else freed or moved it (others' "
			    "operations there: %s)", what, b->name, phys, ks);
	}
}

static int op_free(struct worker *w, int i)
{
	return free_buf(w, i, "FREE", 0) < 0 ? -1 : 0;
}

static int op_map(struct worker *w, int i)
{
	struct buf *b = &w->b[i];
	volatile uint64_t *p;
	uint64_t tag = rnd(w, 0), t0, t1, got = tag;
	unsigned int kinds;
	int ret, rec, err = 0;
	char ks[64];

	ret = settle(w, i);
	if (ret)
		return ret < 0 ? ret : 0;
	rec = op_begin(w, OP_MAP, b->phys, b->id);
	if (rec < 0)
		return rec;
	t0 = op_start(rec);
	p = mmap(NULL, LC_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd,
		 (off_t)b->phys);
	if (p == MAP_FAILED) {
		err = errno;
	} else {
		p[1] = tag;
		usleep((useconds_t)rnd(w, 2000));
		got = p[1];
		munmap((void *)p, LC_PAGE);
	}
	t1 = op_end(rec);
	kinds = others_ops(w, b, t1);
	kinds_str(kinds, ks, sizeof(ks));
	note(w, "@%" PRIu64 "-%" PRIu64 " mmap %s %#" PRIx64 ": %s%s (others "
	     "there: %s)", t0, t1, b->name, b->phys, tap_errname(err),
	     got != tag ? ", word changed" : "", ks);
	if (err && err != EINVAL && err != EBUSY)
		return fail(w, "mmap of one page of %#" PRIx64 " failed with "
			    "%s", b->phys, tap_errname(err));
	if (!err)
		w->st->maps++;
	if (kinds & OPM_LOST) {
		w->st->explained++;
		ret = relocate(w, i, err == EINVAL ? SELF_ABSENT : 0);
		return ret < 0 ? ret : 0;
	}
	if (err)
		return fail(w, "mmap of one page of my buffer %s at %#" PRIx64
			    " failed with %s, but no one else freed, moved "
			    "or resized it (others' operations there: %s)",
			    b->name, b->phys, tap_errname(err), ks);
	if (got != tag) {
		if (!(kinds & OPM(OP_MAP)))
			return fail(w, "a word written through the mapping of "
				    "%#" PRIx64 " read back differently, and "
				    "no one else mapped it", b->phys);
		w->st->explained++;
	}
	return 0;
}

/* Invariants of a whole LIST, and this worker's buffers in it. */
static int op_list(struct worker *w)
{
	const struct lazy_cma_range *e;
	struct lazy_cma_range *r;
	uint64_t t0, t1;
	unsigned int kinds;
	uint32_t n, k;
	char ks[64];
	struct buf *b;
	int i, ret;

	t0 = tick();
	ret = lc_list_all(w->fd, &r, &n);
	t1 = tick();
	if (ret)
		return fail(w, "LIST failed with %s", tap_errname(-ret));
	note(w, "@%" PRIu64 "-%" PRIu64 " LIST: %u buffers", t0, t1, n);
	w->st->lists++;
	for (k = 0; k < n; k++) {
		e = &r[k];
		if (k > 0 && r[k - 1].phys_addr + r[k - 1].len > e->phys_addr)
			ret = fail(w, "LIST entries %u and %u overlap or are "
				   "out of order (%#llx+%llu, %#llx)", k - 1, k,
				   r[k - 1].phys_addr, r[k - 1].len,
				   e->phys_addr);
		else if (e->phys_addr % LC_PAGEBLOCK || e->len == 0 ||
			 e->len % LC_PAGE)
			ret = fail(w, "LIST entry %#llx+%llu is misaligned",
				   e->phys_addr, e->len);
		else if (e->reserved || !memchr(e->name, 0, sizeof(e->name)))
			ret = fail(w, "LIST entry %#llx: reserved %u or name "
				   "not NUL-terminated", e->phys_addr,
				   e->reserved);
		if (ret)
			goto out;
	}
	/* Backwards: relocate_in() may drop the entry. */
	for (i = w->nb - 1; i >= 0; i--) {
		b = &w->b[i];
		e = lc_find(r, n, b->phys);
		if (e && e->len == b->len &&
		    strncmp(e->name, b->name, sizeof(e->name)) == 0) {
			b->since = t0;
			continue;
		}
		kinds = others_ops(w, b, t1);
		kinds_str(kinds, ks, sizeof(ks));
		note(w, "@%" PRIu64 "-%" PRIu64 " LIST: my %s %#" PRIx64 " %"
		     PRIu64 " bytes is %s %llu bytes (others there: %s)", t0,
		     t1, b->name, b->phys, b->len, e ? e->name : "missing",
		     e ? e->len : 0ULL, ks);
		if (kinds & OPM_LOST) {
			w->st->explained++;
			ret = relocate_in(w, i, r, n, t0, t1, 0);
			if (ret < 0)
				goto out;
			ret = 0;
			continue;
		}
		if (e && e->len == LC_PAGE && (kinds & OPM(OP_SHRINK)) &&
		    strncmp(e->name, b->name, sizeof(e->name)) == 0) {
			w->st->explained++;
			b->len = LC_PAGE;
			b->since = t0;
			continue;
		}
		ret = fail(w, "LIST shows my buffer %s at %#" PRIx64 " (%"
			   PRIu64 " bytes) as %s%s%s (%llu bytes), and no one "
			   "else's operation there explains it (others': %s)",
			   b->name, b->phys, b->len, e ? "'" : "missing",
			   e ? e->name : "", e ? "'" : "", e ? e->len : 0ULL,
			   ks);
		goto out;
	}
out:
	free(r);
	return ret;
}

/* Attack another worker's buffer: FREE it or RESIZE it to one page. */
static int op_attack(struct worker *w)
{
	struct lazy_cma_resize_data rs;
	struct lazy_cma_range *r;
	char name[LAZY_CMA_NAME_MAX] = "";
	uint64_t phys = 0, t0, t1;
	uint32_t n, k, cand = 0, pick;
	bool do_free;
	int ret, rec;

	ret = lc_list_all(w->fd, &r, &n);
	if (ret)
		return fail(w, "LIST failed with %s", tap_errname(-ret));
	for (k = 0; k < n; k++)
		if (!strncmp(r[k].name, w->run_prefix, strlen(w->run_prefix)) &&
		    strncmp(r[k].name, w->own_prefix, strlen(w->own_prefix)))
			cand++;
	if (cand) {
		pick = (uint32_t)rnd(w, cand);
		for (k = 0; k < n; k++)
			if (!strncmp(r[k].name, w->run_prefix,
				     strlen(w->run_prefix)) &&
			    strncmp(r[k].name, w->own_prefix,
				    strlen(w->own_prefix)) && pick-- == 0) {
				phys = r[k].phys_addr;
				memcpy(name, r[k].name, sizeof(name));
			}
	}
	free(r);
	if (!cand)
		return 0;
	w->st->attacks++;
	do_free = rnd(w, 2);
	rec = op_begin(w, do_free ? OP_FREE : OP_SHRINK, phys, -1);
	if (rec < 0)
		return rec;
	t0 = op_start(rec);
	if (do_free) {
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &phys);
	} else {
		rs.phys_addr = phys;
		rs.len = LC_PAGE;
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_RESIZE, &rs);
	}
	t1 = op_end(rec);
	note(w, "@%" PRIu64 "-%" PRIu64 " attack: %s %#" PRIx64 " (listed as "
	     "%s): %s", t0, t1, do_free ? "FREE" : "RESIZE to one page",
	     phys, name, tap_errname(-ret));
	if (ret == 0)
		w->st->attacks_done++;
	else if (ret != -ENOENT && ret != -EBUSY)
		return fail(w, "%s of another worker's buffer %#" PRIx64
			    " failed with %s; expected success, ENOENT or EBUSY",
			    do_free ? "FREE" : "RESIZE to one page", phys,
			    tap_errname(-ret));
	return 0;
}

static int free_all(struct worker *w)
{
	int rounds, ret;

	while (w->nb) {
		for (rounds = 0;; rounds++) {
			if (rounds == FREE_ROUNDS)
				return fail(w, "final FREE of my buffer %s "
					    "(now at %#" PRIx64 "): it was "
					    "elsewhere or busy %d times",
					    w->b[w->nb - 1].name,
					    w->b[w->nb - 1].phys, rounds);
			ret = free_buf(w, w->nb - 1, "final FREE",
				       FREE_RETRIES);
			if (ret < 0)
				return ret;
			if (ret)
				break;
		}
	}
	return 0;
}

static int stress_worker(struct worker *w)
{
	int it, r, i, ret = 0;

	for (it = 0; it < w->o->iterations && ret == 0; it++) {
		w->st->iterations++;
		r = (int)rnd(w, 100);
		i = w->nb ? (int)rnd(w, (uint64_t)w->nb) : 0;
		if (w->nb == 0 || (r < 30 && w->nb < MAX_BUFS))
			ret = op_alloc(w);
		else if (r < 50)
			ret = op_resize(w, i);
		else if (r < 62)
			ret = op_list(w);
		else if (r < 74)
			ret = op_map(w, i);
		else if (r < 88)
			ret = op_free(w, i);
		else if (w->o->steal)
			ret = op_attack(w);
		else
			ret = op_list(w);
	}
	if (ret == 0)
		ret = op_list(w);
	if (free_all(w))
		ret = -1;
	if (ret)
		print_history(w);
	return ret;
}


/* ------------------------------------------------------------------ */
/* Unload-race mode: one worker.                                       */

static int unload_worker(struct worker *w)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_list l;
	long g, loops;
	int i, fd, ret, tries;

	for (loops = 0; !atomic_load(&w->sh->stop) && loops < 1000000;
	     loops++) {
		w->st->iterations++;
		fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV &&
			    errno != ENXIO)
				return fail(w, "open of %s failed with %s; "
					    "expected ENOENT, ENODEV or ENXIO "
					    "while the module is out",
					    LC_DEVICE, tap_errname(errno));
			w->st->refused++;
			if (errno == ENOENT)
				w->st->refused_enoent++;
			else if (errno == ENODEV)
				w->st->refused_enodev++;
			else
				w->st->refused_enxio++;
			usleep(200 + (useconds_t)rnd(w, 500));
			continue;
		}
		w->st->opens++;
		if (atomic_load(&w->sh->quiet)) {
			/* Let the parent's unload win now and then. */
			close(fd);
			usleep(200 + (useconds_t)rnd(w, 500));
			continue;
		}
		g = atomic_load(&w->sh->gen);
		memset(&l, 0, sizeof(l));
		l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_LIST, &l);
		if (ret) {
			close(fd);
			return fail(w, "LIST on a freshly opened fd failed "
				    "with %s", tap_errname(-ret));
		}
		w->st->lists++;
		switch (rnd(w, 4)) {
		case 0:
			if (w->nb == MAX_BUFS)
				break;
			memset(&a, 0, sizeof(a));
			a.len = 2 * MiB;
			a.node = -1;
			snprintf(a.name, sizeof(a.name), "%s%u", w->own_prefix,
				 w->seq++);
			ret = lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC, &a);
			if (ret == -ENOMEM) {
				w->st->enomem++;
				break;
			}
			if (ret) {
				close(fd);
				return fail(w, "ALLOC 2 MiB failed with %s",
					    tap_errname(-ret));
			}
			w->b[w->nb].phys = a.phys_addr;
			w->b[w->nb].gen = g;
			w->nb++;
			w->st->allocs++;
			break;
		case 1:
			if (!w->nb)
				break;
			i = (int)rnd(w, (uint64_t)w->nb);
			if (w->b[i].gen != g) {
				/* Freed by an unload since. */
				drop_buf(w, i);
				break;
			}
			ret = lc_ioctl(fd, LAZY_CMA_IOCTL_FREE, &w->b[i].phys);
			if (ret) {
				close(fd);
				return fail(w, "FREE of %#" PRIx64 ", allocated "
					    "by this module instance, failed "
					    "with %s", w->b[i].phys,
					    tap_errname(-ret));
			}
			drop_buf(w, i);
			w->st->frees++;
			break;
		default:
			break;
		}
		/* Hold the fd while the parent tries to unload. */
		usleep((useconds_t)rnd(w, 3000));
		memset(&l, 0, sizeof(l));
		l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_LIST, &l);
		close(fd);
		if (ret)
			return fail(w, "LIST on an fd held open across unload "
				    "attempts failed with %s",
				    tap_errname(-ret));
		usleep((useconds_t)rnd(w, 6000));
	}
	/* The parent has re-inserted the module before setting stop. */
	for (tries = 0; tries < 500; tries++) {
		fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || (errno != ENOENT && errno != ENODEV))
			break;
		usleep(10000);
	}
	if (fd < 0)
		return fail(w, "open of %s after the race failed with %s",
			    LC_DEVICE, tap_errname(errno));
	g = atomic_load(&w->sh->gen);
	for (i = 0; i < w->nb; i++) {
		if (w->b[i].gen != g)
			continue;
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_FREE, &w->b[i].phys);
		if (ret) {
			close(fd);
			return fail(w, "final FREE of %#" PRIx64 " failed with "
				    "%s", w->b[i].phys, tap_errname(-ret));
		}
	}
	w->nb = 0;
	close(fd);
	return 0;
}

/* --window-race: ALLOC and FREE 2 MiB, rounds times, as fast as it can. */
static int window_worker(struct worker *w)
{
	struct lazy_cma_allocation_data a;
	int r, ret;

	for (r = 0; r < w->o->rounds && !atomic_load(&w->sh->stop); r++) {
		w->st->iterations++;
		memset(&a, 0, sizeof(a));
		a.len = 2 * MiB;
		a.node = -1;
		snprintf(a.name, sizeof(a.name), "%s%u", w->own_prefix,
			 w->seq++);
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_ALLOC, &a);
		if (ret == -ENOMEM) {
			w->st->enomem++;
			continue;
		}
		if (ret)
			return fail(w, "ALLOC 2 MiB failed with %s",
				    tap_errname(-ret));
		w->st->allocs++;
		ret = lc_ioctl(w->fd, LAZY_CMA_IOCTL_FREE, &a.phys_addr);
		if (ret)
			return fail(w, "FREE of its own %#" PRIx64 " failed "
				    "with %s", (uint64_t)a.phys_addr,
				    tap_errname(-ret));
		w->st->frees++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parent                                                              */

static void on_alarm(int sig)
{
	static const char msg[] = "not ok - stress_test: timed out (a call "
				  "hangs or a worker deadlocked)\n";
	ssize_t ignored;
	int i;

	(void)sig;
	for (i = 0; i < nchildren; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
	if (module_out && ko_fd >= 0)
		syscall(SYS_finit_module, ko_fd, "", 0);
	ignored = write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	(void)ignored;
	_exit(1);
}

static void worker_init(struct worker *w, const struct opts *o, int idx,
			const char *kind)
{
	memset(w, 0, sizeof(*w));
	w->idx = idx;
	w->o = o;
	w->sh = sh;
	w->st = &sh->w[idx];
	w->rng = o->seed ^ ((uint64_t)(idx + 1) * 0xd1b54a32d192ed03ULL);
	snprintf(w->run_prefix, sizeof(w->run_prefix), "%s-%ld-", kind,
		 (long)getppid());
	snprintf(w->own_prefix, sizeof(w->own_prefix), "%.39sw%d-",
		 w->run_prefix, idx % MAX_WORKERS);
	if (nodes_with_memory(w->nodes, 64, &w->nnodes) || w->nnodes == 0) {
		w->nodes[0] = 0;
		w->nnodes = 1;
	}
}

static int spawn(const struct opts *o, const char *kind,
		 int (*fn)(struct worker *))
{
	struct worker w;
	pid_t pid;
	int i, ret;

	for (i = 0; i < o->workers; i++) {
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			tap_not_ok("fork of worker %d failed: %m", i);
			return -1;
		}
		if (pid == 0) {
			alarm(o->timeout);
			signal(SIGALRM, SIG_DFL);
			worker_init(&w, o, i, kind);
			if (strcmp(kind, "stress") == 0 ||
			    strcmp(kind, "window") == 0) {
				w.fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
				if (w.fd < 0) {
					fail(&w, "open of %s failed: %s",
					     LC_DEVICE, tap_errname(errno));
					_exit(1);
				}
			}
			ret = fn(&w);
			_exit(ret ? 1 : 0);
		}
		children[nchildren++] = pid;
	}
	return 0;
}

/* Waits for every worker; one result each. */
static void reap(const char *what)
{
	struct wstat *s;
	int i, status;

	for (i = 0; i < nchildren; i++) {
		if (waitpid(children[i], &status, 0) < 0) {
			tap_not_ok("%s worker %d: waitpid failed: %m", what, i);
			continue;
		}
		children[i] = 0;
		s = &sh->w[i];
		tap_diag("%s worker %d: %ld iterations, %ld opens (%ld refused: "
			 "%ld ENOENT, %ld ENODEV, %ld ENXIO), %ld allocs (%ld "
			 "ENOMEM), %ld resizes, %ld frees, %ld lists, %ld maps, "
			 "%ld EBUSY, %ld attacks (%ld took effect), %ld "
			 "surprises explained by others' operations on the "
			 "same address (%ld buffers found gone or moved)",
			 what, i, s->iterations, s->opens, s->refused,
			 s->refused_enoent, s->refused_enodev,
			 s->refused_enxio, s->allocs,
			 s->enomem, s->resizes, s->frees, s->lists, s->maps,
			 s->busy, s->attacks, s->attacks_done, s->explained,
			 s->relocated);
		if (WIFSIGNALED(status))
			tap_not_ok("%s worker %d: killed by signal %d%s", what,
				   i, WTERMSIG(status),
				   WTERMSIG(status) == SIGALRM ?
				   " (timed out: deadlock?)" : "");
		else if (s->failed)
			tap_not_ok("%s worker %d: %s", what, i, s->err);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			tap_ok("%s worker %d: every result documented, every "
			       "surprise explained", what, i);
		else
			tap_not_ok("%s worker %d: exited with status %d", what,
				   i, WEXITSTATUS(status));
	}
	nchildren = 0;
}

/* No buffer named @prefix* in LIST or /proc/iomem; frees leftovers. */
static void check_nothing_left(int fd, const char *prefix)
{
	struct lazy_cma_range *r;
	uint32_t n, k, left = 0;
	uint64_t phys;
	size_t in_iomem = 0;
	int ret;

	ret = lc_list_all(fd, &r, &n);
	if (ret) {
		tap_not_ok("LIST shows no buffer named %s*: LIST failed: %s",
			   prefix, tap_errname(-ret));
	} else {
		for (k = 0; k < n; k++) {
			if (strncmp(r[k].name, prefix, strlen(prefix)))
				continue;
			left++;
			tap_diag("left: '%s' at %#llx (%llu bytes, flags %#x)",
				 r[k].name, r[k].phys_addr, r[k].len,
				 r[k].flags);
			phys = r[k].phys_addr;
			ret = lc_ioctl(fd, LAZY_CMA_IOCTL_FREE, &phys);
			if (ret)
				tap_diag("freeing it failed: %s",
					 tap_errname(-ret));
		}
		free(r);
		tap_check(left == 0, "LIST shows no buffer of the run left",
			  "%u buffer(s) named %s* were left (freed now)", left,
			  prefix);
	}
	ret = iomem_count_prefix(prefix, &in_iomem);
	if (ret)
		tap_not_ok("/proc/iomem shows no buffer of the run left: "
			   "reading it failed: %s", tap_errname(-ret));
	else
		tap_check(in_iomem == 0, "/proc/iomem shows no buffer of the "
			  "run left", "%zu entries named %s*", in_iomem,
			  prefix);
}

static void check_memory(uint64_t base)
{
	uint64_t now = 0, slack;
	int ret;

	ret = free_bytes(&now);
	if (ret) {
		tap_not_ok("nr_free_pages is back near its baseline: reading "
			   "it failed: %s", tap_errname(-ret));
		return;
	}
	slack = LEAK_SLACK_FIXED + base * LEAK_SLACK_PERCENT / 100;
	tap_diag("nr_free_pages: %" PRIu64 " KiB before, %" PRIu64 " KiB "
		 "after, tolerance %" PRIu64 " KiB", base / KiB, now / KiB,
		 slack / KiB);
	tap_check(now + slack >= base, "nr_free_pages is back near its "
		  "baseline", "%" PRIu64 " KiB fewer free pages than before",
		  (base - now) / KiB);
}

static int run_stress(const struct opts *o)
{
	char prefix[40];
	uint64_t base = 0, max;
	int fd, ret;

	/* At most one record per iteration, FREE_ROUNDS per final FREE. */
	max = (uint64_t)o->workers * ((uint64_t)o->iterations +
				      MAX_BUFS * FREE_ROUNDS) + 64;
	sh->maxrecs = (int)(max < OPLOG_MAX ? max : OPLOG_MAX);
	oplog = mmap(NULL, (size_t)sh->maxrecs * sizeof(*oplog),
		     PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (oplog == MAP_FAILED) {
		tap_not_ok("stress: shared memory for the log of %d operations: "
			   "%m", sh->maxrecs);
		return -1;
	}

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			tap_not_ok("%s missing", LC_DEVICE);
		else
			tap_not_ok("cannot open %s: %s", LC_DEVICE,
				   tap_errname(errno));
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "stress-%ld-", (long)getpid());
	ret = free_bytes(&base);
	if (ret)
		tap_diag("reading nr_free_pages failed: %s", tap_errname(-ret));
	tap_diag("stress: %d workers x %d iterations, seed %#" PRIx64
		 ", attacks %s, names %s*", o->workers, o->iterations,
		 o->seed, o->steal ? "on" : "off", prefix);
	spawn(o, "stress", stress_worker);
	reap("stress");
	check_nothing_left(fd, prefix);
	close(fd);
	if (!ret)
		check_memory(base);
	return 0;
}

static int run_window_race(const struct opts *o)
{
	char prefix[40];
	uint64_t base = 0;
	int fd, ret;

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tap_not_ok("cannot open %s: %s", LC_DEVICE, tap_errname(errno));
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "window-%ld-", (long)getpid());
	ret = free_bytes(&base);
	if (ret)
		tap_diag("reading nr_free_pages failed: %s", tap_errname(-ret));
	tap_diag("window race: %d workers x %d rounds of ALLOC 2 MiB + FREE, "
		 "names %s*", o->workers, o->rounds, prefix);
	spawn(o, "window", window_worker);
	reap("window-race");
	check_nothing_left(fd, prefix);
	close(fd);
	if (!ret)
		check_memory(base);
	return 0;
}

/* Ensures the module is in; a result only when that fails. */
static bool ensure_loaded(void)
{
	int ret;

	if (module_loaded(LC_MODULE)) {
		module_out = 0;
		return true;
	}
	ret = finit_module();
	if (ret && ret != -EEXIST) {
		tap_not_ok("re-inserting the module failed: finit_module: %s",
			   tap_errname(-ret));
		return false;
	}
	module_out = 0;
	return true;
}

static void unload_pinned_cases(void)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_list l;
	void *p;
	int fd, ret;

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tap_not_ok("delete_module with %s open gives EAGAIN: setup: "
			   "open failed: %s", LC_DEVICE, tap_errname(errno));
		return;
	}
	ret = delete_module();
	if (ret == 0)
		module_out = 1;
	tap_errno("delete_module with /dev/lazy_cma open gives EAGAIN", ret,
		  EAGAIN);
	if (ret == 0) {
		/* Touching the fd now could crash the kernel: put it back. */
		close(fd);
		ensure_loaded();
		return;
	}
	memset(&l, 0, sizeof(l));
	l.entry_size = LAZY_CMA_RANGE_SIZE_V1;
	tap_success("LIST on the fd that blocked the unload works",
		    lc_ioctl(fd, LAZY_CMA_IOCTL_LIST, &l));

	memset(&a, 0, sizeof(a));
	a.len = 2 * MiB;
	a.node = -1;
	snprintf(a.name, sizeof(a.name), "unload-%ld-map", (long)getpid());
	ret = lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC, &a);
	if (ret) {
		tap_not_ok("a mapping that outlives close() blocks "
			   "delete_module: setup: ALLOC failed: %s",
			   tap_errname(-ret));
		close(fd);
		return;
	}
	p = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)a.phys_addr);
	close(fd);
	if (p == MAP_FAILED) {
		tap_not_ok("a mapping that outlives close() blocks "
			   "delete_module: setup: mmap failed: %m");
	} else {
		ret = delete_module();
		if (ret == 0)
			module_out = 1;
		tap_errno("a mapping that outlives close() blocks delete_module "
			  "(EAGAIN)", ret, EAGAIN);
		munmap(p, 2 * MiB);
		if (ret == 0) {
			ensure_loaded();
			return;
		}
	}
	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_FREE, &a.phys_addr);
		if (ret)
			tap_diag("freeing the mapped buffer %#llx failed: %s",
				 a.phys_addr, tap_errname(-ret));
		close(fd);
	}
}

/*
 * The parent's unload/re-insert loop while the workers run. Odd rounds try
 * once while the workers hold fds and run ioctls (EAGAIN expected, the fds
 * must keep working); even rounds switch the workers to bare open/close
 * probes and retry, so that unloads and re-inserts happen while open()
 * hammers the device.
 */
static void unload_rounds(const struct opts *o)
{
	struct worker w;
	int r, tries, ret, bad_delete = 0, bad_insert = 0;
	long unloads = 0, eagain = 0, ebusy = 0;
	char why[200] = "";

	worker_init(&w, o, 0, "rounds");
	for (r = 0; r < o->rounds && !bad_insert; r++) {
		atomic_store(&sh->quiet, r % 2 == 0);
		usleep((useconds_t)rnd(&w, 20000));
		for (tries = 0; tries < (r % 2 ? 1 : 200); tries++) {
			ret = delete_module();
			if (ret == -EAGAIN)
				eagain++;
			else if (ret == -EBUSY)
				ebusy++;
			else
				break;
			usleep(1000);
		}
		atomic_store(&sh->quiet, 0);
		if (ret == -EAGAIN || ret == -EBUSY)
			continue;
		if (ret) {
			if (!bad_delete++)
				snprintf(why, sizeof(why), "round %d: %s", r,
					 tap_errname(-ret));
			continue;
		}
		module_out = 1;
		unloads++;
		atomic_fetch_add(&sh->gen, 1);
		if (module_loaded(LC_MODULE) && !bad_delete++)
			snprintf(why, sizeof(why), "round %d: delete_module "
				 "returned 0 but /sys/module/%s is still there",
				 r, LC_MODULE);
		usleep((useconds_t)rnd(&w, 20000));
		ret = finit_module();
		if (ret && ret != -EEXIST) {
			bad_insert++;
			tap_not_ok("finit_module after unload %ld failed: %s",
				   unloads, tap_errname(-ret));
			break;
		}
		module_out = 0;
	}
	tap_diag("unload race: %d rounds, %ld unloads, %ld EAGAIN, %ld EBUSY",
		 r, unloads, eagain, ebusy);
	tap_check(bad_delete == 0, "delete_module during the race gives only "
		  "0, EAGAIN or EBUSY", "%d bad result(s), first: %s",
		  bad_delete, why);
	if (!bad_insert)
		tap_ok("finit_module after every unload works");
}

/* Nothing open: the unload must succeed and free every buffer. */
static void unload_final_cases(const char *prefix)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_range *r;
	size_t in_iomem = 0;
	uint32_t n, left;
	int fd, i, ret;

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tap_not_ok("delete_module with nothing open unloads the module: "
			   "setup: open failed: %s", tap_errname(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		memset(&a, 0, sizeof(a));
		a.len = 4 * MiB;
		a.node = -1;
		snprintf(a.name, sizeof(a.name), "%sfinal-%d", prefix, i);
		ret = lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC, &a);
		if (ret)
			tap_diag("ALLOC of %s failed: %s (the unload is "
				 "checked anyway)", a.name, tap_errname(-ret));
	}
	close(fd);
	ret = delete_module();
	if (ret == 0)
		module_out = 1;
	tap_success("delete_module with nothing open unloads the module", ret);
	if (ret == 0) {
		tap_check(!module_loaded(LC_MODULE), "/sys/module/lazy_cma is "
			  "gone after the unload", "it is still there");
		ret = iomem_count_prefix(prefix, &in_iomem);
		tap_check(ret == 0 && in_iomem == 0, "unloading removed every "
			  "buffer of the run from /proc/iomem", "%zu left "
			  "(read: %s)", in_iomem, tap_errname(-ret));
		ret = finit_module();
		tap_check(ret == 0, "finit_module re-inserts the module",
			  "failed: %s", tap_errname(-ret));
		if (ret == 0)
			module_out = 0;
	}
	if (!ensure_loaded())
		return;
	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tap_not_ok("LIST after the reload shows no buffer of the run: "
			   "open failed: %s", tap_errname(errno));
		return;
	}
	ret = lc_list_all(fd, &r, &n);
	if (ret) {
		tap_not_ok("LIST after the reload shows no buffer of the run: "
			   "LIST failed: %s", tap_errname(-ret));
	} else {
		left = lc_count_prefix(r, n, prefix);
		free(r);
		tap_check(left == 0, "LIST after the reload shows no buffer of "
			  "the run", "%u left", left);
	}
	close(fd);
}

static int run_unload_race(const struct opts *o)
{
	char prefix[40];
	uint64_t base = 0;
	int ret;

	ko_fd = open(o->ko, O_RDONLY | O_CLOEXEC);
	if (ko_fd < 0) {
		tap_not_ok("unload race: cannot open the module file %s: %m",
			   o->ko);
		return -1;
	}
	if (!ensure_loaded())
		return -1;
	snprintf(prefix, sizeof(prefix), "unload-%ld-", (long)getpid());
	ret = free_bytes(&base);
	if (ret)
		tap_diag("reading nr_free_pages failed: %s", tap_errname(-ret));
	tap_diag("unload race: %d workers, %d rounds, seed %#" PRIx64
		 ", module file %s, names %s*", o->workers, o->rounds,
		 o->seed, o->ko, prefix);

	unload_pinned_cases();
	if (!ensure_loaded())
		return -1;
	if (spawn(o, "unload", unload_worker) == 0)
		unload_rounds(o);
	ensure_loaded();
	atomic_store(&sh->stop, 1);
	reap("unload-race");
	unload_final_cases(prefix);
	if (!ret)
		check_memory(base);
	return 0;
}

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"Usage: %s [OPTIONS]\n"
		"       %s --unload-race MODULE.ko [OPTIONS]\n"
		"       %s --window-race [OPTIONS]\n"
		"Concurrency stress of %s (as root, module loaded).\n"
		"  -n, --workers N        worker processes (default %d, max %d)\n"
		"  -m, --iterations M     operations per worker (default %d)\n"
		"  -r, --rounds R         unload attempts, window-race rounds\n"
		"                         (default %d)\n"
		"  -s, --seed S           random seed (default: time and pid)\n"
		"  -t, --timeout SECONDS  fail after this long (default %d)\n"
		"      --no-attack        workers leave each other's buffers alone\n"
		"      --unload-race KO   race open/ioctl against unload and\n"
		"                         finit_module(KO)\n"
		"      --window-race      N workers ALLOC and FREE 2 MiB, R rounds\n"
		"                         each, all at once (the same windows)\n"
		"TAP on stdout; exit 0 iff all passed.\n",
		argv0, argv0, argv0, LC_DEVICE, DEFAULT_WORKERS, MAX_WORKERS,
		DEFAULT_ITERATIONS, DEFAULT_ROUNDS, DEFAULT_TIMEOUT);
}

static int parse_num(const char *argv0, const char *opt, const char *s,
		     unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v == 0 || v > max) {
		fprintf(stderr, "%s: invalid %s '%s': give a number from 1 to "
			"%llu\n", argv0, opt, s, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workers", required_argument, NULL, 'n' },
		{ "iterations", required_argument, NULL, 'm' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-attack", no_argument, NULL, 'A' },
		{ "unload-race", required_argument, NULL, 'U' },
		{ "window-race", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.workers = DEFAULT_WORKERS,
		.iterations = DEFAULT_ITERATIONS,
		.rounds = DEFAULT_ROUNDS,
		.timeout = DEFAULT_TIMEOUT,
		.steal = true,
	};
	unsigned long long v;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt_long(argc, argv, "n:m:r:s:t:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (parse_num(argv[0], "--workers", optarg,
				      MAX_WORKERS, &v))
				return 1;
			o.workers = (int)v;
			break;
		case 'm':
			if (parse_num(argv[0], "--iterations", optarg, 1000000,
				      &v))
				return 1;
			o.iterations = (int)v;
			break;
		case 'r':
			if (parse_num(argv[0], "--rounds", optarg, 1000000, &v))
				return 1;
			o.rounds = (int)v;
			break;
		case 's':
			if (parse_num(argv[0], "--seed", optarg, UINT64_MAX,
				      &v))
				return 1;
			o.seed = v;
			break;
		case 't':
			if (parse_num(argv[0], "--timeout", optarg, 86400, &v))
				return 1;
			o.timeout = (unsigned int)v;
			break;
		case 'A':
			o.steal = false;
			break;
		case 'U':
			o.ko = optarg;
			break;
		case 'W':
			o.window = true;
			break;
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

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		tap_not_ok("stress_test: shared memory for the workers: %m");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	alarm(o.timeout);
	if (o.ko)
		run_unload_race(&o);
	else if (o.window)
		run_window_race(&o);
	else
		run_stress(&o);
	alarm(0);
	return tap_exit_status();
}
