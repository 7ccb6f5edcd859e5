// SPDX-License-Identifier: GPL-2.0
/*
 * lazy-kdump load, unload, resize and reload: the verbs that change the
 * crash setup. Here are the arm_ops over lcma, /sys and kexec_file_load(2)
 * that lib/arm.c runs their sequences with, the choice and check of the
 * size, the lock, the explanation of a failed step and what could not be
 * undone, and, at load, the verdict on the previous boot and this boot's
 * arming marker.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/kexec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/kallsyms.h"
#include "lib/lastdump.h"
#include "lib/size.h"
#include "lib/sysinfo.h"
#include "lazy-kdump.h"

/* ---- the real system: arm_ops over lcma, /sys and kexec_file_load ------- */

static int real_crash_size(void *u, uint64_t *ret)
{
	struct real *rl = u;

	return sys_read_u64(rl->c->sysroot, SYS_CRASH_SIZE, ret);
}

static int real_symbol(void *u, const char *name, uint64_t *ret)
{
	struct real *rl = u;
	char p[PATH_MAX];
	int r;

	r = sys_path(p, sizeof(p), rl->c->sysroot, PROC_KALLSYMS);
	if (r < 0)
		return r;
	return kallsyms_lookup(p, name, ret);
}

static int real_alloc(void *u, uint64_t len, int node, uint32_t flags,
		      const char *name, uint64_t *ret)
{
	return lcma_alloc(&((struct real *)u)->h, len, node, flags, name, ret);
}

static int real_resize(void *u, uint64_t *phys, uint64_t *len)
{
	return lcma_resize(&((struct real *)u)->h, phys, len);
}

static int real_free(void *u, uint64_t phys)
{
	return lcma_free(&((struct real *)u)->h, phys);
}

static int real_bind(void *u, uint64_t phys, uint64_t res, uint32_t flags)
{
	return lcma_crash_bind(&((struct real *)u)->h, phys, res, flags);
}

static int real_kexec_lock(void *u, uint64_t addr)
{
	return lcma_kexec_lock(&((struct real *)u)->h, addr);
}

static int real_largest_window(void *u, uint64_t *ret)
{
	struct lazy_cma_alloc_report rep;
	int r = lcma_alloc_report(&((struct real *)u)->h, &rep);

	if (r < 0)
		return r;
	if (rep.error != -ENOMEM)
		return -ENODATA;
	*ret = rep.largest;
	return 0;
}

static int real_unbind(void *u, uint64_t phys)
{
	return lcma_crash_unbind(&((struct real *)u)->h, phys);
}

static int real_kexec_load(void *u, const char *kernel, const char *initrd,
			   const char *cmdline)
{
	int kfd, ifd, r = 0;

	(void)u;
	kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return -errno;
	ifd = open(initrd, O_RDONLY | O_CLOEXEC);
	if (ifd < 0) {
		r = -errno;
		close(kfd);
		return r;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1,
		    cmdline, (unsigned long)KEXEC_FILE_ON_CRASH) < 0)
		r = -errno;
	close(ifd);
	close(kfd);
	return r;
}

static int real_kexec_unload(void *u)
{
	(void)u;
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL,
		    (unsigned long)(KEXEC_FILE_UNLOAD | KEXEC_FILE_ON_CRASH)) < 0)
		return -errno;
	return 0;
}

static const struct arm_ops real_ops = {
	.crash_loaded = real_crash_loaded,
	.crash_size = real_crash_size,
	.device_open = real_device_open,
	.symbol = real_symbol,
	.alloc = real_alloc,
	.resize = real_resize,
	.free = real_free,
	.bind = real_bind,
	.unbind = real_unbind,
	.list = real_list,
	.kexec_load = real_kexec_load,
	.kexec_unload = real_kexec_unload,
	.kexec_lock = real_kexec_lock,
	.largest_window = real_largest_window,
};

/* ---- sizing ------------------------------------------------------------- */

/* The size to reserve: --size, SIZE=, or the estimate. */
static int pick_size(struct context *c, const struct verb *v,
		     const char *arg, const struct prepared *p, uint64_t *ret,
		     bool *is_auto)
{
	const char *s = arg ? arg : c->size;
	uint64_t size;
	int r;

	if (!s && !c->cfg.size_auto) {
		*ret = c->cfg.size;
		*is_auto = false;
		return 0;
	}
	if (!s || strcmp(s, "auto") == 0) {
		*ret = p->est.total;
		*is_auto = true;
		return 0;
	}
	r = size_parse(s, &size);
	if (r < 0 || size == 0)
		return usage_error(v, "Invalid size '%s': expected auto or a size such as 192M or 1G.",
				   s);
	*ret = size;
	*is_auto = false;
	return 0;
}

