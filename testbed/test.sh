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
# ONLY=NAME boots one of those alone (make test-debug: ONLY=debug).
. "$(dirname "$0")/lib.sh"
lock_run

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
# expect_kunit BOOT SUITES...: KUnit suites that must have run in BOOT
# (empty: the main boot); expect_done LEVEL: that level's end mark
expect_kunit() {
	local boot=${1:+$1:} suite
	shift
	for suite in "$@"; do expect+=(--kunit-suite "$boot$suite"); done
}
expect_done() { expect+=(--done "$1"); }
if [ -z "${ONLY:-}" ]; then
	log "boot the guest and run the tests (serial log: $out)"
	: >"$out"
	"$TOP/testbed/boot.sh" test "$out" || rc=$?
	for t in kunit $(cat "$GUEST/tests.expected"); do
		expect+=(--expect "$t")
	done
	# shellcheck disable=SC2086
	expect_kunit "" $KUNIT_SUITES
	expect_done test
	logs+=("$out")
fi
done_at=$(date +%s)
log "build $((built - start)) s, boot and tests $((done_at - built)) s"

# prefixed NAME LOG: LOG with its sections and end marks named "NAME:..."
prefixed() {
	sed "s/TESTBED: \(BEGIN\|END\|DONE\) /TESTBED: \1 $1:/" "$2" \
		>"${2%.log}.prefixed.log"
	logs+=("${2%.log}.prefixed.log")
}

# other_boot NAME "TESTS" [VAR=value...]: build (a variant kernel when
# VARIANT_CONFIG is given) and boot once more, the guest in $CACHE/guest-NAME;
# its results count as suites "NAME:test". A step that fails stops the
# boot and fails the run; neither the Image nor the log of an earlier run
# can stand in for it.
other_boot() {
	local name=$1 tests=$2 dir=$CACHE/guest-$1
	shift 2
	log "boot $name (serial log: $dir/test.log)"
	mkdir -p "$dir"
	: >"$dir/test.log"
	(
		export GUEST=$dir TESTS="$tests" "$@"
		if [ -n "${VARIANT_CONFIG:-}" ]; then
			rm -f "$KBUILD/arch/arm64/boot/Image"
			"$TOP/testbed/build-kernel.sh" || exit
		fi
		"$TOP/testbed/build-guest.sh" || exit
		"$TOP/testbed/boot.sh" test "$dir/test.log"
	) || rc=$?
	prefixed "$name" "$dir/test.log"
	for t in kunit $tests; do expect+=(--expect "$name:$t"); done
	expect_done "$name:test"
}

# The nesting-off kernel: the interface is gone, DMA still works.
boot_nesting_off() {
	other_boot nesting-off "edu_dma smmuv3_nested_off" \
		KBUILD="$CACHE/kbuild-nesting-off" BOOT_APPEND=testbed.nesting=off \
		VARIANT_CONFIG="$TOP/testbed/variants/nesting-off.config"
	expect_kunit nesting-off arm-smmu-v3-kunit-test
}

# The main kernel without the nesting_noncoherent opt-in: QEMU's SMMU has
# no S2FWB, so NEST_PARENT must be refused.
boot_no_opt_in() {
	other_boot no-opt-in smmuv3_coherency OPT_IN=
	# shellcheck disable=SC2086
	expect_kunit no-opt-in $KUNIT_SUITES
}

# The driver as a module, as distributions ship it: its KUnit tests, DMA,
# and the invalidation counters (debugfs) must all be there.
boot_modular() {
	other_boot modular "edu_dma smmuv3_invalidate" \
		KBUILD="$CACHE/kbuild-modular" \
		VARIANT_CONFIG="$TOP/testbed/variants/modular.config"
	# shellcheck disable=SC2086
	expect_kunit modular $KUNIT_SUITES
}

# The debug kernel: every suite of ours (not the base's iommufd suites),
# longer fuzzing and racing, and kmemleak's findings at the end.
# DEBUG_TESTS may name fewer (make selfcheck).
boot_debug() {
	other_boot debug "${DEBUG_TESTS:-$OUR_TESTS}" \
		KBUILD="$CACHE/kbuild-debug" \
		VARIANT_CONFIG="$TOP/testbed/variants/debug.config" \
		BOOT_APPEND="testbed.fuzz_seconds=60 testbed.race_seconds=30 ${BOOT_APPEND:-}"
	expect+=(--expect debug:kmemleak)
	# shellcheck disable=SC2086
	expect_kunit debug $KUNIT_SUITES
}

# Three levels (make vmm): QEMU 11 on our kernel with KVM runs an
# unmodified guest whose own SMMU driver does DMA through a nested HWPT
boot_vmm() {
	local vmm=$CACHE/guest-vmm run
	log "boot vmm: L0 -> L1 (KVM, QEMU 11) -> L2 (serial log: $vmm/vmm.log)"
	mkdir -p "$vmm"
	: >"$vmm/vmm.log"
	(
		"$TOP/testbed/vmm-root.sh" || exit
		rm -f "$CACHE/kbuild-vmm/arch/arm64/boot/Image"
		KBUILD=$CACHE/kbuild-vmm \
			VARIANT_CONFIG=$TOP/testbed/variants/vmm-host.config \
			"$TOP/testbed/build-kernel.sh" || exit
		"$TOP/testbed/debian-kernel.sh" || exit
		"$TOP/testbed/build-vmm-guest.sh" || exit
		KBUILD=$CACHE/kbuild-vmm GUEST=$vmm \
			L0_MACHINE=,virtualization=on L0_MEM=3G L0_NVME=1G \
			L0_TRACE_COMMANDS=0 \
			"$TOP/testbed/boot.sh" vmm "$vmm/vmm.log"
	) || rc=$?
	prefixed vmm "$vmm/vmm.log"
	expect+=(--expect vmm:vmm_host --expect vmm:kunit --expect vmm:L1:kunit)
	# The NVMe runs: the stock L2's sections and L1's account of each
	for run in nvme-strict nvme-lazy; do
		expect+=(--expect "vmm:$run" --expect "vmm:vmm_host-$run")
		expect_done "vmm:$run"
	done
	# shellcheck disable=SC2086
	expect_kunit vmm $KUNIT_SUITES
	# shellcheck disable=SC2086
	expect_kunit vmm:L1 $KUNIT_SUITES
	expect_done vmm:kunit
	expect_done vmm:vmm
}

# ONLY=NAME (make test-debug: debug) boots that one alone
if [ -n "${ONLY:-}" ]; then
	"boot_${ONLY//-/_}"
elif [ -z "${TESTS:-}" ]; then
	boot_nesting_off
	boot_no_opt_in
	boot_modular
	boot_debug
	boot_vmm
	log "other boots done in $(($(date +%s) - done_at)) s"
fi

# What else the report holds the boots against: the host tests, unless
# ONLY= boots one kernel alone
scope=()
[ -n "${ONLY:-}" ] || scope=(--host "$host" --expect report_cases
	--expect host_test
	--expect arch_fields --expect fuzz_inv --expect vmm_test
	--expect fuzz_vmm)
python3 "$TOP/testbed/report.py" "${logs[@]}" "${expect[@]}" \
	"${scope[@]}" --known-failures "$TOP/testbed/known-failures" \
	--expected-skips "$TOP/testbed/expected-skips" \
	--expected-tests "$TOP/testbed/expected-tests" --boot-rc "$rc"
