#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make selfcheck: prove `make test` can fail. Each case breaks one thing on
# purpose, runs the test bed and insists that it exits non-zero for that
# reason: a broken assertion, a missing device, a kernel WARNING, a wrong
# VMID in one command, counters that disagree with QEMU's trace of the
# command queue, a suite that never ran, a suite that printed no result, a
# suite that exited non-zero without TAP, an SMMU event no test declared,
# a test declaring the wrong number of events, an illegal command on the
# SMMU's queue, a known failure that fails for another reason, and on the
# debug kernel a memory leak in the nesting code and a lock-order
# inversion, MSIs of nested devices left unmapped in stage 2, nested
# events that never reach their queue, a hardware field macro in the
# wrong place (S2FWB in STE qword 2), a variant kernel that does not
# build, a test that silently disappears, the report's made-up logs run
# through the old report, a sanitizer report in the host tests, and the
# VMM library dropping an invalidation, and a block of the three-level
# bed's NVMe drive that reads back changed. CASES="N ..." runs only those.
. "$(dirname "$0")/lib.sh"
lock_run

edu_test=$TREE/tools/testing/selftests/iommu/edu_dma.c
failures=0
passes=0

# CASES="18 19" runs only those cases (all when empty)
want() {
	local n
	[ -z "${CASES:-}" ] && return 0
	for n in "$@"; do
		[[ " $CASES " != *" $n "* ]] || return 0
	done
	return 1
}
pass() {
	echo "ok: $*"
	passes=$((passes + 1))
}
fail() {
	echo "NOT OK: $*"
	failures=$((failures + 1))
}

# expect_failure NAME PATTERN: run the test bed, want rc != 0 and PATTERN
expect_failure() {
	local name=$1 pattern=$2 out rc=0
	out=$(TESTS=${CHECK_TESTS:-edu_dma} "$TOP/testbed/test.sh" 2>&1) || rc=$?
	if [ "$rc" != 0 ] && grep -q -- "$pattern" <<<"$out"; then
		pass "$name makes make test fail ($(tail -n1 <<<"$out"))"
	else
		fail "$name did not fail make test as expected (rc $rc)"
		tail -n 5 <<<"$out"
	fi
}

restore() {
	"$TOP/testbed/prepare-tree.sh"
	TESTS= "$TOP/testbed/build-guest.sh"
}
trap restore EXIT

"$TOP/testbed/build.sh"

# 1. A broken assertion: the round trip now expects the data to differ.
if want 1; then
	sed -i 's/ASSERT_EQ(0, memcmp(self->mem, self->mem + 3 \* PAGE, PAGE))/ASSERT_NE(0, memcmp(self->mem, self->mem + 3 * PAGE, PAGE))/' "$edu_test"
	grep -q 'ASSERT_NE(0, memcmp' "$edu_test" || die "could not break the assertion"
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "a broken assertion" "FAILED: edu_dma:edu_dma.round_trip"
	restore
fi

# 2. A missing device: QEMU gets no edu although the test bed promises two.
if want 2; then
	QEMU_EDU=0 expect_failure "a missing edu device" "FAILED: edu_dma:"
fi

# 3. A kernel WARNING, injected through LKDTM.
if want 3; then
	BOOT_APPEND=testbed.inject=warn expect_failure "an injected kernel WARN" \
		"FAILED: kernel log: .*WARNING"
fi

# 4. A wrong VMID in one command: TLBI_NH_ALL tagged with VMID + 1. The
# host tests build the tree's translation code, so no kernel rebuild.
if want 4; then
	inv_c=$TREE/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-inv.c
	sed -i 's/CMD0_OP(SMMUV3_OP_TLBI_NH_ALL) | CMD0_VMID(t->vmid)/CMD0_OP(SMMUV3_OP_TLBI_NH_ALL) | CMD0_VMID(t->vmid + 1)/' "$inv_c"
	grep -q 't->vmid + 1' "$inv_c" || die "could not break the VMID"
	NO_BUILD=1 expect_failure "a wrong VMID in one command" "FAILED: host_test:"
	restore
fi

