#!/usr/bin/env bash
# Host check of the kdump-enospc group: check_kdump.sh OUTDIR no-space.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/check_kdump.sh" "$1" no-space
