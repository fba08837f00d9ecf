#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build if needed, boot once with /bin/bench and print its
# tables (Markdown, for the README). Timing is TCG-emulated; ratios matter.
. "$(dirname "$0")/lib.sh"

"$TOP/testbed/build.sh"
out=$GUEST/bench.log
log "boot the guest and run the benchmark (serial log: $out)"
rc=0
"$TOP/testbed/boot.sh" bench "$out" || rc=$?
sed -n '/TESTBED: BEGIN bench/,/TESTBED: END bench/p' "$out" |
	grep -v '^TESTBED: ' | tr -d '\r' | sed 's/^BENCH: /\n/'
grep -q 'TESTBED: END bench rc=0' "$out" || die "the benchmark failed (rc $rc); see $out"
