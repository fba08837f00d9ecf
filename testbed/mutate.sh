#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make mutate: realistic bugs (testbed/mutations) put into the tree one at
# a time; which tests catch each (testbed/mutate.py). Uses the main tree,
# build directory and guest, like make selfcheck, and puts them back.
# MUTATIONS=regex runs only the entries whose name matches.
. "$(dirname "$0")/lib.sh"
lock_run

restore() {
	"$TOP/testbed/prepare-tree.sh"
	"$TOP/testbed/build-kernel.sh"
	TESTS= "$TOP/testbed/build-guest.sh"
}
trap restore EXIT

"$TOP/testbed/build.sh"
TOP=$TOP TREE=$TREE CACHE=$CACHE GUEST=$GUEST KBUILD=$KBUILD \
	KUNIT_SUITES=$KUNIT_SUITES python3 "$TOP/testbed/mutate.py"
