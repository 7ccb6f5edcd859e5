// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/lazy-kdump.conf parsing: good files, every bad line, DUMP_TARGET
 * forms, the normalised forms config_format() writes (lazy-kdump config,
 * the capture initrd's copy), and the shipped default file (argv[1])
 * parses to the defaults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "config.h"
#include "metrics.h"
#include "tap.h"

static void good(void)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"   # indented comment\n"
		"KERNEL=/boot/vmlinuz-x\n"
		"INITRD = '/var/lib/x y.img'\n"
		"CMDLINE_REMOVE=\"quiet splash\"\n"
		"CMDLINE_APPEND=\"\"\n"
		"SIZE=192M # trailing comment\n"
		"NODE=1\n"
		"PLACEMENT=high\n"
		"WORKING_MEMORY=split\n"
		"DUMP_TARGET=/srv/crash\n"
		"CORE_COLLECTOR='makedumpfile -c -d 31 $x'\n"
		"KEEP_DUMPS=0\n"
		"MIN_FREE=512M\n"
		"FINAL_ACTION=halt";
	struct lk_config c;
	struct lk_error e = { "" };
	int r;

	config_init(&c);
	r = config_parse(&c, text, "t.conf", &e);
	is_int(r, 0, "a full file parses (%s)", e.msg);
	is_str(c.kernel, "/boot/vmlinuz-x", "KERNEL");
	is_str(c.initrd, "/var/lib/x y.img", "INITRD single-quoted, blanks around =");
	is_str(c.cmdline_remove, "quiet splash", "CMDLINE_REMOVE double-quoted");
	is_str(c.cmdline_append, "", "CMDLINE_APPEND empty means empty, not default");
	ok(!c.size_auto && c.size == 192ULL << 20, "SIZE=192M with a comment");
	is_int(c.node, 1, "NODE");
	is_int(c.placement, PLACEMENT_HIGH, "PLACEMENT");
	is_int(c.working_memory, WM_SPLIT, "WORKING_MEMORY=split");
	is_str(c.dump_target, "/srv/crash", "DUMP_TARGET");
	is_str(c.core_collector, "makedumpfile -c -d 31 $x", "CORE_COLLECTOR literal in '...'");
	is_int(c.final_action, FINAL_HALT, "FINAL_ACTION, last line without newline");
	is_int(c.keep_dumps, 0, "KEEP_DUMPS=0 (keep all)");
	ok(!c.min_free_pct && c.min_free == 512ULL << 20, "MIN_FREE=512M");

	r = config_parse(&c, "MIN_FREE=10%\nKEEP_DUMPS=7\n", "t3", &e);
	ok(r == 0 && c.min_free_pct && c.min_free == 10 && c.keep_dumps == 7,
	   "MIN_FREE=10%%, KEEP_DUMPS=7");
	r = config_parse(&c, "MIN_FREE=\nKEEP_DUMPS=\n", "t4", &e);
	ok(r == 0 && c.min_free_pct && c.min_free == 5 && c.keep_dumps == 3,
	   "empty MIN_FREE and KEEP_DUMPS restore 5%% and 3");

	r = config_parse(&c, "METRICS_FILE=/srv/prom/kdump.prom\n", "t5", &e);
	ok(r == 0 && !c.metrics_none && c.metrics_file &&
	   strcmp(c.metrics_file, "/srv/prom/kdump.prom") == 0,
	   "METRICS_FILE=/srv/prom/kdump.prom");
	r = config_parse(&c, "KDUMP_PRE=\"/a/b  /c\"\nKDUMP_POST=/d\nHOOK_TIMEOUT=5\n", "t8", &e);
	ok(r == 0 && c.kdump_pre && strcmp(c.kdump_pre, "/a/b  /c") == 0 &&
	   c.kdump_post && strcmp(c.kdump_post, "/d") == 0 && c.hook_timeout == 5,
	   "KDUMP_PRE with two hooks, KDUMP_POST, HOOK_TIMEOUT=5");
	r = config_parse(&c, "KDUMP_PRE=\nHOOK_TIMEOUT=\n", "t9", &e);
	ok(r == 0 && !c.kdump_pre && c.hook_timeout == CONFIG_DEFAULT_HOOK_TIMEOUT,
	   "empty KDUMP_PRE and HOOK_TIMEOUT restore none and 60");
	r = config_parse(&c, "METRICS_FILE=none\n", "t6", &e);
	ok(r == 0 && c.metrics_none && !c.metrics_file, "METRICS_FILE=none");
	r = config_parse(&c, "METRICS_FILE=\n", "t7", &e);
	ok(r == 0 && !c.metrics_none && !c.metrics_file,
	   "an empty METRICS_FILE restores the default");

	r = config_parse(&c, "LUKS_KEY_FILE=/etc/lazy-kdump/luks.key\n", "t10", &e);
	ok(r == 0 && c.luks_key_file &&
	   strcmp(c.luks_key_file, "/etc/lazy-kdump/luks.key") == 0,
	   "LUKS_KEY_FILE=/etc/lazy-kdump/luks.key");
	r = config_parse(&c, "LUKS_KEY_FILE=\n", "t11", &e);
	ok(r == 0 && !c.luks_key_file, "an empty LUKS_KEY_FILE restores none");

	r = config_parse(&c, "DUMP_TARGET=raw:/dev/vdb\nRAW_SAVE_DIR=/srv/crash\n", "t12", &e);
	ok(r == 0 && config_raw_device(&c) &&
	   strcmp(config_raw_device(&c), "/dev/vdb") == 0 &&
	   strcmp(config_raw_save_dir(&c), "/srv/crash") == 0,
	   "DUMP_TARGET=raw:/dev/vdb, RAW_SAVE_DIR=/srv/crash");
	r = config_parse(&c, "CORE_COLLECTOR=\"makedumpfile -c -d 31\"\nRAW_SAVE_DIR=\nDUMP_TARGET=/var/crash\n", "t13", &e);
	ok(r == 0 && !config_raw_device(&c) &&
	   strcmp(config_raw_save_dir(&c), "/var/crash") == 0,
	   "an empty RAW_SAVE_DIR restores /var/crash; a path is not raw");
	r = config_parse(&c, "FAILURE_ACTION=dump-local\n", "t14", &e);
	ok(r == 0 && strcmp(config_failure_action(&c), "dump-local") == 0,
	   "FAILURE_ACTION=dump-local");
	r = config_parse(&c, "FAILURE_ACTION=\n", "t15", &e);
	ok(r == 0 && strcmp(config_failure_action(&c), "final") == 0,
	   "an empty FAILURE_ACTION restores final");
	r = config_parse(&c, "CORE_COLLECTOR=\nSIZE=auto\nNODE=any\nKERNEL=\n", "t2", &e);
	ok(r == 0 && c.size_auto && c.node == -1 && c.kernel == NULL,
	   "auto, any, and an empty KERNEL restore the defaults");
	config_free(&c);
}