/* Refuse sizes that cannot hold the images. Prints. */
static int check_size(uint64_t size, const struct prepared *p)
{
	/* One buffer per argument: they are all formatted before the call. */
	char a[32], b[32], d[32], m[32], t[32];

	if (size < p->est.hard_min) {
		log_msg("A crash region of %s cannot hold these files: the kernel (init_size %s), the initrd (%s) and the load segments need at least %s. Give at least --size %s, or 'auto' (%s).",
			fmt_size(size, a, sizeof(a)),
			fmt_mib(p->est.term[EST_KERNEL].bytes, b, sizeof(b)),
			fmt_mib(p->est.term[EST_INITRD].bytes, d, sizeof(d)),
			fmt_size(p->est.hard_min, m, sizeof(m)),
			fmt_size(p->est.hard_min, m, sizeof(m)),
			fmt_size(p->est.total, t, sizeof(t)));
		return -ENOSPC;
	}
	if (size < p->est.total)
		log_msg("Warning: %s is below the estimate of %s for these files; the capture may run out of memory ('" PROG " estimate' shows why).",
			fmt_size(size, a, sizeof(a)),
			fmt_size(p->est.total, b, sizeof(b)));
	return 0;
}

/* WORKING_MEMORY=split asked for: --working-memory, else the configuration. */
static bool want_split(const struct context *c)
{
	return (c->working_memory_set ? c->working_memory :
		c->cfg.working_memory) == WM_SPLIT;
}

/*
 * Split working memory: the crash region holds the images (the estimate's
 * core); the working memory is the rest of @total, or the estimate's when
 * @is_auto. Refuses a total that leaves less than ESTIMATE_WORK_MIN.
 * Prints.
 */
static int split_sizes(uint64_t total, bool is_auto, const struct prepared *p,
		       uint64_t *core, uint64_t *work)
{
	char a[32], b[32], d[32], m[32], t[32];

	*core = p->est.core;
	if (is_auto) {
		*work = p->est.work;
		return 0;
	}
	if (total < p->est.core + ESTIMATE_WORK_MIN) {
		log_msg("With split working memory, %s leaves the crash kernel less than %s of working memory after the crash region of %s its images need: give at least --size %s, or 'auto' (%s).",
			fmt_size(total, a, sizeof(a)),
			fmt_size(ESTIMATE_WORK_MIN, b, sizeof(b)),
			fmt_size(p->est.core, d, sizeof(d)),
			fmt_size(p->est.core + ESTIMATE_WORK_MIN, m, sizeof(m)),
			fmt_size(p->est.core + p->est.work, t, sizeof(t)));
		return -ENOSPC;
	}
	*work = total - p->est.core;
	return 0;
}

/* ---- locking and state -------------------------------------------------- */

static int take_lock(struct context *c)
{
	int r;

	if (c->lock_fd >= 0)	/* held already (reload running load) */
		return 0;
	r = state_lock(c->state_dir, false, &c->lock_fd);
	if (r == -EWOULDBLOCK) {
		log_msg("Waiting for another lazy-kdump to finish (%s/" STATE_LOCK ")...",
			c->state_dir);
		r = state_lock(c->state_dir, true, &c->lock_fd);
	}
	if (r < 0)
		log_failure(r, "Is /run mounted and writable (set $" ENV_STATE_DIR " to use another directory)?",
			    "Failed to lock %s/" STATE_LOCK, c->state_dir);
	return r;
}

static void save_state(struct context *c, const struct lk_state *st)
{
	int r = state_write(c->state_dir, st);

	if (r < 0)
		log_failure(r, "'" PROG " status' will not show what is armed, but 'unload' still finds the reservation.",
			    "Warning: failed to record the state in %s/" STATE_FILE,
			    c->state_dir);
}

/* ---- failure messages of the arm sequences ------------------------------- */

static const char *kexec_hint(struct context *c, int err, const struct prepared *p,
			      char *buf, size_t size)
{
	char mode[32] = "", a[32];
	char *t = NULL;
	uint64_t disabled = 0;

	switch (-err) {
	case EPERM:
		if (sys_read(c->sysroot, SYS_LOCKDOWN, &t) == 0)
			lockdown_mode(t, mode, sizeof(mode));
		free(t);
		sys_read_u64(c->sysroot, PROC_KEXEC_DISABLED, &disabled);
		if (disabled)
			return "kexec is disabled (kernel.kexec_load_disabled=1), which cannot be undone until the next boot.";
		if (mode[0] && strcmp(mode, "none") != 0) {
			snprintf(buf, size,
				 "The kernel is locked down (lockdown=%s, e.g. by Secure Boot): it loads only crash kernels signed by a key it trusts. Use the distribution's signed kernel image (Debian: linux-image-*-amd64, not -unsigned) as --kernel.",
				 mode);
			return buf;
		}
		return "Loading a crash kernel needs CAP_SYS_BOOT: run as root.";
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
	case ENODATA:
	case ENOPKG:
		return "The kernel enforces signed crash kernels (CONFIG_KEXEC_SIG_FORCE, or lockdown under Secure Boot) and this image's signature was missing or not trusted: use a kernel signed by a trusted key.";
	case ENOEXEC:
		return "kexec_file_load does not recognise the crash kernel as a bzImage it can boot.";
	case ENOMEM:
	case EADDRNOTAVAIL:
	case ENOSPC:
		snprintf(buf, size,
			 "The kernel, initrd and their segments did not fit in the crash region: give a larger --size (the estimate is %s).",
			 fmt_size(p ? p->est.total : 0, a, sizeof(a)));
		return buf;
	case EBUSY:
		return "Another kexec operation is in progress; try again.";
	case EINVAL:
		return "The kernel rejected the command line or an image (is the command line too long?).";
	}
	return NULL;
}

