#!/usr/bin/env bash
# Builds a minimal base image for snoop (amd64 or arm64), as a `docker save` tar that Jib reads
# with `-Dsnoop.image.base=tar://...`, so the image builds and is tested without a registry.
#
# Contents: a jlink'ed JRE in /opt/java/openjdk (the modules snoop-cli needs, as jdeps reports
# them), libbpf.so.1 and every shared library the JRE and libbpf load (DT_NEEDED, glibc included),
# a minimal /etc/passwd and /etc/group, and the directories /tmp and /data. Nothing else: no shell,
# no package manager.
#
# The tar is deterministic: file times, owners and order are fixed, so two runs on the same machine
# give the same bytes (and the same image id).
#
# usage: image/build-base.sh [--arch amd64|arm64] [OUTPUT.tar]   (default: amd64, target/snoop-base.tar)
#
# amd64 takes the JDK and libraries of this (x86-64) machine. arm64 takes them from an arm64
# Debian root that image/arm64-root.sh unpacks (or SNOOP_ARM64_ROOT names): jlink links its jmods
# from here (a cross-link, which JDK 17 allows when their version is exactly this JDK's), and the
# libraries are found from DT_NEEDED (readelf -d), so no arm64 binary ever runs. Both paths find
# the libraries the same way, so the two bases hold the same files.
set -euo pipefail
umask 022

# java.logging and java.management: jnr-ffi, picocli and Micrometer use them; jdk.httpserver serves
# /metrics; jdk.management gives Micrometer com.sun.management; jdk.unsupported is sun.misc.Unsafe
# for jnr-ffi. (jdeps also names java.sql and java.desktop, used only by Micrometer binders snoop
# does not register.)
MODULES=${SNOOP_BASE_MODULES:-java.base,java.logging,java.management,jdk.management,jdk.httpserver,jdk.unsupported}
JAVA_DIR=/opt/java/openjdk
EPOCH=0
say() { echo "build-base.sh: $*" >&2; }

arch=amd64
if [[ ${1:-} == --arch ]]; then arch=${2:?--arch needs amd64 or arm64}; shift 2; fi
out=${1:-target/snoop-base.tar}
case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"

for tool in jlink readelf sha256sum tar; do
    command -v "$tool" >/dev/null || { say "$tool is not installed"; exit 1; }
done
case $arch in
    amd64)
        [[ $(uname -m) == x86_64 ]] || { say "amd64 is built on x86-64 only"; exit 1; }
        sysroot= triplet=x86_64-linux-gnu
        jmods=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")/jmods
        # --strip-debug also strips the native libraries' symbols, with this machine's objcopy
        strip=--strip-debug ;;
    arm64)
        sysroot=${SNOOP_ARM64_ROOT:-$("$(dirname "$0")/arm64-root.sh")} triplet=aarch64-linux-gnu
        jmods=$sysroot/usr/lib/jvm/java-17-openjdk-arm64/jmods
        # this machine's objcopy cannot read arm64 libraries: the Java debug attributes only
        strip=--strip-java-debug-attributes ;;
    *) say "unknown architecture $arch (amd64 or arm64)"; exit 2 ;;