struct bad {
	const char *text;
	const char *detail;
};

static const struct bad bads[] = {
	{ "FOO=1\n", "t.conf:1: unknown key 'FOO'" },
	{ "# c\nKERNEL=/x\nkernel=/y\n", "t.conf:3: unknown key 'kernel'" },
	{ "KERNEL\n", "t.conf:1: expected KEY=VALUE" },
	{ "=x\n", "t.conf:1: expected KEY=VALUE" },
	{ "SIZE=lots\n", "t.conf:1: SIZE must be" },
	{ "SIZE=0\n", "t.conf:1: SIZE must be" },
	{ "NODE=-1\n", "t.conf:1: NODE must be" },
	{ "PLACEMENT=middle\n", "t.conf:1: PLACEMENT must be low or high" },
	{ "WORKING_MEMORY=lent\n", "t.conf:1: WORKING_MEMORY must be held or split" },
	{ "WORKING_MEMORY=Split\n", "t.conf:1: WORKING_MEMORY must be held or split" },
	{ "FINAL_ACTION=off\n", "t.conf:1: FINAL_ACTION must be reboot, poweroff, halt or shell" },
	{ "DUMP_TARGET=var/crash\n", "t.conf:1: DUMP_TARGET must be an absolute PATH, DEVICE:PATH" },
	{ "DUMP_TARGET=raw:UUID=1a\n", "t.conf:1: DUMP_TARGET must be" },
	{ "FAILURE_ACTION=dump_local\n", "t.conf:1: FAILURE_ACTION must be final (FINAL_ACTION), dump-local, reboot, poweroff, halt or shell" },
	{ "FAILURE_ACTION=Reboot\n", "t.conf:1: FAILURE_ACTION must be" },
	{ "RAW_SAVE_DIR=crash\n", "t.conf:1: RAW_SAVE_DIR must be an absolute directory path" },
	{ "RAW_SAVE_DIR=\"/var/my crash\"\n", "t.conf:1: RAW_SAVE_DIR must be" },
	{ "DUMP_TARGET=raw:/dev/vdb\nCORE_COLLECTOR=cp\n", "t.conf: CORE_COLLECTOR=cp cannot write to DUMP_TARGET=raw:/dev/vdb: a raw device takes makedumpfile's flattened format" },
	{ "CORE_COLLECTOR=\"cat -\"\nDUMP_TARGET=raw:/dev/vdb\n", "t.conf: CORE_COLLECTOR=cat - cannot write to DUMP_TARGET=raw:/dev/vdb" },
	{ "DUMP_TARGET=ssh://h/crash\nCORE_COLLECTOR=cp\n", "t.conf: CORE_COLLECTOR=cp cannot write to DUMP_TARGET=ssh://h/crash: a dump streamed over ssh takes makedumpfile's flattened format" },
	{ "DUMP_TARGET=ssh://h\n", "t.conf:1: DUMP_TARGET must be" },
	{ "DUMP_TARGET=nfs://h/crash\n", "t.conf:1: DUMP_TARGET must be" },
	{ "SSH_KEY=id_rsa\n", "t.conf:1: SSH_KEY must be the absolute path of a private key" },
	{ "NFS_OPTIONS=\"vers=3 ro\"\n", "t.conf:1: NFS_OPTIONS must be mount options separated by commas" },
	{ "NFS_OPTIONS=,vers=3\n", "t.conf:1: NFS_OPTIONS must be" },
	{ "DUMP_TARGET=/mnt/x:/crash\n", "t.conf:1: DUMP_TARGET must be" },
	{ "DUMP_TARGET=FOO=1:/crash\n", "t.conf:1: DUMP_TARGET must be" },
	{ "DUMP_TARGET=UUID=:/crash\n", "t.conf:1: DUMP_TARGET must be" },
	{ "DUMP_TARGET=label=x:/crash\n", "t.conf:1: DUMP_TARGET must be" },
	{ "KEEP_DUMPS=three\n", "t.conf:1: KEEP_DUMPS must be" },
	{ "KEEP_DUMPS=-1\n", "t.conf:1: KEEP_DUMPS must be" },
	{ "KEEP_DUMPS=10000\n", "t.conf:1: KEEP_DUMPS must be" },
	{ "MIN_FREE=100%\n", "t.conf:1: MIN_FREE must be" },
	{ "MIN_FREE=%\n", "t.conf:1: MIN_FREE must be" },
	{ "MIN_FREE=5x%\n", "t.conf:1: MIN_FREE must be" },
	{ "MIN_FREE=lots\n", "t.conf:1: MIN_FREE must be" },
	{ "KDUMP_PRE=hook\n", "t.conf:1: KDUMP_PRE must be the absolute paths of executables" },
	{ "KDUMP_POST=\"/a b\"\n", "t.conf:1: KDUMP_POST must be the absolute paths of executables" },
	{ "KDUMP_POST=\"/ /a\"\n", "t.conf:1: KDUMP_POST must be" },
	{ "HOOK_TIMEOUT=0\n", "t.conf:1: HOOK_TIMEOUT must be a number of seconds from 1 to 86400" },
	{ "HOOK_TIMEOUT=86401\n", "t.conf:1: HOOK_TIMEOUT must be" },
	{ "HOOK_TIMEOUT=5s\n", "t.conf:1: HOOK_TIMEOUT must be" },
	{ "KEEP_DUMPS=99999\n", "t.conf:1: KEEP_DUMPS must be" },
	{ "METRICS_FILE=lazy-kdump.prom\n", "t.conf:1: METRICS_FILE must be an absolute path ending in .prom" },
	{ "METRICS_FILE=/var/lib/x/lazy-kdump.txt\n", "t.conf:1: METRICS_FILE must be" },
	{ "METRICS_FILE=/var/lib/x/.prom\n", "t.conf:1: METRICS_FILE must be" },
	{ "METRICS_FILE=/var/lib/x/\n", "t.conf:1: METRICS_FILE must be" },
	{ "METRICS_FILE=None\n", "t.conf:1: METRICS_FILE must be" },
	{ "LUKS_KEY_FILE=luks.key\n", "t.conf:1: LUKS_KEY_FILE must be the absolute path of a key file, without blanks" },
	{ "LUKS_KEY_FILE=/\n", "t.conf:1: LUKS_KEY_FILE must be" },
	{ "LUKS_KEY_FILE=\"/etc/my key\"\n", "t.conf:1: LUKS_KEY_FILE must be" },
	{ "CMDLINE_APPEND=a b\n", "t.conf:1: CMDLINE_APPEND: a value with blanks must be quoted" },
	{ "CMDLINE_APPEND=\"a b\n", "t.conf:1: CMDLINE_APPEND: the quote is not closed" },
	{ "CORE_COLLECTOR=\"x $HOME\"\n", "t.conf:1: CORE_COLLECTOR: $, ` and \\ are not allowed" },
	{ "KERNEL=/a;rm\n", "t.conf:1: KERNEL: a value with blanks or shell characters must be quoted" },
	{ "KERNEL='a' b\n", "t.conf:1: KERNEL: unexpected text after the closing quote" },
};