/* Explain @out's failed step. Prints. */
static void explain_failure(struct context *c, struct real *rl,
			    const struct arm_outcome *out,
			    const struct arm_request *rq,
			    const struct prepared *p, const struct lk_state *st)
{
	char a[32], b[32], hint[768], rel[256];
	const char *h = NULL;
	uint64_t mib;
	int err = out->err;

	hint[0] = '\0';
	switch (out->step) {
	case ARM_STEP_CHECK_LOADED:
	case ARM_STEP_CRASH_SIZE:
		if (err == -ENOENT)
			h = "This kernel has no kexec crash support (CONFIG_KEXEC_FILE and CONFIG_CRASH_DUMP), so kdump cannot be armed.";
		break;
	case ARM_STEP_ALREADY_LOADED:
		if (st && st->armed)
			log_msg("kdump is already armed by lazy-kdump (%s held); use '" PROG " resize' or '" PROG " unload'.",
				fmt_size(st->main_len + st->low_len, a, sizeof(a)));
		else
			log_msg("A crash kernel is already loaded, not by lazy-kdump (kdump-tools, kdumpctl or 'kexec -p'?): leave it, or unload it first ('kexec -p -u' or its service) and run '" PROG " load' again.");
		return;
	case ARM_STEP_BOOT_TIME:
		log_msg("The kernel has a boot-time crashkernel= reservation of %s, but these files need %s: boot with crashkernel=%s or more, or without crashkernel= so that lazy-kdump reserves at run time, or give a smaller initrd.",
			fmt_size(out->boot_time_size, a, sizeof(a)),
			fmt_size(arm_request_total(rq), b, sizeof(b)),
			fmt_size(arm_request_total(rq), hint, sizeof(hint)));
		return;
	case ARM_STEP_DEVICE:
		if (err == -ENOENT && rl->modprobe_ran && rl->modprobe_status != 0) {
			snprintf(hint, sizeof(hint),
				 "lazy_cma.ko is not loaded and '%s " MODULE_NAME "' failed (exit status %d): install the module for kernel %s (make -C module install, or its DKMS package) and try again.",
				 c->modprobe, rl->modprobe_status,
				 uname_release(rel, sizeof(rel)));
			h = hint;
		} else if (err == -ENOENT && rl->modprobe_ran) {
			h = "'modprobe lazy_cma' succeeded but the device did not appear: check the kernel log (dmesg) for lazy_cma's messages.";
		} else {
			h = lcma_error_hint(LCMA_OP_OPEN, err);
		}
		log_failure(err, h, "Failed to open %s",
			    c->device ? c->device : LCMA_DEFAULT_DEVICE);
		return;
	case ARM_STEP_SYMBOL:
	case ARM_STEP_SYMBOL_LOW:
	case ARM_STEP_SYMBOL_LOCK:
		switch (-err) {
		case EPERM:
			h = "/proc/kallsyms hides kernel addresses (kernel.kptr_restrict=2): run 'sysctl kernel.kptr_restrict=1' and try again.";
			break;
		case ENOENT:
			h = out->step == ARM_STEP_SYMBOL_LOCK ?
			    "The running kernel has no __kexec_lock (no kexec support, or older than Linux 6.0): it is not supported." :
			    "The running kernel has no crash dump support (CONFIG_CRASH_DUMP), so it cannot load a crash kernel.";
			break;
		case ENOSYS:
			h = "/proc/kallsyms does not exist: mount /proc; a kernel without CONFIG_KALLSYMS is not supported.";
			break;
		}
		break;
	case ARM_STEP_ALLOC:
	case ARM_STEP_ALLOC_LOW:
		if (err == -ENOMEM) {
			uint64_t want = out->step == ARM_STEP_ALLOC ? rq->size : rq->low_size;
			char e[32], f[32], w[64];

			if (out->step == ARM_STEP_ALLOC_LOW && rq->split &&
			    (!out->high || rq->work_size > want))
				want = rq->work_size;
			mib = out->largest_window >> 20;
			if (rq->split) {
				/* Split: the region is the images' fixed size. */
				snprintf(w, sizeof(w), "; the largest usable window was %" PRIu64 " MiB", mib);
				snprintf(hint, sizeof(hint),
					 out->step == ARM_STEP_ALLOC_LOW ?
					 "The crash kernel's working memory (split) must lie below 4 GiB and no contiguous %s is free there%s. Free or compact memory below 4 GiB ('echo 1 > /proc/sys/vm/compact_memory') and try again." :
					 "No contiguous %s is free for the crash region, which holds only the crash kernel's images (a smaller --size would not shrink it)%s. Compact memory ('echo 1 > /proc/sys/vm/compact_memory') or free memory, and try again.",
					 fmt_size(want, a, sizeof(a)), mib ? w : "");
			} else if (mib && out->step == ARM_STEP_ALLOC_LOW)
				snprintf(hint, sizeof(hint),
					 "A crash region above 4 GiB needs a low companion of %s below 4 GiB (the crash kernel's DMA and swiotlb), and no contiguous %s is free there; the largest usable window below 4 GiB was %" PRIu64 " MiB. Free or compact memory below 4 GiB ('echo 1 > /proc/sys/vm/compact_memory') and try again.",
					 fmt_size(want, a, sizeof(a)),
					 fmt_size(want, b, sizeof(b)), mib);
			else if (mib)
				snprintf(hint, sizeof(hint),
					 "No contiguous %s is free%s; the largest usable window was %" PRIu64 " MiB. Free or compact memory ('echo 1 > /proc/sys/vm/compact_memory') and try again, or ask for less ('" PROG " load --size %" PRIu64 "M' if that still holds the images; hard minimum %s).",
					 fmt_size(want, a, sizeof(a)),
					 rq->high ? " above 4 GiB" : "",
					 mib, mib, fmt_size(p->est.hard_min, b, sizeof(b)));
			else
				snprintf(hint, sizeof(hint),
					 "No contiguous %s is free (memory too full or too fragmented): compact memory with 'echo 1 > /proc/sys/vm/compact_memory' and try again, or ask for less with --size (hard minimum %s).",
					 fmt_size(want, a, sizeof(a)),
					 fmt_size(p->est.hard_min, b, sizeof(b)));
			/* Held, fragmented: two smaller windows may be free. */
			if (out->step == ARM_STEP_ALLOC && !rq->split && p &&
			    rq->size >= p->est.core + ESTIMATE_WORK_MIN) {
				size_t used = strlen(hint);

				snprintf(hint + used, sizeof(hint) - used,
					 " Or arm with '" PROG " load --working-memory split' (WORKING_MEMORY=split): two smaller windows, %s for the images and %s of working memory below 4 GiB.",
					 fmt_size(p->est.core, e, sizeof(e)),
					 fmt_size(rq->size - p->est.core, f, sizeof(f)));
			}
			h = hint;
		} else {
			h = lcma_error_hint(LCMA_OP_ALLOC, err);
		}
		break;
	case ARM_STEP_BIND:
	case ARM_STEP_BIND_LOW:
		h = lcma_error_hint(LCMA_OP_CRASH_BIND, err);
		break;
	case ARM_STEP_KEXEC_LOCK:
		h = lcma_error_hint(LCMA_OP_KEXEC_LOCK, err);
		break;
	case ARM_STEP_KEXEC_LOAD:
	case ARM_STEP_RELOAD:
		h = kexec_hint(c, err, p, hint, sizeof(hint));
		break;
	case ARM_STEP_VERIFY:
		h = "kexec_file_load succeeded but /sys/kernel/kexec_crash_loaded does not say 1.";
		break;
	case ARM_STEP_KEXEC_UNLOAD:
		h = "The crash kernel stays loaded.";
		break;
	case ARM_STEP_UNBIND:
		h = lcma_error_hint(LCMA_OP_CRASH_UNBIND, err);
		break;
	case ARM_STEP_FREE:
		h = lcma_error_hint(LCMA_OP_FREE, err);
		break;
	case ARM_STEP_RESIZE:
	case ARM_STEP_RESIZE_WORK:
		mib = out->largest_window >> 20;
		if (err == -ENOMEM && mib)
			snprintf(hint, sizeof(hint),
				 "%s cannot grow in place and no free window of the new size was found%s; the largest usable window was %" PRIu64 " MiB. Compact memory ('echo 1 > /proc/sys/vm/compact_memory') or ask for less.",
				 out->step == ARM_STEP_RESIZE ? "The region" :
				 "The working memory (which must stay below 4 GiB)",
				 out->step == ARM_STEP_RESIZE ? "" : " there", mib);
		else
			snprintf(hint, sizeof(hint), "%s",
				 lcma_error_hint(LCMA_OP_RESIZE, err));
		h = hint;
		break;
	case ARM_STEP_NOT_FOUND:
		h = "The buffer lazy-kdump recorded is gone (module reloaded?): run '" PROG " unload' and '" PROG " load'.";
		break;
	case ARM_STEP_NOT_SUPPORTED:
		h = "A boot-time crashkernel= reservation cannot grow at run time: change crashkernel= and reboot.";
		break;
	case ARM_STEP_LIST:
		h = lcma_error_hint(LCMA_OP_LIST, err);
		break;
	case ARM_STEP_NONE:
		return;
	}
	log_failure(err, h, "Failed to %s", arm_step_name(out->step));
}

