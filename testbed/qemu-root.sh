#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian 12's QEMU (7.2) has only a stage-1 SMMUv3; nested S1+S2 came in
# 9.1. Debian 13 ships 10.0, so we keep a minimal trixie root with
# qemu-system-arm in it and run QEMU there through chroot.
. "$(dirname "$0")/lib.sh"

stamp=$QEMU_ROOT/.testbed-ready
[ -e "$stamp" ] && exit 0
need_root "preparing the QEMU root"
lock_cache qemu-root
[ -e "$stamp" ] && exit 0

log "debootstrap a Debian 13 (trixie) root in $QEMU_ROOT"
rm -rf "$QEMU_ROOT"
mkdir -p "$CACHE"
debootstrap --variant=minbase trixie "$QEMU_ROOT" >"$CACHE/debootstrap.log" 2>&1 ||
	die "debootstrap failed, see $CACHE/debootstrap.log"

log "install qemu-system-arm in the trixie root"
mount -t proc proc "$QEMU_ROOT/proc"
trap 'umount "$QEMU_ROOT/proc" 2>/dev/null || true' EXIT
chroot "$QEMU_ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends qemu-system-arm \
	>>"$CACHE/debootstrap.log" 2>&1 ||
	die "installing QEMU in the trixie root failed, see $CACHE/debootstrap.log"
chroot "$QEMU_ROOT" apt-get clean

ver=$(chroot "$QEMU_ROOT" qemu-system-aarch64 --version | head -n1)
log "$ver"
case "$ver" in
*" version "[0-8].* | *" version 9.0"*) die "QEMU too old for nested SMMUv3: $ver" ;;
esac
touch "$stamp"