static void bad(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		struct lk_config c;
		struct lk_error e = { "" };
		int r;

		config_init(&c);
		r = config_parse(&c, bads[i].text, "t.conf", &e);
		is_int(r, -EINVAL, "bad line %zu is refused", i + 1);
		ok(strncmp(e.msg, bads[i].detail, strlen(bads[i].detail)) == 0,
		   "bad line %zu: \"%s\" (got \"%s\")", i + 1, bads[i].detail,
		   e.msg);
		config_free(&c);
	}
}

static void targets(void)
{
	static const char *const good_t[] = {
		"", "/var/crash", "/", "/dev/sdb1:/crash", "UUID=1a-2b:/",
		"LABEL=dumps:/crash", "PARTUUID=x:/a/b", "PARTLABEL=p:/c",
		"/srv/a:b", "LABEL=a:/b:/c", "raw:/dev/vdb",
		"raw:/dev/disk/by-path/pci-0000:00:05.0", "raw:PARTUUID=1a-2b",
		"raw:PARTLABEL=crashdump", "nfs://h:/e", "nfs://10.0.0.1:/srv/crash",
		"nfs://[fe80::1]:/x", "ssh://h/x", "ssh://kdump@dumps.example.com:2222/var/crash",
		"ssh://u_1.x@[2001:db8::2]/a/b", "ssh://h/a..b",
	};
	static const char *const bad_t[] = {
		"crash", "var/crash", "/dev/:/x", "/mnt/x:/y", "UUID=:/x",
		"FOO=x:/y", "uuid=x:/y", "LABEL=x", "nfs://h/e", "nfs://:/e", "raw:",
		"ssh://h", "ssh://h:/x", "ssh://h:0/x", "ssh://h:65536/x",
		"ssh://@h/x", "ssh://-u@h/x", "ssh://h/../x", "ssh://h/a/..",
		"ssh://h/a'b", "ssh://h/a$b", "ssh://-h/x", "ssh://[h]/x",
		"nfs://h:/a b", "ssh://h/x;rm",
		"raw:/dev/", "raw:vdb", "raw:UUID=1a", "raw:LABEL=x",
		"raw:/dev/vdb:/crash", "raw:PARTUUID=", "raw:/dev/a b",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good_t); i++)
		is_int(dump_target_check(good_t[i]), 0, "DUMP_TARGET '%s' is accepted",
		       good_t[i]);
	for (i = 0; i < ARRAY_SIZE(bad_t); i++)
		is_int(dump_target_check(bad_t[i]), -EINVAL,
		       "DUMP_TARGET '%s' is refused", bad_t[i]);
}

