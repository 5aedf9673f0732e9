#!/usr/bin/env bash
# Unpacks (once, cached) an arm64 Debian 12 root that image/build-base.sh --arch arm64 assembles
# the arm64 base from: the JDK (for its jmods) of exactly this machine's JDK version (for a cross-jlink:
# JDK 17's jlink links a foreign platform's jmods only when their version equals its own), libbpf,
# libelf, zlib and what they need. Nothing of it is run: mmdebstrap --variant=extract only unpacks
# the packages, as snoop-cli/src/test/qemu/arm64-vm.sh does for its VM's root.
#
# usage: image/arm64-root.sh        prints the root's path (SNOOP_IMAGE_ARM64_CACHE, default
#                                   /var/cache/snoop-image-arm64, then /root); rm -rf it to refresh
set -euo pipefail
cache=${SNOOP_IMAGE_ARM64_CACHE:-/var/cache/snoop-image-arm64}
mirror=${SNOOP_DEBIAN_MIRROR:-http://deb.debian.org}
say() { echo "arm64-root.sh: $*" >&2; }

for tool in mmdebstrap dpkg-query flock; do
    command -v "$tool" >/dev/null || { say "$tool is not installed (Debian: mmdebstrap)"; exit 1; }
done
# the host's JDK package gives the version the jmods must have
jdk_version=$(dpkg-query -W -f '${Version}' openjdk-17-jdk-headless 2>/dev/null) ||
    { say "openjdk-17-jdk-headless is not installed: its jlink and version are needed"; exit 1; }
packages="openjdk-17-jdk-headless=$jdk_version,libbpf1,libelf1,zlib1g"
root=$cache/root
mkdir -p "$cache"
# one unpack at a time: builds of other checkouts share the cache
exec 9> "$cache/lock"
flock 9
stamp="$packages merged-usr"
if [[ ! -f $root/.snoop-ok || $(cat "$root/.snoop-ok") != "$stamp" ]]; then
    say "unpacking the arm64 root in $root (mmdebstrap --variant=extract, $packages)"
    rm -rf "$root"
    if ! mmdebstrap --quiet --variant=extract --arch=arm64 --include="$packages" \
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr bookworm "$root" \
        "deb $mirror/debian bookworm main" "deb $mirror/debian bookworm-updates main" \
        "deb $mirror/debian-security bookworm-security main" > /dev/null; then # the hook's dpkg chatter
        # the usual cause: the archive has moved on to a newer JDK than this machine's
        say "mmdebstrap failed; is openjdk-17-jdk-headless $jdk_version still in the archive? (apt-get install openjdk-17-jdk-headless takes this machine to its newest)"
        exit 1
    fi
    echo "$stamp" > "$root/.snoop-ok"
fi
echo "$root"
