#!/usr/bin/env bash
# The memory floor of a JVM recorder on this machine, beside snoop record (docs/performance.md, Memory):
#   1. a JVM that only sleeps, with the recorder's flags
#   2. MinimalRecorder: BPF through jnr-ffi + poller + PathSet, nothing else
#   3. snoop record itself
# each idle and after 100,000 distinct files stat()ed at 25,000/s in the traced cgroup.
#   ./mvnw -o -q package -DskipTests && bench/record/floor/run.sh [RING_BYTES]    (root; ~2 minutes)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
RING=${1:-1048576}
FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xms8m -Xmx256m -Xmn4m -XX:MaxHeapFreeRatio=20 \
-XX:MinHeapFreeRatio=5 -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData"
JAR=$repo/snoop-cli/target/snoop.jar
setup
trap cleanup EXIT
make_tree 100000
classes=$W/floor
mkdir -p "$classes"
printf 'public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(Long.MAX_VALUE); } }\n' > "$classes/Sleep.java"
javac -d "$classes" "$classes/Sleep.java"
javac -d "$classes" -cp "$JAR" "$here/floor/MinimalRecorder.java"

# measure NAME: RSS of $TRACER_PID idle, then after 100K files
measure() {
    local name=$1 idle
    sleep 3
    idle=$(status_kb "$TRACER_PID" VmRSS)
    run_in "$CG_T" "$FILELOOP" paced "$TREE" 25000 4 distinct 0
    sleep 6
    echo "| $name | $((idle / 1024)) MB | $(($(status_kb "$TRACER_PID" VmRSS) / 1024)) MB | $(grep -c . "/proc/$TRACER_PID/task/"*/comm | wc -l) |"
    stop_tracer KILL
}

echo "| process (JDK $(java -version 2>&1 | head -1 | cut -d'"' -f2), ring $((RING / 1024)) KiB) | RSS idle | RSS after 100K files | threads |"
echo "|---|---:|---:|---:|"
# shellcheck disable=SC2086
java $FLAGS -cp "$classes" Sleep & TRACER_PID=$!
measure "JVM that sleeps (same flags)"
# shellcheck disable=SC2086
java $FLAGS -Xshare:off -cp "$classes" Sleep & TRACER_PID=$!
measure "JVM that sleeps, -Xshare:off"
# shellcheck disable=SC2086
java $FLAGS -cp "$JAR:$classes" MinimalRecorder "$CG_T" "$RING" > "$W/minimal.out" 2>&1 & TRACER_PID=$!
for _ in $(seq 100); do grep -q ready "$W/minimal.out" 2> /dev/null && break; sleep 0.1; done
measure "MinimalRecorder: BPF via jnr-ffi, poller, PathSet"
start_snoop floor "$RING" "" --report-interval 2s
measure "snoop record (launcher flags)"
