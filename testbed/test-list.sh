#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test-list: write testbed/expected-tests from the logs of the last
# full `make test`, for a change that adds, renames or removes tests on
# purpose. Review the diff: every line that goes is a test that no longer
# runs.
. "$(dirname "$0")/lib.sh"

logs=("$GUEST/test.log")
for boot in nesting-off no-opt-in modular debug; do
	logs+=("$CACHE/guest-$boot/test.prefixed.log")
done
logs+=("$CACHE/guest-vmm/vmm.prefixed.log")
python3 "$TOP/testbed/report.py" "${logs[@]}" --host "$GUEST/host.log" \
	--write-tests "$TOP/testbed/expected-tests"
git -C "$TOP" diff --stat -- testbed/expected-tests
