// SPDX-License-Identifier: GPL-2.0
/*
 * config - /etc/lazy-kdump.conf
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "config.h"
#include "metrics.h"
#include "size.h"

#define CONFIG_MAX_BYTES	(1 << 20)

void config_init(struct lk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->size_auto = true;
	c->node = -1;
	c->placement = PLACEMENT_LOW;
	c->final_action = FINAL_REBOOT;
	c->keep_dumps = CONFIG_DEFAULT_KEEP_DUMPS;
	c->min_free_pct = true;
	c->min_free = CONFIG_DEFAULT_MIN_FREE_PCT;
	c->hook_timeout = CONFIG_DEFAULT_HOOK_TIMEOUT;
}

void config_free(struct lk_config *c)
{
	free(c->kernel);
	free(c->initrd);
	free(c->cmdline_remove);
	free(c->cmdline_append);
	free(c->dump_target);
	free(c->core_collector);
	free(c->metrics_file);
	free(c->raw_save_dir);
	free(c->failure_action);
	free(c->kdump_pre);
	free(c->kdump_post);
	free(c->luks_key_file);
	free(c->ssh_key);
	free(c->nfs_options);
	config_init(c);
}

int placement_parse(const char *s, enum placement *ret)
{
	if (strcmp(s, "low") == 0)
		*ret = PLACEMENT_LOW;
	else if (strcmp(s, "high") == 0)
		*ret = PLACEMENT_HIGH;
	else
		return -EINVAL;
	return 0;
}

const char *placement_name(enum placement p)
{
	return p == PLACEMENT_HIGH ? "high" : "low";
}

int working_memory_parse(const char *s, enum working_memory *ret)
{
	if (strcmp(s, "held") == 0)
		*ret = WM_HELD;
	else if (strcmp(s, "split") == 0)
		*ret = WM_SPLIT;
	else
		return -EINVAL;
	return 0;
}

const char *working_memory_name(enum working_memory w)
{
	return w == WM_SPLIT ? "split" : "held";
}

int final_action_parse(const char *s, enum final_action *ret)
{
	if (strcmp(s, "reboot") == 0)
		*ret = FINAL_REBOOT;
	else if (strcmp(s, "poweroff") == 0)
		*ret = FINAL_POWEROFF;
	else if (strcmp(s, "halt") == 0)
		*ret = FINAL_HALT;
	else if (strcmp(s, "shell") == 0)
		*ret = FINAL_SHELL;
	else
		return -EINVAL;
	return 0;
}

const char *final_action_name(enum final_action a)
{
	switch (a) {
	case FINAL_POWEROFF:
		return "poweroff";
	case FINAL_HALT:
		return "halt";
	case FINAL_SHELL:
		return "shell";
	default:
		return "reboot";
	}
}

const char *config_failure_action(const struct lk_config *c)
{
	return c->failure_action ? c->failure_action : "final";
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Characters a shell takes literally outside quotes. */
static int is_plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("_./:,=+@%-", c);
}

/*
 * The value of one line from @p (after the '='): unquoted, '...' or
 * "...", then optional blanks and a comment. *@ret is malloc()ed.
 */
static int parse_value(const char *p, char **ret, const char **why)
{
	const char *start, *end;
	char quote = 0;

	while (is_blank(*p))
		p++;
	if (*p == '\'' || *p == '"') {
		quote = *p++;
		start = p;
		while (*p && *p != quote) {
			if (quote == '"' && strchr("$`\\", *p)) {
				*why = "$, ` and \\ are not allowed inside \"...\": use '...'";
				return -EINVAL;
			}
			p++;
		}
		if (*p != quote) {
			*why = "the quote is not closed";
			return -EINVAL;
		}
		end = p++;
	} else {
		start = p;
		while (*p && !is_blank(*p) && *p != '#') {
			if (!is_plain(*p)) {
				*why = "a value with blanks or shell characters must be quoted: KEY=\"...\" or KEY='...'";
				return -EINVAL;
			}
			p++;
		}
		end = p;
		if (*p == '#' && p != start) {
			*why = "a value with blanks or shell characters must be quoted: KEY=\"...\" or KEY='...'";
			return -EINVAL;
		}
	}
	while (is_blank(*p))
		p++;
	if (*p && *p != '#') {
		*why = quote ? "unexpected text after the closing quote" :
			       "a value with blanks must be quoted: KEY=\"...\"";
		return -EINVAL;
	}
	*ret = strndup(start, (size_t)(end - start));
	return *ret ? 0 : -ENOMEM;
}

