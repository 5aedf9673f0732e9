#!/usr/bin/env bash
# Dumps the image's class-data-sharing archive (/app/snoop.jsa): a static CDS archive of the JDK's
# and snoop's classes that the recorder and the other commands load, for the image's own JRE and class
# path. It saves the recorder ~9 MB of resident memory (metaspace, symbols and the parsing of ~2,700
# classes move into shared, clean, file-backed pages; docs/performance.md, Memory limit).
#
# The JVM uses an archive only when its JRE build, its lib/modules file and every jar of the class
# path (path, size and modification time) are the ones it was dumped with, so the dump runs the base
# image's own java in a chroot of the image's layout: the base layer, then APP_DIR as /app (the jars
# where Jib puts them, with Jib's file time, and Jib's jib-classpath-file). arm64 runs under
# qemu-aarch64-static (user mode, copied into the chroot's /tmp for the dump only).
#
# Not reproducible (docs/image.md, Class-data archive): the dump of a class list's lambda lines, and
# on arm64 QEMU, lay the archive out differently per run. The serial collector (no archived heap) and
# no address-space randomisation (setarch -R: the dump otherwise leaks a few libjvm addresses into the
# archive) take out what can be taken out.
#
# usage: image/app-archive.sh --arch amd64|arm64 BASE.tar APP_DIR CLASSLIST OUT.jsa
#   BASE.tar   a base from image/build-base.sh (one layer, docker save layout)
#   APP_DIR    the image's /app as Jib lays it out (classpath/, libs/, jib-classpath-file)
#   CLASSLIST  class names to archive (-XX:DumpLoadedClassList format)
# Runs as root, or as a user in a user namespace of its own (unshare --map-root-user, with a mount and
# a PID namespace so that it may mount /proc there, which the JRE's loader reads, and chroot).
set -euo pipefail
JAVA=/opt/java/openjdk/bin/java
say() { echo "app-archive.sh: $*" >&2; }

arch=amd64
if [[ ${1:-} == --arch ]]; then arch=${2:?--arch needs amd64 or arm64}; shift 2; fi
[[ $# -eq 4 ]] || { say "usage: app-archive.sh [--arch amd64|arm64] BASE.tar APP_DIR CLASSLIST OUT.jsa"; exit 2; }
base=$1 app=$2 classlist=$3 out=$4
case $out in /*) ;; *) out=$PWD/$out ;; esac
[[ -f $base ]] || { say "no base image tar $base (image/build-base.sh writes one)"; exit 1; }
[[ -f $app/jib-classpath-file ]] || { say "$app has no jib-classpath-file"; exit 1; }
[[ -s $classlist ]] || { say "no class list $classlist"; exit 1; }
for tool in chroot unshare setarch tar jq; do
    command -v "$tool" >/dev/null || { say "$tool is not installed"; exit 1; }
done
emulator=()
case $arch in
    amd64) [[ $(uname -m) == x86_64 ]] || { say "amd64 is dumped on x86-64 only"; exit 1; } ;;
    arm64)
        qemu=$(command -v qemu-aarch64-static) || { say "qemu-aarch64-static is not installed (Debian: qemu-user-static)"; exit 1; }
        emulator=(/tmp/qemu-aarch64-static) ;;
    *) say "unknown architecture $arch (amd64 or arm64)"; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root" "$work/base"
tar -xf "$base" -C "$work/base"
(($(jq '.[0].Layers | length' "$work/base/manifest.json") == 1)) || { say "$base has more than one layer"; exit 1; }
layer=$(jq -r '.[0].Layers[0]' "$work/base/manifest.json")
# tar keeps the layer's file times (lib/modules' time is part of what the JVM checks), and as root its owners
tar -xf "$work/base/$layer" -C "$root"
[[ -x $root$JAVA ]] || { say "$base has no $JAVA"; exit 1; }
mkdir -p "$root/app"
cp -a "$app/." "$root/app/"
cp "$classlist" "$root/tmp/snoop.classlist"
[[ ${#emulator[@]} -eq 0 ]] || cp "$qemu" "$root${emulator[0]}"

# the recorder's collector (docs/performance.md): the serial one archives no heap objects in 17, whose
# layout would vary from run to run
if [[ $(id -u) -eq 0 ]]; then
    namespaces=(--mount)
else
    namespaces=(--user --map-root-user --mount --pid --fork)
fi
in_root() {
    setarch -R unshare "${namespaces[@]}" -- /bin/sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
        "$root" "${emulator[@]}" "$JAVA" -XX:+UseSerialGC -Xlog:disable -Xlog:all=error:stderr "$@"
}
in_root -Xshare:dump -XX:SharedClassListFile=/tmp/snoop.classlist -XX:SharedArchiveFile=/tmp/snoop.jsa \
    -cp @/app/jib-classpath-file > "$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; say "the dump failed"; exit 1; }
# -Xshare:on refuses to start unless the archive maps and its class path matches
in_root -Xshare:on -XX:SharedArchiveFile=/tmp/snoop.jsa -cp @/app/jib-classpath-file -version > "$work/check.log" 2>&1 ||
    { cat "$work/check.log" >&2; say "the JVM refuses the archive it dumped"; exit 1; }
mkdir -p "$(dirname "$out")"
install -m 644 "$root/tmp/snoop.jsa" "$out.tmp"
touch -d @1 "$out.tmp"
mv "$out.tmp" "$out"
say "$out ($arch, $(du -h "$out" | cut -f1), $(grep -c . "$classlist") lines of class list)"
