#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test-base: the base's own iommufd selftests on the pristine base,
# with only the selftest build fix (the first patch) and none of our
# files, to show that testbed/known-failures is what the base does too.
export BASE_ONLY=1
. "$(dirname "$0")/lib.sh"
lock_run

export TREE=$CACHE/tree-base KBUILD=$CACHE/kbuild-base GUEST=$CACHE/guest-base
export VARIANT_CONFIG=$TOP/testbed/variants/base.config
export TESTS="iommufd iommufd_fail_nth"
"$TOP/testbed/deps.sh"
"$TOP/testbed/qemu-root.sh"
"$TOP/testbed/prepare-tree.sh"
"$TOP/testbed/build-kernel.sh"
"$TOP/testbed/build-guest.sh"
rc=0
OPT_IN= "$TOP/testbed/boot.sh" test "$GUEST/test.log" || rc=$?
python3 "$TOP/testbed/report.py" "$GUEST/test.log" --expect kunit \
	--expect iommufd --expect iommufd_fail_nth \
	--kunit-suite arm-smmu-v3-kunit-test \
	--known-failures "$TOP/testbed/known-failures" --done test \
	--expected-skips "$TOP/testbed/expected-skips" --boot-rc "$rc"
