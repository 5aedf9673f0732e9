#!/usr/bin/env bash
# The README's test command: installs what the tests need, then runs every test (./mvnw verify).
#
# As root on Debian or Ubuntu it installs the packages listed in .ci/apt-packages* that are not
# installed yet, mounts tracefs and starts containerd if it is not running (and stops it again at
# the end if it started it). Elsewhere it installs nothing: it names what is missing, and the tests
# that need it skip with the reason (under CI=true nothing may skip, so they fail instead).
# Arguments go to Maven, e.g. ./test.sh -pl snoop-core.
set -euo pipefail
cd "$(dirname "$0")"

say() { echo "test.sh: $*"; }

packages=()
for list in .ci/apt-packages*; do
    [[ -f $list ]] || continue
    while read -r pkg _; do
        [[ -z $pkg || $pkg == \#* ]] || packages+=("$pkg")
    done < "$list"
done
missing=()
for pkg in "${packages[@]}"; do
    # "install ok installed" only: a removed package leaves "deinstall ok config-files"
    [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) == "install ok installed" ]] || missing+=("$pkg")
done

root=false
[[ $(id -u) == 0 ]] && root=true
if ((${#missing[@]})); then
    if $root && command -v apt-get > /dev/null; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
    else
        say "not installed (run as root on Debian/Ubuntu to install them): ${missing[*]}"
        say "the tests that need them skip with the reason"
    fi
fi
# The image index cross-links the arm64 JRE with this machine's jlink, which takes only jmods of its
# own version, and image/arm64-root.sh can fetch only the archive's newest: a JDK installed before
# (a machine image's) is brought to it. Only where the lists were just read, so never a stale check.
if ((${#missing[@]})) && $root && command -v apt-get > /dev/null; then
    jdk=openjdk-17-jdk-headless
    installed=$(dpkg-query -W -f='${Version}' "$jdk" 2> /dev/null || true)
    candidate=$(apt-cache policy "$jdk" 2> /dev/null | awk '$1 == "Candidate:" { print $2 }')
    if [[ -n $installed && -n $candidate && $installed != "$candidate" ]]; then
        say "upgrading $jdk $installed to $candidate (the arm64 image's jlink needs the archive's version)"
        apt-get install -y -qq --no-install-recommends --only-upgrade "$jdk" openjdk-17-jre-headless > /dev/null
    fi
fi

started_containerd=
stop_containerd() {
    if [[ -n $started_containerd ]]; then
        kill "$started_containerd" 2> /dev/null || true
        wait "$started_containerd" 2> /dev/null || true
    fi
}
trap stop_containerd EXIT

if $root; then
    # bpftool and the recorder's tracepoint probes read tracefs
    if [[ -d /sys/kernel/tracing ]] && ! mountpoint -q /sys/kernel/tracing; then
        mount -t tracefs tracefs /sys/kernel/tracing || say "could not mount tracefs"
    fi
    # the pod and image tests run containers with containerd (ctr)
    if command -v containerd > /dev/null && ! timeout 5 ctr version &> /dev/null; then
        log=${TMPDIR:-/tmp}/snoop-test-containerd.log
        containerd &> "$log" &
        started_containerd=$!
        for _ in $(seq 1 100); do
            [[ -S /run/containerd/containerd.sock ]] && timeout 5 ctr version &> /dev/null && break
            sleep 0.2
        done
        timeout 5 ctr version &> /dev/null || { say "containerd did not start:"; cat "$log"; exit 1; }
        say "started containerd for the tests (log: $log); it stops when they end"
    fi
fi

if ! command -v java > /dev/null; then
    say "java (17 or newer) is needed: apt-get install openjdk-17-jdk-headless"
    exit 1
fi
java -version 2>&1 | sed -n 1p  # sed reads it all: head could SIGPIPE java under pipefail
uname -r
./mvnw -B -ntp verify "$@"
