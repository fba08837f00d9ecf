#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make $TREE = pristine base + patches/series + our files at kernel paths.
#
# Staleness rules:
#  - another base version: wipe the tree and the build directory;
#  - another patch series or set of our files: copy the base again, and
#    bump the mtime of every file the old or new series touches, so make
#    rebuilds exactly those (cp -a keeps old mtimes, which would otherwise
#    leave objects built from a patch that is gone);
#  - an edited file of ours: copied over, so only its objects rebuild.
. "$(dirname "$0")/lib.sh"

base_version=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null ||
	stat -c '%s-%Y' "$BASE_TARBALL")
base_key="$BASE_TARBALL $base_version"

extract_base() {
	[ "$(cat "$PRISTINE/.testbed-base" 2>/dev/null)" = "$base_key" ] && return
	log "extract the base ($base_version)"
	rm -rf "$PRISTINE" "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -C "$PRISTINE.tmp" --strip-components=1 -xf "$BASE_TARBALL"
	echo "$base_key" >"$PRISTINE.tmp/.testbed-base"
	mv "$PRISTINE.tmp" "$PRISTINE"
}

# Paths a patch file creates or modifies.
patched_paths() {
	sed -n 's|^+++ b/||p' "$@" | sed 's/[[:space:]].*//' | sort -u
}

series_key() {
	{
		cat "$TOP/patches/series"
		for p in $(series_patches); do cat "$TOP/patches/$p"; done
		overlay_files
	} | sha256sum | cut -d' ' -f1
}

touched_by_series() {
	local files=()
	for p in $(series_patches); do files+=("$TOP/patches/$p"); done
	[ ${#files[@]} -eq 0 ] || patched_paths "${files[@]}"
	overlay_files
}

make_tree() {
	local key=$1
	local before=$TREE/.testbed-touched
	local old_list
	old_list=$(cat "$before" 2>/dev/null || true)

	log "apply the patch series to a fresh copy of the base"
	rm -rf "$TREE.tmp"
	cp -a "$PRISTINE" "$TREE.tmp"
	for p in $(series_patches); do
		patch -d "$TREE.tmp" -p1 -s -F0 --no-backup-if-mismatch \
			<"$TOP/patches/$p" || die "patches/$p does not apply"
	done
	touched_by_series >"$TREE.tmp/.testbed-touched"
	# Bump everything the old or the new series touches (see above).
	printf '%s\n' "$old_list" | cat - "$TREE.tmp/.testbed-touched" |
		sort -u | while read -r f; do
			if [ -n "$f" ] && [ -e "$TREE.tmp/$f" ]; then
				touch "$TREE.tmp/$f"
			fi
		done
	echo "$key" >"$TREE.tmp/.testbed-series"
	base_file_sums "$TREE.tmp" >"$TREE.tmp/.testbed-base-sums"
	rm -rf "$TREE"
	mv "$TREE.tmp" "$TREE"
}

# Checksums of the base files the series patches, as the tree has them: a
# hand edit (a selfcheck case, an experiment) must not outlive its run.
base_file_sums() {
	local files=() f
	for p in $(series_patches); do files+=("$TOP/patches/$p"); done
	[ ${#files[@]} -eq 0 ] && return 0
	for f in $(patched_paths "${files[@]}"); do
		if [ -e "$PRISTINE/$f" ] && [ -e "$1/$f" ]; then
			(cd "$1" && sha256sum "$f")
		fi
	done
}

copy_overlay() {
	local f
	for f in $(overlay_files); do
		if [ -e "$PRISTINE/$f" ]; then
			die "$f is a base file: change it through patches/"
		fi
		if ! cmp -s "$TOP/$f" "$TREE/$f"; then
			mkdir -p "$(dirname "$TREE/$f")"
			cp "$TOP/$f" "$TREE/$f"
		fi
	done
}

lock_cache tree
extract_base
if [ "$(cat "$TREE/.testbed-base" 2>/dev/null)" != "$base_key" ]; then
	log "new base: start from an empty build directory"
	rm -rf "$TREE" "$KBUILD"
fi
key=$(series_key)
if [ "$(cat "$TREE/.testbed-series" 2>/dev/null)" != "$key" ]; then
	make_tree "$key"
elif ! base_file_sums "$TREE" | cmp -s - "$TREE/.testbed-base-sums"; then
	log "a patched base file in the tree was edited: make the tree again"
	make_tree "$key"
fi
copy_overlay
