#!/usr/bin/env bash
# The smallest memory limit at which `snoop record` records N unique files with zero drops and without
# a major-fault storm, found by bisection, and the recorder's footprint without a limit: RSS, working set
# (usage - inactive_file, what kubectl top and evictions use) and kernel memory (the BPF maps, the ring,
# slab: charged to the same cgroup, shown by no RSS figure). docs/performance.md, "Memory limit".
#
#   bench/record/memory.sh                    (root; ~15 minutes with the defaults)
#
# snoop runs in a memory cgroup of its own: cgroup v1's memory controller where the host has it there
# (/sys/fs/cgroup/memory, as on this hybrid host), else a cgroup v2 child with memory.max.
#   cold: the sidecar is the only JVM on the node. snoop runs from a private copy of the JDK whose pages
#         are dropped from the page cache first, so every page of libjvm, the CDS archives and the jars
#         is faulted in, and charged, by snoop's own cgroup.
#   warm: the same copy, its files read by a process outside the cgroup first (another JVM on the node
#         already has them cached): those pages are charged elsewhere.
# Environment: COUNTS ("100000 1000000"), MODES ("cold warm"), RATE (25000 new files/s), LO_MIB (32),
# HI_MIB (160), STEP_MIB (4), MAJ_MAX (major faults allowed after start, 300), START_SECS (40: a start that
# takes longer fails), BISECT (1; 0: the footprint without a limit only), SNOOP_JAVA_OPTS, SNOOP_ENV and
# RECORD_ARGS (the configuration measured), SNOOP_BENCH_DIR, METRICS_PORT, SNOOP_BENCH_CGROUP.
# READAHEAD_KB=N: the JDK copy and snoop run from an ext4 image of their own (a loop device, direct I/O, so its
# backing file is cached nowhere) whose read_ahead_kb is N: a major fault on a mapped file reads about that much
# around it, and this machine's disk has 8192 where the kernel's default is 128. Nothing global changes.
# IMAGE=TAR: the container image instead of the launcher (a `docker save` tar, snoop-cli/target/snoop-image.tar):
# its layers unpacked into a root of their own, snoop started with the image's entrypoint and environment in a chroot of
# it (with /proc, /sys and the bench's directory bound in), so its JRE, jars and class-data archive are the image's.
# SNOOP_JAVA_OPTS does not apply there (the entrypoint has the image's flags). With READAHEAD_KB the root is on its disk;
# IMAGE_CDS=0 removes the image's class-data archive (/app/snoop.jsa) from it.
# BREAKDOWN=DIR: at the measuring point of each run (1024: without a limit), also saves where the memory is into
# DIR/COUNT-MODE-LIMIT_MIB.*: smaps_rollup, pmap -x, the cgroup's memory.stat, the threads, and through jcmd the
# heap, metaspace and (with -XX:NativeMemoryTracking=summary in SNOOP_JAVA_OPTS) the JVM's native memory,
# the class histogram last (it runs a full collection).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
COUNTS=${COUNTS:-"100000 1000000"}
MODES=${MODES:-"cold warm"}
RATE=${RATE:-25000}
LO_MIB=${LO_MIB:-32}
HI_MIB=${HI_MIB:-160}
STEP_MIB=${STEP_MIB:-4}
MAJ_MAX=${MAJ_MAX:-300}
RECORD_ARGS=${RECORD_ARGS:-}
SNOOP_ENV=${SNOOP_ENV:-} # VAR=VALUE ... for the JVM, e.g. MALLOC_ARENA_MAX=2
START_SECS=${START_SECS:-40}
BISECT=${BISECT:-1}
BREAKDOWN=${BREAKDOWN:-}
setup
READAHEAD_KB=${READAHEAD_KB:-}
LOOP=
loop_remove() {
    [[ -n $LOOP ]] || return 0
    # a recorder just killed may hold the disk a moment longer (its chroot's mounts die with it): retry,
    # then detach lazily, so that no run leaves its disk mounted under the next one's
    local i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        umount "$W/ra" 2> /dev/null && break
        sleep 0.5
    done
    mountpoint -q "$W/ra" && umount -l "$W/ra" 2> /dev/null
    losetup -d "$LOOP" 2> /dev/null || true
}
trap 'cleanup; memcg_remove; loop_remove' EXIT
max_count=0
for c in $COUNTS; do ((c > max_count)) && max_count=$c; done
make_tree "$max_count"

