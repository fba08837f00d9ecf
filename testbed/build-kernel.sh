#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the arm64 Image from $TREE into $KBUILD: allnoconfig plus the
# fragments in testbed/config/ (and $VARIANT_CONFIG last, if set), then
# the uAPI headers the tests compile against. Extra make arguments (W=1,
# C=1, ...) may be passed in $KMAKE_ARGS.
. "$(dirname "$0")/lib.sh"

kmake() {
	make -s -C "$TREE" O="$KBUILD" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		-j"$JOBS" "$@"
}

lock_cache kbuild
mkdir -p "$KBUILD"
fragments=$KBUILD/testbed.config
cat "$TOP"/testbed/config/*.config ${VARIANT_CONFIG:-} >"$fragments.new"
if ! cmp -s "$fragments.new" "$fragments" || [ ! -e "$KBUILD/.config" ]; then
	log "configure the kernel (allnoconfig + testbed/config/*.config)"
	kmake KCONFIG_ALLCONFIG="$fragments.new" allnoconfig
	mv "$fragments.new" "$fragments"
else
	rm -f "$fragments.new"
	kmake olddefconfig
fi

# Kconfig drops a symbol whose dependencies are unmet without a word:
# insist that every option the fragments ask for made it. As in Kconfig,
# a later line for a symbol (a variant's "=m" or "is not set") wins.
missing=$(sed -n -e 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p' \
	-e '/^CONFIG_/p' "$fragments" |
	awk -F= '{ last[$1] = $0 } END { for (s in last) print last[s] }' |
	while read -r line; do
		case $line in
		*=n) ! grep -q "^${line%=n}=" "$KBUILD/.config" || echo "$line" ;;
		*) grep -qx "$line" "$KBUILD/.config" || echo "$line" ;;
		esac
	done)
[ -z "$missing" ] || die "options not set in the kernel config: $missing"

log "build the kernel"
# shellcheck disable=SC2086
kmake ${KMAKE_ARGS:-} Image
kmake headers_install >/dev/null
# A modular kernel's modules, for build-guest.sh to pack
rm -rf "$KBUILD/modroot"
if grep -q '^CONFIG_MODULES=y' "$KBUILD/.config"; then
	kmake ${KMAKE_ARGS:-} modules
	kmake INSTALL_MOD_PATH="$KBUILD/modroot" modules_install >/dev/null
fi