# 5. The driver's counters against QEMU's trace: count one command more
# than the SMMU gets.
if want 5; then
	nested_inv_c=$TREE/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested-inv.c
	sed -i 's/atomic64_add(b->num, &inv_stats.commands);/atomic64_add(b->num + 1, \&inv_stats.commands);/' "$nested_inv_c"
	grep -q 'b->num + 1' "$nested_inv_c" || die "could not break the counter"
	"$TOP/testbed/build-kernel.sh"
	CHECK_TESTS=smmuv3_invalidate NO_BUILD=1 expect_failure \
		"a command counter off by one" "FAILED: SMMU trace: .*the driver counted"
	restore
	"$TOP/testbed/build-kernel.sh"
fi

# 6-8. The guest's programs: a suite that never runs, one that prints no
# result and exits 0, one that exits non-zero without TAP.
if want 6 7 8; then
	fake_suite() {	# fake_suite NAME RC: a static program printing nothing
		printf 'int main(void) { return %d; }\n' "$2" >"$GUEST/$1.c"
		"${CROSS}gcc" -static -o "$GUEST/bin/$1" "$GUEST/$1.c"
		touch -d '+1 hour' "$GUEST/bin/$1"	# newer than its source
	}
	TESTS="edu_dma smmuv3_coherency" "$TOP/testbed/build-guest.sh"
	echo "edu_dma smmuv3_coherency smmuv3_nested" >"$GUEST/tests.expected"
	NO_BUILD=1 expect_failure "a suite that never ran" \
		"FAILED: smmuv3_nested: never ran"
	restore
	fake_suite edu_dma 0
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "a suite with no result" \
		"FAILED: edu_dma: no test results"
	restore
	fake_suite edu_dma 3
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "a suite exiting 3 without TAP" \
		"FAILED: edu_dma: ended with rc=3"
	rm -f "$GUEST/bin/edu_dma" "$GUEST/edu_dma.c"
	restore
fi

# 9-10. SMMU events: a faulting DMA nobody declared, and a declaration one
# event short of what QEMU's SMMU records.
if want 9 10; then
	sed -i '0,/^\tsmmu_events_begin();$/{//d}' "$edu_test"
	[ "$(grep -c smmu_events_begin "$edu_test")" = 1 ] ||
		die "could not drop the declaration"
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "an undeclared SMMU event" \
		"FAILED: SMMU event nobody expected: 1024 x SMMU_EVT_F_TRANSLATION"
	restore
	sed -i '0,/smmu_events_end(EDU_FAULT_EVENTS(PAGE));/s//smmu_events_end(EDU_FAULT_EVENTS(PAGE) - 1);/' "$edu_test"
	grep -q 'EDU_FAULT_EVENTS(PAGE) - 1' "$edu_test" || die "could not miscount"
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "a wrong number of declared events" \
		"FAILED: SMMU events: a test declared 1023, QEMU's SMMU recorded 1024"
	restore
fi

# 11. An illegal command on the SMMU's queue, through the test hooks.
if want 11; then
	BOOT_APPEND=testbed.inject=illegal-command expect_failure \
		"an illegal command on the queue" "FAILED: kernel log: .*CMDQ error"
fi

# 12. A known failure counts as known only for its listed reason: the
# report alone, on a log made up for it.
if want 12; then
	fake=$(mktemp -d)
	printf '%s\n' "TESTBED: BEGIN demo" "TAP version 13" "1..1" \
		"# demo.c:7:t:Expected 0 (0) == ret (-22)" "not ok 1 t" \
		"TESTBED: END demo rc=1" "TESTBED: DONE" >"$fake/log"
	echo 'demo:t Expected 0 \(0\) == ret \(-22\)' >"$fake/right"
	echo 'demo:t ret \(-95\)' >"$fake/wrong"
	if python3 "$TOP/testbed/report.py" "$fake/log" --expect demo \
		--known-failures "$fake/right" >/dev/null &&
		! out=$(python3 "$TOP/testbed/report.py" "$fake/log" --expect demo \
			--known-failures "$fake/wrong") &&
		grep -q "not for the listed reason" <<<"$out"; then
		pass "a known failure failing for another reason fails the report"
	else
		fail "known failures are not matched on their reason"
	fi
	rm -rf "$fake"
fi