# the private JDK: nobody else's process maps these files
JDK=$W/jdk
if [[ ! -x $JDK/bin/java ]]; then
    log "copying the JDK to $JDK"
    cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" "$JDK"
fi

# start_snoop ARGS...: snoop record in the current process (already in the memory cgroup), the launcher or the image
start_snoop() {
    if [[ -z $IMAGE_ROOT ]]; then
        # shellcheck disable=SC2086
        exec env JAVA_HOME="$JDK" SNOOP_JAVA_OPTS="${SNOOP_JAVA_OPTS:-}" $SNOOP_ENV "$SNOOP" "$@"
    fi
    # the image's root, with what a pod gives the sidecar: /proc, /sys (cgroups, BTF, tracefs) and a data volume
    # (the bench's directory, at the same path, so that report and cgroup paths mean the same inside)
    mkdir -p "$IMAGE_ROOT$W"
    # (the image's environment only, as the container has it: the tools named by path, which it may not reach)
    local unshare mount chroot
    unshare=$(command -v unshare) mount=$(command -v mount) chroot=$(command -v chroot)
    # shellcheck disable=SC2016,SC2086
    exec env -i "${IMAGE_ENV[@]}" $SNOOP_ENV "$unshare" --mount -- /bin/sh -c 'r=$0 w=$1 mount=$2 chroot=$3; shift 3
        "$mount" -t proc proc "$r/proc" && "$mount" --rbind /sys "$r/sys" && "$mount" --bind "$w" "$r$w" &&
        exec "$chroot" "$r" "$@"' "$IMAGE_ROOT" "$W" "$mount" "$chroot" "${IMAGE_CMD[@]}" "$@"
}

if [[ -n $READAHEAD_KB ]]; then
    # a filesystem of their own with its own readahead; the archive is dumped again there, since the JVM checks
    # that the jar is the one it was dumped with
    rm -f "$W/ra.img"
    truncate -s 1G "$W/ra.img"
    mkfs.ext4 -q -F "$W/ra.img"
    LOOP=$(losetup -f --show --direct-io=on "$W/ra.img")
    echo "$READAHEAD_KB" > "/sys/block/$(basename "$LOOP")/queue/read_ahead_kb"
    mkdir -p "$W/ra"
    mount "$LOOP" "$W/ra"
    if [[ -z ${IMAGE:-} ]]; then # (an image is unpacked there below)
        cp -a "$JDK" "$W/ra/jdk"
        mkdir -p "$W/ra/snoop"
        target=$(dirname "$SNOOP")
        cp "$target/snoop" "$target/snoop.jar" "$target/snoop.classlist" "$W/ra/snoop/"
        "$W/ra/jdk/bin/java" -Xshare:dump -XX:SharedClassListFile="$W/ra/snoop/snoop.classlist" \
            -XX:SharedArchiveFile="$W/ra/snoop/snoop.jsa" -Xlog:disable -cp "$W/ra/snoop/snoop.jar" > /dev/null
        JDK=$W/ra/jdk SNOOP=$W/ra/snoop/snoop
    fi
    log "running from $LOOP (read_ahead_kb $(cat "/sys/block/$(basename "$LOOP")/queue/read_ahead_kb"))"
fi

