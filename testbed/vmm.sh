#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make vmm: three levels. L0 is QEMU 10 (TCG) with a nested-capable SMMUv3
# and virtualization=on; L1 is this project's kernel with KVM, running
# Debian unstable's unmodified qemu-system-aarch64 11 (accelerated virtual
# SMMUv3, iommufd) with the adapter library preloaded; L2 is an unmodified
# guest kernel whose own arm-smmu-v3 driver programs the virtual SMMU while
# its KUnit suite arm-smmu-v3-edu-dma does DMA with the passed-through edu
# device. Prints the report of L1's and L2's sections.
. "$(dirname "$0")/lib.sh"
lock_run

"$TOP/testbed/deps.sh"
"$TOP/testbed/vmm-root.sh"
"$TOP/testbed/build.sh"
KBUILD=$CACHE/kbuild-vmm VARIANT_CONFIG=$TOP/testbed/variants/vmm-host.config \
	"$TOP/testbed/build-kernel.sh"
"$TOP/testbed/build-vmm-guest.sh"

out=$CACHE/guest-vmm/vmm.log
log "boot L0 -> L1 (KVM, QEMU 11) -> L2 (serial log: $out)"
rc=0
KBUILD=$CACHE/kbuild-vmm GUEST=$CACHE/guest-vmm L0_MACHINE=,virtualization=on \
	L0_MEM=3G "$TOP/testbed/boot.sh" vmm "$out" || rc=$?
# What each level did, from the serial log
adapter() { grep -a "# qemu: vsmmu-adapter: $1" "$out" | sed 's/.*vsmmu-adapter: //'; }
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

Guest commands as they reached this kernel (the adapter's counters; host
commands and syncs from the kernel's debugfs counters; time of the kernel
call per entry, in L1, TCG-emulated):
| guest command | count | generic entries | host commands | syncs | us per entry |
| --- | --- | --- | --- | --- | --- |
$(adapter "class" | awk '{ printf "| %s | %s | %s | %s | %s | %s |\n", $2, $4, $6, $8, $10, $12 }')

TEXT
python3 "$TOP/testbed/report.py" "$out" --expect vmm_host --expect kunit \
	--expect L1:kunit \
	--kunit-suite arm-smmu-v3-edu-dma --done vmm --done kunit \
	--expected-skips "$TOP/testbed/expected-skips" --boot-rc "$rc"
