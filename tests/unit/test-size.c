// SPDX-License-Identifier: GPL-2.0
/*
 * Sizes, addresses, node numbers and durations: table-driven.
 */
#include <errno.h>
#include <limits.h>

#include "size.h"
#include "tap.h"

#define K (UINT64_C(1) << 10)
#define M (UINT64_C(1) << 20)
#define G (UINT64_C(1) << 30)
#define T (UINT64_C(1) << 40)
#define P (UINT64_C(1) << 50)
#define E (UINT64_C(1) << 60)
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

struct parse_case {
	const char *in;
	int ret;
	uint64_t want;
};

static const struct parse_case size_cases[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "4096", 0, 4096 },
	{ "0010", 0, 10 },			/* not octal */
	{ "512K", 0, 512 * K },
	{ "512k", 0, 512 * K },
	{ "256M", 0, 256 * M },
	{ "256m", 0, 256 * M },
	{ "256MiB", 0, 256 * M },
	{ "256mib", 0, 256 * M },
	{ "256MB", 0, 256 * M },		/* binary too */
	{ "256Mb", 0, 256 * M },
	{ "1G", 0, G },
	{ "2T", 0, 2 * T },
	{ "3P", 0, 3 * P },
	{ "1E", 0, E },
	{ "15E", 0, 15 * E },
	{ "4096B", 0, 4096 },
	{ "4096b", 0, 4096 },
	{ "1.5G", 0, G + G / 2 },
	{ "1.25G", 0, G + G / 4 },
	{ "1.50M", 0, M + M / 2 },
	{ "1.0", 0, 1 },
	{ "2.000K", 0, 2 * K },
	{ "0.5K", 0, 512 },
	{ "0.25KiB", 0, 256 },
	{ "0.001953125M", 0, 2048 },		/* 2^-9 M */
	{ "15.75E", 0, 15 * E + 3 * (E / 4) },
	{ "15.9375E", 0, 15 * E + 15 * (E / 16) },
	{ "16777215T", 0, UINT64_MAX - T + 1 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "0x10000000", 0, 256 * M },
	{ "0X1f", 0, 31 },
	{ "0xABCdef", 0, 0xabcdef },
	{ "0xffffffffffffffff", 0, UINT64_MAX },
	{ "0x000000000000000000001", 0, 1 },	/* leading zeros */
	{ "0x0", 0, 0 },

	{ NULL, -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "-0", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1 M", -EINVAL, 0 },
	{ "12Q", -EINVAL, 0 },
	{ "K", -EINVAL, 0 },
	{ "M1", -EINVAL, 0 },
	{ "1KK", -EINVAL, 0 },
	{ "1KiBB", -EINVAL, 0 },
	{ "1Ki", -EINVAL, 0 },
	{ "1iB", -EINVAL, 0 },
	{ "1BB", -EINVAL, 0 },
	{ "1Z", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "0xg", -EINVAL, 0 },
	{ "0x1G", -EINVAL, 0 },			/* no units after hex */
	{ "0x10M", -EINVAL, 0 },
	{ "0x-1", -EINVAL, 0 },
	{ "1.", -EINVAL, 0 },
	{ ".5G", -EINVAL, 0 },
	{ "1..5G", -EINVAL, 0 },
	{ "1.5", -EINVAL, 0 },			/* half a byte */
	{ "0.1K", -EINVAL, 0 },			/* 102.4 bytes */
	{ "1.3G", -EINVAL, 0 },
	{ "1,5G", -EINVAL, 0 },
	{ "1e6", -EINVAL, 0 },
	{ "0b101", -EINVAL, 0 },
	{ "1.0000000000000000001G", -EINVAL, 0 },	/* 19 digits */
	{ "99999999999999999999Q", -EINVAL, 0 },	/* syntax before range */

	{ "18446744073709551616", -ERANGE, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
	{ "99999999999999999999K", -ERANGE, 0 },
	{ "16E", -ERANGE, 0 },
	{ "16.5E", -ERANGE, 0 },
	{ "16777216T", -ERANGE, 0 },
	{ "17179869184G", -ERANGE, 0 },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "0xfffffffffffffffff", -ERANGE, 0 },
};

