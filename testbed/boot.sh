#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh MODE LOG: boot the built kernel and initramfs on QEMU's virt
# machine with a nested-capable SMMUv3 and two edu devices, in the given
# testbed.mode (test, run or bench), serial output to LOG. The guest
# powers itself off; BOOT_TIMEOUT (seconds) bounds a guest that hangs.
# QEMU traces every command its SMMU consumes (and any it refuses) and
# every event it records into LOG too, for report.py to hold the driver's
# own counters and the tests' declared events against.
. "$(dirname "$0")/lib.sh"

mode=$1
out=$2
need_root "booting QEMU (it runs in the trixie root through chroot)"

# QEMU runs inside the trixie root, so its inputs must be there too.
# The test bed promises two edu devices (testbed.edu=2); QEMU_EDU=N gives
# QEMU another number, to show that a missing device fails the run.
# QEMU's SMMU has no S2FWB, so nest parents need the test-machine opt-in;
# OPT_IN= (empty) boots without it. L0_MACHINE adds machine options
# (",virtualization=on" for make vmm), L0_MEM sets the memory size.
opt_in=${OPT_IN-arm_smmu_v3.nesting_noncoherent=1}
edu_devices=
for _ in $(seq 1 "${QEMU_EDU:-2}"); do
	edu_devices="$edu_devices -device edu,dma_mask=0xffffffffffffffff"
done

stage=$QEMU_ROOT/testbed
mkdir -p "$stage"
cp "$KBUILD/arch/arm64/boot/Image" "$GUEST/initramfs.cpio" "$stage/"
# Every command traced, for the tests' windows; L0_TRACE_COMMANDS=0 (make
# vmm, whose thousands of TLBIs hold no window) only errors and events
opcodes="-trace smmuv3_cmdq_opcode"
[ "${L0_TRACE_COMMANDS:-1}" = 1 ] || opcodes=
# L0_NVME=SIZE (make vmm): an NVMe drive on the SMMU's bus too, backed by
# a fresh sparse raw image in the cache
nvme=
if [ -n "${L0_NVME:-}" ]; then
	rm -f "$stage/nvme.img"
	truncate -s "$L0_NVME" "$stage/nvme.img"
	nvme="-drive file=/testbed/nvme.img,if=none,format=raw,id=nvme0
		-device nvme,drive=nvme0,serial=smmuv3-nested"
fi

timeout --foreground -k 10 "${BOOT_TIMEOUT:-1500}" \
	chroot "$QEMU_ROOT" qemu-system-aarch64 \
	-M "virt,iommu=smmuv3,gic-version=3${L0_MACHINE:-}" \
	-cpu max,pauth-impdef=on -smp 2 -m "${L0_MEM:-2G}" \
	-nographic -monitor none -serial stdio -nic none \
	$edu_devices $nvme \
	${opcodes} -trace smmuv3_cmdq_consume_error \
	-trace smmuv3_record_event \
	${QEMU_EXTRA:-} -no-reboot \
	-kernel /testbed/Image -initrd /testbed/initramfs.cpio \
	-append "console=ttyAMA0 panic=-1 testbed.mode=$mode testbed.edu=2 $opt_in ${BOOT_APPEND:-}" \
	</dev/null >"$out" 2>&1
