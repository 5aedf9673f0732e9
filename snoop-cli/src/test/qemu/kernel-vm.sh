#!/bin/bash
# Boots a Debian kernel under QEMU's software emulation (TCG) with this machine's root shared
# read-only over virtio-9p, and runs guest-record.sh in it: a whole `snoop record` end to end.
# Usage: kernel-vm.sh SERIES LAUNCHER RESULT_DIR
#   SERIES   6.1 or 6.12: the newest linux-image-<SERIES>*-amd64-unsigned package in the apt archive;
#            local: the bzImage named by SNOOP_VM_KERNEL (a kernel built by hand, virtio/9p built in)
#   LAUNCHER the build's snoop launcher (snoop-cli/target/snoop), run inside the VM
# SNOOP_VM_PROGRAMS=modern|legacy forces the recorder's program set in the guest (SNOOP_PROGRAMS).
# The kernel packages are downloaded with apt-get and unpacked once into SNOOP_KERNEL_CACHE
# (default /var/cache/snoop-test-kernels); repeat runs download nothing. Prints the guest's
# serial console; the last line is "snoop-vm: PASS ..." or "snoop-vm: FAIL ...". Exit 0 on PASS.
set -euo pipefail
series=$1 launcher=$(realpath "$2") result=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
cache=${SNOOP_KERNEL_CACHE:-/var/cache/snoop-test-kernels}
say() { echo "kernel-vm: $*" >&2; }

case $series in
    6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
    6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
    local) [[ -f ${SNOOP_VM_KERNEL:-} ]] || { say "local: SNOOP_VM_KERNEL must name a bzImage"; exit 2; } ;;
    *) say "unknown kernel series: $series (6.1, 6.12 or local)"; exit 2 ;;
esac
case ${SNOOP_VM_PROGRAMS:-} in
    ''|modern|legacy) ;;
    *) say "SNOOP_VM_PROGRAMS: $SNOOP_VM_PROGRAMS (modern or legacy)"; exit 2 ;;
esac

mkdir -p "$cache/dl" "$cache/x"
# one download and one initramfs build at a time: builds of other checkouts share the cache
exec 9> "$cache/lock"
flock 9
pkg=
if [[ $series == local ]]; then
    # no package: the initramfs goes beside the kernel's hash in the cache, and it has no modules
    version=local-$(sha256sum "$SNOOP_VM_KERNEL" | cut -c1-12)
    mkdir -p "$cache/x/$version/boot"
    cp "$SNOOP_VM_KERNEL" "$cache/x/$version/boot/vmlinuz-$version"
    touch "$cache/x/$version/ok"
else
    # the newest package of the series the archive knows; else the newest already cached
    pkg=$(apt-cache search --names-only "$pattern" 2>/dev/null | cut -d' ' -f1 | sort -V | tail -1 || true)
fi
if [[ $series == local ]]; then
    :
elif [[ -n $pkg ]]; then
    version=${pkg#linux-image-}; version=${version%-unsigned}
    if [[ ! -f $cache/x/$version/ok ]]; then
        say "downloading $pkg"
        (cd "$cache/dl" && apt-get download -q "$pkg" > /dev/null)
        rm -rf "$cache/x/$version"
        dpkg-deb -x "$cache"/dl/"$pkg"_*.deb "$cache/x/$version"
        rm -f "$cache"/dl/"$pkg"_*.deb
        touch "$cache/x/$version/ok"
    fi
else
    version=$(cd "$cache/x" && ls -d "$series".*-amd64 2>/dev/null | sort -V | tail -1 || true)
    [[ -n $version && -f $cache/x/$version/ok ]] || { say "no $series kernel in the apt archive nor in $cache"; exit 1; }
fi
kdir=$cache/x/$version
vmlinuz=$kdir/boot/vmlinuz-$version

# a busybox initramfs with the virtio and 9p modules of this kernel (uncompressed: busybox's insmod
# reads plain .ko files), built once per kernel
initrd=$kdir/initrd-snoop.cpio.gz
if [[ ! -f $initrd || $here/init.sh -nt $initrd ]]; then
    work=$(mktemp -d)
    mkdir -p "$work"/{bin,modules,proc,sys,dev,mnt/root}
    cp /bin/busybox "$work/bin/busybox"
    file /bin/busybox 2>/dev/null | grep -q 'statically linked' || { say "/bin/busybox is not static (apt-get install busybox-static)"; exit 1; }
    for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache \
            9pnet 9pnet_virtio 9p overlay; do
        f=$(find "$kdir/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" 2>/dev/null | head -1 || true)
        [[ -z $f ]] && continue # built in
        case $f in
            *.xz) xz -dc "$f" > "$work/modules/$m.ko" ;;
            *) cp "$f" "$work/modules/$m.ko" ;;
        esac
    done
    cp "$here/init.sh" "$work/init"
    chmod 755 "$work/init"
    (cd "$work" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 > "$initrd.tmp")
    mv "$initrd.tmp" "$initrd"
    rm -rf "$work"
fi

flock -u 9
mkdir -p "$result"
say "booting $version (TCG)${SNOOP_VM_PROGRAMS:+, program set $SNOOP_VM_PROGRAMS}"
timeout "${SNOOP_VM_TIMEOUT:-600}" qemu-system-x86_64 -accel tcg -cpu max -smp "${SNOOP_VM_CPUS:-2}" -m 2048 \
    -nographic -no-reboot -nodefaults -serial stdio \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 snoop.script=$here/guest-record.sh snoop.launcher=$launcher${SNOOP_VM_PROGRAMS:+ snoop.programs=$SNOOP_VM_PROGRAMS}" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$result",mount_tag=result,security_model=none \
    -device virtio-rng-pci \
    < /dev/null | tee "$result/console.log"
grep -q '^snoop-vm: PASS' "$result/console.log"
