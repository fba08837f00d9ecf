#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build and run, on this machine, the host tests and the fuzzer of the
# driver-independent nesting code (tools/testing/smmuv3-nested), framed as
# sections for report.py. FUZZ_SECONDS bounds the fuzz run.
. "$(dirname "$0")/lib.sh"

dir=$TREE/tools/testing/smmuv3-nested
out=$GUEST/host
mkdir -p "$out"
hmake() {
	make -s -C "$dir" KHDR="$KBUILD/usr/include" OUT="$out" "$@"
}

echo "TESTBED: BEGIN host_test"
rc=0
hmake test || rc=$?
echo "TESTBED: END host_test rc=$rc"

echo "TESTBED: BEGIN fuzz_inv"
seconds=${FUZZ_SECONDS:-20}
rc=0
hmake fuzz FUZZ_SECONDS="$seconds" >"$out/fuzz.log" 2>&1 || rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log")
echo "1..1"
if [ "$rc" = 0 ] && [ -n "$runs" ]; then
	echo "ok 1 fuzz_inv: $runs inputs in $seconds s, no finding"
else
	echo "not ok 1 fuzz_inv: exit $rc, see $out/fuzz.log"
fi
echo "TESTBED: END fuzz_inv rc=$rc"
