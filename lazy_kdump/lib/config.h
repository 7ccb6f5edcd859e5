/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config - /etc/lazy-kdump.conf
 *
 * One KEY=VALUE a line; blank lines and lines starting with '#' are
 * ignored, as is a " # comment" after an unquoted value. Blanks around
 * '=' are allowed. The file stays valid POSIX shell, so that the capture
 * initrd may source it: a value with blanks or shell characters must be
 * quoted, '...' (taken literally) or "..." (without $, ` and \). Keys
 * (unknown ones are an error naming FILE:LINE):
 *
 *   KERNEL          crash kernel (default /boot/vmlinuz-$(uname -r))
 *   INITRD          capture initrd (default
 *                   /var/lib/lazy-kdump/initrd-$(uname -r).img)
 *   CMDLINE_REMOVE  words removed from /proc/cmdline (replaces
 *                   CMDLINE_DEFAULT_REMOVE; "" removes nothing more)
 *   CMDLINE_APPEND  words appended (replaces CMDLINE_DEFAULT_APPEND)
 *   SIZE            auto, or a size such as 192M
 *   NODE            NUMA node, or "any" / empty
 *   PLACEMENT       low (default) or high
 *   WORKING_MEMORY  held (default: one region holds the crash kernel's
 *                   images and its working memory) or split (the images
 *                   in the crash region, the working memory in a second
 *                   range below 4 GiB, bound as crashk_low_res)
 *   DUMP_TARGET     where the capture side writes (default /var/crash):
 *                   an absolute PATH, or DEVICE:PATH with DEVICE /dev/NAME,
 *                   UUID=, LABEL=, PARTUUID= or PARTLABEL=, or
 *                   raw:DEVICE (/dev/NAME, PARTUUID= or PARTLABEL=): the
 *                   dump written to the device itself, saved as files in
 *                   RAW_SAVE_DIR at the next boot (raw-save); needs
 *                   CORE_COLLECTOR to be makedumpfile; or a dump server:
 *                   ssh://[USER@]HOST[:PORT]/PATH (the flattened dump
 *                   streamed over ssh, renamed when complete; needs
 *                   makedumpfile) or nfs://HOST:/PATH (PATH exported by
 *                   HOST, or under an export, mounted by the crash kernel)
 *   SSH_KEY         the private key the capture logs in with
 *                   (CONFIG_DEFAULT_SSH_KEY; an absolute path); the server's
 *                   host key must be in CONFIG_SSH_KNOWN_HOSTS
 *   NFS_OPTIONS     mount options for an nfs:// target besides
 *                   CONFIG_NFS_BASE_OPTIONS (comma-separated, no blanks;
 *                   e.g. vers=3 or vers=4.2; default: mount.nfs's choice)
 *   RAW_SAVE_DIR    where the next boot saves a raw dump (default
 *                   /var/crash; an absolute path)
 *   CORE_COLLECTOR  default "makedumpfile -l -d 31"
 *   FINAL_ACTION    reboot (default), poweroff, halt or shell
 *   FAILURE_ACTION  what the capture does when it cannot reach
 *                   DUMP_TARGET: final (default: FINAL_ACTION), dump-local
 *                   (the dump goes to /var/crash on the root file system
 *                   instead; the capture initrd also gets what brings the
 *                   root file system up), reboot, poweroff, halt or shell
 *   KEEP_DUMPS      dumps the capture keeps (default 3; 0: all)
 *   MIN_FREE        space the capture leaves free: a size or N% (default
 *                   5%)
 *   KDUMP_PRE       executables the capture runs before the dump, after
 *                   creating its directory (absolute paths, separated by
 *                   blanks; default none), as HOOK DIR
 *   KDUMP_POST      the same after the dump, as HOOK DIR RESULT
 *   HOOK_TIMEOUT    seconds each hook may run (default 60, 1-86400)
 *   METRICS_FILE    where the running system writes its Prometheus
 *                   metrics (an absolute path ending in .prom; default
 *                   METRICS_DEFAULT_FILE, written when its directory
 *                   exists; "none": never)
 *   LUKS_KEY_FILE   a key file that opens the LUKS volume(s) the dump
 *                   target sits on (an absolute path without blanks;
 *                   default none): the capture initrd gets a copy, the
 *                   crash kernel unlocks with it. Checked against the
 *                   volumes by the capture initrd builder (mkinitrd)
 * DUMP_TARGET to HOOK_TIMEOUT are for the capture initrd. They are checked here, so that
 * a typo is reported when kdump is armed, not found after a crash, and the
 * capture initrd gets them from config_format(CONFIG_FORMAT_CAPTURE): no
 * shell script parses this file.
 */
#ifndef LAZY_KDUMP_CONFIG_H
#define LAZY_KDUMP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "lkerr.h"

#define CONFIG_DEFAULT_PATH		"/etc/lazy-kdump.conf"
#define CONFIG_DEFAULT_DUMP_TARGET	"/var/crash"
#define CONFIG_DEFAULT_CORE_COLLECTOR	"makedumpfile -l -d 31"
#define CONFIG_DEFAULT_RAW_SAVE_DIR	"/var/crash"
#define CONFIG_LOCAL_DUMP_DIR		"/var/crash"	/* FAILURE_ACTION=dump-local */
#define CONFIG_RAW_PREFIX		"raw:"
#define CONFIG_SSH_PREFIX		"ssh://"
#define CONFIG_NFS_PREFIX		"nfs://"
#define CONFIG_DEFAULT_SSH_KEY		"/etc/lazy-kdump/ssh/id_ed25519"
#define CONFIG_SSH_KNOWN_HOSTS		"/etc/lazy-kdump/ssh/known_hosts"
#define CONFIG_NFS_BASE_OPTIONS		"nolock"	/* no statd in the crash kernel */

enum placement {
	PLACEMENT_LOW,
	PLACEMENT_HIGH,
};

enum working_memory {
	WM_HELD,
	WM_SPLIT,
};

enum final_action {
	FINAL_REBOOT,
	FINAL_POWEROFF,
	FINAL_HALT,
	FINAL_SHELL,
};

struct lk_config {
	char *kernel;		/* NULL: the default */
	char *initrd;		/* NULL: the default */
	char *cmdline_remove;	/* NULL: CMDLINE_DEFAULT_REMOVE */
	char *cmdline_append;	/* NULL: CMDLINE_DEFAULT_APPEND */
	bool size_auto;		/* true unless SIZE is a size */
	uint64_t size;
	int node;		/* -1: any */
	enum placement placement;
	enum working_memory working_memory;
	char *dump_target;
	char *raw_save_dir;	/* NULL: CONFIG_DEFAULT_RAW_SAVE_DIR */
	char *core_collector;
	enum final_action final_action;
	char *failure_action;	/* NULL: "final" */
	unsigned int keep_dumps;
	bool min_free_pct;	/* min_free is a percentage */
	uint64_t min_free;	/* bytes, or percent */
	char *kdump_pre;	/* NULL: none */
	char *kdump_post;	/* NULL: none */
	unsigned int hook_timeout;	/* seconds */
	char *metrics_file;	/* NULL: METRICS_DEFAULT_FILE */
	bool metrics_none;	/* METRICS_FILE=none */
	char *luks_key_file;	/* NULL: none */
	char *ssh_key;		/* NULL: CONFIG_DEFAULT_SSH_KEY */
	char *nfs_options;	/* NULL: none */
};

#define CONFIG_DEFAULT_KEEP_DUMPS	3
#define CONFIG_DEFAULT_MIN_FREE_PCT	5
#define CONFIG_DEFAULT_HOOK_TIMEOUT	60

/* config_init - the defaults (nothing allocated). */
void config_init(struct lk_config *c);
void config_free(struct lk_config *c);

/*
 * config_parse - apply the lines of @text to @c
 * @name: the file name for messages
 *
 * Return: 0, -ENOMEM, or -EINVAL with "NAME:LINE: ..." in @e. @c may be
 * partly updated on failure.
 */
int config_parse(struct lk_config *c, const char *text, const char *name,
		 struct lk_error *e);

/*
 * config_load - config_parse() of the file @path
 * @must_exist: a missing file is an error (-ENOENT) rather than defaults
 *
 * Return: 0, the -errno of reading it, or config_parse()'s.
 */
int config_load(struct lk_config *c, const char *path, bool must_exist,
		struct lk_error *e);

/*
 * The normalised forms config_format() writes: one KEY=VALUE a line, the
 * value verbatim up to the end of the line (no quotes, no comments; values
 * never hold a newline), after '#' header lines.
 *
 * CONFIG_FORMAT_FULL: every key in the order of config.h (METRICS_FILE,
 * LUKS_KEY_FILE, SSH_KEY and NFS_OPTIONS last), defaults filled
 * in, except that an empty KERNEL or INITRD means "the default of the
 * running kernel". Sizes as size_format() writes them. Not shell, and not
 * the syntax of the configuration file (a value with blanks is not
 * quoted): it is for programs, which split each line at its first '='.
 *
 * CONFIG_FORMAT_CAPTURE: what the capture initrd reads
 * (/etc/lazy-kdump-capture.conf in it): the first line is exactly
 * CONFIG_CAPTURE_MAGIC, then DUMP_TARGET, CORE_COLLECTOR, FINAL_ACTION,
 * FAILURE_ACTION,
 * KEEP_DUMPS, MIN_FREE ("N%" or a number of bytes), KDUMP_PRE, KDUMP_POST
 * and HOOK_TIMEOUT, each once; then, for a DUMP_TARGET on a dump server
 * only, its parts as net_target_parse() took them apart (the shell never
 * parses the URL): NET_KIND (ssh or nfs), NET_HOST, NET_PATH, and
 * NET_USER, NET_PORT and SSH_KEY (ssh) or NFS_OPTIONS (nfs, with
 * CONFIG_NFS_BASE_OPTIONS).
 */
enum config_format {
	CONFIG_FORMAT_FULL,
	CONFIG_FORMAT_CAPTURE,
};

#define CONFIG_CAPTURE_MAGIC	"# lazy-kdump-capture-conf 1"
#define CONFIG_CAPTURE_PATH	"/etc/lazy-kdump-capture.conf"

/*
 * config_format - @c in the normalised form @fmt
 * @source: the file it was read from, named in a header line
 *
 * Return: a malloc()ed string, or NULL (out of memory).
 */
char *config_format(const struct lk_config *c, enum config_format fmt,
		    const char *source);

/*
 * dump_target_check - whether @s is a DUMP_TARGET (see above; "" is the
 * default)
 *
 * Return: 0 or -EINVAL.
 */
int dump_target_check(const char *s);

enum net_kind {
	NET_NONE,
	NET_SSH,
	NET_NFS,
};

/*
 * struct net_target - a DUMP_TARGET on a dump server, taken apart
 * @user: ssh:// only ("root" when the URL names none)
 * @host: a host name, an IPv4 address, or an IPv6 address without its []
 * @port: ssh:// only (22 when the URL names none)
 * @path: absolute; only [A-Za-z0-9._/+@%,=:~-], never "..": it goes into
 *        a remote shell command and a mount source as it is
 */
struct net_target {
	enum net_kind kind;
	char user[33];
	char host[254];
	unsigned int port;
	char path[1024];
};

/*
 * net_target_parse - @s as ssh://[USER@]HOST[:PORT]/PATH or
 * nfs://HOST:/PATH
 *
 * Return: 0 (@t filled in), -ENOENT when @s is neither kind, -EINVAL when
 * it is one of them but malformed.
 */
int net_target_parse(const char *s, struct net_target *t);

/* config_raw_device - DEVICE of DUMP_TARGET=raw:DEVICE, or NULL. */
const char *config_raw_device(const struct lk_config *c);
/* config_net_kind - what kind of dump server DUMP_TARGET names, if any. */
enum net_kind config_net_kind(const struct lk_config *c);
/* config_ssh_key - SSH_KEY, the default filled in. */
const char *config_ssh_key(const struct lk_config *c);
/* config_raw_save_dir - RAW_SAVE_DIR, the default filled in. */
const char *config_raw_save_dir(const struct lk_config *c);

/*
 * hook_list_check - whether @s is a KDUMP_PRE / KDUMP_POST value: absolute
 * paths separated by blanks, or ""
 *
 * Return: 0 or -EINVAL.
 */
int hook_list_check(const char *s);

int placement_parse(const char *s, enum placement *ret);
const char *placement_name(enum placement p);
int working_memory_parse(const char *s, enum working_memory *ret);
const char *working_memory_name(enum working_memory w);
int final_action_parse(const char *s, enum final_action *ret);
/* config_failure_action - FAILURE_ACTION, the default filled in. */
const char *config_failure_action(const struct lk_config *c);
const char *final_action_name(enum final_action a);

#endif /* LAZY_KDUMP_CONFIG_H */
