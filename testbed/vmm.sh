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
python3 "$TOP/testbed/report.py" "$out" --expect vmm_host --expect kunit \
	--kunit-suite arm-smmu-v3-edu-dma --boot-rc "$rc"
