#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# show.sh MODE PROGRAM: build if needed, boot with testbed.mode=MODE and
# show what the guest's PROGRAM printed, without the kernel's boot chatter.
# make run: MODE run, PROGRAM demo. make bench: MODE bench, PROGRAM bench.
. "$(dirname "$0")/lib.sh"
lock_run

mode=$1
program=$2
"$TOP/testbed/build.sh"
out=$GUEST/$mode.log
log "boot the guest and run $program (serial log: $out)"
rc=0
"$TOP/testbed/boot.sh" "$mode" "$out" || rc=$?
# A "BENCH: " line starts a new table; QEMU's trace lines and the marks
# are for the check below
sed -n "/TESTBED: BEGIN $program/,/TESTBED: END $program/p" "$out" |
	grep -v -e '^TESTBED: ' -e 'smmuv3_cmdq_' -e 'smmuv3_record_event' \
		-e 'SMMU-TRACE' -e 'SMMU-EVENTS' | tr -d '\r' |
	sed 's/^BENCH: /\n/'
grep -q "TESTBED: END $program rc=0" "$out" ||
	die "$program failed (boot exit $rc); see $out"
# The bench's counters against what QEMU's SMMU consumed, window by window
if [ "$mode" = bench ]; then
	printf '\nQEMU'"'"'s trace of its command queue, per window of %s:\n' "$program"
	python3 "$TOP/testbed/report.py" --trace-only "$out" ||
		die "the driver's counters disagree with QEMU's trace"
fi
