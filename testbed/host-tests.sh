#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build and run, on this machine, the host tests and the fuzzer of the
# driver-independent nesting code (tools/testing/smmuv3-nested) and of the
# VMM library (vmm/), framed as sections for report.py. FUZZ_SECONDS bounds
# each fuzz run.
. "$(dirname "$0")/lib.sh"

dir=$TREE/tools/testing/smmuv3-nested
out=$GUEST/host
mkdir -p "$out"
hmake() {
	make -s -C "$dir" KHDR="$KBUILD/usr/include" OUT="$out" "$@"
}

# The report itself: made-up logs it must fail (testbed/report_cases.py)
echo "TESTBED: BEGIN report_cases"
rc=0
python3 "$TOP/testbed/report_cases.py" || rc=$?
echo "TESTBED: END report_cases rc=$rc"

echo "TESTBED: BEGIN host_test"
rc=0
hmake test-host || rc=$?
echo "TESTBED: END host_test rc=$rc"

# Every hardware field macro of the series, the tests and vmm/ against the
# reference table: from this checkout, which has patches/ and vmm/
echo "TESTBED: BEGIN arch_fields"
rc=0
mkdir -p "$out/arch_fields"
make -s -C "$TOP/tools/testing/smmuv3-nested" KHDR="$KBUILD/usr/include" \
	OUT="$out/arch_fields" \
	PATCHES="$(series_patches | sed "s|^|$TOP/patches/|" | tr '\n' ' ')" \
	test-fields || rc=$?
echo "TESTBED: END arch_fields rc=$rc"

# fuzz SECTION COMMAND...: COMMAND runs libFuzzer for FUZZ_SECONDS
fuzz() {
	local section=$1 runs rc=0
	shift
	echo "TESTBED: BEGIN $section"
	"$@" FUZZ_SECONDS="$seconds" >"$out/$section.log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		"$out/$section.log")
	echo "1..1"
	if [ "$rc" = 0 ] && [ -n "$runs" ]; then
		echo "ok 1 $section: $runs inputs in $seconds s, no finding"
	else
		echo "not ok 1 $section: exit $rc, see $out/$section.log"
	fi
	echo "TESTBED: END $section rc=$rc"
}
seconds=${FUZZ_SECONDS:-20}
fuzz fuzz_inv hmake fuzz

# The VMM library (vmm/), against the same kernel files
vmake() {
	make -s -C "$TOP/vmm" KHDR="$KBUILD/usr/include" OUT="$out/vmm" "$@"
}
echo "TESTBED: BEGIN vmm_test"
rc=0
vmake test || rc=$?
echo "TESTBED: END vmm_test rc=$rc"
fuzz fuzz_vmm vmake fuzz
