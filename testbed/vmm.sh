#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make vmm: three levels. L0 is QEMU 10 (TCG) with a nested-capable SMMUv3,
# an NVMe drive and virtualization=on; L1 is this project's kernel with
# KVM, running Debian unstable's unmodified qemu-system-aarch64 11
# (accelerated virtual SMMUv3, iommufd) with the adapter library preloaded;
# L2 is first an unmodified guest kernel whose own arm-smmu-v3 driver
# programs the virtual SMMU while its KUnit suite arm-smmu-v3-edu-dma does
# DMA with the passed-through edu device, then Debian 13's stock kernel
# writing and verifying data on the passed-through NVMe drive, strict and
# lazy. Prints the report of every level's sections.
# vmm.sh bench (make bench): the NVMe workload alone, side by side with no
# virtual IOMMU and with virtio-iommu; prints the table (not a test).
. "$(dirname "$0")/lib.sh"
lock_run

mode=${1:-test}
"$TOP/testbed/deps.sh"
"$TOP/testbed/vmm-root.sh"
"$TOP/testbed/debian-kernel.sh"
"$TOP/testbed/build.sh"
KBUILD=$CACHE/kbuild-vmm VARIANT_CONFIG=$TOP/testbed/variants/vmm-host.config \
	"$TOP/testbed/build-kernel.sh"
"$TOP/testbed/build-vmm-guest.sh"

# MiB per block size and slot: several hundred MiB move in each run
append="testbed.nvme_mib=${NVME_MIB:-48}"
[ "$mode" != bench ] || append="$append testbed.nvme=bench"
out=$CACHE/guest-vmm/vmm.log
log "boot L0 -> L1 (KVM, QEMU 11) -> L2 (serial log: $out)"
rc=0
KBUILD=$CACHE/kbuild-vmm GUEST=$CACHE/guest-vmm L0_MACHINE=,virtualization=on \
	L0_MEM=3G L0_NVME=2G L0_TRACE_COMMANDS=0 BOOT_APPEND="$append" \
	"$TOP/testbed/boot.sh" vmm "$out" || rc=$?
if [ "$mode" = bench ]; then
	python3 "$TOP/testbed/nvme_table.py" "$out"
	runs="nvme-none nvme-virtio nvme-lazy nvme-strict"
	expect=(--expect L1:kunit)
	for run in $runs; do
		expect+=(--expect "$run" --expect "vmm_host-$run" --done "$run")
	done
	exec python3 "$TOP/testbed/report.py" "$out" "${expect[@]}" \
		--done vmm \
		--expected-skips "$TOP/testbed/expected-skips" --boot-rc "$rc"
fi
# What each level did, from the serial log
# The adapter's lines of the edu run (section vmm_host)
adapter() {
	sed -n '/TESTBED: BEGIN vmm_host/,/TESTBED: END vmm_host/p' "$out" |
		grep -a "# qemu: vsmmu-adapter: $1" | sed 's/.*vsmmu-adapter: //'
}
# The package's version, from its changelog (the extract variant keeps no
# dpkg database)
qemu=$(zcat "$CACHE/vmm-root/usr/share/doc/qemu-system-arm/changelog.Debian.gz" |
	sed -n '1s/.*(\(.*\)).*/\1/p')
cat <<TEXT

L0  QEMU 10 (TCG) emulates a nested-capable SMMUv3 and the edu devices.
L1  This kernel with KVM runs Debian's unmodified qemu-system-aarch64
    $qemu with -device arm-smmuv3,accel=on, edu passed through and the
    adapter preloaded, which says:
    $(adapter "nested HWPTs")
L2  An unmodified guest kernel: its arm-smmu-v3 driver programs the virtual
    SMMU; its KUnit suite arm-smmu-v3-edu-dma does DMA through it:
$(sed -n '/TESTBED: BEGIN kunit/,/TESTBED: END kunit/p' "$out" |
	grep -a -E '^    (not )?ok [0-9]+ edu_dma' | sed 's/^/   /')
    The fault of edu_dma_unmap_revokes came back up as an event (this
    kernel's device event queue -> the adapter -> QEMU's virtual event
    queue); L2's driver (its SMMU is ACPI's arm-smmu-v3.0.auto) logged it
    with L2's StreamID:
$(grep -a -A4 'arm-smmu-v3.0.auto: event 0x.. received' "$out" |
	sed 's/^/       /')
    $(adapter "nested events")
L2  Then Debian 13's stock kernel ($(cat "$CACHE/guest-vmm/stock/release")) with the
    NVMe drive passed through, strict and lazy:
$(grep -a -E '^(not )?ok [0-9]+ - ' "$out" | grep -a -E 'KiB blocks|writers|MSI-X|behind' |
	sed 's/^/    /')

Guest commands as they reached this kernel (the adapter's counters; host
commands and syncs from the kernel's debugfs counters; time of the kernel
call per entry, in L1, TCG-emulated):
| guest command | count | generic entries | host commands | syncs | us per entry |
| --- | --- | --- | --- | --- | --- |
$(adapter "class" | awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $2, $4, $6, $8, $10, $12 }')

TEXT
python3 "$TOP/testbed/report.py" "$out" --expect vmm_host --expect kunit \
	--expect L1:kunit --expect nvme-strict --expect nvme-lazy \
	--expect vmm_host-nvme-strict --expect vmm_host-nvme-lazy \
	--done nvme-strict --done nvme-lazy \
	--kunit-suite arm-smmu-v3-edu-dma --done vmm --done kunit \
	--expected-skips "$TOP/testbed/expected-skips" --boot-rc "$rc"