static void net_targets(void)
{
	struct net_target t;

	is_int(net_target_parse("/var/crash", &t), -ENOENT, "a path is no dump server");
	is_int(net_target_parse("ssh://h/x", &t), 0, "ssh://h/x parses");
	is_str(t.user, "root", "ssh: USER defaults to root");
	is_int((int)t.port, 22, "ssh: PORT defaults to 22");
	is_str(t.host, "h", "ssh: HOST");
	is_str(t.path, "/x", "ssh: PATH");
	is_int(net_target_parse("ssh://kdump@[2001:db8::2]:2222/var/crash", &t), 0,
	       "ssh with user, IPv6 and port parses");
	is_str(t.user, "kdump", "ssh: USER");
	is_str(t.host, "2001:db8::2", "ssh: an IPv6 HOST without its brackets");
	is_int((int)t.port, 2222, "ssh: PORT");
	is_str(t.path, "/var/crash", "ssh: PATH after the port");
	is_int(net_target_parse("nfs://srv.example.com:/export/crash", &t), 0, "nfs parses");
	ok(t.kind == NET_NFS, "nfs: the kind");
	is_str(t.host, "srv.example.com", "nfs: HOST");
	is_str(t.path, "/export/crash", "nfs: PATH");
	is_int(net_target_parse("nfs://h/x", &t), -EINVAL, "nfs without ':/' is malformed");
}