/* Say loudly what could not be undone. */
static void explain_leftovers(const struct arm_outcome *out)
{
	unsigned int i, n = out->n_leftovers < ARM_MAX_LEFTOVERS ?
			    out->n_leftovers : ARM_MAX_LEFTOVERS;

	for (i = 0; i < n; i++) {
		const struct arm_leftover *l = &out->leftover[i];

		if (l->step == ARM_STEP_KEXEC_UNLOAD)
			log_failure(l->err, "Unload it with 'kexec -p -u' or '" PROG " unload'.",
				    "Could not undo: the crash kernel is still loaded, unloading failed");
		else
			log_failure(l->err, "Run '" PROG " unload' (or 'lazy-cma unbind' and 'lazy-cma free' of that address).",
				    "Could not undo: the buffer at 0x%" PRIx64 " is still %s; %s failed",
				    l->addr, l->step == ARM_STEP_UNBIND ?
				    "reserved and bound" : "reserved",
				    arm_step_name(l->step));
	}
}

/* ---- load --------------------------------------------------------------- */

static char *absolute(const char *path)
{
	char *r = realpath(path, NULL);

	return r ? r : strdup(path);
}

/*
 * At load: a marker of another boot means that boot ended while armed,
 * without a clean shutdown ('unload' removes the marker). Say what it
 * left, keep the verdict for 'status', and drop the marker.
 */
