#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The three-level test bed's guests (make vmm):
#  - L2, an unmodified guest: the L1 kernel again (with UEFI and ACPI),
#    whose KUnit suite arm-smmu-v3-edu-dma does DMA through its own
#    (virtual) SMMU, and the ordinary initramfs, in $CACHE/guest-l2;
#  - L2 of the NVMe runs, Debian 13's stock kernel with an initramfs of
#    its nvme modules and testbed/guest/nvme_guest.c, in $CACHE/guest-vmm/stock;
#  - L1, the host: the KVM kernel (kbuild-vmm) and an initramfs holding
#    /init, Debian unstable's qemu-system-aarch64 with every library it
#    loads (from $CACHE/vmm-root), the adapter library (vmm/adapter) with
#    the VMM library it is built against (make -C vmm install), and
#    L2's Image and initramfs, in $CACHE/guest-vmm.
. "$(dirname "$0")/lib.sh"

ROOT=$CACHE/vmm-root
L2=$CACHE/guest-l2
L1=$CACHE/guest-vmm

export KBUILD=$CACHE/kbuild-vmm

# L2: the ordinary guest build, edu_dma only
GUEST=$L2 TESTS=edu_dma "$TOP/testbed/build-guest.sh"
mkdir -p "$L1/bin"

# The VMM library, cross-built and installed for L1, and the adapter
# built against the installed library as any VMM would: pkg-config's flags
# (PKG_CONFIG_LIBDIR: this prefix's smmuv3vmm.pc, never the host's), none
# of vmm/lib's sources. It loads the library by its soname.
VMMLIB=$L1/smmuv3vmm
rm -rf "$VMMLIB"
make -s -C "$TOP/vmm" install CC="${CROSS}gcc" AR="${CROSS}ar" \
	KHDR="$KBUILD/usr/include" OUT="$VMMLIB/build" PREFIX="$VMMLIB/prefix" ||
	die "building and installing the VMM library failed"
vmmlib() {
	PKG_CONFIG_LIBDIR=$VMMLIB/prefix/lib/pkgconfig pkg-config "$@" smmuv3vmm
}
# shellcheck disable=SC2046 # pkg-config's flags are words
"${CROSS}gcc" -shared -fPIC -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers $(vmmlib --cflags) \
	-I"$KBUILD/usr/include" -I"$TREE/tools/testing/selftests/iommu" \
	-o "$L1/bin/libvsmmu-adapter.so" "$TOP/vmm/adapter/vsmmu_preload.c" \
	$(vmmlib --libs) -Wl,--no-undefined ||
	die "building the adapter failed"
vmm_soname=$(readelf -d "$VMMLIB/prefix/lib/libsmmuv3vmm.so" |
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ -n "$vmm_soname" ] || die "the VMM library has no soname"

# L1's program: runs QEMU, then reports (see testbed/guest/vmm_host.c)
SELFTESTS=$TREE/tools/testing/selftests
"${CROSS}gcc" -static -O2 -Wall -Werror -D_GNU_SOURCE \
	-I"$KBUILD/usr/include" -I"$SELFTESTS" -I"$SELFTESTS/iommu" \
	-o "$L1/bin/vmm-host" "$TOP/testbed/guest/vmm_host.c" ||
	die "building vmm-host failed"

# The NVMe runs' L2: Debian 13's stock kernel (testbed/debian-kernel.sh)
# and an initramfs of its own modules for the drive (and for virtio-iommu,
# make bench's comparison), uncompressed, in load order, with
# testbed/guest/nvme_guest.c as /init
DEB=$CACHE/debian-kernel
STOCK=$L1/stock
deb_release=$(basename "$(ls -d "$DEB"/usr/lib/modules/*)")
mkdir -p "$STOCK/modules"
"${CROSS}gcc" -static -O2 -Wall -Werror -D_GNU_SOURCE -pthread \
	-o "$STOCK/init" "$TOP/testbed/guest/nvme_guest.c" ||
	die "building nvme_guest failed"