IMAGE=${IMAGE:-}
IMAGE_ROOT= IMAGE_CMD=() IMAGE_ENV=()
if [[ -n $IMAGE ]]; then
    IMAGE_ROOT=$W${READAHEAD_KB:+/ra}/image-root
    rm -rf "$IMAGE_ROOT" "$W/image"
    mkdir -p "$IMAGE_ROOT" "$W/image"
    tar -xf "$IMAGE" -C "$W/image"
    for layer in $(jq -r '.[0].Layers[]' "$W/image/manifest.json"); do
        tar --warning=no-unknown-keyword -xzf "$W/image/$layer" -C "$IMAGE_ROOT"
    done
    config=$W/image/$(jq -r '.[0].Config' "$W/image/manifest.json")
    mapfile -t IMAGE_CMD < <(jq -r '.config.Entrypoint[]' "$config")
    mapfile -t IMAGE_ENV < <(jq -r '.config.Env[]' "$config")
    # IMAGE_CDS=0: the image as it was without its class-data archive (the JVM runs without one when the file is gone)
    [[ ${IMAGE_CDS:-1} != 0 ]] || rm -f "$IMAGE_ROOT/app/snoop.jsa"
    JDK=$IMAGE_ROOT/opt/java/openjdk SNOOP=$IMAGE_ROOT/app/snoop
    log "running the image $IMAGE from $IMAGE_ROOT: ${IMAGE_CMD[*]}"
fi

V1=/sys/fs/cgroup/memory
if [[ -f $V1/memory.limit_in_bytes ]]; then
    MEMCG=$V1/${SNOOP_BENCH_CGROUP:-snoop}-membench
else
    MEMCG=$CG2/${SNOOP_BENCH_CGROUP:-snoop}-membench
fi
memcg_remove() { [[ -d $MEMCG ]] && rmdir "$MEMCG" 2> /dev/null || true; }

memcg_create() { # LIMIT_BYTES
    memcg_remove
    mkdir -p "$MEMCG"
    if [[ -f $MEMCG/memory.limit_in_bytes ]]; then
        echo "$1" > "$MEMCG/memory.limit_in_bytes"
    else
        echo "$1" > "$MEMCG/memory.max"
    fi
}

# memcg_stat: "usage working_set kernel max_usage" in bytes, now
memcg_stat() {
    local usage inactive kmem peak
    if [[ -f $MEMCG/memory.usage_in_bytes ]]; then
        usage=$(cat "$MEMCG/memory.usage_in_bytes")
        peak=$(cat "$MEMCG/memory.max_usage_in_bytes")
        inactive=$(awk '$1 == "total_inactive_file" { print $2 }' "$MEMCG/memory.stat")
        kmem=$(cat "$MEMCG/memory.kmem.usage_in_bytes")
    else
        usage=$(cat "$MEMCG/memory.current")
        peak=$(cat "$MEMCG/memory.peak" 2> /dev/null || echo "$usage")
        inactive=$(awk '$1 == "inactive_file" { print $2 }' "$MEMCG/memory.stat")
        kmem=$(awk '$1 == "kernel" { print $2 }' "$MEMCG/memory.stat")
    fi
    echo "$usage $((usage - inactive)) $kmem $peak"
}

oom_kills() {
    if [[ -f $MEMCG/memory.oom_control ]]; then
        awk '$1 == "oom_kill" { print $2 }' "$MEMCG/memory.oom_control"
    else
        awk '$1 == "oom_kill" { print $2 }' "$MEMCG/memory.events"
    fi
}

