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
# insist that every option the fragments ask for made it.
# A variant's "is not set" overrides an earlier line for the same symbol.
unset_syms=$(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=/p' "$fragments")
missing=$(grep -h '^CONFIG_' "$fragments" |
	grep -vF "${unset_syms:-NONE}" | while read -r line; do
	grep -qx "$line" "$KBUILD/.config" || echo "$line"
done)
for sym in $unset_syms; do
	! grep -q "^$sym" "$KBUILD/.config" || missing="$missing ${sym}n"
done
[ -z "$missing" ] || die "options not set in the kernel config: $missing"

log "build the kernel"
# shellcheck disable=SC2086
kmake ${KMAKE_ARGS:-} Image
kmake headers_install >/dev/null
