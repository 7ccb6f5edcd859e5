#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness self-test (tests/vm/selftest.sh), not a product test: panic with
# no crash kernel loaded; the guest must not reach LAZYTEST END.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

is "$(cat /sys/kernel/kexec_crash_loaded)" 0 "harness_nocrash: no crash kernel loaded"
crash_now