# breakdown PID PREFIX: where the memory of the recorder is, before and then through jcmd (which adds a thread)
breakdown() {
    local pid=$1 out=$2 t
    mkdir -p "$(dirname "$out")"
    cat "/proc/$pid/smaps_rollup" > "$out.smaps_rollup"
    pmap -x "$pid" > "$out.pmap" 2>&1 || true
    cat "$MEMCG/memory.stat" > "$out.memcg"
    for t in /proc/"$pid"/task/*; do cat "$t/comm"; done | sort | uniq -c | sort -rn > "$out.threads"
    # the page cache of each file the recorder uses, mapped or read (fincore: util-linux)
    find "$JDK" "$(dirname "$SNOOP")" "$W" -maxdepth 4 -type f \( -name '*.so*' -o -name '*.jsa' -o -name '*.jar' \
        -o -name modules -o -name 'report-*' -o -name '.report-*' \) -print0 2> /dev/null |
        xargs -0 fincore -b 2> /dev/null | sort -k1 -n -r | head -30 > "$out.fincore" || true
    "$JDK/bin/jcmd" "$pid" VM.native_memory summary > "$out.nmt" 2>&1 || true
    "$JDK/bin/jcmd" "$pid" GC.heap_info > "$out.heap" 2>&1 || true
    "$JDK/bin/jcmd" "$pid" VM.metaspace > "$out.metaspace" 2>&1 || true
    "$JDK/bin/jcmd" "$pid" GC.class_histogram > "$out.histogram" 2>&1 || true
}

majflt() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $10 }'; }

prepare_cache() { # cold|warm
    local f
    if [[ $1 == cold ]]; then
        # POSIX_FADV_DONTNEED on every file of the copy and of snoop's own files
        find "$JDK" "$(dirname "$SNOOP")" -type f \( -name '*.so' -o -name '*.jsa' -o -name '*.jar' -o -name modules \) -print0 |
            while IFS= read -r -d '' f; do dd if="$f" iflag=nocache count=0 status=none 2> /dev/null || true; done
    else
        "$JDK/bin/java" -Xshare:auto -version > /dev/null 2>&1
        find "$JDK" "$(dirname "$SNOOP")" -type f \( -name '*.so' -o -name '*.jsa' -o -name '*.jar' -o -name modules \) \
            -exec cat {} + > /dev/null
    fi
}

# run_once MODE COUNT LIMIT_MIB: prints "ok|FAIL:why rss_kb usage ws kmem peak majflt files dropped"
run_once() {
    local mode=$1 count=$2 limit=$3 name=mem
    memcg_create $((limit << 20))
    prepare_cache "$mode"
    REPORT=$W/report-$name.json
    rm -f "$REPORT"
    # shellcheck disable=SC2086
    (echo $BASHPID > "$MEMCG/cgroup.procs" && start_snoop record --cgroup "$CG_T" --report-path "$REPORT" \
        --metrics-addr "127.0.0.1:$PORT" --report-interval 2s --log-level warn $RECORD_ARGS) \
        > "$W/snoop-$name.out" 2> "$W/snoop-$name.err" &
    TRACER_PID=$!
    local i up= t_end=$((SECONDS + START_SECS))
    while ((SECONDS < t_end)); do
        # a JVM thrashing at start accepts connections it does not answer: bounded
        curl -sf --max-time 2 "127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && { up=1; break; }
        kill -0 "$TRACER_PID" 2> /dev/null || break
        sleep 0.1
    done
    if [[ -z $up ]]; then
        stop_tracer KILL
        echo "FAIL:no-start 0 0 0 0 0 0 0 0"
        return
    fi
    local m0; m0=$(majflt "$TRACER_PID")
    run_in "$CG_T" "$FILELOOP" paced "$TREE" "$RATE" $((count / RATE)) distinct 0
    local v=0
    t_end=$((SECONDS + 30)) # a thrashing recorder may answer each scrape late, or never: bounded in time
    while ((SECONDS < t_end)); do
        kill -0 "$TRACER_PID" 2> /dev/null || break
        v=$(metric '^snoop_unique_files' || echo 0)
        ((v >= count)) && break
        sleep 0.1
    done
    sleep 3 # a report write or two with all of them
    local alive=1 rss=0 st m1=0 pressure
    pressure=$(curl -sf --max-time 5 "127.0.0.1:$PORT/healthz" 2> /dev/null | head -1 || true)
    kill -0 "$TRACER_PID" 2> /dev/null || alive=
    if [[ -n $alive ]]; then
        rss=$(status_kb "$TRACER_PID" VmRSS)
        m1=$(majflt "$TRACER_PID")
    fi
    st=$(memcg_stat)
    if [[ -n $BREAKDOWN && -n $alive ]]; then
        breakdown "$TRACER_PID" "$BREAKDOWN/$count-$mode-$limit"
    fi
    # SIGTERM writes the final report; a thrashing recorder gets 20 s for it
    kill -TERM "$TRACER_PID" 2> /dev/null || true
    t_end=$((SECONDS + 20))
    while ((SECONDS < t_end)) && kill -0 "$TRACER_PID" 2> /dev/null; do sleep 0.1; done
    stop_tracer KILL
    local files=0 dropped=0 why=ok
    if [[ -f $REPORT ]]; then
        files=$(jq --arg t "$TREE/" '[.containers[].files[] | select(startswith($t))] | length' "$REPORT")
        dropped=$(jq '.dropped_events' "$REPORT")
    fi
    if [[ -z $alive ]]; then
        why="FAIL:died(oom_kill=$(oom_kills))"
    elif ((files < count)); then
        why="FAIL:files=$files"
    elif ((dropped > 0)); then
        why="FAIL:dropped=$dropped"
    elif ((m1 - m0 > MAJ_MAX)); then
        why="FAIL:majflt=$((m1 - m0))"
    fi
    [[ $pressure == degraded* ]] && why="$why(healthz:degraded)"
    echo "$why $rss $st $((m1 - m0)) $files $dropped"
}

mib() { echo "scale=1; $1 / 1048576" | bc; }

echo "## Memory limit: the smallest that records N files with zero drops"
echo
echo "$(date -u +%FT%TZ), $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg) at the start; memory cgroup $MEMCG;"
echo "$RATE new files/s; read_ahead_kb ${READAHEAD_KB:-$(cat /sys/block/"$(basename "$(findmnt -nvo SOURCE -T "$JDK")")"/queue/read_ahead_kb 2> /dev/null || echo '?')}; SNOOP_JAVA_OPTS='${SNOOP_JAVA_OPTS:-}' RECORD_ARGS='$RECORD_ARGS'; commit $(git -C "$repo" rev-parse --short HEAD)"
echo
echo "| files | cache | without a limit: RSS | working set | kernel memory | peak usage | smallest limit with 0 drops | at the limit: working set, major faults | below it ($STEP_MIB MiB less) | runs |"
echo "|---:|---|---:|---:|---:|---:|---:|---|---|---:|"
for count in $COUNTS; do
    for mode in $MODES; do
        runs=0
        free=$(run_once "$mode" "$count" 1024)
        runs=$((runs + 1))
        read -r why rss usage ws kmem peak maj files dropped <<< "$free"
        log "$count $mode unlimited: $free"
        if [[ $BISECT == 0 ]]; then
            echo "| $count | $mode | $((rss / 1024)) MB | $(mib "$ws") MB | $(mib "$kmem") MB | $(mib "$peak") MB | (not bisected: $why) | | | $runs |"
            continue
        fi
        lo=$LO_MIB hi=$HI_MIB at_hi=
        r=$(run_once "$mode" "$count" "$hi")
        runs=$((runs + 1))
        log "$count $mode at $hi MiB: $r"
        if [[ $r != ok* ]]; then
            echo "| $count | $mode | $((rss / 1024)) MB | $(mib "$ws") MB | $(mib "$kmem") MB | $(mib "$peak") MB | over $hi MiB | $r | | $runs |"
            continue
        fi
        at_hi=$r below="(not run)"
        while ((hi - lo > STEP_MIB)); do
            mid=$(((lo + hi) / 2 / STEP_MIB * STEP_MIB))
            ((mid <= lo)) && mid=$((lo + STEP_MIB))
            r=$(run_once "$mode" "$count" "$mid")
            runs=$((runs + 1))
            log "$count $mode at $mid MiB: $r"
            if [[ $r == ok* ]]; then
                hi=$mid at_hi=$r
            else
                lo=$mid below="$mid MiB: ${r%% *}"
            fi
        done
        read -r _ _ _ hws _ _ hmaj _ _ <<< "$at_hi"
        echo "| $count | $mode | $((rss / 1024)) MB | $(mib "$ws") MB | $(mib "$kmem") MB | $(mib "$peak") MB | **$hi MiB** | $(mib "$hws") MB, $hmaj | $below | $runs |"
    done
done
echo
echo "RSS: VmRSS of the JVM; working set: the cgroup's usage - inactive_file; kernel memory: memory.kmem.usage_in_bytes"
echo "(v1) or memory.stat's kernel (v2); all 3 s after the last file arrived. A run passes if snoop stays up, the report"
echo "holds all N files, dropped_events is 0 and snoop took at most $MAJ_MAX major faults after it was ready."
