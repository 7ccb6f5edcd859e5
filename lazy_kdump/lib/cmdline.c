// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline - the crash kernel's command line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

void cmdline_words_free(char **w, size_t n)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

int cmdline_split(const char *s, char ***ret, size_t *ret_n)
{
	char **w = NULL;
	size_t n = 0, cap = 0;

	while (s && *s) {
		const char *start;
		bool quoted = false;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		start = s;
		while (*s && (quoted || !is_blank(*s))) {
			if (*s == '"')
				quoted = !quoted;
			s++;
		}
		if (n == cap) {
			char **nw;

			cap = cap ? cap * 2 : 16;
			nw = realloc(w, cap * sizeof(*w));
			if (!nw)
				goto oom;
			w = nw;
		}
		w[n] = strndup(start, (size_t)(s - start));
		if (!w[n])
			goto oom;
		n++;
	}
	*ret = w;
	*ret_n = n;
	return 0;
oom:
	cmdline_words_free(w, n);
	return -ENOMEM;
}

/* The length of the name of @w, after a leading quote (*@start). */
static size_t name_of(const char *w, const char **start)
{
	if (*w == '"')
		w++;
	*start = w;
	return strcspn(w, "=\"");
}

static bool name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (x != y)
			return false;
	}
	return true;
}

static bool has_value(const char *w)
{
	const char *n;
	size_t len = name_of(w, &n);

	return n[len] == '=';
}

/* Does remove pattern @p match word @w? */
static bool pattern_matches(const char *p, const char *w)
{
	const char *wn, *pn;
	size_t wl = name_of(w, &wn), pl;

	if (has_value(p))
		return strcmp(p, w) == 0;
	pl = name_of(p, &pn);
	if (pl && pn[pl - 1] == '*')
		return wl >= pl - 1 && name_eq(pn, pl - 1, wn, pl - 1);
	return name_eq(pn, pl, wn, wl);
}

static bool removed(char **pats, size_t np, const char *w)
{
	size_t i;

	for (i = 0; i < np; i++)
		if (pattern_matches(pats[i], w))
			return true;
	return false;
}

/* Does the appended word @a replace the earlier word @w? */
static bool replaces(const char *a, const char *w)
{
	const char *an, *wn;
	size_t al = name_of(a, &an), wl = name_of(w, &wn);

	if (!has_value(a))
		return strcmp(a, w) == 0;
	if (name_eq(an, al, "console", 7))
		return false;
	return has_value(w) && name_eq(an, al, wn, wl);
}

struct list {
	char **w;
	size_t n, cap;
};

