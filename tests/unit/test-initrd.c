// SPDX-License-Identifier: GPL-2.0
/*
 * Initramfs sizing: archives this test builds with 'cpio -o -H newc' and
 * compresses with gzip, xz, lzma, zstd, lz4 (legacy) and bzip2 (each
 * skipped when its tool is missing); concatenations; every error.
 * The expected numbers are computed from the files the test wrote.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "initrd.h"
#include "tap.h"

static char dir[64];

struct file {
	const char *name;
	long size;		/* -1: directory; -2: symlink to target */
	const char *target;
};

static char long_target[200];

static const struct file tree[] = {
	{ "d", -1, NULL },
	{ "d/empty", 0, NULL },
	{ "d/one", 1, NULL },
	{ "d/page", 4096, NULL },
	{ "d/page1", 4097, NULL },
	{ "d/sub", -1, NULL },
	{ "d/sub/big", 300000, NULL },
	{ "d/short", -2, "one" },
	{ "d/long", -2, long_target },
	{ "init", 12345, NULL },
};

static const struct file micro[] = {
	{ "kernel", -1, NULL },
	{ "kernel/x86", -1, NULL },
	{ "kernel/x86/microcode", -1, NULL },
	{ "kernel/x86/microcode/GenuineIntel.bin", 7000, NULL },
};

struct expect {
	uint64_t entries, files, data, tmpfs;
};

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int have(const char *tool)
{
	return sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

static uint64_t pages(uint64_t n)
{
	return (n + 4095) / 4096 * 4096;
}

/* Write @n files under DIR/@sub, list them in DIR/@sub.list, add up. */
static void make_tree(const char *sub, const struct file *f, size_t n,
		      struct expect *e)
{
	char p[512];
	FILE *list;
	size_t i;

	memset(e, 0, sizeof(*e));
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%s.list", dir, sub);
	list = fopen(p, "w");
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, f[i].name);
		if (f[i].size == -1) {
			mkdir(p, 0755);
		} else if (f[i].size == -2) {
			if (symlink(f[i].target, p) == 0 &&
			    strlen(f[i].target) >= INITRD_SHORT_SYMLINK)
				e->tmpfs += 4096;
		} else {
			FILE *o = fopen(p, "w");
			long j;

			for (j = 0; o && j < f[i].size; j++)
				fputc(rand() & 0xff, o);
			if (o)
				fclose(o);
			e->files++;
			e->data += (uint64_t)f[i].size;
			e->tmpfs += pages((uint64_t)f[i].size);
		}
		e->entries++;
		e->tmpfs += INITRD_ENTRY_OVERHEAD;
		fprintf(list, "%s\n", f[i].name);
	}
	fclose(list);
}

/* DIR/@out: a newc archive of DIR/@sub, piped through @filter ("cat"). */
static int archive(const char *sub, const char *filter, const char *out,
		   const char *format)
{
	return sh("cd %s/%s && cpio -o -H %s --quiet < ../%s.list | %s > %s/%s",
		  dir, sub, format, sub, filter, dir, out);
}

static int analyze(const char *name, struct initrd_info *info,
		   struct lk_error *e)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	e->msg[0] = '\0';
	memset(info, 0, sizeof(*info));
	return initrd_analyze(p, info, e);
}

static void check(const char *what, const struct initrd_info *in,
		  const struct expect *x, uint64_t archives)
{
	is_u64(in->archives, archives, "%s: %" PRIu64 " archive(s)", what, archives);
	is_u64(in->entries, x->entries, "%s: entries", what);
	is_u64(in->files, x->files, "%s: regular files", what);
	is_u64(in->data_bytes, x->data, "%s: data bytes = sum of file sizes", what);
	is_u64(in->tmpfs_bytes, x->tmpfs, "%s: tmpfs bytes = pages + overhead", what);
}

static const struct {
	const char *name, *tool, *filter;
} comp[] = {
	{ "cpio", "cpio", "cat" },
	{ "gzip", "gzip", "gzip -9 -n" },
	{ "xz", "xz", "xz --check=crc32 -T1" },
	{ "lzma", "xz", "xz --format=lzma" },
	{ "zstd", "zstd", "zstd -q -19" },
	{ "lz4", "lz4", "lz4 -q -l -9" },
	{ "bzip2", "bzip2", "bzip2 -9" },
};

static void each_compression(const struct expect *x)
{
	struct initrd_info in;
	struct lk_error e;
	char out[64];
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(comp); i++) {
		if (!have(comp[i].tool)) {
			skip("tool missing", "%s: %s not installed", comp[i].name,
			     comp[i].tool);
			continue;
		}
		snprintf(out, sizeof(out), "t.%s", comp[i].name);
		if (archive("tree", comp[i].filter, out, "newc") != 0) {
			ok(0, "%s: building the archive", comp[i].name);
			continue;
		}
		r = analyze(out, &in, &e);
		is_int(r, 0, "%s: analyzed (%s)", comp[i].name, e.msg);
		check(comp[i].name, &in, x, 1);
		ok(in.n_segments == 1 && strcmp(in.seg[0].format, comp[i].name) == 0,
		   "%s: one %s segment", comp[i].name, comp[i].name);
	}
}