/* "" is @def; else a decimal number from @min to @max. */
static int uint_parse(const char *s, unsigned int def, unsigned int min,
		      unsigned int max, unsigned int *ret)
{
	unsigned long n = 0;
	const char *p;

	if (!*s) {
		*ret = def;
		return 0;
	}
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || p - s >= 9)
			return -EINVAL;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n < min || n > max)
		return -EINVAL;
	*ret = (unsigned int)n;
	return 0;
}

/*
 * KDUMP_PRE, KDUMP_POST: absolute paths separated by blanks (the capture
 * script splits the value on blanks), or "".
 */
int hook_list_check(const char *s)
{
	const char *p = s;

	while (*p) {
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (*p != '/' || p[1] == '\0' || is_blank(p[1]))
			return -EINVAL;
		while (*p && !is_blank(*p))
			p++;
	}
	return 0;
}

/* "" is the default; "N%" with N 0..99, or a size ("512M"). */
static int min_free_parse(const char *s, bool *pct, uint64_t *ret)
{
	size_t len = strlen(s);
	unsigned int n = 0;
	size_t i;

	if (!len) {
		*pct = true;
		*ret = CONFIG_DEFAULT_MIN_FREE_PCT;
		return 0;
	}
	if (s[len - 1] == '%') {
		if (len < 2 || len > 3)
			return -EINVAL;
		for (i = 0; i + 1 < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -EINVAL;
			n = n * 10 + (unsigned int)(s[i] - '0');
		}
		*pct = true;
		*ret = n;
		return 0;
	}
	if (size_parse(s, ret) < 0)
		return -EINVAL;
	*pct = false;
	return 0;
}

/* DEVICE of DEVICE:PATH: /dev/NAME or TAG=VALUE, VALUE not empty. */
static int device_spec_check(const char *s, size_t len)
{
	static const char *const tags[] = { "UUID=", "LABEL=", "PARTUUID=",
					    "PARTLABEL=" };
	size_t i;

	if (len > 5 && strncmp(s, "/dev/", 5) == 0)
		return 0;
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t t = strlen(tags[i]);

		if (len > t && strncmp(s, tags[i], t) == 0)
			return 0;
	}
	return -EINVAL;
}

static bool in_set(char ch, const char *set)
{
	return ch && strchr(set, ch);
}

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* Copy [s, s + n) into @dst (size @size) when every byte is in @set. */
static int take(char *dst, size_t size, const char *s, size_t n,
		const char *set)
{
	size_t i;

	if (n == 0 || n >= size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!in_set(s[i], set))
			return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int net_target_parse(const char *s, struct net_target *t)
{
	const char *p, *end, *slash;

	memset(t, 0, sizeof(*t));
	if (strncmp(s, CONFIG_SSH_PREFIX, strlen(CONFIG_SSH_PREFIX)) == 0) {
		t->kind = NET_SSH;
		p = s + strlen(CONFIG_SSH_PREFIX);
	} else if (strncmp(s, CONFIG_NFS_PREFIX,
			   strlen(CONFIG_NFS_PREFIX)) == 0) {
		t->kind = NET_NFS;
		p = s + strlen(CONFIG_NFS_PREFIX);
	} else {
		return -ENOENT;
	}
	strcpy(t->user, "root");
	t->port = t->kind == NET_SSH ? 22 : 0;
	if (t->kind == NET_SSH) {
		const char *at = strchr(p, '@');

		slash = strchr(p, '/');
		if (at && (!slash || at < slash)) {
			if (take(t->user, sizeof(t->user), p, (size_t)(at - p),
				 ALNUM "._-") < 0 || *p == '-')
				return -EINVAL;
			p = at + 1;
		}
	}
	/* HOST: [IPv6] or a name / IPv4 address. */
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || take(t->host, sizeof(t->host), p + 1,
				 (size_t)(end - p - 1), "0123456789abcdefABCDEF:.") < 0)
			return -EINVAL;
		p = end + 1;
	} else {
		size_t n = strspn(p, ALNUM ".-");

		if (take(t->host, sizeof(t->host), p, n, ALNUM ".-") < 0 ||
		    *p == '-' || *p == '.')
			return -EINVAL;
		p += n;
	}
	if (t->kind == NET_SSH) {
		if (*p == ':') {
			char *e;
			unsigned long port;

			if (p[1] < '0' || p[1] > '9')
				return -EINVAL;
			errno = 0;
			port = strtoul(p + 1, &e, 10);
			if (errno || port == 0 || port > 65535 || *e != '/')
				return -EINVAL;
			t->port = (unsigned int)port;
			p = e;
		}
	} else {
		/* nfs://HOST:/PATH, as mount.nfs writes HOST:/PATH. */
		if (*p != ':')
			return -EINVAL;
		p++;
	}
	if (*p != '/' ||
	    take(t->path, sizeof(t->path), p, strlen(p),
		 ALNUM "._/+@%,=:~-") < 0)
		return -EINVAL;
	/* No ".." component: the path is the dump directory's parent. */
	for (p = t->path; (p = strstr(p, "..")); p += 2)
		if (p[-1] == '/' && (p[2] == '/' || !p[2]))
			return -EINVAL;
	return 0;
}

