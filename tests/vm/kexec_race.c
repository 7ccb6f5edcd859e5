// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_race - a bound buffer's range never changes under a kexec load.
 *
 *   kexec_race [-f] [-n ITERATIONS] KERNEL INITRD
 *
 * kexec_file_load(KEXEC_FILE_ON_CRASH) copies the crash kernel into the
 * crash region for a second or more (under TCG) before
 * kexec_kexec_crash_loaded_read() turns true. The module holds the kernel's kexec lock
 * while it binds, unbinds or changes a bound buffer's range, so that none of
 * this can happen while a load is in flight: an operation that overlaps a
 * load fails with EBUSY (or the load does).
 *
 * With -f (the module was loaded just before): CRASH_BIND before
 * KEXEC_LOCK gives ENOLCK. Then a 192 MiB buffer below 4 GiB is bound and,
 * ITERATIONS times (default 9), a child process loads KERNEL and INITRD
 * into it while this process, after a delay spread over the length of a
 * load, shrinks it, grows it or unbinds it. Every operation whose whole
 * call lies inside the load's call (50 ms margins) must have failed with
 * EBUSY; one that succeeded there means both held the region at once. At
 * least one operation must have landed inside a load, or the race was not
 * exercised. After every round the loaded image is unloaded and the buffer
 * restored. At the end it is unbound, and a mapping of it reads as zeros
 * although the buffer was mapped and written before the bind (what the
 * crash kernel's images held must not stay readable), then freed.
 *
 * TAP on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#define REGION		(192 * MiB)
#define MARGIN_NS	(50 * 1000000LL)
#define CMDLINE		"console=ttyS0 panic=-1 nr_cpus=1"

enum op { OP_SHRINK, OP_GROW, OP_UNBIND, NR_OPS };
static const char *const op_names[NR_OPS] = { "shrink", "grow", "unbind" };

/* Written by the loading child, read by the parent. */
struct shared {
	long long load_start, load_end;
	int load_ret;
};

static const char *kernel_path, *initrd_path;
static uint64_t crashk_res, kexec_lock;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int crash_load(void)
{
	return kexec_crash_file_load(kernel_path, initrd_path, CMDLINE);
}

static int crash_unload(void)
{
	return kexec_crash_file_load(NULL, NULL, NULL);
}

static int bind(int fd, uint64_t phys)
{
	struct lazy_cma_crash_bind b;

	memset(&b, 0, sizeof(b));
	b.phys_addr = phys;
	b.res_addr = crashk_res;
	return lc_ioctl(fd, LAZY_CMA_IOCTL_CRASH_BIND, &b);
}

static int unbind(int fd, uint64_t phys)
{
	struct lazy_cma_crash_unbind u;

	memset(&u, 0, sizeof(u));
	u.phys_addr = phys;
	return lc_ioctl(fd, LAZY_CMA_IOCTL_CRASH_UNBIND, &u);
}

static int resize(int fd, uint64_t *phys, uint64_t len)
{
	struct lazy_cma_resize_data r = { .phys_addr = *phys, .len = len };
	int ret = lc_ioctl(fd, LAZY_CMA_IOCTL_RESIZE, &r);

	if (!ret)
		*phys = r.phys_addr;
	return ret;
}

static int do_op(int fd, enum op op, uint64_t *phys)
{
	switch (op) {
	case OP_SHRINK:
		return resize(fd, phys, REGION - 64 * MiB);
	case OP_GROW:
		return resize(fd, phys, REGION + 64 * MiB);
	default:
		return unbind(fd, *phys);
	}
}

/* Back to REGION bytes, bound, nothing loaded. */
static bool restore(int fd, uint64_t *phys)
{
	struct lazy_cma_range *r;
	const struct lazy_cma_range *me;
	uint32_t n;
	int ret;

	if (kexec_crash_loaded_read() == 1 && (ret = crash_unload())) {
		tap_diag("unload failed: %s", tap_errname(-ret));
		return false;
	}
	if (lc_list_all(fd, &r, &n))
		return false;
	me = lc_find(r, n, *phys);
	if (!me) {
		free(r);
		tap_diag("the buffer at %#" PRIx64 " is gone", *phys);
		return false;
	}
	ret = 0;
	if (me->len != REGION)
		ret = resize(fd, phys, REGION);
	if (!ret && !(me->flags & LAZY_CMA_RANGE_CRASH))
		ret = bind(fd, *phys);
	free(r);
	if (ret)
		tap_diag("restoring the buffer failed: %s", tap_errname(-ret));
	return !ret;
}

/* Map @len bytes of the buffer at @phys; write @fill, or check all zero. */
static int map_check(int fd, uint64_t phys, uint64_t len, int fill,
		     uint64_t *nonzero)
{
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, (off_t)phys);
	uint64_t i;

	if (p == MAP_FAILED)
		return -errno;
	if (fill >= 0) {
		memset(p, fill, len);
	} else {
		*nonzero = 0;
		for (i = 0; i < len; i++)
			*nonzero += p[i] != 0;
	}
	munmap(p, len);
	return 0;
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [-f] [-n ITERATIONS] KERNEL INITRD\n", argv0);
}