static void concatenations(const struct expect *t, const struct expect *m)
{
	struct expect both = {
		t->entries + m->entries, t->files + m->files,
		t->data + m->data, t->tmpfs + m->tmpfs
	};
	struct initrd_info in;
	struct lk_error e;
	int r;

	/* Early microcode (uncompressed) then the main archive compressed. */
	archive("micro", "cat", "m.cpio", "newc");
	archive("tree", have("zstd") ? "zstd -q" : "gzip -n", "t.main", "newc");
	sh("cat %s/m.cpio %s/t.main > %s/early+main", dir, dir, dir);
	r = analyze("early+main", &in, &e);
	is_int(r, 0, "microcode + compressed: analyzed (%s)", e.msg);
	check("microcode + compressed", &in, &both, 2);
	ok(in.n_segments == 2 && strcmp(in.seg[0].format, "cpio") == 0,
	   "microcode + compressed: a cpio segment first");

	/* Two compressed segments with zero padding between them. */
	archive("micro", "gzip -n", "m.gz", "newc");
	archive("tree", "xz --check=crc32", "t.xz2", "newc");
	sh("cd %s && { cat m.gz; head -c 509 /dev/zero; cat t.xz2; head -c 64 /dev/zero; } > gz+xz",
	   dir);
	r = analyze("gz+xz", &in, &e);
	is_int(r, 0, "gzip + zeros + xz + zeros: analyzed (%s)", e.msg);
	check("gzip + zeros + xz", &in, &both, 2);
	is_int(in.n_segments, 2, "gzip + zeros + xz: two segments");

	/* Two archives inside one compressed stream. */
	archive("micro", "cat", "m2.cpio", "newc");
	archive("tree", "cat", "t2.cpio", "newc");
	sh("cd %s && cat m2.cpio t2.cpio | gzip -n > two-in-one", dir);
	r = analyze("two-in-one", &in, &e);
	is_int(r, 0, "two archives in one gzip stream: analyzed (%s)", e.msg);
	check("two archives in one gzip stream", &in, &both, 2);
}

struct err_case {
	const char *what;
	const char *script;	/* makes DIR/bad from files in DIR */
	int err;
	const char *detail;
};

static const struct err_case err_cases[] = {
	{ "garbage", "printf '\\253\\315\\357\\001garbage' > bad", -ENOTSUP, "ab cd ef 01" },
	{ "LZO", "printf '\\211LZO\\000\\015\\012\\032\\012xxxx' > bad", -ENOTSUP, "LZO" },
	{ "truncated cpio", "head -c 2000 t.cpio > bad", -EINVAL, "truncated" },
	{ "truncated gzip", "head -c 3000 t.gzip > bad", -EINVAL, "gzip" },
	{ "truncated xz", "head -c 3000 t.xz > bad", -EINVAL, "xz" },
	{ "truncated zstd", "head -c 3000 t.zstd > bad", -EINVAL, "zstd" },
	{ "truncated bzip2", "head -c 3000 t.bzip2 > bad", -EINVAL, "bzip2" },
	{ "truncated lz4", "head -c 3000 t.lz4 > bad", -EINVAL, "lz4" },
	{ "corrupt gzip", "{ head -c 100 t.gzip; head -c 500 /dev/zero | tr '\\000' 'x'; } > bad", -EINVAL, "gzip" },
	{ "gzip of half an archive", "head -c 20000 t.cpio | gzip -n > bad", -EINVAL, "TRAILER" },
	{ "junk after the archive in a gzip stream", "{ cat t.cpio; printf 'JUNK'; } | gzip -n > bad", -EINVAL, "junk" },
	{ "odc cpio", "cd tree && cpio -o -H odc --quiet < ../tree.list > ../bad", -EINVAL, "odc" },
	{ "empty file", ": > bad", -EINVAL, "empty" },
	{ "only zeros", "head -c 4096 /dev/zero > bad", -EINVAL, "no cpio archive" },
	{ "garbage after a valid archive", "{ cat t.cpio; printf 'XYZW'; } > bad", -ENOTSUP, "58 59 5a 57" },
};

static void errors(void)
{
	struct initrd_info in;
	struct lk_error e;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
		const struct err_case *c = &err_cases[i];

		if (sh("cd %s && rm -f bad && { %s; } 2>/dev/null", dir, c->script) != 0 ||
		    sh("test -e %s/bad", dir) != 0) {
			skip("could not build it", "%s", c->what);
			continue;
		}
		r = analyze("bad", &in, &e);
		is_int(r, c->err, "%s: refused", c->what);
		ok(strstr(e.msg, c->detail) != NULL,
		   "%s: the detail says '%s' (%s)", c->what, c->detail, e.msg);
	}
	r = analyze("does-not-exist", &in, &e);
	is_int(r, -ENOENT, "a missing file is -ENOENT");
}

int main(void)
{
	struct expect t, m;
	size_t i;

	for (i = 0; i + 1 < sizeof(long_target); i++)
		long_target[i] = (char)('a' + i % 26);
	srand(42);
	snprintf(dir, sizeof(dir), "/tmp/test-initrd.XXXXXX");
	if (!mkdtemp(dir) || !have("cpio")) {
		skip("no temporary directory or no cpio", "initrd tests");
		return tap_done();
	}
	make_tree("tree", tree, ARRAY_SIZE(tree), &t);
	make_tree("micro", micro, ARRAY_SIZE(micro), &m);
	each_compression(&t);
	concatenations(&t, &m);
	errors();
	sh("rm -rf %s", dir);
	return tap_done();
}