static const struct parse_case addr_cases[] = {
	{ "0x100000000", 0, UINT64_C(0x100000000) },
	{ "0X1F", 0, 0x1f },
	{ "0x0", 0, 0 },
	{ "0", 0, 0 },
	{ "4096", 0, 4096 },
	{ "010", 0, 10 },
	{ "0xffffffffffffffff", 0, UINT64_MAX },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ NULL, -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "0x", -EINVAL, 0 },
	{ "1K", -EINVAL, 0 },
	{ "4096B", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+5", -EINVAL, 0 },
	{ " 0x1", -EINVAL, 0 },
	{ "0x1 ", -EINVAL, 0 },
	{ "0x1g", -EINVAL, 0 },
	{ "1.5", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
};

struct node_case {
	const char *in;
	int ret;
	int want;
};

static const struct node_case node_cases[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "007", 0, 7 },
	{ "2147483647", 0, INT_MAX },
	{ NULL, -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "x", -EINVAL, 0 },
	{ "1x", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "0x1", -EINVAL, 0 },
	{ "2147483648", -ERANGE, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
};

struct format_case {
	uint64_t in;
	const char *want;
};

static const struct format_case size_formats[] = {
	{ 0, "0" },
	{ 1, "1" },
	{ 1023, "1023" },
	{ 1024, "1K" },
	{ 1025, "1025" },
	{ 1280, "1.25K" },
	{ 1536, "1.5K" },
	{ 1792, "1.75K" },
	{ 4096, "4K" },
	{ 100663296, "96M" },
	{ 268435456, "256M" },
	{ 1536 * M, "1.5G" },
	{ G + G / 4, "1.25G" },
	{ 1023 * M, "1023M" },
	{ G + 2 * M, "1026M" },
	{ G + 4 * K, "1048580K" },
	{ 2 * T, "2T" },
	{ 3 * P, "3P" },
	{ E, "1E" },
	{ 15 * E + 3 * (E / 4), "15.75E" },
	{ UINT64_MAX, "18446744073709551615" },
	{ UINT64_MAX - K + 1, "18014398509481983K" },
};

static const struct format_case durations[] = {
	{ 0, "0ns" },
	{ 999, "999ns" },
	{ 1000, "1.0us" },
	{ 12345, "12.3us" },
	{ 999999, "999.9us" },
	{ 1000000, "1.0ms" },
	{ 45678901, "45.6ms" },
	{ 1000000000, "1.00s" },
	{ 1500000000, "1.50s" },
	{ UINT64_C(59999999999), "59.99s" },
	{ UINT64_C(60000000000), "1min00s" },
	{ UINT64_C(125000000000), "2min05s" },
};

static void test_size_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(size_cases); i++) {
		const struct parse_case *c = &size_cases[i];
		uint64_t v = SENTINEL;
		int r = size_parse(c->in, &v);

		if (c->ret == 0) {
			if (!ok(r == 0 && v == c->want,
				"size_parse(\"%s\") = %#llx", c->in,
				(unsigned long long)c->want))
				diag("  got r=%d v=%#llx", r,
				     (unsigned long long)v);
		} else {
			if (!ok(r == c->ret && v == SENTINEL,
				"size_parse(%s%s%s) fails with %s, result untouched",
				c->in ? "\"" : "", c->in ? c->in : "NULL",
				c->in ? "\"" : "",
				c->ret == -ERANGE ? "-ERANGE" : "-EINVAL"))
				diag("  got r=%d v=%#llx", r,
				     (unsigned long long)v);
		}
	}
}

static void test_addr_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addr_cases); i++) {
		const struct parse_case *c = &addr_cases[i];
		uint64_t v = SENTINEL;
		int r = addr_parse(c->in, &v);

		if (!ok(r == c->ret && v == (c->ret ? SENTINEL : c->want),
			"addr_parse(\"%s\") = %d, %#llx", c->in ? c->in : "NULL",
			c->ret, (unsigned long long)c->want))
			diag("  got r=%d v=%#llx", r, (unsigned long long)v);
	}
}

static void test_node_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(node_cases); i++) {
		const struct node_case *c = &node_cases[i];
		int v = -42;
		int r = node_parse(c->in, &v);

		if (!ok(r == c->ret && v == (c->ret ? -42 : c->want),
			"node_parse(\"%s\") = %d, %d", c->in ? c->in : "NULL",
			c->ret, c->want))
			diag("  got r=%d v=%d", r, v);
	}
}

static void test_size_format(void)
{
	char buf[SIZE_FORMAT_MAX];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(size_formats); i++) {
		const struct format_case *c = &size_formats[i];

		n = size_format(c->in, buf, sizeof(buf));
		is_str(buf, c->want, "size_format(%llu)",
		       (unsigned long long)c->in);
		is_int(n, strlen(c->want), "size_format(%llu) length",
		       (unsigned long long)c->in);
	}

	memset(buf, 'x', sizeof(buf));
	n = size_format(1048580 * K, buf, 4);
	ok(n == 8 && !strcmp(buf, "104"),
	   "size_format truncates like snprintf and returns the full length");
	n = size_format(UINT64_MAX, NULL, 0);
	ok(n > 0 && n < SIZE_FORMAT_MAX,
	   "SIZE_FORMAT_MAX holds the longest size (%d)", n);
}

/* xorshift64: deterministic, so a failure can be reproduced. */
static uint64_t rnd_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Whatever size_format() prints, size_parse() reads back exactly. */
static void test_round_trip(void)
{
	static const unsigned int shifts[] = { 0, 8, 12, 21, 28, 30, 40, 58 };
	char buf[SIZE_FORMAT_MAX];
	size_t s;
	int i;

	for (s = 0; s < ARRAY_SIZE(shifts); s++) {
		unsigned int bad = 0;
		uint64_t first_bad = 0;

		for (i = 0; i < 5000; i++) {
			/* Values that are multiples of 2^shift. */
			uint64_t v = rnd() >> (rnd() % 64);
			uint64_t back = SENTINEL;

			v &= ~((UINT64_C(1) << shifts[s]) - 1);
			size_format(v, buf, sizeof(buf));
			if (size_parse(buf, &back) != 0 || back != v) {
				if (!bad++)
					first_bad = v;
			}
		}
		if (!ok(bad == 0,
			"size_parse(size_format(v)) == v for 5000 multiples of 2^%u",
			shifts[s]))
			diag("  %u failures, first %#llx", bad,
			     (unsigned long long)first_bad);
	}
}

static void test_duration_format(void)
{
	char buf[SIZE_FORMAT_MAX];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		const struct format_case *c = &durations[i];

		duration_format(c->in, buf, sizeof(buf));
		is_str(buf, c->want, "duration_format(%llu)",
		       (unsigned long long)c->in);
	}
	n = duration_format(UINT64_MAX, NULL, 0);
	ok(n > 0 && n < SIZE_FORMAT_MAX,
	   "SIZE_FORMAT_MAX holds the longest duration (%d)", n);
}

int main(void)
{
	test_size_parse();
	test_addr_parse();
	test_node_parse();
	test_size_format();
	test_round_trip();
	test_duration_format();
	return tap_done();
}