int main(int argc, char **argv)
{
	struct lazy_cma_allocation_data a;
	struct lazy_cma_kexec_lock k;
	long long t0, load_ns, op_start, op_end;
	unsigned int iters = 9, i, inside = 0, inside_busy = 0;
	bool fresh = false, clean = true;
	struct shared *sh;
	uint64_t phys;
	int fd, opt, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "fn:h")) != -1) {
		switch (opt) {
		case 'f':
			fresh = true;
			break;
		case 'n':
			iters = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	if (argc - optind != 2 || !iters) {
		usage(stderr, argv[0]);
		return 1;
	}
	kernel_path = argv[optind];
	initrd_path = argv[optind + 1];

	fd = open(LC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		tap_not_ok("open %s: %s", LC_DEVICE, tap_errname(errno));
		return tap_exit_status();
	}
	if (kallsyms_addr("crashk_res", &crashk_res) ||
	    kallsyms_addr("__kexec_lock", &kexec_lock)) {
		tap_not_ok("crashk_res and __kexec_lock in /proc/kallsyms");
		return tap_exit_status();
	}
	memset(&a, 0, sizeof(a));
	a.len = REGION;
	a.node = -1;
	a.flags = LAZY_CMA_ALLOC_BELOW_4G;
	strcpy(a.name, "kexec-race");
	if (!tap_success("allocate 192 MiB below 4 GiB",
			 lc_ioctl(fd, LAZY_CMA_IOCTL_ALLOC, &a)))
		return tap_exit_status();
	phys = a.phys_addr;

	if (fresh)
		tap_errno("CRASH_BIND before KEXEC_LOCK gives ENOLCK",
			  bind(fd, phys), ENOLCK);
	/* Seen and written before the bind: the wipe at unbind must cover it. */
	tap_success("map and write the buffer before binding it",
		    map_check(fd, phys, REGION, 0x5a, NULL));
	memset(&k, 0, sizeof(k));
	k.addr = kexec_lock;
	if (!tap_success("KEXEC_LOCK of __kexec_lock",
			 lc_ioctl(fd, LAZY_CMA_IOCTL_KEXEC_LOCK, &k)) ||
	    !tap_success("bind it", bind(fd, phys)))
		return tap_exit_status();

	/* How long one load takes here. */
	t0 = now_ns();
	ret = crash_load();
	load_ns = now_ns() - t0;
	if (!tap_success("load a crash kernel into it", ret))
		return tap_exit_status();
	tap_diag("one kexec_file_load takes %lld ms", load_ns / 1000000);
	tap_errno("bind of a buffer while a crash kernel is loaded gives EBUSY",
		  bind(fd, phys), EBUSY);
	if (!tap_success("unload it", crash_unload()))
		return tap_exit_status();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		tap_not_ok("mmap: %s", tap_errname(errno));
		return tap_exit_status();
	}
	for (i = 0; i < iters; i++) {
		enum op op = (enum op)(i % NR_OPS);
		long long delay = load_ns * (1 + (long long)(i % 4)) / 6;
		struct timespec d = { delay / 1000000000LL,
				      delay % 1000000000LL };
		pid_t pid;
		int status;

		memset(sh, 0, sizeof(*sh));
		pid = fork();
		if (pid < 0) {
			tap_not_ok("fork: %s", tap_errname(errno));
			break;
		}
		if (!pid) {
			sh->load_start = now_ns();
			sh->load_ret = crash_load();
			sh->load_end = now_ns();
			_exit(0);
		}
		nanosleep(&d, NULL);
		op_start = now_ns();
		ret = do_op(fd, op, &phys);
		op_end = now_ns();
		waitpid(pid, &status, 0);

		tap_diag("round %u: %s at +%lld ms into a load of %lld ms took %lld ms: %s; the load: %s",
			 i, op_names[op], (op_start - sh->load_start) / 1000000,
			 (sh->load_end - sh->load_start) / 1000000,
			 (op_end - op_start) / 1000000, tap_errname(-ret),
			 tap_errname(-sh->load_ret));
		if (sh->load_start && op_start > sh->load_start + MARGIN_NS &&
		    op_end < sh->load_end - MARGIN_NS) {
			inside++;
			if (ret == -EBUSY)
				inside_busy++;
			else
				tap_diag("round %u: %s returned %s inside a load",
					 i, op_names[op], tap_errname(-ret));
		}
		if (!ret && !sh->load_ret && kexec_crash_loaded_read() != 1) {
			tap_diag("round %u: the load succeeded, yet nothing is loaded",
				 i);
			clean = false;
		}
		if (!restore(fd, &phys)) {
			clean = false;
			break;
		}
	}
	tap_check(inside > 0, "an operation landed inside a kexec load",
		  "none of %u rounds did (loads take %lld ms)", iters,
		  load_ns / 1000000);
	tap_check(inside_busy == inside,
		  "every operation inside a kexec load gave EBUSY",
		  "%u of %u did not: the region changed under a load",
		  inside - inside_busy, inside);
	tap_check(clean, "after every round the state is as expected",
		  "see the diagnostics above");
	if (tap_success("unbind at the end", unbind(fd, phys))) {
		uint64_t nonzero = 0;

		ret = map_check(fd, phys, REGION, -1, &nonzero);
		if (tap_success("map it after the unbind", ret))
			tap_check(!nonzero,
				  "after the unbind it reads as zeros: nothing of the crash kernel's images or of the earlier mapping is left",
				  "%" PRIu64 " bytes are not zero", nonzero);
	}
	tap_success("free at the end",
		    lc_ioctl(fd, LAZY_CMA_IOCTL_FREE, &phys));
	close(fd);
	return tap_exit_status();
}
