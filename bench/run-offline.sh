#!/usr/bin/env bash
# End-to-end timing of the offline commands against the jq pipelines a user would write instead.
#
#   ./mvnw -q package -DskipTests && bench/run-offline.sh [--quick]
#
# Generates reports under $SNOOP_BENCH_DIR (default /tmp/snoop-bench; reused while the sizes stay the
# same), then times, alternating the commands of each comparison round by round:
#   merge  1000 reports x 10,000 files   snoop merge | jq -s unique | jq -r | sort -u
#   diff   two reports of 1,000,000 files differing by 2%   snoop diff | jq -r | sort | comm -3
#   (snoop also with SNOOP_JAVA_OPTS=-XX:TieredStopAtLevel=1, the C1-only flag the launcher had,
#   and, when SNOOP_BASELINE names another build's launcher, that build, for before/after)
#   start-up  snoop --version, snoop diff of two small reports: as built (static CDS archive), with
#             a dynamic archive (-XX:ArchiveClassesAtExit), without an app archive, with no CDS at
#             all, C1 only (also through hyperfine when it is installed)
# Wall time is the median of RUNS rounds; peak RSS (GNU time %M, the largest single process of a
# pipeline) the median too. Results go to $SNOOP_BENCH_DIR/results/offline-<time>.md.
#
# Bounded: no command may run longer than CMD_TIMEOUT seconds, and no new run starts after BUDGET
# seconds; the script then reports what it has. --quick: 100 reports, 100,000-file diff, 3 rounds.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/bench/target/benchmarks.jar
snoop=$root/snoop-cli/target/snoop

REPORTS=${REPORTS:-1000}
FILES=${FILES:-10000}
BIG=${BIG:-1000000}
RUNS=${RUNS:-5}
HEAVY_RUNS=${HEAVY_RUNS:-3}      # for the slow jq pipelines
STARTUP_RUNS=${STARTUP_RUNS:-20}
BUDGET=${BUDGET:-1800}
CMD_TIMEOUT=${CMD_TIMEOUT:-300}
if [ "${1:-}" = --quick ]; then
    REPORTS=100 BIG=100000 RUNS=3 HEAVY_RUNS=3 STARTUP_RUNS=10
fi

for f in "$jar" "$snoop"; do
    [ -e "$f" ] || { echo "run-offline.sh: $f is missing: build first with ./mvnw -q package -DskipTests" >&2; exit 1; }
