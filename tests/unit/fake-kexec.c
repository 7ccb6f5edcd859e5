// SPDX-License-Identifier: GPL-2.0
/*
 * fake-kexec.so - an LD_PRELOAD stand-in for kexec_file_load(2), so that
 * lazy-kdump's command line can be tested on the host without ever
 * loading (or unloading) a crash kernel of the host.
 *
 * syscall(SYS_kexec_file_load, ...) is answered here; every other system
 * call goes to the real syscall(). A load writes "1", an unload "0" to
 * $LAZY_KDUMP_SYSROOT/sys/kernel/kexec_crash_loaded, as the kernel's file
 * would read afterwards, and appends "load CMDLINE" or "unload" to
 * $FAKE_KEXEC_LOG.
 *
 * Environment:
 *   LAZY_KDUMP_SYSROOT   the fake /proc and /sys of the test (required:
 *                        without it every kexec_file_load fails, EPERM)
 *   FAKE_KEXEC_LOG       the log (optional)
 *   FAKE_KEXEC_FAIL      a decimal errno every load fails with (optional)
 *   FAKE_KEXEC_FAIL_IF   only loads whose command line contains this word
 *                        fail (with FAKE_KEXEC_FAIL, default ENOEXEC)
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEXEC_FILE_UNLOAD	0x1

static void note(const char *what, const char *cmdline)
{
	const char *log = getenv("FAKE_KEXEC_LOG");
	FILE *f;

	if (!log || !(f = fopen(log, "a")))
		return;
	fprintf(f, "%s%s%s\n", what, cmdline ? " " : "", cmdline ? cmdline : "");
	fclose(f);
}

static int set_loaded(const char *root, int v)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/sys/kernel/kexec_crash_loaded", root);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fprintf(f, "%d\n", v);
	return fclose(f);
}

static long fake_kexec(const char *cmdline, unsigned long flags)
{
	const char *root = getenv("LAZY_KDUMP_SYSROOT");
	const char *fail = getenv("FAKE_KEXEC_FAIL");
	const char *fail_if = getenv("FAKE_KEXEC_FAIL_IF");

	if (!root || !*root) {
		errno = EPERM;
		return -1;
	}
	if (flags & KEXEC_FILE_UNLOAD) {
		note("unload", NULL);
		return set_loaded(root, 0) == 0 ? 0 : (errno = EIO, -1);
	}
	if (fail_if && *fail_if && cmdline && strstr(cmdline, fail_if)) {
		note("load-failed", cmdline);
		errno = fail && *fail ? atoi(fail) : ENOEXEC;
		return -1;
	}
	if (fail && *fail && !(fail_if && *fail_if)) {
		note("load-failed", cmdline);
		errno = atoi(fail);
		return -1;
	}
	note("load", cmdline);
	return set_loaded(root, 1) == 0 ? 0 : (errno = EIO, -1);
}

long syscall(long number, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_kexec_file_load)
		return fake_kexec((const char *)a[3], (unsigned long)a[4]);
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