static void judge_previous_boot(struct context *c)
{
	struct lk_marker m, t;
	struct lk_lastdump ld;
	char id[64], when[64], text[6144], dirbuf[4096];
	const char *dir;
	bool have_t;
	int dr, r;

	boot_id(c, id, sizeof(id));
	have_t = marker_read(c->vardir, LASTDUMP_TEST_MARKER, &t) == 0;
	if (marker_read(c->vardir, LASTDUMP_MARKER, &m) < 0 || !id[0] ||
	    strcmp(id, m.boot_id) == 0) {
		/* Nothing to judge: a test marker of another boot is stale. */
		if (have_t && id[0] && strcmp(t.boot_id, id) != 0)
			marker_remove(c->vardir, LASTDUMP_TEST_MARKER);
		return;
	}
	/* Only now: for a dump server this reads the server. */
	dr = dump_dir_here(c, dirbuf, sizeof(dirbuf));
	dir = dr == 0 ? dirbuf : NULL;
	time_str(m.armed_at, when, sizeof(when));
	r = last_dump(c, dir, &ld);
	if (!dir && !ld.found)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown (a panic, a reset or a power loss); whether it left a dump is not checked: DUMP_TARGET names a device that %s.",
			 when, dr == -ENODEV ? "is not on this machine now" :
			 dr == -ENOENT ? "is not mounted here" :
			 dr == -EHOSTUNREACH ? "is on a dump server that cannot be read now" :
			 "cannot be looked up here");
	else if (r < 0)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown; the dump target %s cannot be read (%s) to see what it left.",
			 when, dir ? dir : CONFIG_LOCAL_DUMP_DIR, strerror(-r));
	else if (!ld.found || ld.finished < m.armed_at)
		snprintf(text, sizeof(text),
			 "The previous boot, armed since %s, ended without a clean shutdown and left no dump in %s: if it panicked, the capture wrote nothing (the crash kernel short of memory, or the dump target out of its reach; that boot's console says which): check 'lazy-kdump estimate' and raise SIZE (or use auto).",
			 when, dir ? dir : CONFIG_LOCAL_DUMP_DIR);
	else if (lastdump_short_of_memory(&ld))
		snprintf(text, sizeof(text),
			 "The last panic found the crash kernel short of memory (%s, result %s): raise SIZE in the configuration (or use auto).",
			 ld.path, ld.result);
	else
		snprintf(text, sizeof(text),
			 "The previous boot panicked; its capture: %s, result %s%s%s.",
			 ld.path, ld.result, ld.reason[0] ? ": " : "", ld.reason);
	if (have_t && strcmp(t.boot_id, m.boot_id) == 0) {
		char tested[sizeof(text)];

		time_str(t.armed_at, when, sizeof(when));
		/* Truncated at the buffer's end when it must be. */
		if (snprintf(tested, sizeof(tested),
			     "'lazy-kdump test' panicked the previous boot on purpose at %s. %s",
			     when, text) >= 0)
			memcpy(text, tested, sizeof(text));
	}
	log_msg("%s", text);
	r = previous_write(c->vardir, id, text);
	if (r < 0)
		log_failure(r, NULL, "Failed to keep that verdict in %s/" LASTDUMP_PREVIOUS,
			    c->vardir);
	marker_remove(c->vardir, LASTDUMP_MARKER);
	marker_remove(c->vardir, LASTDUMP_TEST_MARKER);
}

/* After arming: the marker of this boot. */
static void mark_armed(struct context *c)
{
	struct lk_marker m;
	int r;

	memset(&m, 0, sizeof(m));
	boot_id(c, m.boot_id, sizeof(m.boot_id));
	if (!m.boot_id[0])
		return;
	m.armed_at = c->started;
	r = marker_write(c->vardir, LASTDUMP_MARKER, &m);
	if (r < 0)
		log_failure(r, "A panic that leaves no dump will not be reported at the next boot.",
			    "Failed to write the arming marker %s/" LASTDUMP_MARKER,
			    c->vardir);
}

