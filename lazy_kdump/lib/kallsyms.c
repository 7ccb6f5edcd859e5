// SPDX-License-Identifier: GPL-2.0
/*
 * kallsyms - find the address of a kernel symbol in /proc/kallsyms.
 *
 * A line is "ADDRESS TYPE NAME", optionally followed by "\t[MODULE]".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

/*
 * Any type letter counts: 7.x kernels print data symbols as 'T' (seen on
 * Debian's 7.3: "T crashk_res"), so the letter cannot tell data from text.
 * The module checks what lies at the address before it writes there.
 */
static bool is_symbol_type(char t)
{
	return t != '\0' && t != ' ';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Split one line. Returns false for lines that are not "ADDR TYPE NAME"
 * of a core-kernel symbol.
 */
static bool parse_line(char *line, uint64_t *addr, char *type,
		       const char **sym)
{
	uint64_t a = 0;
	char *p = line, *end;
	int digits = 0, v;

	while ((v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return false;
		a = a << 4 | (uint64_t)v;
		p++;
	}
	if (digits == 0 || p[0] != ' ' || !p[1] || p[2] != ' ')
		return false;
	*type = p[1];
	p += 3;

	end = p + strcspn(p, "\t\n");
	if (*end == '\t')
		return false;	/* "\t[module]": not the core kernel */
	*end = '\0';
	if (!*p)
		return false;

	*addr = a;
	*sym = p;
	return true;
}

int kallsyms_lookup_stream(FILE *f, const char *name, uint64_t *ret_addr)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	uint64_t addr = 0;
	int r = 0;

	if (!name || !*name)
		return -EINVAL;

	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		uint64_t a;
		const char *sym;
		char type;

		if (!parse_line(line, &a, &type, &sym) || !is_symbol_type(type) ||
		    strcmp(sym, name) != 0)
			continue;
		if (found && a != addr) {
			r = -ENOTUNIQ;
			break;
		}
		found = true;
		addr = a;
	}
	if (r == 0 && ferror(f))
		r = errno > 0 ? -errno : -EIO;
	free(line);

	if (r < 0)
		return r;
	if (!found)
		return -ENOENT;
	if (addr == 0)
		return -EPERM;
	*ret_addr = addr;
	return 0;
}

int kallsyms_lookup(const char *path, const char *name, uint64_t *ret_addr)
{
	FILE *f;
	int r;

	if (!name || !*name)
		return -EINVAL;

	f = fopen(path ? path : KALLSYMS_PATH, "re");
	if (!f) {
		if (errno == ENOENT)
			return -ENOSYS;
		return errno > 0 ? -errno : -EIO;
	}
	r = kallsyms_lookup_stream(f, name, ret_addr);
	fclose(f);
	return r;
}