order=
# Each module after what it depends on (modinfo's depends=)
add_module() {
	local f dep
	case " $order " in *" $1 "*) return ;; esac
	f=$(find "$DEB/usr/lib/modules/$deb_release" -name "$1.ko*" | head -n 1)
	[ -n "$f" ] || die "no module $1 in Debian's kernel package"
	for dep in $(modinfo -F depends "$f" | tr , ' '); do
		add_module "$dep"
	done
	xz -dcf "$f" >"$STOCK/modules/$1.ko"
	order="$order $1"
}
for m in virtio-iommu nvme; do add_module "$m"; done
echo "$order" >"$STOCK/modules/order"
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /modules 0755 0 0"
	echo "file /init $STOCK/init 0755 0 0"
	echo "file /modules/order $STOCK/modules/order 0644 0 0"
	for m in $order; do
		echo "file /modules/$m.ko $STOCK/modules/$m.ko 0644 0 0"
	done
} >"$STOCK/initramfs.list"
"$KBUILD/usr/gen_init_cpio" "$STOCK/initramfs.list" >"$STOCK/initramfs.cpio"
echo "$deb_release" >"$STOCK/release"

# qemu-system-aarch64 and the closure of its libraries in the root
libs() {
	python3 - "$ROOT" <<'PY'
import os, subprocess, sys
root = sys.argv[1]
dirs = ['usr/lib/aarch64-linux-gnu', 'usr/lib', 'lib/aarch64-linux-gnu']
todo, seen = ['usr/bin/qemu-system-aarch64'], set()
while todo:
    f = todo.pop()
    if f in seen:
        continue
    seen.add(f)
    out = subprocess.run(['readelf', '-d', os.path.join(root, f)],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if '(NEEDED)' in line:
            name = line.split('[')[1].split(']')[0]
            for d in dirs:
                if os.path.exists(os.path.join(root, d, name)):
                    todo.append(os.path.join(d, name))
                    break
            else:
                sys.exit('missing library ' + name)
for f in sorted(seen):
    print(f)
PY
}

list=$L1/initramfs.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	for d in proc sys tmp bin usr usr/bin usr/lib usr/lib/aarch64-linux-gnu \
		l2; do
		echo "dir /$d 0755 0 0"
	done
	echo "slink /lib /usr/lib 0777 0 0"
	echo "file /init $L2/bin/init 0755 0 0"
	echo "file /bin/vmm-host $L1/bin/vmm-host 0755 0 0"
	for f in $(libs); do
		# Copy what a symlink names, under the name the loader asks for
		echo "file /$f $(readlink -f "$ROOT/$f") 0755 0 0"
	done
	echo "file /usr/lib/ld-linux-aarch64.so.1 $(readlink -f \
		"$ROOT/usr/lib/ld-linux-aarch64.so.1") 0755 0 0"
	echo "file /usr/lib/libvsmmu-adapter.so $L1/bin/libvsmmu-adapter.so 0755 0 0"
	# The adapter's library, where the loader looks without a cache
	echo "file /usr/lib/aarch64-linux-gnu/$vmm_soname $(readlink -f \
		"$VMMLIB/prefix/lib/$vmm_soname") 0755 0 0"
	echo "dir /usr/share 0755 0 0"
	echo "dir /usr/share/qemu-efi-aarch64 0755 0 0"
	echo "file /usr/share/qemu-efi-aarch64/QEMU_EFI.fd $ROOT/usr/share/qemu-efi-aarch64/QEMU_EFI.fd 0644 0 0"
	echo "file /l2/Image $KBUILD/arch/arm64/boot/Image 0644 0 0"
	echo "file /l2/initramfs.cpio $L2/initramfs.cpio 0644 0 0"
	echo "file /l2/stock-Image $(ls "$DEB"/boot/vmlinuz-*) 0644 0 0"
	echo "file /l2/stock-initramfs.cpio $STOCK/initramfs.cpio 0644 0 0"
} >"$list"
"$KBUILD/usr/gen_init_cpio" "$list" >"$L1/initramfs.cpio"
log "L1 initramfs: $(du -h "$L1/initramfs.cpio" | cut -f1)"
