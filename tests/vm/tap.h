/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - minimal TAP output for the lazy_cma VM test programs.
 *
 * Lines carry no numbers ("ok - NAME", "not ok - NAME: why", "# diag"):
 * the harness numbers them. A skipped case is "ok - NAME # SKIP why".
 * Every line is flushed as soon as it is written, so output from forked
 * children never duplicates or reorders buffered parent output.
 *
 * Conventions: helpers return 0 or -errno; only the case code prints.
 * tap_exit_status() is 0 iff no "not ok" line was printed.
 */
#ifndef LAZY_TAP_H
#define LAZY_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

struct tap_state {
	unsigned int results;	/* ok + not ok lines */
	unsigned int failed;	/* not ok lines */
	bool write_error;	/* stdout could not be written */
};

static struct tap_state tap_st;

static inline const char *tap_errname(int e)
{
	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EKEYREJECTED: return "EKEYREJECTED";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case ENOLCK: return "ENOLCK";
	default: break;
	}
	return "an unnamed errno";
}

static inline void tap_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		tap_st.write_error = true;
}

static inline void tap_vline(const char *head, const char *fmt, va_list ap)
{
	fputs(head, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	tap_flush();
}

/* "ok - NAME" */
__attribute__((format(printf, 1, 2)))
static inline void tap_ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("ok - ", fmt, ap);
	va_end(ap);
	tap_st.results++;
}

/* "not ok - NAME: why" (the caller formats name and reason) */
__attribute__((format(printf, 1, 2)))
static inline void tap_not_ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("not ok - ", fmt, ap);
	va_end(ap);
	tap_st.results++;
	tap_st.failed++;
}

/* "ok - NAME # SKIP why" */
__attribute__((format(printf, 2, 3)))
static inline void tap_skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("ok - %s # SKIP ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_flush();
	tap_st.results++;
}

/* "# text" */
__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("# ", fmt, ap);
	va_end(ap);
}

/* One result: passes iff @ret (0 or -errno) is -@want. */
static inline bool tap_errno(const char *name, int ret, int want)
{
	if (ret == -want) {
		tap_ok("%s", name);
		return true;
	}
	tap_not_ok("%s: expected %s got %s", name, tap_errname(want),
		   tap_errname(-ret));
	return false;
}

/* One result: passes iff @ret (0 or -errno) is 0. */
static inline bool tap_success(const char *name, int ret)
{
	return tap_errno(name, ret, 0);
}

/* One result from a condition; @why says what was wrong when it is false. */
__attribute__((format(printf, 3, 4)))
static inline bool tap_check(bool cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		tap_ok("%s", name);
		return true;
	}
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tap_flush();
	tap_st.results++;
	tap_st.failed++;
	return false;
}

static inline unsigned int tap_results(void)
{
	return tap_st.results;
}

static inline unsigned int tap_failures(void)
{
	return tap_st.failed;
}

/* Exit status: 0 iff every result passed and stdout took every line. */
static inline int tap_exit_status(void)
{
	tap_flush();
	if (tap_st.write_error)
		return 1;
	return tap_st.failed ? 1 : 0;
}

#endif /* LAZY_TAP_H */
