#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: build everything that is stale, boot, run KUnit and the
# kselftests in that boot, print a per-suite table and "N passed, N failed,
# N skipped" last. Non-zero exit on any failure (see report.py).
#
# A second, short boot runs a kernel with CONFIG_ARM_SMMU_V3_NESTED=n to
# prove the switch removes the interface, a third the main kernel without
# the nesting_noncoherent opt-in (both skipped when TESTS picks a subset).
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
# NO_BUILD=1 boots what is built (selfcheck.sh uses it to keep a test it
# broke on purpose).
[ -n "${NO_BUILD:-}" ] || "$TOP/testbed/build.sh"
built=$(date +%s)

# The driver-independent translation core, on this machine: host tests,
# then a bounded fuzz run (make fuzz runs longer).
host=$GUEST/host.log
log "host tests and ${FUZZ_SECONDS:-20} s of fuzzing (log: $host)"
"$TOP/testbed/host-tests.sh" >"$host" 2>&1 || true

out=$GUEST/test.log
log "boot the guest and run the tests (serial log: $out)"
rc=0
"$TOP/testbed/boot.sh" test "$out" || rc=$?
done_at=$(date +%s)
log "build $((built - start)) s, boot and tests $((done_at - built)) s"

expect=()
for t in kunit $(cat "$GUEST/tests.expected"); do expect+=(--expect "$t"); done
logs=("$out")

if [ -z "${TESTS:-}" ]; then
	off=$CACHE/guest-nesting-off
	log "second kernel, nesting compiled out (serial log: $off/test.log)"
	(
		export KBUILD=$CACHE/kbuild-nesting-off GUEST=$off
		export VARIANT_CONFIG=$TOP/testbed/variants/nesting-off.config
		export TESTS="edu_dma smmuv3_nested_off"
		"$TOP/testbed/build-kernel.sh"
		"$TOP/testbed/build-guest.sh"
		BOOT_APPEND=testbed.nesting=off \
			"$TOP/testbed/boot.sh" test "$off/test.log"
	) || rc=$?
	sed 's/TESTBED: \(BEGIN\|END\) /TESTBED: \1 nesting-off:/' \
		"$off/test.log" >"$off/test.prefixed.log"
	logs+=("$off/test.prefixed.log")
	for t in kunit edu_dma smmuv3_nested_off; do
		expect+=(--expect "nesting-off:$t")
	done
	log "second boot done in $(($(date +%s) - done_at)) s"

	# The same kernel without the nesting_noncoherent opt-in: QEMU's SMMU
	# has no S2FWB, so NEST_PARENT must be refused.
	refused=$CACHE/guest-no-opt-in
	log "third boot, no coherency opt-in (serial log: $refused/test.log)"
	(
		export GUEST=$refused TESTS=smmuv3_coherency OPT_IN=
		"$TOP/testbed/build-guest.sh"
		"$TOP/testbed/boot.sh" test "$refused/test.log"
	) || rc=$?
	sed 's/TESTBED: \(BEGIN\|END\) /TESTBED: \1 no-opt-in:/' \
		"$refused/test.log" >"$refused/test.prefixed.log"
	logs+=("$refused/test.prefixed.log")
	for t in kunit smmuv3_coherency; do
		expect+=(--expect "no-opt-in:$t")
	done
fi

python3 "$TOP/testbed/report.py" "${logs[@]}" "${expect[@]}" \
	--host "$host" --expect host_test --expect fuzz_inv \
	--kunit-suite arm-smmu-v3-kunit-test --kunit-suite arm-smmu-v3-nested \
	--kunit-suite arm-smmu-v3-nested-inv --kunit-suite arm-smmu-v3-nested-hw \
	--known-failures "$TOP/testbed/known-failures" --boot-rc "$rc"
