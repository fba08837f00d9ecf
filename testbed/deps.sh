#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what the test bed needs from Debian 12's own packages; quick
# when everything is already there.
. "$(dirname "$0")/lib.sh"

PACKAGES="make gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	linux-source-6.12 flex bison bc libssl-dev libelf-dev cpio xz-utils
	kmod rsync python3 perl sparse debootstrap git patch pkgconf
	clang libclang-rt-14-dev mmdebstrap"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
need_root "installing$missing"
log "install:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
