#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make check: the review bar for what this project writes.
#  - checkpatch --strict on every patch and on our kernel C files;
#    on our userspace C files (selftests, guest programs, the VMM
#    library) too, less the
#    rules that cannot apply there (listed below);
#  - kernel-doc -Wall on our kernel files, and no new kernel-doc warning
#    in the uAPI header compared with the base;
#  - sparse (C=2) and W=1 on the directories we touch: no finding in any
#    file we add or patch.
# Prints each finding; exits non-zero if there is any.
. "$(dirname "$0")/lib.sh"
lock_run

# Userspace has no BIT(), u32, __printf(), MMIO accessors or exports (the
# host-test shim defines an empty export macro); the kselftest harness's
# FIXTURE_DATA(x) *self trips the spacing rule.
USERSPACE_IGNORE=BIT_MACRO,PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO
USERSPACE_IGNORE=$USERSPACE_IGNORE,VOLATILE,SPACING,CAMELCASE,EXPORT_SYMBOL
# Table-building and macro-probing code takes macros as arguments
ARGS_IGNORE=MACRO_ARG_REUSE,MACRO_ARG_PRECEDENCE

"$TOP/testbed/build.sh"
findings=$(mktemp)
trap 'rm -f "$findings"' EXIT
cd "$TREE"

for p in $(series_patches); do
	./scripts/checkpatch.pl --strict --root . --terse -q "$TOP/patches/$p" |
		grep -v '^total:' >>"$findings" || true
done
for f in $(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers include tools testbed/guest vmm | grep -E '\.[ch]$'); do
	case $f in
	# It evaluates the macros it is handed, by name, more than once
	*/arch_fields_test.c)
		ignore=(--ignore "$USERSPACE_IGNORE,$ARGS_IGNORE") ;;
	tools/* | testbed/* | vmm/*) ignore=(--ignore "$USERSPACE_IGNORE") ;;
	# The reference table's field macros are "hi, lo" argument pairs
	*-test-arch.h)
		ignore=(--ignore "COMPLEX_MACRO,MACRO_ARG_UNUSED,$ARGS_IGNORE") ;;
	*) ignore=() ;;
	esac
	./scripts/checkpatch.pl --strict --root . --terse -q "${ignore[@]}" \
		-f "$TOP/$f" | grep -v '^total:' >>"$findings" || true
done

for f in $(cd "$TOP" && git ls-files --cached --others --exclude-standard \
		drivers | grep -E '\.[ch]$'); do
	./scripts/kernel-doc -none -Wall "$f" >>"$findings" 2>&1 || true
done
uapi=include/uapi/linux/iommufd.h
diff <(cd "$PRISTINE" && ./scripts/kernel-doc -none -Wall "$uapi" 2>&1 |
	sed 's/:[0-9]*:/:/') \
	<(./scripts/kernel-doc -none -Wall "$uapi" 2>&1 | sed 's/:[0-9]*:/:/') |
	sed -n 's/^> /new kernel-doc warning: /p' >>"$findings"

# Files we add or patch, as kbuild names them in warnings
ours=$(cat "$TREE/.testbed-touched" | grep -E '\.[ch]$' | sort -u)
# sparse and W=1 findings in files we add or patch, from make in $1 of the
# targets that follow
sparse_w1() {
	local kbuild=$1
	shift
	make -s -C "$TREE" O="$kbuild" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		-j"$JOBS" C=2 W=1 "$@" 2>&1 | grep -E 'warning|error' |
		while read -r line; do
			for f in $ours; do
				case $line in *"$f":*) echo "$line" ;; esac
			done
		done >>"$findings"
}
log "sparse and W=1 on what the series touches"
sparse_w1 "$KBUILD" drivers/iommu/arm/arm-smmu-v3/ drivers/iommu/iommufd/ \
	drivers/iommu/io-pgtable-arm.o
# The IORT code needs ACPI, which only the modular kernel has
KBUILD=$CACHE/kbuild-modular VARIANT_CONFIG=$TOP/testbed/variants/modular.config \
	"$TOP/testbed/build-kernel.sh"
sparse_w1 "$CACHE/kbuild-modular" drivers/acpi/arm64/

if [ -s "$findings" ]; then
	cat "$findings"
	echo "make check: $(wc -l <"$findings") finding(s)"
	exit 1
fi
echo "make check: clean (checkpatch --strict, kernel-doc, sparse, W=1)"
