#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest side: /init, the test programs and the demo, all static
# arm64 binaries, packed into an initramfs with the kernel's gen_init_cpio
# (so device nodes need no root). TESTS may name a subset of the tests.
. "$(dirname "$0")/lib.sh"

SELFTESTS=$TREE/tools/testing/selftests
# The base's iommufd suites, then ours (lib.sh)
ALL_TESTS="iommufd iommufd_fail_nth $OUR_TESTS"
# Only the nesting-off kernel runs smmuv3_nested_off (see test.sh).
TESTS=${TESTS:-$ALL_TESTS}

CC="${CROSS}gcc"
CFLAGS="-static -O2 -Wall -Werror -Wno-unused-function -D_GNU_SOURCE
	-I$KBUILD/usr/include -I$SELFTESTS -I$SELFTESTS/iommu
	-I$TREE/tools/testing/smmuv3-nested"

mkdir -p "$GUEST/bin"

# Rebuild a program when any of its inputs is newer than it.
build() {
	local out=$1 src=$2 dep
	shift 2
	for dep in "$src" "$@" "$KBUILD/usr/include/linux/iommufd.h"; do
		if [ ! -e "$out" ] || [ "$dep" -nt "$out" ]; then
			# shellcheck disable=SC2086
			$CC $CFLAGS -o "$out" "$src" || die "building $src failed"
			return
		fi
	done
}

headers=$(ls "$SELFTESTS"/iommu/*.h "$SELFTESTS"/kselftest*.h \
	"$TREE"/drivers/iommu/iommufd/iommufd_test.h)
build "$GUEST/bin/init" "$TOP/testbed/guest/init.c" \
	"$TOP/testbed/guest/guest_param.h"
# The pristine base (make test-base) has no nesting uAPI for these two
if [ -z "$BASE_ONLY" ]; then
	build "$GUEST/bin/demo" "$TOP/testbed/guest/demo.c" $headers
	build "$GUEST/bin/bench" "$TOP/testbed/guest/bench.c" $headers \
		"$TREE/tools/testing/smmuv3-nested/ril_oracle.h"
fi
for t in $TESTS; do
	# shellcheck disable=SC2086
	build "$GUEST/bin/$t" "$SELFTESTS/iommu/$t.c" $headers
done

list=$GUEST/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in proc sys tmp bin tests; do echo "dir /$d 0755 0 0"; done
	echo "file /init $GUEST/bin/init 0755 0 0"
	if [ -z "$BASE_ONLY" ]; then
		echo "file /bin/demo $GUEST/bin/demo 0755 0 0"
		echo "file /bin/bench $GUEST/bin/bench 0755 0 0"
	fi
	for t in $TESTS; do echo "file /tests/$t $GUEST/bin/$t 0755 0 0"; done
	# A modular kernel's modules, flat in /lib/modules for /init
	if [ -d "$KBUILD/modroot" ]; then
		echo "dir /lib 0755 0 0"
		echo "dir /lib/modules 0755 0 0"
		find "$KBUILD/modroot" -name '*.ko' | sort | while read -r m; do
			echo "file /lib/modules/$(basename "$m") $m 0644 0 0"
		done
	fi
} >"$list"
"$KBUILD/usr/gen_init_cpio" "$list" >"$GUEST/initramfs.cpio"
echo "$TESTS" >"$GUEST/tests.expected"
