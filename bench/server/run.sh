#!/usr/bin/env bash
# Load on snoop serve: N simulated sidecars (default 1000), each with its own 10,000-file report
# growing by 20 files a delivery, one delivery a minute spread evenly, then an outage and every
# sidecar delivering at once. See docs/performance.md, "The reporting server".
#
#   ./mvnw -q package -DskipTests -pl snoop-cli,bench -am && bench/server/run.sh [ServerLoad options]
#
# Options (ServerLoad): --sidecars 1000 --images 10 --files 10000 --growth 20 --interval 60
#   --steady 180 --outage 60 --initial-concurrency 8 --client-threads 256 --dir /tmp/snoop-server-bench
# The server is the built launcher (snoop-cli/target/snoop serve) on its embedded PostgreSQL in
# --dir/pg, which must not exist: each run starts empty (the script removes it). Output: one line
# per phase; the script also copies it to --dir/results-<time>.txt.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
jar=$root/bench/target/benchmarks.jar
snoop=$root/snoop-cli/target/snoop
dir=/tmp/snoop-server-bench
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[$i]}" = --dir ] && dir=${args[$((i + 1))]}
done
for f in "$jar" "$snoop"; do
    [ -e "$f" ] || { echo "run.sh: $f is missing: build first with ./mvnw -q package -DskipTests -pl snoop-cli,bench -am" >&2; exit 1; }
done
rm -rf "$dir/pg"
mkdir -p "$dir"
out=$dir/results-$(date -u +%Y%m%dT%H%M%SZ).txt
{
    echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "# bench/server/run.sh ${args[*]:-}"
    java -Xmx2g -cp "$jar" dev.snoop.bench.ServerLoad --snoop "$snoop" --dir "$dir" "$@"
} 2>&1 | tee "$out"
echo "results in $out"