int dump_target_check(const char *s)
{
	const char *sep = NULL, *eq = strchr(s, '='), *p;
	struct net_target t;
	int r;

	if (!*s)
		return 0;
	r = net_target_parse(s, &t);
	if (r != -ENOENT)
		return r;
	/* raw:DEVICE, a whole device without a file system. */
	if (strncmp(s, CONFIG_RAW_PREFIX, strlen(CONFIG_RAW_PREFIX)) == 0) {
		p = s + strlen(CONFIG_RAW_PREFIX);
		if (strpbrk(p, " \t") || strstr(p, ":/") ||
		    (strncmp(p, "/dev/", 5) != 0 &&
		     strncmp(p, "PARTUUID=", 9) != 0 &&
		     strncmp(p, "PARTLABEL=", 10) != 0))
			return -EINVAL;
		return device_spec_check(p, strlen(p));
	}
	for (p = strstr(s, ":/"); p; p = strstr(p + 1, ":/"))
		sep = p;
	/*
	 * The capture script's rule: "/...:/..." and "X...=...:/..." (X an
	 * upper-case letter) are DEVICE:PATH, split at the last ":/".
	 */
	if (sep && (*s == '/' || (*s >= 'A' && *s <= 'Z' && eq && eq < sep)))
		return device_spec_check(s, (size_t)(sep - s));
	return *s == '/' ? 0 : -EINVAL;
}

/* A growing string; failed is set once an allocation failed. */
struct sbuf {
	char *s;
	size_t len, cap;
	int failed;
};

static void sb_add(struct sbuf *b, const char *key, const char *val)
{
	size_t need = strlen(key) + strlen(val) + 3;

	if (b->failed)
		return;
	if (b->len + need > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 512) + need;
		char *n = realloc(b->s, cap);

		if (!n) {
			b->failed = 1;
			return;
		}
		b->s = n;
		b->cap = cap;
	}
	b->len += (size_t)sprintf(b->s + b->len, "%s%s%s\n", key,
				  *key == '#' ? "" : "=", val);
}

