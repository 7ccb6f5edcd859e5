#!/usr/bin/env bash
# Host check of the kdump-notarget group: check_kdump.sh OUTDIR no-target.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/check_kdump.sh" "$1" no-target