# 13. A leak on an error path of the nesting code: a failed attach no
# longer frees its list entry. Only an injected allocation failure takes
# that path (smmuv3_fail_nth), and kmemleak on the debug kernel must see it.
if want 13; then
	nested_c=$TREE/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested.c
	sed -i '/^\t\tmutex_unlock(&arm_smmu_asid_lock);$/{n;/^\t\tkfree(entry);$/d}' "$nested_c"
	! grep -q 'kfree(entry);' "$nested_c" || die "could not inject the leak"
	ONLY=debug DEBUG_TESTS=smmuv3_fail_nth NO_BUILD=1 expect_failure \
		"a leak on a failed attach" "FAILED: debug:kmemleak:no_leaks"
	restore
fi

# 14. A lock-order inversion, through the test hooks: lockdep must say so.
# (The boot rebuilds the debug kernel, without the leak.)
if want 14; then
	ONLY=debug DEBUG_TESTS=edu_dma BOOT_APPEND=testbed.inject=lock-inversion \
		NO_BUILD=1 expect_failure "a lock-order inversion" \
		"FAILED: kernel log: .*circular locking dependency"
fi

# 15. MSIs behind a nested HWPT: without patch 0007's redirect to the nest
# parent, the message holds the raw doorbell address and the MSI is lost.
if want 15; then
	dma_iommu_c=$TREE/drivers/iommu/dma-iommu.c
	sed -i '/domain->type == IOMMU_DOMAIN_NESTED)$/{N;d}' "$dma_iommu_c"
	! grep -q 'domain->nest_parent;' "$dma_iommu_c" || die "could not drop the redirect"
	"$TOP/testbed/build-kernel.sh"
	CHECK_TESTS=smmuv3_nested_msi NO_BUILD=1 expect_failure \
		"nested MSIs not mapped in the parent" \
		"FAILED: smmuv3_nested_msi:nested_msi.enabled_after_nested_attach"
	restore
	"$TOP/testbed/build-kernel.sh"
fi

# 16. Nested events: the driver keeps every event to itself again.
if want 16; then
	events_c=$TREE/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-nested-events.c
	sed -i 's/if (master \&\& smp_load_acquire(&master->nested_events) \&\&/if (false \&\&/' "$events_c"
	grep -q 'if (false &&' "$events_c" || die "could not stop the events"
	"$TOP/testbed/build-kernel.sh"
	CHECK_TESTS=smmuv3_nested_events NO_BUILD=1 expect_failure \
		"nested events kept by the host" \
		"FAILED: smmuv3_nested_events:events.stage1_fault_record"
	restore
	"$TOP/testbed/build-kernel.sh"
fi