char *config_format(const struct lk_config *c, enum config_format fmt,
		    const char *source)
{
	struct sbuf b = { NULL, 0, 0, 0 };
	char num[SIZE_FORMAT_MAX + 2];
	struct net_target nt;

	if (fmt == CONFIG_FORMAT_CAPTURE) {
		sb_add(&b, CONFIG_CAPTURE_MAGIC, "");
		sb_add(&b, "# What the capture reads, written by lazy-kdump config --capture from ",
		       source);
		sb_add(&b, "# KEY=VALUE, the value verbatim to the end of the line; do not edit:",
		       " rebuild the capture initrd.");
	} else {
		sb_add(&b, "# The configuration lazy-kdump reads from ", source);
		sb_add(&b, "# Every key, defaults filled in (an empty KERNEL or INITRD: the running kernel's).",
		       "");
		sb_add(&b, "KERNEL", c->kernel ? c->kernel : "");
		sb_add(&b, "INITRD", c->initrd ? c->initrd : "");
		sb_add(&b, "CMDLINE_REMOVE", c->cmdline_remove ?
		       c->cmdline_remove : CMDLINE_DEFAULT_REMOVE);
		sb_add(&b, "CMDLINE_APPEND", c->cmdline_append ?
		       c->cmdline_append : CMDLINE_DEFAULT_APPEND);
		if (c->size_auto)
			snprintf(num, sizeof(num), "auto");
		else
			size_format(c->size, num, sizeof(num));
		sb_add(&b, "SIZE", num);
		if (c->node < 0)
			snprintf(num, sizeof(num), "any");
		else
			snprintf(num, sizeof(num), "%d", c->node);
		sb_add(&b, "NODE", num);
		sb_add(&b, "PLACEMENT", placement_name(c->placement));
		sb_add(&b, "WORKING_MEMORY",
		       working_memory_name(c->working_memory));
	}
	sb_add(&b, "DUMP_TARGET", c->dump_target ? c->dump_target :
	       CONFIG_DEFAULT_DUMP_TARGET);
	if (fmt == CONFIG_FORMAT_FULL)
		sb_add(&b, "RAW_SAVE_DIR", config_raw_save_dir(c));
	sb_add(&b, "CORE_COLLECTOR", c->core_collector ? c->core_collector :
	       CONFIG_DEFAULT_CORE_COLLECTOR);
	sb_add(&b, "FINAL_ACTION", final_action_name(c->final_action));
	sb_add(&b, "FAILURE_ACTION", config_failure_action(c));
	snprintf(num, sizeof(num), "%u", c->keep_dumps);
	sb_add(&b, "KEEP_DUMPS", num);
	if (c->min_free_pct)
		snprintf(num, sizeof(num), "%u%%", (unsigned int)c->min_free);
	else if (fmt == CONFIG_FORMAT_CAPTURE)
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)c->min_free);
	else
		size_format(c->min_free, num, sizeof(num));
	sb_add(&b, "MIN_FREE", num);
	sb_add(&b, "KDUMP_PRE", c->kdump_pre ? c->kdump_pre : "");
	sb_add(&b, "KDUMP_POST", c->kdump_post ? c->kdump_post : "");
	snprintf(num, sizeof(num), "%u", c->hook_timeout);
	sb_add(&b, "HOOK_TIMEOUT", num);
	if (fmt == CONFIG_FORMAT_FULL)
		sb_add(&b, "METRICS_FILE", c->metrics_none ? "none" :
		       c->metrics_file ? c->metrics_file :
		       METRICS_DEFAULT_FILE);
	if (fmt == CONFIG_FORMAT_FULL) {
		sb_add(&b, "LUKS_KEY_FILE", c->luks_key_file ?
		       c->luks_key_file : "");
		sb_add(&b, "SSH_KEY", config_ssh_key(c));
		sb_add(&b, "NFS_OPTIONS", c->nfs_options ? c->nfs_options : "");
	}
	if (fmt == CONFIG_FORMAT_CAPTURE && c->dump_target &&
	    net_target_parse(c->dump_target, &nt) == 0) {
		sb_add(&b, "NET_KIND", nt.kind == NET_SSH ? "ssh" : "nfs");
		sb_add(&b, "NET_HOST", nt.host);
		sb_add(&b, "NET_PATH", nt.path);
		if (nt.kind == NET_SSH) {
			snprintf(num, sizeof(num), "%u", nt.port);
			sb_add(&b, "NET_USER", nt.user);
			sb_add(&b, "NET_PORT", num);
			sb_add(&b, "SSH_KEY", config_ssh_key(c));
		} else {
			char opts[600];

			snprintf(opts, sizeof(opts), "%s%s%s",
				 CONFIG_NFS_BASE_OPTIONS,
				 c->nfs_options ? "," : "",
				 c->nfs_options ? c->nfs_options : "");
			sb_add(&b, "NFS_OPTIONS", opts);
		}
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static const char *const known_keys =
	"KERNEL, INITRD, CMDLINE_REMOVE, CMDLINE_APPEND, SIZE, NODE, PLACEMENT, WORKING_MEMORY, DUMP_TARGET, RAW_SAVE_DIR, CORE_COLLECTOR, FINAL_ACTION, FAILURE_ACTION, KEEP_DUMPS, MIN_FREE, KDUMP_PRE, KDUMP_POST, HOOK_TIMEOUT, METRICS_FILE, LUKS_KEY_FILE, SSH_KEY, NFS_OPTIONS";

/* Take ownership of @v for string keys; empty means the default. */
static void set_str(char **field, char *v, int empty_is_default)
{
	free(*field);
	if (empty_is_default && !*v) {
		free(v);
		*field = NULL;
		return;
	}
	*field = v;
}

static int apply(struct lk_config *c, const char *key, char *v,
		 const char **why)
{
	int r;

	if (strcmp(key, "KERNEL") == 0) {
		set_str(&c->kernel, v, 1);
	} else if (strcmp(key, "INITRD") == 0) {
		set_str(&c->initrd, v, 1);
	} else if (strcmp(key, "CMDLINE_REMOVE") == 0) {
		set_str(&c->cmdline_remove, v, 0);
	} else if (strcmp(key, "CMDLINE_APPEND") == 0) {
		set_str(&c->cmdline_append, v, 0);
	} else if (strcmp(key, "DUMP_TARGET") == 0) {
		if (dump_target_check(v) < 0) {
			*why = "DUMP_TARGET must be an absolute PATH, DEVICE:PATH (DEVICE being /dev/NAME, UUID=..., LABEL=..., PARTUUID=... or PARTLABEL=...), raw:DEVICE (DEVICE being /dev/NAME, PARTUUID=... or PARTLABEL=...), ssh://[USER@]HOST[:PORT]/PATH or nfs://HOST:/PATH (PATH of letters, digits and ._/+@%,=:~- only), e.g. /var/crash, LABEL=dumps:/crash, raw:/dev/disk/by-partlabel/crashdump, ssh://kdump@dumps.example.com/var/crash or nfs://dumps.example.com:/export/crash";
			free(v);
			return -EINVAL;
		}
		set_str(&c->dump_target, v, 1);
	} else if (strcmp(key, "RAW_SAVE_DIR") == 0) {
		if (*v && (*v != '/' || strpbrk(v, " \t"))) {
			*why = "RAW_SAVE_DIR must be an absolute directory path without blanks, or empty for " CONFIG_DEFAULT_RAW_SAVE_DIR;
			free(v);
			return -EINVAL;
		}
		set_str(&c->raw_save_dir, v, 1);
	} else if (strcmp(key, "CORE_COLLECTOR") == 0) {
		set_str(&c->core_collector, v, 1);
	} else if (strcmp(key, "SIZE") == 0) {
		uint64_t s;

		if (!*v || strcmp(v, "auto") == 0) {
			c->size_auto = true;
		} else {
			r = size_parse(v, &s);
			if (r < 0 || s == 0) {
				*why = "SIZE must be auto or a size such as 192M or 1G";
				free(v);
				return -EINVAL;
			}
			c->size_auto = false;
			c->size = s;
		}
		free(v);
	} else if (strcmp(key, "NODE") == 0) {
		int n;

		if (!*v || strcmp(v, "any") == 0) {
			c->node = -1;
		} else if (node_parse(v, &n) < 0) {
			*why = "NODE must be a NUMA node number, \"any\" or empty";
			free(v);
			return -EINVAL;
		} else {
			c->node = n;
		}
		free(v);
	} else if (strcmp(key, "PLACEMENT") == 0) {
		r = placement_parse(v, &c->placement);
		free(v);
		if (r < 0) {
			*why = "PLACEMENT must be low or high";
			return r;
		}
	} else if (strcmp(key, "WORKING_MEMORY") == 0) {
		r = working_memory_parse(v, &c->working_memory);
		free(v);
		if (r < 0) {
			*why = "WORKING_MEMORY must be held or split";
			return r;
		}
	} else if (strcmp(key, "FINAL_ACTION") == 0) {
		r = final_action_parse(v, &c->final_action);
		free(v);
		if (r < 0) {
			*why = "FINAL_ACTION must be reboot, poweroff, halt or shell";
			return r;
		}
	} else if (strcmp(key, "FAILURE_ACTION") == 0) {
		static const char *const ok[] = { "final", "dump-local",
						  "reboot", "poweroff", "halt",
						  "shell" };
		size_t i;

		for (i = 0; *v && i < sizeof(ok) / sizeof(ok[0]); i++)
			if (strcmp(v, ok[i]) == 0)
				break;
		if (*v && i == sizeof(ok) / sizeof(ok[0])) {
			*why = "FAILURE_ACTION must be final (FINAL_ACTION), dump-local, reboot, poweroff, halt or shell";
			free(v);
			return -EINVAL;
		}
		set_str(&c->failure_action, v, 1);
	} else if (strcmp(key, "KEEP_DUMPS") == 0) {
		r = uint_parse(v, CONFIG_DEFAULT_KEEP_DUMPS, 0, 9999,
			       &c->keep_dumps);
		free(v);
		if (r < 0) {
			*why = "KEEP_DUMPS must be a number of dumps (0 keeps all)";
			return r;
		}
	} else if (strcmp(key, "MIN_FREE") == 0) {
		r = min_free_parse(v, &c->min_free_pct, &c->min_free);
		free(v);
		if (r < 0) {
			*why = "MIN_FREE must be a size such as 512M or a percentage from 0% to 99%";
			return r;
		}
	} else if (strcmp(key, "KDUMP_PRE") == 0 ||
		   strcmp(key, "KDUMP_POST") == 0) {
		bool pre = strcmp(key, "KDUMP_PRE") == 0;

		if (hook_list_check(v) < 0) {
			*why = pre ?
			       "KDUMP_PRE must be the absolute paths of executables, separated by blanks (quote the value: KDUMP_PRE=\"/a /b\")" :
			       "KDUMP_POST must be the absolute paths of executables, separated by blanks (quote the value: KDUMP_POST=\"/a /b\")";
			free(v);
			return -EINVAL;
		}
		set_str(pre ? &c->kdump_pre : &c->kdump_post, v, 1);
	} else if (strcmp(key, "HOOK_TIMEOUT") == 0) {
		r = uint_parse(v, CONFIG_DEFAULT_HOOK_TIMEOUT, 1, 86400,
			       &c->hook_timeout);
		free(v);
		if (r < 0) {
			*why = "HOOK_TIMEOUT must be a number of seconds from 1 to 86400";
			return r;
		}
	} else if (strcmp(key, "METRICS_FILE") == 0) {
		size_t n = strlen(v);

		if (*v && strcmp(v, "none") != 0 &&
		    (*v != '/' || n < 6 || strcmp(v + n - 5, ".prom") != 0 ||
		     v[n - 6] == '/')) {
			*why = "METRICS_FILE must be an absolute path ending in .prom (node_exporter's textfile collector reads only those), \"none\", or empty for " METRICS_DEFAULT_FILE;
			free(v);
			return -EINVAL;
		}
		c->metrics_none = strcmp(v, "none") == 0;
		if (c->metrics_none)
			*v = '\0';
		set_str(&c->metrics_file, v, 1);
	} else if (strcmp(key, "LUKS_KEY_FILE") == 0) {
		/* A crypttab column: no blanks. */
		if (*v && (*v != '/' || !v[1] || strpbrk(v, " \t"))) {
			*why = "LUKS_KEY_FILE must be the absolute path of a key file, without blanks, or empty";
			free(v);
			return -EINVAL;
		}
		set_str(&c->luks_key_file, v, 1);
	} else if (strcmp(key, "SSH_KEY") == 0) {
		if (*v && (*v != '/' || !v[1] || strpbrk(v, " \t"))) {
			*why = "SSH_KEY must be the absolute path of a private key, without blanks, or empty for " CONFIG_DEFAULT_SSH_KEY;
			free(v);
			return -EINVAL;
		}
		set_str(&c->ssh_key, v, 1);
	} else if (strcmp(key, "NFS_OPTIONS") == 0) {
		if (*v && (strspn(v, ALNUM "._=,:/-") != strlen(v) ||
			   *v == ',' || *v == '-')) {
			*why = "NFS_OPTIONS must be mount options separated by commas, without blanks (e.g. vers=3 or vers=4.2,proto=tcp), or empty";
			free(v);
			return -EINVAL;
		}
		set_str(&c->nfs_options, v, 1);
	} else {
		free(v);
		return -ENOENT;
	}
	return 0;
}

int config_parse(struct lk_config *c, const char *text, const char *name,
		 struct lk_error *e)
{
	const char *line = text;
	unsigned int lineno = 0;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[4096], key[64];
		const char *p, *why = NULL;
		size_t klen;
		char *v;
		int r;

		lineno++;
		if (len >= sizeof(buf))
			return lk_error_set(e, -EINVAL,
					    "%s:%u: line too long (at most %zu characters)",
					    name, lineno, sizeof(buf) - 1);
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = nl ? nl + 1 : NULL;

		p = buf;
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			continue;
		klen = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789abcdefghijklmnopqrstuvwxyz");
		if (klen == 0 || klen >= sizeof(key))
			return lk_error_set(e, -EINVAL,
					    "%s:%u: expected KEY=VALUE", name,
					    lineno);
		memcpy(key, p, klen);
		key[klen] = '\0';
		p += klen;
		while (is_blank(*p))
			p++;
		if (*p != '=')
			return lk_error_set(e, -EINVAL,
					    "%s:%u: expected KEY=VALUE, found no '=' after %s",
					    name, lineno, key);
		r = parse_value(p + 1, &v, &why);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return lk_error_set(e, r, "%s:%u: %s: %s", name, lineno,
					    key, why);
		r = apply(c, key, v, &why);
		if (r == -ENOENT)
			return lk_error_set(e, -EINVAL,
					    "%s:%u: unknown key '%s' (known keys: %s)",
					    name, lineno, key, known_keys);
		if (r < 0)
			return lk_error_set(e, r, "%s:%u: %s", name, lineno,
					    why);
	}
	if ((config_raw_device(c) || config_net_kind(c) == NET_SSH) &&
	    c->core_collector &&
	    strncmp(c->core_collector, "makedumpfile ", 13) != 0 &&
	    strcmp(c->core_collector, "makedumpfile") != 0)
		return lk_error_set(e, -EINVAL,
				    "%s: CORE_COLLECTOR=%s cannot write to DUMP_TARGET=%s: %s takes makedumpfile's flattened format; set CORE_COLLECTOR to a makedumpfile command (the default is \"" CONFIG_DEFAULT_CORE_COLLECTOR "\")",
				    name, c->core_collector, c->dump_target,
				    config_raw_device(c) ? "a raw device" :
				    "a dump streamed over ssh");
	return 0;
}

