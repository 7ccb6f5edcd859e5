// SPDX-License-Identifier: GPL-2.0
/*
 * size - parse and format sizes, addresses, node numbers and durations.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "size.h"

static const char unit_letters[] = "KMGTPE";

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char upper(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	return c;
}

/* "0x..." with at least one digit and nothing after the digits. */
static int parse_hex(const char *s, uint64_t *ret)
{
	bool overflow = false;
	uint64_t v = 0;
	const char *p;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
		return -EINVAL;
	for (p = s + 2; *p; p++) {
		int d = hex_digit(*p);

		if (d < 0)
			return -EINVAL;
		if (v >> 60)
			overflow = true;
		v = v << 4 | (uint64_t)d;
	}
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Decimal digits up to the first non-digit, which *end points at. */
static int parse_dec_prefix(const char *s, const char **end, uint64_t *ret)
{
	bool overflow = false;
	uint64_t v = 0;
	const char *p;

	for (p = s; is_digit(*p); p++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
			overflow = true;
	}
	*end = p;
	if (p == s)
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	*ret = v;
	return 0;
}

/*
 * Parse a unit suffix ("", "B", "K", "KB", "KiB", ... case-insensitive)
 * into the log2 of its multiplier.
 */
static int parse_unit(const char *s, unsigned int *shift)
{
	const char *l;

	if (!*s) {
		*shift = 0;
		return 0;
	}
	if (upper(s[0]) == 'B' && !s[1]) {
		*shift = 0;
		return 0;
	}
	l = strchr(unit_letters, upper(s[0]));
	if (!l)
		return -EINVAL;
	s++;
	if (upper(s[0]) == 'I' && upper(s[1]) == 'B' && !s[2])
		s += 2;
	else if (upper(s[0]) == 'B' && !s[1])
		s++;
	if (*s)
		return -EINVAL;
	*shift = 10 * (unsigned int)(l - unit_letters + 1);
	return 0;
}

/*
 * The bytes of the fraction 0.DIGITS (@n digits at @s, no trailing zeros)
 * of a unit of 2^@shift bytes, when that is a whole number.
 *
 * DIGITS/10^n * 2^shift = f / (5^n * 2^(n - shift)) is whole exactly when
 * 5^n divides f and, after dividing, 2^(n - shift) divides what is left.
 */
static int fraction_bytes(const char *s, size_t n, unsigned int shift,
			  uint64_t *ret)
{
	uint64_t f = 0, pow5 = 1;
	size_t i;

	if (n > 18)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		f = f * 10 + (uint64_t)(s[i] - '0');
		pow5 *= 5;
	}
	if (f % pow5)
		return -EINVAL;
	f /= pow5;			/* now f < 2^n */
	if (n > shift) {
		if (f & ((UINT64_C(1) << (n - shift)) - 1))
			return -EINVAL;
		*ret = f >> (n - shift);
	} else {
		*ret = f << (shift - n);	/* < 2^shift: no overflow */
	}
	return 0;
}

int size_parse(const char *s, uint64_t *ret)
{
	const char *p, *frac = NULL;
	size_t frac_len = 0;
	uint64_t whole = 0, part = 0, v;
	unsigned int shift;
	int r, range;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, ret);

	/* Check the whole syntax before reporting an overflow. */
	range = parse_dec_prefix(s, &p, &whole);
	if (range == -EINVAL)
		return -EINVAL;
	if (*p == '.') {
		size_t i;

		frac = ++p;
		while (is_digit(*p))
			p++;
		if (p == frac)
			return -EINVAL;
		for (i = 0; frac + i < p; i++)
			if (frac[i] != '0')
				frac_len = i + 1;	/* drop trailing zeros */
	}
	r = parse_unit(p, &shift);
	if (r < 0)
		return r;
	if (frac_len) {
		r = fraction_bytes(frac, frac_len, shift, &part);
		if (r < 0)
			return r;
	}
	if (range < 0)
		return range;

	if (shift && whole >> (64 - shift))
		return -ERANGE;
	v = whole << shift;
	if (__builtin_add_overflow(v, part, &v))
		return -ERANGE;
	*ret = v;
	return 0;
}

int size_format(uint64_t v, char *buf, size_t size)
{
	int i;

	for (i = (int)sizeof(unit_letters) - 2; i >= 0; i--) {
		unsigned int shift = 10 * (unsigned int)(i + 1);
		uint64_t unit = UINT64_C(1) << shift;
		uint64_t quarter = unit / 4, q, r;

		if (v < unit)
			continue;
		q = v >> shift;
		r = v & (unit - 1);
		if (r % quarter)
			continue;	/* try the next smaller unit */
		switch (r / quarter) {
		case 1:
			return snprintf(buf, size, "%llu.25%c",
					(unsigned long long)q, unit_letters[i]);
		case 2:
			return snprintf(buf, size, "%llu.5%c",
					(unsigned long long)q, unit_letters[i]);
		case 3:
			return snprintf(buf, size, "%llu.75%c",
					(unsigned long long)q, unit_letters[i]);
		default:
			return snprintf(buf, size, "%llu%c",
					(unsigned long long)q, unit_letters[i]);
		}
	}
	return snprintf(buf, size, "%llu", (unsigned long long)v);
}

int addr_parse(const char *s, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_hex(s, ret);
	r = parse_dec_prefix(s, &end, &v);
	if (r == -EINVAL || *end)
		return -EINVAL;
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int node_parse(const char *s, int *ret)
{
	const char *end;
	uint64_t v;
	int r;

	if (!s || !*s)
		return -EINVAL;
	r = parse_dec_prefix(s, &end, &v);
	if (r == -EINVAL || *end)
		return -EINVAL;
	if (r < 0 || v > INT_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

int duration_format(uint64_t ns, char *buf, size_t size)
{
	unsigned long long n = ns;

	if (n < 1000ULL)
		return snprintf(buf, size, "%lluns", n);
	if (n < 1000000ULL)
		return snprintf(buf, size, "%llu.%lluus", n / 1000,
				n % 1000 / 100);
	if (n < 1000000000ULL)
		return snprintf(buf, size, "%llu.%llums", n / 1000000,
				n % 1000000 / 100000);
	if (n < 60000000000ULL)
		return snprintf(buf, size, "%llu.%02llus", n / 1000000000,
				n % 1000000000 / 10000000);
	n /= 1000000000ULL;
	return snprintf(buf, size, "%llumin%02llus", n / 60, n % 60);
}