esac
LIBDIR=/usr/lib/$triplet
[[ -f $jmods/java.base.jmod ]] || { say "no jmods in $jmods (Debian: openjdk-17-jdk-headless)"; exit 1; }
[[ -e $sysroot$LIBDIR/libbpf.so.1 ]] || { say "libbpf.so.1 is not in $sysroot$LIBDIR (Debian: libbpf1)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"
chmod 755 "$root"

# the JRE: no debug symbols, man pages or headers. No CDS archive: JDK 17 does not write it
# reproducibly, and it saves only about 0.1 s of a recorder's start-up (and costs 11 MB)
jlink --module-path "$jmods" --add-modules "$MODULES" --output "$root$JAVA_DIR" \
    $strip --no-man-pages --no-header-files

# merged /usr as on Debian 12: /lib and /lib64 are links into /usr
mkdir -p "$root$LIBDIR" "$root/usr/lib64" "$root/usr/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/bin "$root/bin"

# every library the JRE's executables and libraries and libbpf need (their DT_NEEDED entries,
# transitively), from the system's library directory; the JRE's own libraries are already there
copy_lib() {
    local name=$1 real
    real=$(readlink -f "$sysroot$LIBDIR/$name")
    [[ -f $real ]] || { say "$name (needed by the JRE or libbpf) is not in $sysroot$LIBDIR"; exit 1; }
    install -m 755 "$real" "$root$LIBDIR/$name"
    elves+=("$root$LIBDIR/$name")
}
is_elf() { [[ $(head -c 4 "$1" | od -An -c | tr -d ' ') == 177ELF ]]; }
elves=()
while IFS= read -r -d '' f; do
    if is_elf "$f"; then elves+=("$f"); fi
done < <(find "$root$JAVA_DIR" -type f -print0)
copy_lib libbpf.so.1
loader=
for ((i = 0; i < ${#elves[@]}; i++)); do
    elf=${elves[i]}
    # " 0x0000000000000001 (NEEDED)             Shared library: [libz.so.1]"
    while read -r needed; do
        [[ -e $root$LIBDIR/$needed || -n $(find "$root$JAVA_DIR/lib" -name "$needed" -print -quit) ]] ||
            copy_lib "$needed"
    done < <(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    # "      [Requesting program interpreter: /lib64/ld-linux-x86-64.so.2]"
    [[ -n $loader ]] || loader=$(readelf -l "$elf" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
done
[[ -n $loader ]] || { say "no dynamic loader named by the JRE's executables"; exit 1; }
[[ -e $root$LIBDIR/$(basename "$loader") ]] || copy_lib "$(basename "$loader")"
# the loader at the path the executables name (/lib64/... on amd64, /lib/... on arm64)
case $(dirname "$loader") in
    /lib64) ln -s "../lib/$triplet/$(basename "$loader")" "$root/usr/lib64/$(basename "$loader")" ;;
    /lib) ln -s "$triplet/$(basename "$loader")" "$root/usr/lib/$(basename "$loader")" ;;
    *) say "unexpected loader path $loader"; exit 1 ;;
esac
ln -s "../..$JAVA_DIR/bin/java" "$root/usr/bin/java"

mkdir -p "$root/etc" "$root/data" "$root/tmp" "$root/proc" "$root/sys" "$root/dev"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"

# one layer, then the docker-save layout around it: config, manifest.json, repositories
# (entries named without "./": Jib refuses a tar that names its own root)
tarball() {
    local dir=$1 out=$2
    (cd "$dir" && LC_ALL=C ls -A | LC_ALL=C sort) | tar --sort=name --format=gnu --mtime=@$EPOCH \
        --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" -T -
}
tarball "$root" "$work/layer.tar"
layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$work/image/$layer_sha"
mv "$work/layer.tar" "$work/image/$layer_sha/layer.tar"
# from the JRE's release file: an arm64 java cannot be run here to ask it
java_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$root$JAVA_DIR/release")
cat > "$work/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=$JAVA_DIR/bin:/usr/bin","JAVA_HOME=$JAVA_DIR","JAVA_VERSION=$java_version"],"WorkingDir":"/","Labels":{"org.opencontainers.image.description":"snoop base: jlink JRE ($MODULES), glibc, libbpf.so.1"}},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/build-base.sh"}]}
EOF
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["snoop-base:local-%s"],"Layers":["%s/layer.tar"]}]\n' \
    "$config_sha" "$arch" "$layer_sha" > "$work/image/manifest.json"
tarball "$work/image" "$out.tmp"
mv "$out.tmp" "$out"
say "$out ($arch, $(du -h "$out" | cut -f1), layer sha256:$layer_sha)"