done
for tool in java jq comm sort timeout; do
    command -v "$tool" >/dev/null || { echo "run-offline.sh: $tool is not installed" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run-offline.sh: GNU time (/usr/bin/time) is not installed" >&2; exit 1; }

base=${SNOOP_BENCH_DIR:-/tmp/snoop-bench}
data=$base/data
results=$base/results
mkdir -p "$data" "$results"
out=$results/offline-$(date -u +%Y%m%dT%H%M%SZ).md
deadline=$((SECONDS + BUDGET))
export LC_ALL=C

log() { echo "$*" | tee -a "$out"; }

# ---- inputs -------------------------------------------------------------------------------------
gen() { # DIR ARGS...: generate once per parameter set
    local dir=$1; shift
    local stamp="$*"
    if [ "$(cat "$dir/.params" 2>/dev/null)" != "$stamp" ]; then
        rm -rf "$dir"
        echo "generating $dir ($stamp)" >&2
        timeout "$CMD_TIMEOUT" java -Xmx2g -cp "$jar" dev.snoop.bench.ReportGenerator "$@"
        echo "$stamp" > "$dir/.params"
    fi
}
gen "$data/replicas-$REPORTS-$FILES" replicas "$data/replicas-$REPORTS-$FILES" "$REPORTS" "$FILES"
gen "$data/pair-$BIG" pair "$data/pair-$BIG" "$BIG" 2
gen "$data/pair-300" pair "$data/pair-300" 300 5
replicas=$data/replicas-$REPORTS-$FILES
big=$data/pair-$BIG
small=$data/pair-300

# Start-up variants, each a copy of the launcher and jar: without the CDS archive, and with a
# dynamic archive (-XX:ArchiveClassesAtExit, what the build made before) dumped with the copy's
# absolute path. JDK 17 leaves picocli's Java 5 classes out of a dynamic archive; the build's static
# archive holds them.
nocds=$base/nocds
cdsabs=$base/cds-dynamic
rm -rf "$nocds" "$cdsabs"
mkdir -p "$nocds" "$cdsabs"
cp "$snoop" "$root/snoop-cli/target/snoop.jar" "$nocds/"
cp "$snoop" "$root/snoop-cli/target/snoop.jar" "$cdsabs/"
java -XX:ArchiveClassesAtExit="$cdsabs/snoop.jsa" -Xlog:disable -cp "$cdsabs/snoop.jar" dev.snoop.cli.CdsTraining \
    > /dev/null 2>&1 || echo "run-offline.sh: could not dump $cdsabs/snoop.jsa" >&2
cd "$base" # not snoop-cli/target: start-up must not depend on the working directory

{
    echo "# snoop offline benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, kernel $(uname -r)"
    echo "- java: $(java -version 2>&1 | head -1); jq: $(jq --version); snoop: $("$snoop" --version 2>&1 | head -1)"
    echo "- inputs: $REPORTS reports x $FILES files ($(du -sh "$replicas" | cut -f1)); diff pair of $BIG files ($(du -sh "$big" | cut -f1))"
    echo "- runs: $RUNS (jq pipelines: $HEAVY_RUNS), alternating; budget ${BUDGET}s, ${CMD_TIMEOUT}s per command"
    echo
} | tee "$out"

# ---- timing -------------------------------------------------------------------------------------
# compare TITLE ROUNDS NAME CMD [NAME CMD]...: runs each CMD (through bash, stdout to /dev/null) once
# per round, in turn; prints median wall, min-max, median peak RSS and the ratio to the first CMD.
compare() {
    local title=$1 rounds=$2; shift 2
    local names=() cmds=() i r
    while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
    local tmp; tmp=$(mktemp -d)
    log ""
    log "## $title"
    log ""
    log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    log ""
    for ((r = 1; r <= rounds; r++)); do
        for i in "${!cmds[@]}"; do
            local rounds_max=$rounds
            [ "${names[$i]}" != "${names[$i]#jq}" ] && rounds_max=$HEAVY_RUNS
            if [ "$r" -gt "$rounds_max" ]; then continue; fi
            if [ "$SECONDS" -ge "$deadline" ]; then echo "budget exhausted" > "$tmp/over"; continue; fi
            local t0 t1 rc=0
            t0=$(date +%s%N)
            timeout "$CMD_TIMEOUT" /usr/bin/time -f %M -o "$tmp/rss" bash -c "${cmds[$i]}" > /dev/null || rc=$?
            t1=$(date +%s%N)
            if [ "$rc" -ne 0 ]; then
                echo "${names[$i]}: exit $rc" >> "$tmp/failed"
                continue
            fi
            echo $(( (t1 - t0) / 1000000 )) >> "$tmp/time.$i"
            tail -1 "$tmp/rss" >> "$tmp/rss.$i"
            echo "  $title / ${names[$i]} round $r: $(tail -1 "$tmp/time.$i") ms, $(tail -1 "$tmp/rss.$i") KB" >&2
        done
    done
    log "| command | runs | median wall | min - max | median peak RSS | vs first |"
    log "|---|---:|---:|---:|---:|---:|"
    local first=
    for i in "${!cmds[@]}"; do
        if [ ! -s "$tmp/time.$i" ]; then
            log "| \`${names[$i]}\` | 0 | failed or skipped | | | |"
            continue
        fi
        local n med min max rss
        n=$(wc -l < "$tmp/time.$i")
        med=$(sort -n "$tmp/time.$i" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        min=$(sort -n "$tmp/time.$i" | head -1)
        max=$(sort -n "$tmp/time.$i" | tail -1)
        rss=$(sort -n "$tmp/rss.$i" | awk '{a[NR]=$1} END {printf "%.0f MB", a[int((NR+1)/2)]/1024}')
        [ -z "$first" ] && first=$med
        log "| \`${names[$i]}\` | $n | $(fmt_ms "$med") | $(fmt_ms "$min") - $(fmt_ms "$max") | $rss | $(awk -v a="$med" -v b="$first" 'BEGIN {printf "%.2fx", a / b}') |"
    done
    [ -f "$tmp/failed" ] && log "" && log "failures: $(sort "$tmp/failed" | uniq -c | tr '\n' ';')"
    [ -f "$tmp/over" ] && log "" && log "**budget exhausted: some runs were skipped**"
    log ""
    log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    rm -rf "$tmp"
}
fmt_ms() { if [ "$1" -ge 10000 ]; then awk -v m="$1" 'BEGIN {printf "%.1f s", m / 1000}'; else echo "$1 ms"; fi; }

# ---- sanity: every contender computes the same answer (untimed) ---------------------------------
bounded() { timeout "$CMD_TIMEOUT" bash -c "$1" || echo "timed out"; }
merged_count=$(bounded "'$snoop' merge '$replicas' | jq '.containers[0].files | length'")
jq_count=$(bounded "jq -r '.containers[].files[]' '$replicas'/*.json | sort -u | wc -l")
snoop_diff=$(bounded "'$snoop' diff '$big/a.json' '$big/b.json' | grep -c '^[-+] ' || true")
comm_diff=$(bounded "comm -3 <(jq -r '.containers[].files[]' '$big/a.json' | sort) <(jq -r '.containers[].files[]' '$big/b.json' | sort) | wc -l")
log "sanity: union $merged_count (snoop) vs $jq_count (jq); diff lines $snoop_diff (snoop) vs $comm_diff (comm)"
if [ "$merged_count" != "$jq_count" ] || [ "$snoop_diff" != "$comm_diff" ]; then
    log "**sanity check failed: the timings below compare different answers**"
fi

# ---- merge --------------------------------------------------------------------------------------
compare "merge: union of $REPORTS reports x $FILES files" "$RUNS" \
    "snoop merge DIR" "'$snoop' merge '$replicas'" \
    "snoop merge DIR, C1 only" "SNOOP_JAVA_OPTS=-XX:TieredStopAtLevel=1 '$snoop' merge '$replicas'" \
    ${SNOOP_BASELINE:+"snoop merge DIR, baseline build" "'$SNOOP_BASELINE' merge '$replicas'"} \
    "jq -s '[.[].containers[].files[]] | unique' *.json" "jq -s '[.[].containers[].files[]] | unique' '$replicas'/*.json" \
    "jq -r '.containers[].files[]' *.json | sort -u" "jq -r '.containers[].files[]' '$replicas'/*.json | sort -u"

# ---- diff ---------------------------------------------------------------------------------------
compare "diff: two reports of $BIG files, 2% replaced" "$RUNS" \
    "snoop diff a b" "'$snoop' diff '$big/a.json' '$big/b.json' || [ \$? = 1 ]" \
    "snoop diff a b, C1 only" "SNOOP_JAVA_OPTS=-XX:TieredStopAtLevel=1 '$snoop' diff '$big/a.json' '$big/b.json' || [ \$? = 1 ]" \
    ${SNOOP_BASELINE:+"snoop diff a b, baseline build" "'$SNOOP_BASELINE' diff '$big/a.json' '$big/b.json' || [ \$? = 1 ]"} \
    "jq -r | sort, comm -3" "comm -3 <(jq -r '.containers[].files[]' '$big/a.json' | sort) <(jq -r '.containers[].files[]' '$big/b.json' | sort)"

# ---- start-up -----------------------------------------------------------------------------------
ok1='|| [ $? = 1 ]' # snoop diff exits 1 when the reports differ, as diff(1) does
smallargs="'$small/a.json' '$small/b.json'"
compare "start-up: snoop --version" "$STARTUP_RUNS" \
    "snoop --version (as built)" "'$snoop' --version" \
    "dynamic archive" "'$cdsabs/snoop' --version" \
    "no app archive" "'$nocds/snoop' --version" \
    "-Xshare:off" "SNOOP_JAVA_OPTS=-Xshare:off '$snoop' --version" \
    "C1 only" "SNOOP_JAVA_OPTS=-XX:TieredStopAtLevel=1 '$snoop' --version"
compare "start-up: snoop diff of two 300-file reports" "$STARTUP_RUNS" \
    "snoop diff (as built)" "'$snoop' diff $smallargs $ok1" \
    "dynamic archive" "'$cdsabs/snoop' diff $smallargs $ok1" \
    "no app archive" "'$nocds/snoop' diff $smallargs $ok1" \
    "-Xshare:off" "SNOOP_JAVA_OPTS=-Xshare:off '$snoop' diff $smallargs $ok1" \
    "C1 only" "SNOOP_JAVA_OPTS=-XX:TieredStopAtLevel=1 '$snoop' diff $smallargs $ok1"

if command -v hyperfine >/dev/null && [ "$SECONDS" -lt "$deadline" ]; then
    log ""
    log "## start-up through hyperfine (no shell, 3 warm-up runs)"
    log ""
    log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    # -N runs without a shell, so the diff commands' exit status 1 is allowed with -i
    hyperfine -N -i --warmup 3 --runs "$STARTUP_RUNS" --export-markdown "$results/hyperfine.md" \
        -n "version, as built" "$snoop --version" \
        -n "version, dynamic archive" "$cdsabs/snoop --version" \
        -n "version, no app archive" "$nocds/snoop --version" \
        -n "diff small, as built" "$snoop diff $small/a.json $small/b.json" \
        -n "diff small, dynamic archive" "$cdsabs/snoop diff $small/a.json $small/b.json" \
        -n "diff small, no app archive" "$nocds/snoop diff $small/a.json $small/b.json" >&2 || true
    [ -f "$results/hyperfine.md" ] && tee -a "$out" < "$results/hyperfine.md"
    log ""
    log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi

echo >&2
echo "results: $out (took ${SECONDS}s)" >&2
