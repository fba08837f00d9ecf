#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The L1 host's VMM for the three-level test bed: Debian unstable's arm64
# qemu-system-aarch64 (11.x, with the iommufd-accelerated virtual SMMUv3)
# and its libraries, and UEFI firmware for L2, unpacked into
# $CACHE/vmm-root by mmdebstrap's extract variant (no emulation, no
# maintainer scripts). apt runs with mmdebstrap's own configuration and the
# mirror of this machine's Debian sources: the host's apt setup is never
# changed. Quick once done.
. "$(dirname "$0")/lib.sh"

dest=$CACHE/vmm-root
# L2 boots through UEFI: QEMU's accelerated SMMUv3 is described by ACPI only
firmware=usr/share/qemu-efi-aarch64/QEMU_EFI.fd
unpacked() { [ -x "$dest/usr/bin/qemu-system-aarch64" ] && [ -e "$dest/$firmware" ]; }
unpacked && exit 0
need_root "unpacking the L1 VMM root"
lock_cache vmm-root
unpacked && exit 0

mirror=$(debian_mirror)

log "unpack Debian unstable's arm64 qemu-system-arm into $dest"
rm -rf "$dest.new"
# Unstable's Release file may be past its Valid-Until on a mirror
mmdebstrap --quiet --variant=extract --architectures=arm64 \
	--include=qemu-system-arm,qemu-efi-aarch64,busybox-static \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	sid "$dest.new" "$mirror"
# The extract variant makes no usr-merge links; the loader needs them
for d in bin lib sbin; do
	[ -e "$dest.new/$d" ] || ln -s "usr/$d" "$dest.new/$d"
done
[ -x "$dest.new/usr/bin/qemu-system-aarch64" ] && [ -e "$dest.new/$firmware" ] ||
	die "no qemu-system-aarch64 or UEFI firmware in the unpacked root"
rm -rf "$dest"
mv "$dest.new" "$dest"
