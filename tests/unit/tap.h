/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a tiny TAP (Test Anything Protocol) producer for host unit tests.
 *
 *	ok(cond, "what", ...);		pass when cond is true
 *	is_int(got, want, "what", ...);	signed integers, both shown on failure
 *	is_u64(got, want, "what", ...);	unsigned, shown in hex and decimal
 *	is_str(got, want, "what", ...);	strings (NULL-safe)
 *	skip("why", "what", ...);	a test that cannot run here
 *	diag("fmt", ...);		a "# " comment line
 *	return tap_done();		prints the plan "1..N"; 0, or 1 on failure
 *
 * The plan comes last, so table-driven tests need not count in advance.
 */
#ifndef LAZY_KDUMP_TAP_H
#define LAZY_KDUMP_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_count;
static unsigned int tap_failed;

static inline void tap_vline(int pass, const char *directive, const char *fmt,
			     va_list ap)
{
	printf("%sok %u - ", pass ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	if (directive)
		printf(" # %s", directive);
	putchar('\n');
	if (!pass)
		tap_failed++;
}

static inline void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline int tap_ok(int pass, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  Failed at %s:%d", file, line);
	return pass;
}

static inline int tap_is_int(long long got, long long want, const char *file,
			     int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_int(long long got, long long want, const char *file,
			     int line, const char *fmt, ...)
{
	int pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vline(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  Failed at %s:%d: got %lld, want %lld", file, line,
		     got, want);
	return pass;
}

static inline int tap_is_u64(uint64_t got, uint64_t want, const char *file,
			     int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_u64(uint64_t got, uint64_t want, const char *file,
			     int line, const char *fmt, ...)
{
	int pass = got == want;
	va_list ap;

	va_start(ap, fmt);
	tap_vline(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  Failed at %s:%d: got %#" PRIx64 " (%" PRIu64
		     "), want %#" PRIx64 " (%" PRIu64 ")", file, line,
		     got, got, want, want);
	return pass;
}

static inline int tap_is_str(const char *got, const char *want,
			     const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline int tap_is_str(const char *got, const char *want,
			     const char *file, int line, const char *fmt, ...)
{
	int pass = (!got && !want) || (got && want && !strcmp(got, want));
	va_list ap;

	va_start(ap, fmt);
	tap_vline(pass, NULL, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("  Failed at %s:%d: got \"%s\", want \"%s\"", file, line,
		     got ? got : "(null)", want ? want : "(null)");
	return pass;
}

static inline void skip(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void skip(const char *why, const char *fmt, ...)
{
	char directive[256];
	va_list ap;

	snprintf(directive, sizeof(directive), "SKIP %s", why);
	va_start(ap, fmt);
	tap_vline(1, directive, fmt, ap);
	va_end(ap);
}

static inline int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed)
		diag("%u of %u tests failed", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed || ferror(stdout) || tap_count == 0;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
		   __VA_ARGS__)
#define is_u64(got, want, ...) \
	tap_is_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, \
		   __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* LAZY_KDUMP_TAP_H */
