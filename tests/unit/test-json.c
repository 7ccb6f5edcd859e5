// SPDX-License-Identifier: GPL-2.0
/*
 * json_escape(): escaping, UTF-8 validation, snprintf-like truncation.
 */
#include "json.h"
#include "lcma.h"
#include "tap.h"

struct esc_case {
	const char *what;
	const char *in;
	const char *want;
};

static const struct esc_case cases[] = {
	{ "NULL", NULL, "null" },
	{ "empty", "", "\"\"" },
	{ "plain", "lazy_cma", "\"lazy_cma\"" },
	{ "quote", "a\"b", "\"a\\\"b\"" },
	{ "backslash", "a\\b", "\"a\\\\b\"" },
	{ "slash stays", "a/b", "\"a/b\"" },
	{ "short escapes", "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
	{ "other controls", "\x01\x1f", "\"\\u0001\\u001f\"" },
	{ "DEL stays", "\x7f", "\"\x7f\"" },
	{ "2-byte UTF-8", "\xc3\xa9", "\"\xc3\xa9\"" },
	{ "3-byte UTF-8", "\xe2\x82\xac", "\"\xe2\x82\xac\"" },
	{ "4-byte UTF-8", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	{ "lone continuation", "\x80", "\"\\ufffd\"" },
	{ "truncated 2-byte", "\xc3", "\"\\ufffd\"" },
	{ "truncated 3-byte", "a\xe2\x82", "\"a\\ufffd\\ufffd\"" },
	{ "overlong '/'", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
	{ "overlong 3-byte", "\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80",
	  "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "0xff", "x\xffy", "\"x\\ufffdy\"" },
};

static void test_cases(void)
{
	char buf[256];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		n = json_escape(buf, sizeof(buf), cases[i].in);
		is_str(buf, cases[i].want, "%s", cases[i].what);
		is_int(n, strlen(cases[i].want), "%s: length", cases[i].what);
	}
}

static void test_truncation(void)
{
	char buf[8];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = json_escape(buf, 5, "abcdef");
	ok(n == 8 && !strcmp(buf, "\"abc") && buf[5] == 'x',
	   "truncated to the buffer, NUL-terminated, full length returned");

	memset(buf, 'x', sizeof(buf));
	n = json_escape(buf, 4, "\n\n");
	ok(n == 6 && strlen(buf) == 3 && buf[4] == 'x',
	   "an escape cut by the buffer end stays inside it");

	n = json_escape(NULL, 0, "a\"b");
	is_int(n, 6, "size 0 only measures");
}

/* The worst name the kernel could report fits JSON_ESCAPE_MAX. */
static void test_max(void)
{
	char name[LAZY_CMA_NAME_MAX];
	char buf[JSON_ESCAPE_MAX(LAZY_CMA_NAME_MAX)];
	size_t n;

	memset(name, 0x01, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = json_escape(buf, sizeof(buf), name);
	ok(n < sizeof(buf) && n == 6 * (LAZY_CMA_NAME_MAX - 1) + 2,
	   "63 control characters need %zu bytes, JSON_ESCAPE_MAX gives %zu",
	   n + 1, sizeof(buf));
}

int main(void)
{
	test_cases();
	test_truncation();
	test_max();
	return tap_done();
}