/* The value of KEY= in a config_format() text (NULL: not there). */
static const char *value_of(const char *text, const char *key, char *buf,
			    size_t size)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			snprintf(buf, size, "%.*s", (int)(len - klen - 1),
				 p + klen + 1);
			return buf;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static int count_lines(const char *text, int hash)
{
	int n = 0;
	const char *p = text;

	while (p && *p) {
		if ((*p == '#') == hash)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static void format(void)
{
	static const char text[] =
		"INITRD='/var/lib/x y.img'\n"
		"CMDLINE_APPEND=\"\"\n"
		"SIZE=1536M\n"
		"NODE=1\n"
		"DUMP_TARGET = 'LABEL=dumps:/crash' # c\n"
		"CORE_COLLECTOR='makedumpfile -c -d 31 --message-level 7'\n"
		"FINAL_ACTION=poweroff\n"
		"KEEP_DUMPS=7\n"
		"MIN_FREE=512M\n";
	struct lk_config c;
	struct lk_error e = { "" };
	char buf[512], *out;

	config_init(&c);
	out = config_format(&c, CONFIG_FORMAT_FULL, "/etc/x.conf");
	ok(out != NULL, "the defaults format");
	if (!out)
		return;
	is_int(count_lines(out, 0), 22, "full: every key, once");
	ok(strstr(out, "/etc/x.conf") != NULL, "full: the header names the file");
	is_str(value_of(out, "KERNEL", buf, sizeof(buf)), "", "full: KERNEL empty (the default)");
	is_str(value_of(out, "SIZE", buf, sizeof(buf)), "auto", "full: SIZE=auto");
	is_str(value_of(out, "NODE", buf, sizeof(buf)), "any", "full: NODE=any");
	is_str(value_of(out, "CMDLINE_APPEND", buf, sizeof(buf)),
	       CMDLINE_DEFAULT_APPEND, "full: CMDLINE_APPEND the default list");
	is_str(value_of(out, "MIN_FREE", buf, sizeof(buf)), "5%", "full: MIN_FREE=5%%");
	is_str(value_of(out, "METRICS_FILE", buf, sizeof(buf)), METRICS_DEFAULT_FILE,
	       "full: METRICS_FILE the default");
	free(out);

	out = config_format(&c, CONFIG_FORMAT_CAPTURE, "/etc/x.conf");
	ok(out && strncmp(out, CONFIG_CAPTURE_MAGIC "\n",
			  strlen(CONFIG_CAPTURE_MAGIC) + 1) == 0,
	   "capture: the first line is the magic");
	is_int(out ? count_lines(out, 0) : -1, 9, "capture: nine keys");
	is_str(value_of(out, "DUMP_TARGET", buf, sizeof(buf)), "/var/crash",
	       "capture: DUMP_TARGET default");
	is_str(value_of(out, "CORE_COLLECTOR", buf, sizeof(buf)),
	       CONFIG_DEFAULT_CORE_COLLECTOR, "capture: CORE_COLLECTOR default");
	is_str(value_of(out, "FINAL_ACTION", buf, sizeof(buf)), "reboot",
	       "capture: FINAL_ACTION default");
	is_str(value_of(out, "KEEP_DUMPS", buf, sizeof(buf)), "3", "capture: KEEP_DUMPS default");
	ok(value_of(out, "SIZE", buf, sizeof(buf)) == NULL, "capture: no SIZE");
	free(out);

	is_int(config_parse(&c, text, "t.conf", &e), 0, "a file with quotes parses (%s)", e.msg);
	out = config_format(&c, CONFIG_FORMAT_FULL, "t.conf");
	is_str(value_of(out, "INITRD", buf, sizeof(buf)), "/var/lib/x y.img",
	       "full: a quoted value without its quotes");
	is_str(value_of(out, "CMDLINE_APPEND", buf, sizeof(buf)), "",
	       "full: CMDLINE_APPEND=\"\" stays empty");
	is_str(value_of(out, "SIZE", buf, sizeof(buf)), "1.5G", "full: SIZE in size_format()");
	is_str(value_of(out, "NODE", buf, sizeof(buf)), "1", "full: NODE=1");
	is_str(value_of(out, "MIN_FREE", buf, sizeof(buf)), "512M", "full: MIN_FREE=512M");
	free(out);
	is_int(config_parse(&c, "METRICS_FILE=none\n", "t.conf", &e), 0, "METRICS_FILE=none parses");
	out = config_format(&c, CONFIG_FORMAT_FULL, "t.conf");
	is_str(value_of(out, "METRICS_FILE", buf, sizeof(buf)), "none", "full: METRICS_FILE=none");
	free(out);
	out = config_format(&c, CONFIG_FORMAT_CAPTURE, "t.conf");
	ok(value_of(out, "METRICS_FILE", buf, sizeof(buf)) == NULL, "capture: no METRICS_FILE");
	free(out);
	out = config_format(&c, CONFIG_FORMAT_CAPTURE, "t.conf");
	is_str(value_of(out, "DUMP_TARGET", buf, sizeof(buf)), "LABEL=dumps:/crash",
	       "capture: DUMP_TARGET without quotes and comment");
	is_str(value_of(out, "CORE_COLLECTOR", buf, sizeof(buf)),
	       "makedumpfile -c -d 31 --message-level 7", "capture: CORE_COLLECTOR verbatim");
	is_str(value_of(out, "FINAL_ACTION", buf, sizeof(buf)), "poweroff",
	       "capture: FINAL_ACTION=poweroff");
	is_str(value_of(out, "KEEP_DUMPS", buf, sizeof(buf)), "7", "capture: KEEP_DUMPS=7");
	is_str(value_of(out, "HOOK_TIMEOUT", buf, sizeof(buf)), "60", "capture: HOOK_TIMEOUT default");
	is_str(value_of(out, "KDUMP_PRE", buf, sizeof(buf)), "", "capture: KDUMP_PRE empty");
	is_str(value_of(out, "MIN_FREE", buf, sizeof(buf)), "536870912",
	       "capture: MIN_FREE in bytes");
	ok(value_of(out, "NET_KIND", buf, sizeof(buf)) == NULL,
	   "capture: no NET_* keys for a local target");
	free(out);
	config_free(&c);

	/* A dump server: its parts, so that no shell parses the URL. */
	config_init(&c);
	is_int(config_parse(&c, "DUMP_TARGET=ssh://kdump@dumps:2222/var/crash\nSSH_KEY=/root/k\n",
			    "t.conf", &e), 0, "an ssh target parses (%s)", e.msg);
	out = config_format(&c, CONFIG_FORMAT_CAPTURE, "t.conf");
	is_str(value_of(out, "NET_KIND", buf, sizeof(buf)), "ssh", "capture: NET_KIND=ssh");
	is_str(value_of(out, "NET_HOST", buf, sizeof(buf)), "dumps", "capture: NET_HOST");
	is_str(value_of(out, "NET_USER", buf, sizeof(buf)), "kdump", "capture: NET_USER");
	is_str(value_of(out, "NET_PORT", buf, sizeof(buf)), "2222", "capture: NET_PORT");
	is_str(value_of(out, "NET_PATH", buf, sizeof(buf)), "/var/crash", "capture: NET_PATH");
	is_str(value_of(out, "SSH_KEY", buf, sizeof(buf)), "/root/k", "capture: SSH_KEY");
	ok(value_of(out, "NFS_OPTIONS", buf, sizeof(buf)) == NULL, "capture: no NFS_OPTIONS for ssh");
	free(out);
	config_free(&c);
	config_init(&c);
	is_int(config_parse(&c, "DUMP_TARGET=nfs://srv:/export/crash\nNFS_OPTIONS=vers=3\n",
			    "t.conf", &e), 0, "an nfs target parses (%s)", e.msg);
	out = config_format(&c, CONFIG_FORMAT_CAPTURE, "t.conf");
	is_str(value_of(out, "NET_KIND", buf, sizeof(buf)), "nfs", "capture: NET_KIND=nfs");
	is_str(value_of(out, "NFS_OPTIONS", buf, sizeof(buf)), "nolock,vers=3",
	       "capture: NFS_OPTIONS after nolock");
	ok(value_of(out, "SSH_KEY", buf, sizeof(buf)) == NULL, "capture: no SSH_KEY for nfs");
	free(out);
	out = config_format(&c, CONFIG_FORMAT_FULL, "t.conf");
	is_str(value_of(out, "NFS_OPTIONS", buf, sizeof(buf)), "vers=3", "full: NFS_OPTIONS as given");
	is_str(value_of(out, "SSH_KEY", buf, sizeof(buf)), CONFIG_DEFAULT_SSH_KEY, "full: SSH_KEY default");
	free(out);
	config_free(&c);
}

static void files(const char *shipped)
{
	struct lk_config c;
	struct lk_error e = { "" };
	int r;

	config_init(&c);
	is_int(config_load(&c, "/nonexistent/lazy-kdump.conf", false, &e), 0,
	       "a missing default file means defaults");
	is_int(config_load(&c, "/nonexistent/lazy-kdump.conf", true, &e), -ENOENT,
	       "a missing explicit file is an error");
	if (!shipped) {
		skip("no file given", "the shipped default configuration");
	} else {
		r = config_load(&c, shipped, true, &e);
		is_int(r, 0, "the shipped lazy-kdump.conf parses (%s)", e.msg);
		ok(c.kernel == NULL && c.initrd == NULL && c.size_auto &&
		   c.node == -1 && c.placement == PLACEMENT_LOW &&
		   c.working_memory == WM_HELD &&
		   c.final_action == FINAL_REBOOT && c.cmdline_remove == NULL &&
		   c.cmdline_append == NULL && c.keep_dumps == 3 &&
		   c.min_free_pct && c.min_free == 5,
		   "the shipped lazy-kdump.conf sets only defaults");
	}
	config_free(&c);
}

int main(int argc, char **argv)
{
	good();
	bad();
	targets();
	net_targets();
	format();
	files(argc > 1 ? argv[1] : NULL);
	return tap_done();
}
