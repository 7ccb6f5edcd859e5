// SPDX-License-Identifier: GPL-2.0
/*
 * kallsyms_lookup() against fixture files (argv[1]: the fixture directory)
 * and against inline texts.
 */
#include <errno.h>
#include <stdlib.h>

#include "kallsyms.h"
#include "tap.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

static const char *fixtures = "fixtures";

struct file_case {
	const char *file;
	const char *name;
	int ret;
	uint64_t want;
};

static const struct file_case file_cases[] = {
	{ "kallsyms-crash", "crashk_res", 0, UINT64_C(0xffffffff82a1c100) },
	{ "kallsyms-crash", "crashk_low_res", 0, UINT64_C(0xffffffff82a1c180) },
	{ "kallsyms-crash", "jiffies_64", 0, UINT64_C(0xffffffff83000000) },
	{ "kallsyms-crash", "static_counter", 0, UINT64_C(0xffffffff83000040) },
	{ "kallsyms-crash", "linux_banner", 0, UINT64_C(0xffffffff82200000) },
	{ "kallsyms-crash", "crashk_res_foo", 0, UINT64_C(0xffffffff82a1c000) },
	{ "kallsyms-crash", "crashk", -ENOENT, 0 },
	/* Any type counts: 7.x shows data as 'T'. */
	{ "kallsyms-crash", "crashk_res_setup", 0, UINT64_C(0xffffffff811a2b30) },
	{ "kallsyms-crash", "startup_64", 0, UINT64_C(0xffffffff81000000) },
	{ "kallsyms-crash", "absolute_sym", 0, UINT64_C(0xffffffff82a30000) },
	{ "kallsyms-crash", "helper_function", -ENOENT, 0 },	/* module */
	{ "kallsyms-crash", "evil", -ENOENT, 0 },
	{ "kallsyms-crash", "[evil]", -ENOENT, 0 },
	{ "kallsyms-hidden", "crashk_res", -EPERM, 0 },
	{ "kallsyms-hidden", "crashk_low_res", -EPERM, 0 },
	{ "kallsyms-hidden", "no_such_symbol", -ENOENT, 0 },
	{ "kallsyms-nocrash", "crashk_res", -ENOENT, 0 },
	{ "kallsyms-nocrash", "crashk_low_res", -ENOENT, 0 },
	{ "kallsyms-nocrash", "crashk_res_", 0, UINT64_C(0xffffffff82a1c0c0) },
	{ "kallsyms-dup", "crashk_res", 0, UINT64_C(0xffffffff82a1c100) },
	{ "kallsyms-dup", "crashk_low_res", -ENOTUNIQ, 0 },
	{ "kallsyms-crash", "", -EINVAL, 0 },
	{ "does-not-exist", "crashk_res", -ENOSYS, 0 },
	{ ".", "crashk_res", -EISDIR, 0 },
};

struct text_case {
	const char *what;
	const char *text;
	int ret;
	uint64_t want;
};

static const struct text_case text_cases[] = {
	{ "no newline at the end",
	  "ffffffff81000000 T _text\nffffffff82a1c100 D crashk_res", 0,
	  UINT64_C(0xffffffff82a1c100) },
	{ "upper-case hex address",
	  "FFFFFFFF82A1C100 D crashk_res\n", 0, UINT64_C(0xffffffff82a1c100) },
	{ "32-bit kernel address",
	  "c1a2b3c4 D crashk_res\n", 0, UINT64_C(0xc1a2b3c4) },
	{ "empty file", "", -ENOENT, 0 },
	{ "17 address digits are no address",
	  "1ffffffff82a1c100 D crashk_res\n", -ENOENT, 0 },
	{ "garbage lines are skipped",
	  "\n \nhello\nffff D\nffff  D crashk_res\nxyz D crashk_res\n"
	  "ffffffff82a1c100 DD crashk_res\nffffffff82a1c100 D \n"
	  "ffffffff82a1c100 D crashk_res\n", 0,
	  UINT64_C(0xffffffff82a1c100) },
	{ "a trailing space is part of another name",
	  "ffffffff82a1c100 D crashk_res \n", -ENOENT, 0 },
	{ "hidden and shown addresses disagree",
	  "0000000000000000 D crashk_res\nffffffff82a1c100 D crashk_res\n",
	  -ENOTUNIQ, 0 },
};

static void test_files(void)
{
	char path[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(file_cases); i++) {
		const struct file_case *c = &file_cases[i];
		uint64_t v = SENTINEL;
		int r;

		snprintf(path, sizeof(path), "%s/%s", fixtures, c->file);
		r = kallsyms_lookup(path, c->name, &v);
		if (!ok(r == c->ret && v == (c->ret ? SENTINEL : c->want),
			"%s: \"%s\" -> %d %#llx", c->file, c->name, c->ret,
			(unsigned long long)c->want))
			diag("  got %d %#llx", r, (unsigned long long)v);
	}
}

static int lookup_text(const char *text, const char *name, uint64_t *v)
{
	FILE *f;
	int r;

	/* fmemopen() refuses a size of 0. */
	f = fmemopen((void *)(text[0] ? text : "\n"),
		     text[0] ? strlen(text) : 1, "r");
	if (!f)
		return -errno;
	r = kallsyms_lookup_stream(f, name, v);
	fclose(f);
	return r;
}

static void test_texts(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(text_cases); i++) {
		const struct text_case *c = &text_cases[i];
		uint64_t v = SENTINEL;
		int r = lookup_text(c->text, "crashk_res", &v);

		if (!ok(r == c->ret && v == (c->ret ? SENTINEL : c->want),
			"%s -> %d %#llx", c->what, c->ret,
			(unsigned long long)c->want))
			diag("  got %d %#llx", r, (unsigned long long)v);
	}
}

/*
 * Every symbol type counts: Debian's 7.3 shows data symbols as 'T'
 * ("ffffffffa11777a0 T crashk_res"), so the letter proves nothing.
 */
static void test_types(void)
{
	const char *types = "aAbBdDgGiInNpPrRsStTuUvVwW?-";
	char text[64];
	const char *t;

	for (t = types; *t; t++) {
		uint64_t v = SENTINEL;
		int r;

		snprintf(text, sizeof(text), "ffffffff82a1c100 %c crashk_res\n",
			 *t);
		r = lookup_text(text, "crashk_res", &v);
		ok(r == 0 && v == UINT64_C(0xffffffff82a1c100),
		   "type '%c' is accepted", *t);
	}
}

/* A line longer than any fixed buffer does not hide the next one. */
static void test_long_line(void)
{
	static const char tail[] = "\nffffffff82a1c100 D crashk_res\n";
	size_t n = 100000;
	char *text = malloc(n + sizeof(tail));
	uint64_t v = SENTINEL;
	int r;

	if (!text) {
		ok(0, "malloc for the long-line test");
		return;
	}
	memcpy(text, "ffffffff81000000 T ", 19);
	memset(text + 19, 'x', n - 19);
	memcpy(text + n, tail, sizeof(tail));
	r = lookup_text(text, "crashk_res", &v);
	ok(r == 0 && v == UINT64_C(0xffffffff82a1c100),
	   "a 100000-character line before the symbol");
	free(text);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		fixtures = argv[1];
	test_files();
	test_texts();
	test_types();
	test_long_line();
	return tap_done();
}