int verb_load(struct context *c, const struct verb *v, int argc,
	      char **argv)
{
	struct arm_request rq;
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st, now;
	struct real rl;
	bool have, is_auto = true;
	uint64_t total;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	if (need_root("load") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	judge_previous_boot(c);
	if (prepare(c, NULL, &p) < 0)
		goto out_p;
	r = pick_size(c, v, NULL, &p, &rq.size, &is_auto);
	if (r) {
		ret = r;
		goto out_p;
	}
	if (check_size(rq.size, &p) < 0)
		goto out_p;
	total = rq.size;
	rq.total = total;
	rq.split = want_split(c);
	rq.work_size = 0;
	if (rq.split && split_sizes(total, is_auto, &p, &rq.size,
				    &rq.work_size) < 0)
		goto out_p;
	read_state(c, &st, &have);

	rq.kernel = p.kernel;
	rq.initrd = p.initrd;
	rq.cmdline = p.cmdline;
	rq.low_size = p.low_size;
	rq.node = c->node_set ? c->node : c->cfg.node;
	rq.high = (c->placement_set ? c->placement : c->cfg.placement) ==
		  PLACEMENT_HIGH;

	real_init(&rl, c);
	r = arm_load(&real_ops, &rl, &rq, &out);
	if (out.stale_freed)
		log_msg("Freed %u reservation(s) left by an earlier lazy-kdump run that did not finish.",
			out.stale_freed);
	if (r < 0) {
		explain_failure(c, &rl, &out, &rq, &p, &st);
		explain_leftovers(&out);
		if (out.n_leftovers == 0 && out.step >= ARM_STEP_BIND &&
		    out.step != ARM_STEP_BOOT_TIME)
			log_msg("Everything was undone: nothing is reserved and no crash kernel is loaded.");
		/* A stale state must not claim anything. */
		if (have && !out.n_leftovers && out.step != ARM_STEP_ALREADY_LOADED)
			state_remove(c->state_dir);
		real_done(&rl);
		state_free(&st);
		goto out_p;
	}
	real_done(&rl);

	state_init(&now);
	now.armed = true;
	now.boot_time = out.boot_time;
	now.armed_at = c->started;
	now.kernel = absolute(p.kernel);
	now.initrd = absolute(p.initrd);
	now.cmdline = strdup(p.cmdline);
	now.size = total;
	now.size_auto = is_auto;
	now.node = rq.node;
	now.high = out.high;
	now.split = out.split;
	now.main_addr = out.main_addr;
	now.main_len = out.boot_time ? out.boot_time_size : out.main_len;
	now.low_addr = out.low_addr;
	now.low_len = out.low_len;
	save_state(c, &now);
	mark_armed(c);

	if (out.boot_time) {
		printf("kdump armed in the boot-time crashkernel= reservation of %s (lazy-kdump reserved nothing; these files need %s).\n",
		       fmt_size(out.boot_time_size, a, sizeof(a)),
		       fmt_size(total, b, sizeof(b)));
		if (rq.split)
			printf("  WORKING_MEMORY=split does not apply to a boot-time reservation: it holds everything.\n");
	} else if (out.split) {
		printf("kdump armed: %s crash region for the images and %s of working memory apart (split, %s).\n",
		       fmt_size(out.main_len, a, sizeof(a)),
		       fmt_size(out.low_len, b, sizeof(b)),
		       is_auto ? "auto" : "as asked");
		if (out.fell_back_high)
			printf("  No contiguous %s was free below 4 GiB: the crash region was placed above 4 GiB; the working memory below 4 GiB is also the crash kernel's DMA memory.\n",
			       fmt_size(out.main_len, a, sizeof(a)));
		describe_region("crash region", out.main_addr, out.main_len,
				out.high);
		describe_region("working memory", out.low_addr, out.low_len,
				false);
	} else {
		printf("kdump armed: %s crash region (%s).\n",
		       fmt_size(out.main_len, a, sizeof(a)),
		       is_auto ? "auto" : "as asked");
		if (out.fell_back_high)
			printf("  No contiguous %s was free below 4 GiB: placed above 4 GiB, with a %s low companion below 4 GiB for the crash kernel's DMA (as crashkernel=,high does).\n",
			       fmt_size(out.main_len, a, sizeof(a)),
			       fmt_size(out.low_len, b, sizeof(b)));
		describe_region("crash region", out.main_addr, out.main_len,
				out.high);
		if (out.low_len)
			describe_region("low companion", out.low_addr,
					out.low_len, false);
	}
	printf("  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kernel", now.kernel,
	       "initrd", now.initrd, "command line", now.cmdline);
	state_free(&now);
	state_free(&st);
	ret = EXIT_SUCCESS;
out_p:
	prepared_free(&p);
	return ret;
}

/* ---- unload ------------------------------------------------------------- */

int verb_unload(struct context *c, const struct verb *v, int argc,
		char **argv)
{
	struct arm_outcome out;
	struct lk_state st;
	struct real rl;
	bool have;
	char a[32];
	int r;

	(void)v;
	(void)argc;
	(void)argv;
	if (need_root("unload") < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	real_init(&rl, c);
	r = arm_unload(&real_ops, &rl, have ? &st : NULL, &out);
	real_done(&rl);
	if (r < 0) {
		explain_failure(c, &rl, &out, NULL, NULL, &st);
		explain_leftovers(&out);
		state_free(&st);
		return EXIT_FAILURE;
	}
	state_remove(c->state_dir);
	r = marker_remove(c->vardir, LASTDUMP_MARKER);
	if (r < 0)
		log_failure(r, "The next boot will report an unclean end of this one.",
			    "Failed to remove the arming marker %s/" LASTDUMP_MARKER,
			    c->vardir);
	if (out.not_ours)
		log_msg("A crash kernel that lazy-kdump did not load stays loaded (unload it with 'kexec -p -u' or its service).");
	if (out.boot_time)
		printf("kdump disarmed; the boot-time crashkernel= reservation stays (it is the kernel's).\n");
	else if (out.freed_bytes)
		printf("kdump disarmed; %s given back.\n",
		       fmt_size(out.freed_bytes, a, sizeof(a)));
	else if (have && st.armed)
		printf("kdump disarmed.\n");
	else
		printf("kdump was not armed by lazy-kdump: nothing to do.\n");
	state_free(&st);
	return EXIT_SUCCESS;
}

/* ---- resize ------------------------------------------------------------- */

int verb_resize(struct context *c, const struct verb *v, int argc,
		char **argv)
{
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st;
	struct real rl;
	uint64_t size, old_addr, core, work, old_work;
	bool have, is_auto, was_armed;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)v;
	memset(&p, 0, sizeof(p));
	if (need_root("resize") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	/* A boot-time reservation has no buffer of ours: check it first. */
	if (have && st.boot_time) {
		log_msg("kdump uses the boot-time crashkernel= reservation, which cannot be resized at run time: change crashkernel= and reboot, or boot without it and use '" PROG " load'.");
		goto out;
	}
	if (!have || !st.main_addr || !st.kernel) {
		log_msg("kdump is not armed by lazy-kdump (no %s/" STATE_FILE "): use '" PROG " load'.",
			c->state_dir);
		goto out;
	}
	if (prepare(c, &st, &p) < 0)
		goto out;
	/* Without an argument the size keeps its origin: auto stays auto. */
	if (argc && strcmp(argv[0], "auto") != 0) {
		size_parse(argv[0], &size);	/* checked by dispatch() */
		is_auto = false;
	} else if (argc || st.size_auto) {
		size = p.est.total;
		is_auto = true;
	} else {
		size = st.size;
		is_auto = false;
	}
	if (check_size(size, &p) < 0)
		goto out;
	core = size;
	work = 0;
	if (st.split && split_sizes(size, is_auto, &p, &core, &work) < 0)
		goto out;
	/* A region above 4 GiB: the working memory is its low memory too. */
	if (st.split && st.high && work < p.low_size)
		work = p.low_size;

	old_addr = st.main_addr;
	old_work = st.low_len;
	was_armed = st.armed;
	real_init(&rl, c);
	r = arm_resize(&real_ops, &rl, &st, core, work, &out);
	real_done(&rl);

	st.main_addr = out.main_addr;
	st.main_len = out.main_len;
	st.low_addr = out.low_addr;
	st.low_len = out.low_len;
	st.armed = out.loaded;
	if (r == 0) {
		st.size = size;
		st.size_auto = is_auto;
		st.armed_at = c->started;
	}
	save_state(c, &st);

	if (r == 0 && out.unchanged) {
		printf("The crash region is already %s%s%s: %s.\n",
		       fmt_size(out.main_len, a, sizeof(a)),
		       st.split ? " and the working memory " : "",
		       st.split ? fmt_size(out.low_len, b, sizeof(b)) : "",
		       !was_armed ? "crash kernel loaded again; kdump armed" :
		       "nothing to do; kdump stays armed");
		ret = EXIT_SUCCESS;
	} else if (r == 0 && st.split) {
		char d[32], e[32];

		if (out.main_len == out.old_len)
			printf("Resized the working memory from %s to %s (at 0x%" PRIx64 "); the crash region stays %s; kdump armed.\n",
			       fmt_size(old_work, d, sizeof(d)),
			       fmt_size(out.low_len, e, sizeof(e)), out.low_addr,
			       fmt_size(out.main_len, a, sizeof(a)));
		else
			printf("Resized the crash region from %s to %s (%s, at 0x%" PRIx64 ") and the working memory from %s to %s (at 0x%" PRIx64 "); kdump armed.\n",
			       fmt_size(out.old_len, a, sizeof(a)),
			       fmt_size(out.main_len, b, sizeof(b)),
			       out.main_addr == old_addr ? "in place" : "moved",
			       out.main_addr, fmt_size(old_work, d, sizeof(d)),
			       fmt_size(out.low_len, e, sizeof(e)), out.low_addr);
		ret = EXIT_SUCCESS;
	} else if (r == 0) {
		printf("Resized the crash region from %s to %s (%s, at 0x%" PRIx64 "); kdump armed.\n",
		       fmt_size(out.old_len, a, sizeof(a)),
		       fmt_size(out.main_len, b, sizeof(b)),
		       out.main_addr == old_addr ? "in place" : "moved",
		       out.main_addr);
		ret = EXIT_SUCCESS;
	} else {
		explain_failure(c, &rl, &out, NULL, &p, &st);
		if (out.rearmed_previous && st.split)
			log_msg("kdump is still armed with the previous sizes: crash region %s (at 0x%" PRIx64 "), working memory %s.",
				fmt_size(out.main_len, a, sizeof(a)),
				out.main_addr, fmt_size(out.low_len, b, sizeof(b)));
		else if (out.rearmed_previous)
			log_msg("kdump is still armed with the previous size %s (at 0x%" PRIx64 ").",
				fmt_size(out.main_len, a, sizeof(a)),
				out.main_addr);
		else if (out.disarmed)
			log_failure(out.reload_err,
				    "The reservation is still held: run '" PROG " resize' again, or '" PROG " unload' and '" PROG " load'.",
				    "KDUMP IS DISARMED: a crash now would NOT be captured. Re-arming failed");
		else if (out.loaded)
			log_msg("kdump is still armed as it was (%s).",
				fmt_size(out.main_len, a, sizeof(a)));
	}
out:
	prepared_free(&p);
	state_free(&st);
	return ret;
}

/* ---- reload ------------------------------------------------------------ */

int verb_reload(struct context *c, const struct verb *v, int argc,
		char **argv)
{
	struct arm_request rq = { 0 };
	struct arm_outcome out;
	struct prepared p;
	struct lk_state st;
	struct real rl;
	uint64_t old_len, total;
	bool have, is_auto;
	char a[32], b[32];
	int r, ret = EXIT_FAILURE;

	(void)argc;
	(void)argv;
	memset(&p, 0, sizeof(p));
	if (need_root("reload") < 0)
		return EXIT_FAILURE;
	if (load_config(c) < 0)
		return EXIT_FAILURE;
	if (take_lock(c) < 0)
		return EXIT_FAILURE;
	read_state(c, &st, &have);
	if (!have || (!st.boot_time && !st.main_addr)) {
		/* Nothing held: a reload arms, as systemctl reload expects. */
		state_free(&st);
		log_msg("kdump is not armed by lazy-kdump: loading it.");
		return verb_load(c, v, 0, NULL);
	}
	if (prepare(c, NULL, &p) < 0)
		goto out_kept;
	r = pick_size(c, v, NULL, &p, &rq.size, &is_auto);
	if (r) {
		ret = r;
		goto out_kept;
	}
	if (check_size(rq.size, &p) < 0)
		goto out_kept;
	total = rq.size;
	/* The region stays as it is armed: split or held. */
	rq.split = !st.boot_time && st.split;
	if (rq.split && split_sizes(total, is_auto, &p, &rq.size,
				    &rq.work_size) < 0)
		goto out_kept;
	/* A region above 4 GiB: the working memory is its low memory too. */
	if (rq.split && st.high && rq.work_size < p.low_size)
		rq.work_size = p.low_size;
	rq.kernel = p.kernel;
	rq.initrd = p.initrd;
	rq.cmdline = p.cmdline;

	old_len = st.main_len;
	real_init(&rl, c);
	r = arm_reload(&real_ops, &rl, &st, &rq, &out);
	real_done(&rl);

	st.armed = out.loaded;
	if (!st.boot_time) {
		st.main_addr = out.main_addr;
		st.main_len = out.main_len;
		st.low_addr = out.low_addr;
		st.low_len = out.low_len;
	}
	if (r == 0) {
		free(st.kernel);
		free(st.initrd);
		free(st.cmdline);
		st.kernel = absolute(p.kernel);
		st.initrd = absolute(p.initrd);
		st.cmdline = strdup(p.cmdline);
		st.size = total;
		st.size_auto = is_auto;
		st.armed_at = c->started;
	}
	save_state(c, &st);

	if (r == 0) {
		if (st.boot_time)
			printf("kdump re-armed in the boot-time crashkernel= reservation of %s.\n",
			       fmt_size(out.boot_time_size, a, sizeof(a)));
		else if (out.main_len == old_len)
			printf("kdump re-armed: same %s crash region at 0x%" PRIx64 ".\n",
			       fmt_size(out.main_len, a, sizeof(a)),
			       out.main_addr);
		else
			printf("kdump re-armed: crash region resized from %s to %s (%s), at 0x%" PRIx64 ".\n",
			       fmt_size(old_len, a, sizeof(a)),
			       fmt_size(out.main_len, b, sizeof(b)),
			       is_auto ? "auto" : "as configured",
			       out.main_addr);
		printf("  %-14s %s\n  %-14s %s\n  %-14s %s\n", "kernel", st.kernel,
		       "initrd", st.initrd, "command line", st.cmdline);
		if (!st.boot_time &&
		    ((c->placement_set ? c->placement : c->cfg.placement) ==
		     PLACEMENT_HIGH) != st.high)
			printf("  The region stays %s 4 GiB: a changed PLACEMENT takes effect with '" PROG " unload' and '" PROG " load'.\n",
			       st.high ? "above" : "below");
		if (st.split)
			printf("  %-14s %s at 0x%" PRIx64 " (split)\n", "working memory",
			       fmt_size(out.low_len, a, sizeof(a)), out.low_addr);
		if (!st.boot_time && want_split(c) != st.split)
			printf("  The working memory stays %s: a changed WORKING_MEMORY takes effect with '" PROG " unload' and '" PROG " load'.\n",
			       st.split ? "split" : "held in the region");
		ret = EXIT_SUCCESS;
	} else {
		explain_failure(c, &rl, &out, &rq, &p, &st);
		if (out.rearmed_previous)
			log_msg("kdump is still armed with the previous crash kernel, initrd and command line (%s, crash region %s).",
				st.kernel, fmt_size(out.main_len, a, sizeof(a)));
		else if (out.disarmed)
			log_failure(out.reload_err,
				    "The reservation is still held: fix the cause and run '" PROG " reload' again, or '" PROG " unload' and '" PROG " load'.",
				    "KDUMP IS DISARMED: a crash now would NOT be captured. Re-arming with the previous files failed");
		else if (out.loaded)
			log_msg("kdump is still armed as it was.");
	}
	goto out;

out_kept:
	log_msg("Nothing was changed: kdump stays %s.",
		st.armed ? "armed as it was" : "as it was (not loaded)");
out:
	prepared_free(&p);
	state_free(&st);
	return ret;
}
