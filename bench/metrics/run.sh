#!/usr/bin/env bash
# Measures /healthz of a real `snoop record` while clients scrape /metrics and others stall in the
# middle of their headers (issue 9): probe latency (kubelet-like, a new connection each, 1 s
# timeout) and the recorder's resident memory before, at its peak and after.
#
#   bench/metrics/run.sh [SCRAPERS STALLS PROBES]     (default 200 50 300)
#
# Environment: ROUNDS (3), METRICS_PORT (19392), SNOOP (snoop-cli/target/snoop).
# Needs root (BPF), a built snoop-cli/target/snoop and test classes:
#   ./mvnw -B -q -o -pl snoop-cli -am package -DskipTests && ./mvnw -B -q -o -pl snoop-cli test-compile
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
SNOOP=${SNOOP:-$repo/snoop-cli/target/snoop}
PORT=${METRICS_PORT:-19392}
ROUNDS=${ROUNDS:-3}
SCRAPERS=${1:-200}
STALLS=${2:-50}
PROBES=${3:-300}
[[ $EUID -eq 0 ]] || { echo "run.sh: needs root (BPF)" >&2; exit 1; }
[[ -x $SNOOP ]] || { echo "run.sh: $SNOOP not found (see the usage above)" >&2; exit 1; }
[[ -d $repo/snoop-cli/target/test-classes/dev ]] || { echo "run.sh: snoop-cli test classes not built" >&2; exit 1; }

work=$(mktemp -d)
cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo)
cg=$cg2/snoop-metricsbench-$$
mkdir -p "$cg"
pid=
touch "$work/log"
cleanup() {
    [[ -n $pid ]] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null || true
    rmdir "$cg" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "| round | healthz p50 | p99 | max | failed probes | scrapes | RSS before | peak RSS | RSS 15 s after |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq "$ROUNDS"); do
    "$SNOOP" record --cgroup "$cg" --report-path "$work/report.json" --metrics-addr "127.0.0.1:$PORT" 2> "$work/log" &
    pid=$!
    for _ in $(seq 300); do
        grep -q 'msg=recording' "$work/log" && break
        sleep 0.1
    done
    grep -q 'msg=recording' "$work/log" || { cat "$work/log" >&2; exit 1; }
    sleep 2
    before=$(rss_kb "$pid")
    peak=$before
    ( while kill -0 "$pid" 2> /dev/null; do r=$(rss_kb "$pid" || echo 0); echo "$r"; sleep 0.2; done ) > "$work/rss" &
    sampler=$!
    out=$(java -cp "$repo/snoop-cli/target/test-classes" dev.snoop.record.HealthUnderLoad 127.0.0.1 "$PORT" \
        "$SCRAPERS" "$STALLS" "$PROBES")
    peak=$(sort -n "$work/rss" | tail -1)
    sleep 15
    after=$(rss_kb "$pid")
    kill "$sampler" 2> /dev/null || true
    kill "$pid"
    wait "$pid" || true
    pid=
    echo "$out" >&2
    p50=$(sed -E 's/.*p50 ([0-9.]+) ms.*/\1/' <<< "$out")
    p99=$(sed -E 's/.*p99 ([0-9.]+) ms.*/\1/' <<< "$out")
    max=$(sed -E 's/.*max ([0-9.]+) ms.*/\1/' <<< "$out")
    failed=$(sed -E 's/.* probes, ([0-9]+) failed.*/\1/' <<< "$out")
    scrapes=$(sed -E 's/.*\/metrics: ([0-9]+) scrapes.*/\1/' <<< "$out")
    echo "| $round | $p50 ms | $p99 ms | $max ms | $failed | $scrapes | $((before / 1024)) MB | $((peak / 1024)) MB | $((after / 1024)) MB |"
done
