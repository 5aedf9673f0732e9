#!/usr/bin/env bash
# End-to-end timing of `snoop unused` on a 100,000-file OCI image and 100 reports of 10,000 files.
#
#   ./mvnw -q package -DskipTests && bench/run-unused.sh [ROUNDS]
#
# Generates the inputs once under $SNOOP_BENCH_DIR/unused (default /tmp/snoop-bench/unused; see
# dev.snoop.bench.UnusedBenchmark for their shape), then runs each command ROUNDS times (default 5)
# and prints the median wall time, CPU time (user+sys, which load from other processes disturbs
# less than wall time) and peak RSS (GNU time), with the load average before and after: the machine
# may be shared. Results go to stdout as a Markdown table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/bench/target/benchmarks.jar
snoop=$root/snoop-cli/target/snoop
ROUNDS=${1:-5}
for f in "$jar" "$snoop"; do
    [ -e "$f" ] || { echo "run-unused.sh: $f is missing: build first with ./mvnw -q package -DskipTests" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run-unused.sh: GNU time (/usr/bin/time) is not installed" >&2; exit 1; }

data=${SNOOP_BENCH_DIR:-/tmp/snoop-bench}/unused
if [ ! -f "$data/image.tar" ] || [ ! -d "$data/reports" ]; then
    rm -rf "$data"
    timeout 600 java -Xmx2g -cp "$jar" dev.snoop.bench.UnusedBenchmark gen "$data"
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() { # NAME ARGS...
    local name=$1; shift
    local times=() rss=() cpu=() i
    for ((i = 1; i <= ROUNDS; i++)); do
        /usr/bin/time -f "%e %M %U %S" -o "$data/.time" timeout 300 "$snoop" "$@" > /dev/null
        read -r t m u s < "$data/.time"
        times+=("$t"); rss+=("$m"); cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
    done
    printf '| `%s` | %d | %s s | %s - %s s | %s s | %d MB |\n' "$name" "$ROUNDS" \
        "$(printf '%s\n' "${times[@]}" | median)" \
        "$(printf '%s\n' "${times[@]}" | sort -n | head -1)" "$(printf '%s\n' "${times[@]}" | sort -n | tail -1)" \
        "$(printf '%s\n' "${cpu[@]}" | median)" \
        "$(( $(printf '%s\n' "${rss[@]}" | median) / 1024 ))"
}

echo "- machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1)"
echo "- image: $(du -h "$data/image.tar" | cut -f1) ($(tar -tf "$data/image.tar" | grep -c blobs/) blobs); reports: $(ls "$data/reports" | wc -l) files, $(du -sh "$data/reports" | cut -f1)"
echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | runs | median wall | min - max | median CPU (user+sys) | median peak RSS |"
echo "|---|---:|---:|---:|---:|---:|"
run "snoop unused --image image.tar reports/" unused --image "$data/image.tar" "$data/reports"
run "snoop unused --format keep-list ..." unused --image "$data/image.tar" --format keep-list "$data/reports"
run "snoop unused --format json ..." unused --image "$data/image.tar" --format json "$data/reports"
echo
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
