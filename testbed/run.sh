#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make run: build if needed, boot, and let the demo tell its story.
. "$(dirname "$0")/lib.sh"

"$TOP/testbed/build.sh"
out=$GUEST/run.log
log "boot the guest and run the demo (serial log: $out)"
rc=0
"$TOP/testbed/boot.sh" run "$out" || rc=$?
# Show the demo's own words, not the kernel's boot chatter.
sed -n '/TESTBED: BEGIN demo/,/TESTBED: END demo/p' "$out" |
	grep -v '^TESTBED: ' | tr -d '\r'
grep -q 'TESTBED: END demo rc=0' "$out" || die "the demo failed (rc $rc); see $out"
