#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness self-test (tests/vm/selftest.sh), not a product test: sysrq-l logs
# CPU backtraces ("Call Trace:"), which /init's dmesg check must report.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

echo l >/proc/sysrq-trigger
sleep 1
ok "harness_warn: asked for CPU backtraces"
