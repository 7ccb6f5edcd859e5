// SPDX-License-Identifier: GPL-2.0
/*
 * The layout of lazy_cma.h checked at compile time, for compilers that
 * target another ABI (e.g. clang --target=i386-linux-gnu -fsyntax-only):
 * a 32-bit process must see the same structs as the 64-bit kernel, or the
 * module would need compat code.
 */
#include <stddef.h>
#include <linux/ioctl.h>

#include "lazy_cma.h"
#include "uapi-layout.h"

#define CHECK_SIZE(s, size) \
	_Static_assert(sizeof(struct s) == (size), "sizeof(struct " #s ")");
#define CHECK_MEMBER(s, m, off, size) \
	_Static_assert(offsetof(struct s, m) == (off), \
		       "offsetof(struct " #s ", " #m ")"); \
	_Static_assert(sizeof(((struct s *)0)->m) == (size), \
		       "sizeof(struct " #s "." #m ")");
#define CHECK_COMMAND(cmd, value, nr, dir, size) \
	_Static_assert((cmd) == (value), #cmd);
#define CHECK_CONSTANT(name, value) \
	_Static_assert((name) == (value), #name);

UAPI_SIZES(CHECK_SIZE)
UAPI_MEMBERS(CHECK_MEMBER)
UAPI_COMMANDS(CHECK_COMMAND)
UAPI_CONSTANTS(CHECK_CONSTANT)
