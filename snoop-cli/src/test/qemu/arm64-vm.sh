#!/bin/bash
# Boots Debian's arm64 kernel under QEMU's software emulation (qemu-system-aarch64 -M virt, TCG) on
# an arm64 Debian root with its own JRE and libbpf, and runs guest-record.sh in it through init.sh,
# as kernel-vm.sh does for x86-64: a whole `snoop record` end to end, on arm64.
# Usage: arm64-vm.sh LAUNCHER RESULT_DIR
#   LAUNCHER the build's snoop launcher (snoop-cli/target/snoop; its jar holds both BPF objects)
# The root is made once, without running an arm64 binary here: mmdebstrap --variant=extract unpacks
# Debian 12's packages (the newest linux-image-arm64, openjdk-17-jre-headless, libbpf1, the shell
# tools guest-record.sh uses) into SNOOP_ARM64_CACHE (default /var/cache/snoop-test-arm64)/root;
# rm -rf it to take a newer kernel. The root is shared read-only over virtio-9p; the launcher's
# directory and this directory are bind-mounted into it at their own paths, in a private mount
# namespace that ends with QEMU. Prints the serial console; the last line is "snoop-vm: PASS ..."
# or "snoop-vm: FAIL ...". Exit 0 on PASS. SNOOP_VM_APPEND adds kernel arguments: NAME=value ones
# reach the guest's environment, e.g. SNOOP_VM_APPEND=SNOOP_LOG_LEVEL=debug.
set -euo pipefail
launcher=$(realpath "$1") result=$(realpath -m "$2")
here=$(cd "$(dirname "$0")" && pwd)
cache=${SNOOP_ARM64_CACHE:-/var/cache/snoop-test-arm64}
mirror=${SNOOP_DEBIAN_MIRROR:-http://deb.debian.org}
say() { echo "arm64-vm: $*" >&2; }

# what the guest runs: the kernel and its modules, java and libbpf for snoop, the tools of
# guest-record.sh (dash, coreutils, grep, jq) and a static busybox for the initramfs
packages=linux-image-arm64,openjdk-17-jre-headless,libbpf1,libelf1,zlib1g,base-files,dash,coreutils,grep,sed,jq,busybox-static
root=$cache/root
mkdir -p "$cache"
# one root build at a time: builds of other checkouts share the cache
exec 9> "$cache/lock"
flock 9
stamp="$packages merged-usr"
if [[ ! -f $root/.snoop-ok || $(cat "$root/.snoop-ok") != "$stamp" ]]; then
    say "building the arm64 root in $root (mmdebstrap --variant=extract)"
    rm -rf "$root"
    # merged /usr as a Debian 12 install has it (/bin -> usr/bin): the report names /usr/bin/true
    mmdebstrap --quiet --variant=extract --arch=arm64 --include="$packages" \
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr bookworm "$root" \
        "deb $mirror/debian bookworm main" "deb $mirror/debian bookworm-updates main" \
        "deb $mirror/debian-security bookworm-security main" > /dev/null # the hook's dpkg chatter
    # no maintainer script ran: java's alternatives link is made here
    ln -sf /usr/lib/jvm/java-17-openjdk-arm64/bin/java "$root/usr/bin/java"
    echo "$stamp" > "$root/.snoop-ok"
fi
version=$(cd "$root/boot" && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -1)
kdir=$root/lib/modules/$version

# a busybox initramfs (the root's static arm64 busybox) with this kernel's virtio-pci and 9p
# modules and kernel-vm.sh's init.sh, built once per kernel
initrd=$cache/initrd-$version.cpio.gz
if [[ ! -f $initrd || $here/init.sh -nt $initrd ]]; then
    work=$(mktemp -d)
    mkdir -p "$work"/{bin,modules,proc,sys,dev,mnt/root}
    cp "$root/bin/busybox" "$work/bin/busybox"
    for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache \
            9pnet 9pnet_virtio 9p overlay; do
        f=$(find "$kdir" -name "$m.ko" -o -name "$m.ko.xz" | head -1)
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
# the mount points of the bind mounts below (empty directories of the cached root)
mkdir -p "$root$(dirname "$launcher")" "$root$here"
flock -u 9

mkdir -p "$result"
say "booting $version (qemu-system-aarch64 -M virt -cpu max, TCG)"
# pauth-impdef: QEMU's own pointer-authentication hash, much cheaper to emulate than the
# architected QARMA one; the guest cannot tell
unshare -m --propagation private bash -c '
    set -euo pipefail
    root=$1 launcher_dir=$2 here=$3; shift 3
    mount --bind -o ro "$launcher_dir" "$root$launcher_dir"
    mount --bind -o ro "$here" "$root$here"
    exec "$@"' bash "$root" "$(dirname "$launcher")" "$here" \
    timeout "${SNOOP_VM_TIMEOUT:-900}" qemu-system-aarch64 -M virt -accel tcg -cpu max,pauth-impdef=on \
    -smp "${SNOOP_VM_CPUS:-2}" -m 2048 -nographic -no-reboot -nodefaults -serial stdio \
    -kernel "$root/boot/vmlinuz-$version" -initrd "$initrd" \
    -append "console=ttyAMA0 panic=-1 quiet loglevel=4 snoop.script=$here/guest-record.sh snoop.launcher=$launcher ${SNOOP_VM_APPEND:-}" \
    -virtfs local,path="$root",mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs local,path="$result",mount_tag=result,security_model=none \
    -device virtio-rng-pci \
    < /dev/null | tee "$result/console.log"
grep -q '^snoop-vm: PASS' "$result/console.log"
