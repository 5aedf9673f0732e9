#!/usr/bin/env bash
# The recorder's two CPU targets with the configuration given (docs/performance.md, "Memory limit"):
# ROUNDS floods of N_FLOOD distinct files stat()ed at RATE/s (`fileloop paced`), each must reach the
# report with zero drops; then the recorder's CPU over IDLE_SECS at 100 new files/s (IDLE_RATES: a window
# per rate given, each with a fresh recorder; 0 is a recorder with nothing to record).
#
#   bench/record/paced.sh            (root; RATE=200000 N_FLOOD=1000000 ROUNDS=3 IDLE_SECS=60: ~3 minutes)
# SNOOP_JAVA_OPTS and RECORD_ARGS change the configuration measured; the launcher's own flags otherwise.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RATE=${RATE:-200000}
N_FLOOD=${N_FLOOD:-1000000}
ROUNDS=${ROUNDS:-3}
IDLE_SECS=${IDLE_SECS:-60}
IDLE_RATES=${IDLE_RATES:-100} # new files/s during each idle window; 0: nothing to record
RECORD_ARGS=${RECORD_ARGS:-}
setup
trap cleanup EXIT
make_tree "$N_FLOOD"
hz=$(getconf CLK_TCK)
echo "## Paced flood and idle CPU"
echo
echo "$(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg) at the start; SNOOP_JAVA_OPTS='${SNOOP_JAVA_OPTS:-}' RECORD_ARGS='$RECORD_ARGS'; commit $(git -C "$repo" rev-parse --short HEAD)"
echo
echo "| run | files of the tree in the report | dropped | seconds until the last arrived | recorder CPU per event | load |"
echo "|---|---:|---:|---:|---:|---:|"
for r in $(seq "$ROUNDS"); do
    # shellcheck disable=SC2086
    start_snoop paced 0 "${SNOOP_JAVA_OPTS:-}" --report-interval 1h $RECORD_ARGS
    c0=$(cpu_ticks "$TRACER_PID")
    t0=$(date +%s%N)
    run_in "$CG_T" "$FILELOOP" paced "$TREE" "$RATE" $((N_FLOOD / RATE)) distinct 0
    last=-1 stable=0 t1=$(date +%s%N)
    while ((stable < 20)); do
        v=$(metric '^snoop_unique_files' || echo 0)
        if [[ $v != "$last" ]]; then last=$v t1=$(date +%s%N) stable=0; else stable=$((stable + 1)); fi
        sleep 0.05
    done
    c1=$(cpu_ticks "$TRACER_PID")
    stop_tracer TERM
    files=$(jq --arg t "$TREE/" '[.containers[].files[] | select(startswith($t))] | length' "$REPORT")
    dropped=$(jq '.dropped_events' "$REPORT")
    echo "| flood $r at $RATE/s | $files | $dropped | $(echo "scale=2; ($t1 - $t0) / 1000000000" | bc) | $(echo "scale=2; ($c1 - $c0) * 1000000 / $hz / $files" | bc) µs | $(load1) |"
    log "flood $r: $files files, $dropped dropped"
done
for idle_rate in $IDLE_RATES; do
    # shellcheck disable=SC2086
    start_snoop idle 0 "${SNOOP_JAVA_OPTS:-}" $RECORD_ARGS
    sleep 5
    c0=$(cpu_ticks "$TRACER_PID")
    if ((idle_rate > 0)); then
        run_in "$CG_T" "$FILELOOP" paced "$TREE" "$idle_rate" "$IDLE_SECS" distinct 0
    else
        sleep "$IDLE_SECS"
    fi
    c1=$(cpu_ticks "$TRACER_PID")
    stop_tracer TERM
    echo "| idle: $idle_rate new files/s for $IDLE_SECS s | | | | $(echo "scale=2; ($c1 - $c0) * 100 / $hz / $IDLE_SECS" | bc) % of a core | $(load1) |"
done
