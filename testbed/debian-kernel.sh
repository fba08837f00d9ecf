#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The stock guest kernel of the three-level test bed's NVMe runs: Debian
# 13's arm64 distribution kernel (linux-image-arm64) with its modules,
# unmodified, unpacked into $CACHE/debian-kernel by mmdebstrap's extract
# variant (no emulation, no maintainer scripts; apt runs with mmdebstrap's
# own configuration and the mirror of this machine's Debian sources, so the
# host's apt setup is never changed). Quick once done.
. "$(dirname "$0")/lib.sh"

dest=$CACHE/debian-kernel
unpacked() { compgen -G "$dest/boot/vmlinuz-*" >/dev/null; }
unpacked && exit 0
need_root "unpacking Debian's arm64 kernel"
lock_cache debian-kernel
unpacked && exit 0

mirror=$(debian_mirror)
log "unpack Debian 13's arm64 kernel package into $dest"
rm -rf "$dest.new"
mmdebstrap --quiet --variant=extract --architectures=arm64 \
	--include=linux-image-arm64 \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	trixie "$dest.new" "$mirror"
compgen -G "$dest.new/boot/vmlinuz-*" >/dev/null ||
	die "no kernel in the unpacked linux-image-arm64"
rm -rf "$dest"
mv "$dest.new" "$dest"
