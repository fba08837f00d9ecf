# SPDX-License-Identifier: GPL-2.0
# Shared settings for the test bed scripts. Sourced, never run.
#
# Everything slow to make (the trixie root with QEMU, the extracted base,
# the kernel build directory) lives under $CACHE, outside git, and is
# reused by later runs.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-/var/cache/smmuv3-nested}
BASE_TARBALL=${BASE_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
CROSS=${CROSS:-aarch64-linux-gnu-}
JOBS=${JOBS:-$(nproc)}

QEMU_ROOT=$CACHE/trixie         # Debian 13 root holding qemu-system-arm 10.x
PRISTINE=$CACHE/base            # the extracted base, never modified
TREE=${TREE:-$CACHE/tree}       # base + patch series + our files
# BASE_ONLY=1 (make test-base): the pristine base with only the selftest
# build fix (the first patch), none of our files
BASE_ONLY=${BASE_ONLY:-}
KBUILD=${KBUILD:-$CACHE/kbuild} # O= directory of the kernel build
GUEST=${GUEST:-$CACHE/guest}    # test programs, initramfs, serial logs

# Our kselftest programs (tools/testing/selftests/iommu), which the main
# and the debug kernel both run; the robustness ones are issue 10's
OUR_TESTS="edu_dma smmuv3_nested smmuv3_nested_dma smmuv3_nested_msi
	smmuv3_nested_events smmuv3_invalidate smmuv3_invalidate_dma
	smmuv3_coherency smmuv3_fuzz smmuv3_fail_nth smmuv3_race
	smmuv3_fault_flood smmuv3_nested_stall"

# The KUnit suites of our kernels; the nesting-off kernel has the base's only
KUNIT_SUITES="arm-smmu-v3-kunit-test arm-smmu-v3-nested arm-smmu-v3-nested-inv
	arm-smmu-v3-nested-hw arm-smmu-v3-edu-dma"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (apt-get, debootstrap, chroot)"
}

# The files this project owns at kernel paths: everything tracked under
# these top-level directories of the repository.
overlay_files() {
	[ -z "$BASE_ONLY" ] || return 0
	(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		-- drivers include tools Documentation \
		2>/dev/null | sort || true)
}

# The first mirror URI this machine's apt uses (for mmdebstrap)
debian_mirror() {
	local m
	m=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		2>/dev/null | sed -n -e 's/^URIs: *\([^ ]*\).*/\1/p' \
		-e 's/^deb \(\[[^]]*\] \)\?\([^ ]*\) .*/\2/p' |
		head -n 1) || true
	[ -n "$m" ] || die "no Debian mirror in this machine's apt sources"
	echo "$m"
}

# Patch files in the order the series file gives (first word of each
# non-comment line).
series_patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" |
		awk -v base_only="$BASE_ONLY" \
			'{ print $1 } base_only { exit }'
}

# Hold an exclusive lock on one part of the cache until the script exits,
# so two runs (make test while make series works) never race on it.
lock_cache() {
	local fd
	mkdir -p "$CACHE"
	exec {fd}>"$CACHE/.$1.lock"
	flock "$fd"
}

# One run at a time: make test, selfcheck, mutate, coverage, vmm, run,
# bench and check share the tree, the build directories, the guests and
# QEMU's staging directory, so a second run waits for the first. The
# scripts a run starts (selfcheck runs test.sh) inherit its lock.
lock_run() {
	[ -z "${TESTBED_RUN_LOCKED:-}" ] || return 0
	lock_cache run
	export TESTBED_RUN_LOCKED=1
}
