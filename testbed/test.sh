#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: build everything that is stale, boot once, run KUnit and the
# kselftests in that boot, print a per-suite table and "N passed, N failed,
# N skipped" last. Non-zero exit on any failure (see report.py).
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
# NO_BUILD=1 boots what is built (selfcheck.sh uses it to keep a test it
# broke on purpose).
[ -n "${NO_BUILD:-}" ] || "$TOP/testbed/build.sh"
built=$(date +%s)

out=$GUEST/test.log
log "boot the guest and run the tests (serial log: $out)"
rc=0
"$TOP/testbed/boot.sh" test "$out" || rc=$?
done_at=$(date +%s)
log "build $((built - start)) s, boot and tests $((done_at - built)) s"

expect=()
for t in kunit $(cat "$GUEST/tests.expected"); do expect+=(--expect "$t"); done
python3 "$TOP/testbed/report.py" "$out" "${expect[@]}" \
	--kunit-suite arm-smmu-v3-kunit-test --kunit-suite arm-smmu-v3-nested \
	--known-failures "$TOP/testbed/known-failures" --boot-rc "$rc"