# 17. A hardware field in the wrong place: the driver's S2FWB back in STE
# qword 2 (STE[153], IMPLEMENTATION DEFINED), as it once was. The host
# test holds every macro the patches add against the reference table.
if want 17; then
	bad=$(mktemp -d)
	for p in $(series_patches); do cp "$TOP/patches/$p" "$bad/$p"; done
	sed -i 's/^+#define STRTAB_STE_1_S2FWB\t/+#define STRTAB_STE_2_S2FWB\t/' "$bad"/*.patch
	grep -q '^+#define STRTAB_STE_2_S2FWB' "$bad"/*.patch || die "could not move S2FWB"
	mkdir "$bad/out"
	if ! out=$(make -s -C "$TOP/tools/testing/smmuv3-nested" \
			KHDR="$KBUILD/usr/include" OUT="$bad/out" \
			PATCHES="$(series_patches | sed "s|^|$bad/|" | tr '\n' ' ')" \
			test-fields 2>&1) &&
		grep -q "^not ok .*STRTAB_STE_2_S2FWB.*STE\[153\]" <<<"$out"; then
		pass "S2FWB in STE qword 2 fails the host tests"
	else
		fail "S2FWB in the wrong STE word went unnoticed"
	fi
	rm -rf "$bad"
fi

# 18. A variant kernel that does not build: its boot must not use the
# Image of an earlier build (the nesting-off kernel, booted alone).
if want 18; then
	sink_c=$TREE/drivers/iommu/iommu-event-sink.c
	echo '#error selfcheck: a variant kernel that does not build' >>"$sink_c"
	ONLY=nesting-off NO_BUILD=1 expect_failure "a variant kernel that does not build" \
		"FAILED: a build or boot step exited"
	restore
fi

# 19. A test that silently disappears: one TEST_F compiled out. Its plan
# shrinks with it, so only testbed/expected-tests can see it.
if want 19; then
	sed -i 's/^TEST_F(edu_dma, unmapped_iova_blocked)$/#if 0\n&/' "$edu_test"
	sed -i '/^#if 0$/,/^}$/{/^}$/a #endif
	}' "$edu_test"
	grep -q '^#endif$' "$edu_test" || die "could not drop the test"
	TESTS=edu_dma "$TOP/testbed/build-guest.sh"
	NO_BUILD=1 expect_failure "a test that disappeared" \
		'FAILED: edu_dma: "edu_dma.unmapped_iova_blocked" ran 0 times'
	restore
fi

# 20. The made-up logs of testbed/report_cases.py, through the report of
# the last commit that lacked them: most must pass it (the holes issue 19
# closed), which shows the cases can fail.
if want 20; then
	old=$(mktemp)
	git -C "$TOP" show 2b0bfe4:testbed/report.py |
		sed 's/args = ap.parse_args()/args = ap.parse_known_args()[0]/' >"$old"
	missed=$(REPORT=$old python3 "$TOP/testbed/report_cases.py" | grep -c '^not ok' || true)
	if [ "$missed" -ge 15 ]; then
		pass "the old report misses $missed of the made-up logs' problems"
	else
		fail "the old report sees what the cases say it missed ($missed)"
	fi
	rm -f "$old"
fi

# 21. A sanitizer report in the host tests: a shift by 64 in the
# translation core, for odd page counts. x86 masks the count, so the
# answers stay right: only -fno-sanitize-recover makes it fail.
if want 21; then
	inv_c=$TREE/drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-inv.c
	sed -i 's/return pages \& (0x1fULL << low);/return pages \& (0x1fULL << (low + 64 * (pages \& 1)));/' "$inv_c"
	grep -q '64 \* (pages & 1)' "$inv_c" || die "could not put in the shift"
	out=$(mktemp -d)
	GUEST=$out FUZZ_SECONDS=2 "$TOP/testbed/host-tests.sh" >"$out/host.log" 2>&1 || true
	if ! report=$(python3 "$TOP/testbed/report.py" --host "$out/host.log") &&
		grep -q "FAILED: kernel log: .*runtime error: shift exponent" <<<"$report" &&
		grep -q "FAILED: host_test" <<<"$report"; then
		pass "a shift by 64 in the core fails the host tests"
	else
		fail "a sanitizer report in the host tests went unnoticed"
	fi
	rm -rf "$out"
	restore
fi

# 22. The VMM library drops an invalidation: TLBI_NH_VA of an ASID with
# bit 15 set passed on as nothing. Its property checks must see it (they
# passed 54/54 before issue 19).
if want 22; then
	copy=$(mktemp -d)
	cp -a "$TOP/vmm" "$copy/vmm"
	ln -s "$TOP/drivers" "$copy/drivers"
	ln -s "$TOP/tools" "$copy/tools"
	lib=$copy/vmm/lib/vsmmu_cmd.c
	sed -i 's/^\t\te->archid = asid(cmd, caps);$/&\n\t\tif (e->archid \& 0x8000)\n\t\t\treturn;/' "$lib"
	grep -q 'e->archid & 0x8000' "$lib" || die "could not drop the invalidation"
	if ! out=$(make -s -C "$copy/vmm" KHDR="$KBUILD/usr/include" \
			OUT="$copy/out" test 2>&1) &&
		grep -q "^not ok .*TLBI_NH_VA, ASID\[15\] set" <<<"$out"; then
		pass "a dropped invalidation fails the VMM library's tests"
	else
		fail "the VMM library's tests missed a dropped invalidation"
	fi
	rm -rf "$copy"
fi

# 23. The NVMe drive of the three-level runs returns other data than the
# stock guest wrote: one 4 KiB block changed behind the writer's back.
# The 64 KiB check of both runs must see it (one vmm boot).
if want 23; then
	ONLY=vmm BOOT_APPEND=testbed.nvme_inject=corrupt expect_failure \
		"a changed block on the NVMe drive" \
		"FAILED: vmm:nvme-strict:64 KiB blocks: the pattern written"
fi

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
