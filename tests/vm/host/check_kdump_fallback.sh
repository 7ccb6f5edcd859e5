#!/usr/bin/env bash
# Host check of the kdump-fallback group: the dump is in /var/crash of the
# root file system (check_kdump.sh OUTDIR saved), and its status says it
# fell back there from the unreachable DUMP_TARGET, and why.
set -euo pipefail
out=${1:?usage: check_kdump_fallback.sh OUTDIR}
"$(dirname "${BASH_SOURCE[0]}")/check_kdump.sh" "$out" saved
[ -s "$out/status" ] || exit 0
if grep -qx 'fallback=dump-local' "$out/status" && grep -qx 'target=LABEL=lazy-nosuch:/crash' "$out/status" &&
	grep -q '^reason=the dump target LABEL=lazy-nosuch:/crash was out of reach (the dump device LABEL=lazy-nosuch did not appear within 3 s): saved on the root file system instead (FAILURE_ACTION=dump-local)' "$out/status"; then
	echo "ok - host: status says fallback=dump-local, the target out of reach and why"
else
	echo "not ok - host: status says fallback=dump-local, the target out of reach and why"
	sed 's/^/#   /' "$out/status"
fi
