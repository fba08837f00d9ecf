#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Everything a boot needs, each step skipped or incremental when current.
. "$(dirname "$0")/lib.sh"

"$TOP/testbed/deps.sh"
"$TOP/testbed/qemu-root.sh"
"$TOP/testbed/prepare-tree.sh"
"$TOP/testbed/build-kernel.sh"
"$TOP/testbed/build-guest.sh"
