#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make coverage: the main test bed kernel once more, with gcov on our own
# kernel files only, booted with the main boot's KUnit suites and
# kselftests; /init then prints the gcov data (testbed.gcov=1) and
# coverage.py prints line and branch coverage per file. Every function
# with lines no test runs needs a reason in testbed/coverage-gaps.
. "$(dirname "$0")/lib.sh"
lock_run

# Our kernel C files (not the tests), as the tree has them
FILES="drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested.c
	drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested-inv.c
	drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-inv.c
	drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-uapi.c
	drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-event.c
	drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested-events.c
	drivers/iommu/iommu-event-sink.c
	drivers/iommu/iommufd/eventq.c"

export KBUILD=$CACHE/kbuild-gcov GUEST=$CACHE/guest-gcov
start=$(date +%s)
"$TOP/testbed/deps.sh"
"$TOP/testbed/qemu-root.sh"
"$TOP/testbed/prepare-tree.sh"
# Kbuild's per-object switch, on make's command line: no Makefile changes
profile=
for f in $FILES; do
	profile="$profile GCOV_PROFILE_$(basename "$f" .c).o=y"
done
rm -f "$KBUILD/arch/arm64/boot/Image"
VARIANT_CONFIG=$TOP/testbed/variants/gcov.config KMAKE_ARGS=$profile \
	"$TOP/testbed/build-kernel.sh"
"$TOP/testbed/build-guest.sh"
built=$(date +%s)

out=$GUEST/test.log
: >"$out"
rc=0
BOOT_APPEND="testbed.gcov=1 ${BOOT_APPEND:-}" "$TOP/testbed/boot.sh" test "$out" ||
	rc=$?
# The tests must pass on this kernel too, or its coverage means little
expect=()
for t in kunit $(cat "$GUEST/tests.expected"); do expect+=(--expect "$t"); done
python3 "$TOP/testbed/report.py" "$out" "${expect[@]}" --done test \
	--known-failures "$TOP/testbed/known-failures" \
	--expected-skips "$TOP/testbed/expected-skips" \
	--expected-tests "$TOP/testbed/expected-tests" --boot-rc "$rc" |
	tail -n 1 | sed 's/^/tests on the gcov kernel: /'
[ "${PIPESTATUS[0]}" = 0 ] || die "the tests failed on the gcov kernel ($out)"
rc=0
# shellcheck disable=SC2086
python3 "$TOP/testbed/coverage.py" "$out" --kbuild "$KBUILD" \
	--gaps "$TOP/testbed/coverage-gaps" $FILES || rc=$?
log "coverage: build $((built - start)) s, boot and tests $(($(date +%s) - built)) s"
exit "$rc"
