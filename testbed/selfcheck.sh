#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make selfcheck: prove `make test` can fail. Each case breaks one thing on
# purpose, runs the test bed and insists that it exits non-zero for that
# reason: a broken assertion, a missing device, a kernel WARNING.
. "$(dirname "$0")/lib.sh"

edu_test=$TREE/tools/testing/selftests/iommu/edu_dma.c
failures=0

# expect_failure NAME PATTERN: run the test bed, want rc != 0 and PATTERN
expect_failure() {
	local name=$1 pattern=$2 out rc=0
	out=$(TESTS=edu_dma "$TOP/testbed/test.sh" 2>&1) || rc=$?
	if [ "$rc" != 0 ] && grep -q -- "$pattern" <<<"$out"; then
		echo "ok: $name makes make test fail ($(tail -n1 <<<"$out"))"
	else
		echo "NOT OK: $name did not fail make test as expected (rc $rc)"
		tail -n 5 <<<"$out"
		failures=$((failures + 1))
	fi
}

restore() {
	"$TOP/testbed/prepare-tree.sh"
	TESTS= "$TOP/testbed/build-guest.sh"
}
trap restore EXIT

"$TOP/testbed/build.sh"

# 1. A broken assertion: the round trip now expects the data to differ.
sed -i 's/ASSERT_EQ(0, memcmp(self->mem, self->mem + 3 \* PAGE, PAGE))/ASSERT_NE(0, memcmp(self->mem, self->mem + 3 * PAGE, PAGE))/' "$edu_test"
grep -q 'ASSERT_NE(0, memcmp' "$edu_test" || die "could not break the assertion"
TESTS=edu_dma "$TOP/testbed/build-guest.sh"
NO_BUILD=1 expect_failure "a broken assertion" "FAILED: edu_dma:edu_dma.round_trip"
restore

# 2. A missing device: QEMU gets no edu although the test bed promises two.
QEMU_EDU=0 expect_failure "a missing edu device" "FAILED: edu_dma:"

# 3. A kernel WARNING, injected through LKDTM.
BOOT_APPEND=testbed.inject=warn expect_failure "an injected kernel WARN" \
	"FAILED: kernel log: .*WARNING"

echo "$((3 - failures)) passed, $failures failed"
[ "$failures" = 0 ]
