#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lazy_cma.h compiles on its own, as C90 and C11 (pedantic, all warnings,
# no implicit padding), as C++, twice in a row, and has the same layout for
# 32-bit x86 processes (no compat code needed in the module). TAP output.
#
# Usage: test-uapi-header.sh HEADER_DIR TEST_DIR   (CC, CXX, CLANG optional)
set -euo pipefail

HDR_DIR=$(realpath "${1:?usage: test-uapi-header.sh HEADER_DIR TEST_DIR}")
TEST_DIR=$(realpath "${2:?missing TEST_DIR}")
HDR="$HDR_DIR/lazy_cma.h"
CC=${CC:-gcc}
CXX=${CXX:-g++}
CLANG=${CLANG:-clang}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# check DESCRIPTION CMD...: pass when CMD succeeds; show its output if not.
check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/log" 2>&1; then
		echo "ok $n - $what"
	else
		failed=$((failed + 1))
		echo "not ok $n - $what"
		printf '#   %s\n' "$*"
		sed 's/^/#   /' "$tmp/log"
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

printf '#include "lazy_cma.h"\n#include "lazy_cma.h"\nint main(void) { return (int)sizeof(struct lazy_cma_range); }\n' >"$tmp/twice.c"

check "C90 -pedantic, standalone" \
	"$CC" -std=c90 -pedantic -Wall -Werror -fsyntax-only -x c "$HDR"
check "C90 -pedantic-errors -Wextra -Wpadded" \
	"$CC" -std=c90 -pedantic-errors -Wall -Wextra -Wpadded -Werror -fsyntax-only -x c "$HDR"
check "C11 -pedantic -Wpadded, standalone" \
	"$CC" -std=c11 -pedantic -Wall -Wextra -Wpadded -Werror -fsyntax-only -x c "$HDR"
check "gnu89, included twice" \
	"$CC" -std=gnu89 -Wall -Werror -fsyntax-only -I"$HDR_DIR" "$tmp/twice.c"

if command -v "$CXX" >/dev/null; then
	check "C++ -pedantic, standalone" \
		"$CXX" -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c++ "$HDR"
else
	skip "C++ -pedantic, standalone" "no $CXX"
fi

if command -v "$CLANG" >/dev/null; then
	check "clang C90 -pedantic -Wextra -Wpadded, standalone" \
		"$CLANG" -std=c90 -pedantic -Wall -Wextra -Wpadded -Werror -fsyntax-only -x c "$HDR"
	check "layout pinned at compile time (native)" \
		"$CLANG" -std=c11 -Wall -Werror -fsyntax-only -I"$HDR_DIR" "$TEST_DIR/uapi-layout-static.c"
	# The x86 asm/ headers serve both word sizes; only the compiler's
	# idea of long and u64 alignment changes.
	asm_dir=$("$CC" -print-multiarch 2>/dev/null || true)
	if [[ $(uname -m) == x86_64 && -n $asm_dir && -d /usr/include/$asm_dir/asm ]]; then
		check "same layout for 32-bit x86 (i386) processes" \
			"$CLANG" --target=i386-linux-gnu -std=c11 -Wall -Werror -fsyntax-only \
			-I"$HDR_DIR" -isystem "/usr/include/$asm_dir" "$TEST_DIR/uapi-layout-static.c"
	else
		skip "same layout for 32-bit x86 (i386) processes" "needs an x86_64 host"
	fi
else
	skip "clang checks" "no $CLANG"
fi

echo "1..$n"
[[ $failed == 0 ]]