enum net_kind config_net_kind(const struct lk_config *c)
{
	struct net_target t;

	if (!c->dump_target || net_target_parse(c->dump_target, &t) < 0)
		return NET_NONE;
	return t.kind;
}

const char *config_ssh_key(const struct lk_config *c)
{
	return c->ssh_key ? c->ssh_key : CONFIG_DEFAULT_SSH_KEY;
}

const char *config_raw_device(const struct lk_config *c)
{
	size_t n = strlen(CONFIG_RAW_PREFIX);

	if (!c->dump_target || strncmp(c->dump_target, CONFIG_RAW_PREFIX, n))
		return NULL;
	return c->dump_target + n;
}

const char *config_raw_save_dir(const struct lk_config *c)
{
	return c->raw_save_dir ? c->raw_save_dir : CONFIG_DEFAULT_RAW_SAVE_DIR;
}

int config_load(struct lk_config *c, const char *path, bool must_exist,
		struct lk_error *e)
{
	struct stat st;
	char *text;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_MAX_BYTES) {
		r = fstat(fd, &st) < 0 ? -errno :
		    lk_error_set(e, -EINVAL, "%s: not a regular file of at most 1 MiB",
				 path);
		close(fd);
		return r;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			free(text);
			close(fd);
			return r;
		}
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	if (strlen(text) != got) {
		free(text);
		return lk_error_set(e, -EINVAL, "%s: contains a NUL byte: not a text file",
				    path);
	}
	r = config_parse(c, text, path, e);
	free(text);
	return r;
}
