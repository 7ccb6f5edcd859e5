#!/bin/sh
# shellcheck shell=dash
# shellcheck source-path=SCRIPTDIR
# Harness self-test (tests/vm/selftest.sh), not a product test: a script that
# prints one ok, sends an unknown host request, prints junk and exits 3.
# shellcheck source=tap.sh
. /lazy/tests/tap.sh

ok "harness_exit: this line reaches the host"
host_request no-such-request
echo "this is not TAP"
exit 3
