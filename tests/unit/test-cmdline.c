// SPDX-License-Identifier: GPL-2.0
/*
 * The crash command line: table-driven.
 */
#include <errno.h>
#include <stdlib.h>

#include "cmdline.h"
#include "tap.h"

struct build_case {
	const char *what;
	const char *base, *remove, *append, *extra;
	int apicid;
	const char *want;
};

static const struct build_case cases[] = {
	{ "crashkernel and friends always go", "ro crashkernel=512M panic_on_warn=1 BOOT_IMAGE=/vmlinuz initrd=\\x root=/dev/vda",
	  "", "", NULL, -1, "ro root=/dev/vda" },
	{ "default remove list", "root=/dev/sda1 quiet hugepages=100 hugepagesz=2M default_hugepagesz=1G log_buf_len=16M swiotlb=65536 cma=64M hugetlb_cma=2G slub_debug=FZ ignition.firstboot console=ttyS0",
	  NULL, "", NULL, -1, "root=/dev/sda1 console=ttyS0" },
	{ "default append list", "root=/dev/vda", NULL, NULL, NULL, -1,
	  "root=/dev/vda " CMDLINE_DEFAULT_APPEND },
	{ "remove by name, exact word and prefix", "a=1 a=2 b=1 b=2 rd.lvm.lv=x rd.lvm.vg=y rd.md=z",
	  "a b=2 rd.lvm.*", "", NULL, -1, "b=1 rd.md=z" },
	{ "the running system's LUKS words always go", "root=/dev/mapper/r rd.luks.uuid=ab rd.luks.key=/k rd.luks=no luks.options=x luks=no rd.lvm.lv=vg/r",
	  "", "", NULL, -1, "root=/dev/mapper/r rd.lvm.lv=vg/r" },
	{ "'-' and '_' are the same in names", "panic-on-warn=1 log-buf-len=1M x", "log_buf_len", "", NULL, -1, "x" },
	{ "appended NAME=VALUE replaces earlier ones", "nr_cpus=8 panic=0 irqpoll x", "", "nr_cpus=1 panic=10 irqpoll", NULL, -1,
	  "x nr_cpus=1 panic=10 irqpoll" },
	{ "--append overrides the append list", "x", "", "nr_cpus=1 numa=off", "nr_cpus=2 extra", -1,
	  "x numa=off nr_cpus=2 extra" },
	{ "console= adds up", "console=tty0", "", "console=ttyS0", NULL, -1, "console=tty0 console=ttyS0" },
	{ "quoted words stay whole", "a=\"x y\" \"b=c d\" e", "b", "", NULL, -1, "a=\"x y\" e" },
	{ "init arguments after -- are dropped", "root=/dev/vda -- single --foo", NULL, "nr_cpus=1", NULL, -1,
	  "root=/dev/vda nr_cpus=1" },
	{ "disable_cpu_apicid with nr_cpus=1", "x", "", "nr_cpus=1", NULL, 4, "x nr_cpus=1 disable_cpu_apicid=4" },
	{ "no disable_cpu_apicid without nr_cpus=1", "x", "", "nr_cpus=2", NULL, 4, "x nr_cpus=2" },
	{ "an explicit disable_cpu_apicid wins", "x", "", "nr_cpus=1", "disable_cpu_apicid=7", 4,
	  "x nr_cpus=1 disable_cpu_apicid=7" },
	{ "blanks collapse, newline at the end of /proc/cmdline", "  a   b\t c\n", "", "", NULL, -1, "a b c" },
	{ "empty everything", "", "", "", NULL, -1, "" },
};

static void build(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct build_case *c = &cases[i];
		struct cmdline_spec s = { c->base, c->remove, c->append,
					  c->extra, c->apicid };
		struct lk_error e;
		char *out = NULL;
		int r;

		r = cmdline_build(&s, &out, &e);
		is_int(r, 0, "%s: builds", c->what);
		is_str(out, c->want, "%s", c->what);
		free(out);
	}
}

static void errors_and_helpers(void)
{
	struct cmdline_spec s = { "a\001b", "", "", NULL, -1 };
	struct lk_error e = { "" };
	char *out = NULL, **w;
	size_t n;
	int r;

	r = cmdline_build(&s, &out, &e);
	ok(r == -EINVAL && strstr(e.msg, "0x01"),
	   "a control character is refused (%s)", e.msg);
	ok(out == NULL, "... and nothing is returned");

	r = cmdline_split("a \"b c\" d", &w, &n);
	ok(r == 0 && n == 3 && strcmp(w[1], "\"b c\"") == 0,
	   "split keeps quoted blanks");
	cmdline_words_free(w, n);

	ok(cmdline_fits(2047 - 31, 2047), "cmdline_fits: room for elfcorehdr= and NUL");
	ok(!cmdline_fits(2047 - 30, 2047), "cmdline_fits: one character too many");

	r = cmdline_value("a=1 swiotlb=2 b swiotlb=3", "swiotlb", &out);
	ok(r == 0 && strcmp(out, "3") == 0, "cmdline_value: the last one");
	free(out);
	is_int(cmdline_value("a b=1", "c", &out), -ENOENT, "cmdline_value: missing");

	is_u64(cmdline_swiotlb_bytes("x"), 64ULL << 20, "swiotlb: default 64 MiB");
	is_u64(cmdline_swiotlb_bytes("swiotlb=65536"), 128ULL << 20,
	       "swiotlb=65536: 128 MiB");
	is_u64(cmdline_swiotlb_bytes("swiotlb=100,force"), 128 * 2048,
	       "swiotlb=100: rounded up to 128 slabs");
	is_u64(cmdline_swiotlb_bytes("swiotlb=noforce"), 64ULL << 20,
	       "swiotlb=noforce: default size");
}

int main(void)
{
	build();
	errors_and_helpers();
	return tap_done();
}
