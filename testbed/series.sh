#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make series: turn patches/ plus our files into a `git am`-able series on
# the pristine base, then build every step of it as a bisect would: the
# kernel Image and, where the step has them, the iommu selftests.
# Output: $CACHE/series/out (or SERIES_OUT). SERIES_NO_BUILD=1 skips the
# builds.
. "$(dirname "$0")/lib.sh"

work=$CACHE/series
repo=$work/git
out=${SERIES_OUT:-$work/out}
git_c=(git -C "$repo" -c user.name="SMMUv3 nested team"
	-c user.email=team@smmuv3-nested.invalid)

"$TOP/testbed/prepare-tree.sh"	# extracts the base if needed
base_key=$(cat "$PRISTINE/.testbed-base")
if [ "$(cat "$work/.base" 2>/dev/null)" != "$base_key" ]; then
	log "make a git repository of the base (once per base version)"
	rm -rf "$work"
	mkdir -p "$work"
	cp -a "$PRISTINE" "$repo"
	rm -f "$repo/.testbed-base"
	"${git_c[@]}" init -q
	"${git_c[@]}" add -Af	# Debian's .gitignore ignores the top level
	"${git_c[@]}" commit -qm "base: linux-source-6.12 ${base_key##* }"
	"${git_c[@]}" tag base
	echo "$base_key" >"$work/.base"
fi
"${git_c[@]}" checkout -qf base
"${git_c[@]}" clean -fdxq

# Every file of ours must belong to some patch.
claimed=$(sed -e 's/#.*//' "$TOP/patches/series" | awk '{ $1 = ""; print }' |
	tr ' ' '\n' | sed '/^$/d' | sort)
unclaimed=$(comm -23 <(overlay_files | sort) <(echo "$claimed"))
[ -z "$unclaimed" ] || die "files no patch in patches/series owns: $unclaimed"

"${git_c[@]}" checkout -qb "series-$$"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" |
	while read -r patch files; do
		"${git_c[@]}" am -q "$TOP/patches/$patch" ||
			die "patches/$patch does not apply"
		if [ -n "$files" ]; then
			for f in $files; do
				mkdir -p "$repo/$(dirname "$f")"
				cp "$TOP/$f" "$repo/$f"
				"${git_c[@]}" add -f "$f"
			done
			"${git_c[@]}" commit -q --amend --no-edit
		fi
	done
rm -rf "$out"
"${git_c[@]}" format-patch -q -o "$out" base..HEAD
log "series: $(ls "$out" | wc -l) patches in $out"

[ -z "${SERIES_NO_BUILD:-}" ] || exit 0
kb=$work/kbuild
step=0
for c in $("${git_c[@]}" rev-list --reverse base..HEAD); do
	step=$((step + 1))
	"${git_c[@]}" checkout -q "$c"
	subject=$("${git_c[@]}" log -1 --format=%s)
	mkdir -p "$kb"
	cat "$TOP"/testbed/config/*.config >"$kb/fragments.config"
	make -s -C "$repo" O="$kb" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		KCONFIG_ALLCONFIG="$kb/fragments.config" allnoconfig >/dev/null
	make -s -C "$repo" O="$kb" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		-j"$JOBS" Image headers_install ||
		die "step $step ($subject): the kernel does not build"
	for t in "$repo"/tools/testing/selftests/iommu/*.c; do
		"${CROSS}gcc" -static -O2 -Wall -Werror -Wno-unused-function \
			-D_GNU_SOURCE -I"$kb/usr/include" \
			-I"$repo/tools/testing/selftests" -o "$kb/test" "$t" ||
			die "step $step ($subject): $(basename "$t") does not build"
	done
	echo "step $step builds: $subject"
done
"${git_c[@]}" checkout -qf base
echo "make series: $step patches in $out, every step builds"
