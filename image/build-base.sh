#!/usr/bin/env bash
# Builds a minimal base image for snoop from this machine, as a `docker save` tar that Jib reads
# with `-Dsnoop.image.base=tar://...`, so the image builds and is tested without a registry.
#
# Contents: a jlink'ed JRE in /opt/java/openjdk (the modules snoop-cli needs, as jdeps reports
# them), libbpf.so.1 and every shared library the JRE and libbpf load (from ldd, glibc included),
# a minimal /etc/passwd and /etc/group, and the directories /tmp and /data. Nothing else: no shell,
# no package manager.
#
# The tar is deterministic: file times, owners and order are fixed, so two runs on the same machine
# give the same bytes (and the same image id).
#
# usage: image/build-base.sh [OUTPUT.tar]     (default target/snoop-base.tar)
set -euo pipefail
umask 022

# java.logging and java.management: jnr-ffi, picocli and Micrometer use them; jdk.httpserver serves
# /metrics; jdk.management gives Micrometer com.sun.management; jdk.unsupported is sun.misc.Unsafe
# for jnr-ffi. (jdeps also names java.sql and java.desktop, used only by Micrometer binders snoop
# does not register.)
MODULES=${SNOOP_BASE_MODULES:-java.base,java.logging,java.management,jdk.management,jdk.httpserver,jdk.unsupported}
LIBDIR=/usr/lib/x86_64-linux-gnu
JAVA_DIR=/opt/java/openjdk
EPOCH=0

out=${1:-target/snoop-base.tar}
case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"

[[ $(uname -m) == x86_64 ]] || { echo "build-base.sh: only x86-64 is supported" >&2; exit 1; }
for tool in jlink ldd sha256sum tar; do
    command -v "$tool" >/dev/null || { echo "build-base.sh: $tool is not installed" >&2; exit 1; }
done
# awk reads to the end: exiting at the first match would leave ldconfig writing into a closed
# pipe, and its SIGPIPE (141) fails the whole script under pipefail, now and then
libbpf=$(ldconfig -p 2>/dev/null | awk '$1 == "libbpf.so.1" && /x86-64/ && !found {print $NF; found = 1}')
[[ -n $libbpf ]] || libbpf=$LIBDIR/libbpf.so.1
[[ -e $libbpf ]] || { echo "build-base.sh: libbpf.so.1 is not installed (Debian: libbpf1)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"
chmod 755 "$root"

# the JRE: no debug symbols, man pages or headers. No CDS archive: JDK 17 does not write it
# reproducibly, and it saves only about 0.1 s of a recorder's start-up (and costs 11 MB)
jlink --add-modules "$MODULES" --output "$root$JAVA_DIR" \
    --strip-debug --no-man-pages --no-header-files

# merged /usr as on Debian 12: /lib and /lib64 are links into /usr
mkdir -p "$root$LIBDIR" "$root/usr/lib64" "$root/usr/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s usr/bin "$root/bin"

# every library the JRE's executables and libraries and libbpf need, under its ldd name
copy_lib() {
    local name=$1 real dest
    real=$(readlink -f "$name")
    dest=$root$LIBDIR/$(basename "$name")
    [[ -e $dest ]] || install -m 755 "$real" "$dest"
}
copy_lib "$libbpf"
elves=("$libbpf")
while IFS= read -r -d '' f; do
    if [[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == 177ELF ]]; then elves+=("$f"); fi
done < <(find "$root$JAVA_DIR" -type f -print0)
loader=
for elf in "${elves[@]}"; do
    while read -r line; do
        # "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
        if [[ $line =~ ^([^ ]+)\ =\>\ (/[^ ]+)\  ]]; then
            [[ ${BASH_REMATCH[2]} == "$root"* ]] || copy_lib "${BASH_REMATCH[2]}"
        elif [[ $line =~ ^(/[^ ]+)\  ]]; then
            loader=${BASH_REMATCH[1]}
        fi
    done < <(LD_LIBRARY_PATH="$root$JAVA_DIR/lib:$root$JAVA_DIR/lib/server" ldd "$elf")
done
[[ -n $loader ]] || { echo "build-base.sh: no dynamic loader found by ldd" >&2; exit 1; }
copy_lib "$loader"
ln -s "../lib/x86_64-linux-gnu/$(basename "$loader")" "$root/usr/lib64/$(basename "$loader")"
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
java_version=$("$root$JAVA_DIR/bin/java" -XshowSettings:properties -version 2>&1 | awk '/java.runtime.version/ {print $3}')
cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=$JAVA_DIR/bin:/usr/bin","JAVA_HOME=$JAVA_DIR","JAVA_VERSION=$java_version"],"WorkingDir":"/","Labels":{"org.opencontainers.image.description":"snoop base: jlink JRE ($MODULES), glibc, libbpf.so.1"}},"rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/build-base.sh"}]}
EOF
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/image/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["snoop-base:local"],"Layers":["%s/layer.tar"]}]\n' \
    "$config_sha" "$layer_sha" > "$work/image/manifest.json"
tarball "$work/image" "$out.tmp"
mv "$out.tmp" "$out"
echo "build-base.sh: $out ($(du -h "$out" | cut -f1), layer sha256:$layer_sha)" >&2
