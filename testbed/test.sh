#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make test: build everything that is stale, boot, run KUnit and the
# kselftests in that boot, print a per-suite table and "N passed, N failed,
# N skipped" last. Non-zero exit on any failure (see report.py).
#
# Short boots follow (skipped when TESTS picks a subset): a kernel with
# CONFIG_ARM_SMMU_V3_NESTED=n, to prove the switch removes the interface;
# the main kernel without the nesting_noncoherent opt-in; a kernel with
# the driver as a module; the debug kernel (KASAN, lockdep, kmemleak, ...)
# running every suite of ours; and three levels (make vmm, testbed/vmm.sh).
# ONLY=debug (make test-debug) boots the debug kernel alone.
. "$(dirname "$0")/lib.sh"

start=$(date +%s)
# NO_BUILD=1 boots what is built (selfcheck.sh uses it to keep a test it
# broke on purpose).
[ -n "${NO_BUILD:-}" ] || "$TOP/testbed/build.sh"
built=$(date +%s)

# The driver-independent translation core and the VMM library, on this
# machine: host tests, then bounded fuzz runs (make fuzz runs longer).
host=$GUEST/host.log
if [ -z "${ONLY:-}" ]; then
	log "host tests and ${FUZZ_SECONDS:-20} s of fuzzing (log: $host)"
	"$TOP/testbed/host-tests.sh" >"$host" 2>&1 || true
fi

out=$GUEST/test.log
rc=0
expect=()
logs=()
if [ -z "${ONLY:-}" ]; then
	log "boot the guest and run the tests (serial log: $out)"
	"$TOP/testbed/boot.sh" test "$out" || rc=$?
	for t in kunit $(cat "$GUEST/tests.expected"); do
		expect+=(--expect "$t")
	done
	logs+=("$out")
fi
done_at=$(date +%s)
log "build $((built - start)) s, boot and tests $((done_at - built)) s"

# other_boot NAME "TESTS" [VAR=value...]: build (a variant kernel when
# VARIANT_CONFIG is given) and boot once more, the guest in $CACHE/guest-NAME;
# its results count as suites "NAME:test".
other_boot() {
	local name=$1 tests=$2 dir=$CACHE/guest-$1
	shift 2
	log "boot $name (serial log: $dir/test.log)"
	(
		export GUEST=$dir TESTS="$tests" "$@"
		[ -z "${VARIANT_CONFIG:-}" ] || "$TOP/testbed/build-kernel.sh"
		"$TOP/testbed/build-guest.sh"
		"$TOP/testbed/boot.sh" test "$dir/test.log"
	) || rc=$?
	sed "s/TESTBED: \(BEGIN\|END\) /TESTBED: \1 $name:/" \
		"$dir/test.log" >"$dir/test.prefixed.log"
	logs+=("$dir/test.prefixed.log")
	for t in kunit $tests; do expect+=(--expect "$name:$t"); done
}

# The debug kernel: every suite of ours (not the base's iommufd suites),
# longer fuzzing and racing, and kmemleak's findings at the end.
# DEBUG_TESTS may name fewer (make selfcheck).
debug_boot() {
	other_boot debug "${DEBUG_TESTS:-$OUR_TESTS}" \
		KBUILD="$CACHE/kbuild-debug" \
		VARIANT_CONFIG="$TOP/testbed/variants/debug.config" \
		BOOT_APPEND="testbed.fuzz_seconds=60 testbed.race_seconds=30 ${BOOT_APPEND:-}"
	expect+=(--expect debug:kmemleak)
}

if [ "${ONLY:-}" = debug ]; then
	debug_boot
elif [ -z "${TESTS:-}" ]; then
	# The nesting-off kernel: the interface is gone, DMA still works.
	other_boot nesting-off "edu_dma smmuv3_nested_off" \
		KBUILD="$CACHE/kbuild-nesting-off" BOOT_APPEND=testbed.nesting=off \
		VARIANT_CONFIG="$TOP/testbed/variants/nesting-off.config"
	# The main kernel without the nesting_noncoherent opt-in: QEMU's SMMU
	# has no S2FWB, so NEST_PARENT must be refused.
	other_boot no-opt-in smmuv3_coherency OPT_IN=
	# The driver as a module, as distributions ship it: its KUnit tests,
	# DMA, and the invalidation counters (debugfs) must all be there.
	other_boot modular "edu_dma smmuv3_invalidate" \
		KBUILD="$CACHE/kbuild-modular" \
		VARIANT_CONFIG="$TOP/testbed/variants/modular.config"
	debug_boot
	# Three levels (make vmm): QEMU 11 on our kernel with KVM runs an
	# unmodified guest whose own SMMU driver does DMA through a nested HWPT
	vmm=$CACHE/guest-vmm
	log "boot vmm: L0 -> L1 (KVM, QEMU 11) -> L2 (serial log: $vmm/vmm.log)"
	(
		"$TOP/testbed/vmm-root.sh"
		KBUILD=$CACHE/kbuild-vmm \
			VARIANT_CONFIG=$TOP/testbed/variants/vmm-host.config \
			"$TOP/testbed/build-kernel.sh"
		"$TOP/testbed/build-vmm-guest.sh"
		KBUILD=$CACHE/kbuild-vmm GUEST=$vmm \
			L0_MACHINE=,virtualization=on L0_MEM=3G \
			"$TOP/testbed/boot.sh" vmm "$vmm/vmm.log"
	) || rc=$?
	sed "s/TESTBED: \(BEGIN\|END\) /TESTBED: \1 vmm:/" "$vmm/vmm.log" \
		>"$vmm/vmm.prefixed.log"
	logs+=("$vmm/vmm.prefixed.log")
	expect+=(--expect vmm:vmm_host --expect vmm:kunit)
	log "other boots done in $(($(date +%s) - done_at)) s"
fi

# What else the report holds the boots against: the host tests, or with
# ONLY= the KUnit suites of that one boot
scope=(--host "$host" --expect host_test --expect arch_fields
	--expect fuzz_inv --expect vmm_test --expect fuzz_vmm)
[ -z "${ONLY:-}" ] || scope=(--kunit-boot "$ONLY")
python3 "$TOP/testbed/report.py" "${logs[@]}" "${expect[@]}" \
	"${scope[@]}" \
	--kunit-suite arm-smmu-v3-kunit-test --kunit-suite arm-smmu-v3-nested \
	--kunit-suite arm-smmu-v3-nested-inv --kunit-suite arm-smmu-v3-nested-hw \
	--kunit-suite arm-smmu-v3-edu-dma \
	--known-failures "$TOP/testbed/known-failures" --boot-rc "$rc"