static int list_add(struct list *l, const char *w)
{
	size_t i, j;

	for (i = 0, j = 0; i < l->n; i++) {
		if (replaces(w, l->w[i]))
			free(l->w[i]);
		else
			l->w[j++] = l->w[i];
	}
	l->n = j;
	if (l->n == l->cap) {
		char **nw;

		l->cap = l->cap ? l->cap * 2 : 32;
		nw = realloc(l->w, l->cap * sizeof(*nw));
		if (!nw)
			return -ENOMEM;
		l->w = nw;
	}
	l->w[l->n] = strdup(w);
	if (!l->w[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static int append_words(struct list *l, const char *s)
{
	char **w;
	size_t n, i;
	int r;

	r = cmdline_split(s, &w, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = list_add(l, w[i]);
	cmdline_words_free(w, n);
	return r;
}

static int check_chars(const char *s, const char *what, struct lk_error *e)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 && !is_blank(*s))
			return lk_error_set(e, -EINVAL,
					    "%s contains the control character 0x%02x",
					    what, (unsigned char)*s);
	return 0;
}

int cmdline_build(const struct cmdline_spec *s, char **ret,
		  struct lk_error *e)
{
	char **base = NULL, **pats = NULL, **always = NULL;
	size_t nbase = 0, npats = 0, nalways = 0, i, len;
	struct list l = { NULL, 0, 0 };
	char *out = NULL, *p;
	int r;

	r = check_chars(s->base, "the running kernel's command line", e);
	if (r == 0)
		r = check_chars(s->append, "the append list", e);
	if (r == 0)
		r = check_chars(s->extra, "the extra words", e);
	if (r < 0)
		return r;

	r = cmdline_split(s->base, &base, &nbase);
	if (r == 0)
		r = cmdline_split(s->remove ? s->remove : CMDLINE_DEFAULT_REMOVE,
				  &pats, &npats);
	if (r == 0)
		r = cmdline_split(CMDLINE_ALWAYS_REMOVE, &always, &nalways);
	if (r < 0)
		goto out;

	for (i = 0; i < nbase; i++) {
		/* "--" ends the kernel's words; the rest is for init. */
		if (strcmp(base[i], "--") == 0)
			break;
		if (removed(always, nalways, base[i]) ||
		    removed(pats, npats, base[i]))
			continue;
		/* Keep the running kernel's repeated words as they are. */
		if (l.n == l.cap) {
			char **nw;

			l.cap = l.cap ? l.cap * 2 : 32;
			nw = realloc(l.w, l.cap * sizeof(*nw));
			if (!nw) {
				r = -ENOMEM;
				goto out;
			}
			l.w = nw;
		}
		l.w[l.n] = base[i];
		base[i] = NULL;
		l.n++;
	}

	r = append_words(&l, s->append ? s->append : CMDLINE_DEFAULT_APPEND);
	if (r == 0 && s->extra)
		r = append_words(&l, s->extra);
	if (r < 0)
		goto out;

	if (s->boot_apicid >= 0) {
		bool one = false, have = false;
		char word[48];

		for (i = 0; i < l.n; i++) {
			const char *n;
			size_t nl = name_of(l.w[i], &n);

			if (strcmp(l.w[i], "nr_cpus=1") == 0)
				one = true;
			if (name_eq(n, nl, "disable_cpu_apicid", 18))
				have = true;
		}
		if (one && !have) {
			snprintf(word, sizeof(word), "disable_cpu_apicid=%d",
				 s->boot_apicid);
			r = list_add(&l, word);
			if (r < 0)
				goto out;
		}
	}

	for (i = 0, len = 1; i < l.n; i++)
		len += strlen(l.w[i]) + 1;
	out = malloc(len);
	if (!out) {
		r = -ENOMEM;
		goto out;
	}
	p = out;
	*p = '\0';
	for (i = 0; i < l.n; i++) {
		size_t wl = strlen(l.w[i]);

		if (i)
			*p++ = ' ';
		memcpy(p, l.w[i], wl);
		p += wl;
	}
	*p = '\0';
	*ret = out;
	r = 0;
out:
	cmdline_words_free(base, nbase);
	cmdline_words_free(pats, npats);
	cmdline_words_free(always, nalways);
	cmdline_words_free(l.w, l.n);
	return r;
}

int cmdline_fits(size_t len, uint32_t cmdline_size)
{
	return (uint64_t)len + 1 + CMDLINE_ELFCOREHDR_RESERVE <=
	       (uint64_t)cmdline_size;
}

int cmdline_value(const char *s, const char *name, char **ret)
{
	char **w, *v = NULL;
	size_t n, i, nl = strlen(name);
	int r;

	r = cmdline_split(s, &w, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		const char *wn;
		size_t wl = name_of(w[i], &wn);

		if (wn[wl] == '=' && name_eq(wn, wl, name, nl)) {
			free(v);
			v = strdup(wn + wl + 1);
			if (!v) {
				cmdline_words_free(w, n);
				return -ENOMEM;
			}
		}
	}
	cmdline_words_free(w, n);
	if (!v)
		return -ENOENT;
	*ret = v;
	return 0;
}

uint64_t cmdline_swiotlb_bytes(const char *s)
{
	uint64_t slabs = 0;
	char *v, *p;
	int digits = 0;

	if (cmdline_value(s, "swiotlb", &v) < 0)
		return SWIOTLB_DEFAULT_BYTES;
	for (p = v; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		slabs = slabs * 10 + (uint64_t)(*p - '0');
	free(v);
	if (digits == 0 || slabs == 0)
		return SWIOTLB_DEFAULT_BYTES;
	slabs = (slabs + SWIOTLB_SEGSIZE - 1) / SWIOTLB_SEGSIZE *
		SWIOTLB_SEGSIZE;
	return slabs << SWIOTLB_SLAB_SHIFT;
}
