#!/usr/bin/env bash
# The BPF hash maps' sizes against what they cost (docs/performance.md, Map sizes): for each
# --dedup-entries in DEDUPS and each working set in SETS, `fileloop paced TREE SET SECS same` stats the
# same SET files every second (each path repeated once a second, as an app re-reading its files) and
# the table gives the events the kernel sent again (emitted minus the SET it must send once), the
# recorder's CPU and the maps' kernel memory (bpftool's memlock of each map snoop loaded).
#
#   bench/record/maps.sh            (root; DEDUPS="4096 16384 65536" SETS="1000 10000 50000" SECS=20: ~6 minutes)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DEDUPS=${DEDUPS:-"4096 16384 65536"}
SETS=${SETS:-"1000 10000 50000"}
SECS=${SECS:-20}
setup
trap cleanup EXIT
make_tree 100000
hz=$(getconf CLK_TCK)

# map_memlock PID: "name=bytes ..." of the BPF maps the process holds, from the fdinfo of its map fds
map_memlock() {
    local f id
    for f in /proc/"$1"/fdinfo/*; do
        id=$(awk '$1 == "map_id:" { print $2 }' "$f" 2> /dev/null)
        [[ -n $id ]] || continue
        printf '%s=%s ' "$(bpftool map show id "$id" -j | jq -r .name)" "$(awk '$1 == "memlock:" { print $2 }' "$f")"
    done
}

echo "## BPF map sizes: events sent again and recorder CPU for a repeated working set"
echo
echo "$(date -u +%FT%TZ), $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg) at the start; $SECS s per run"
echo
echo "| --dedup-entries | paths repeated each second | events emitted per second (beyond the first pass) | recorder CPU (% of a core) | maps' kernel memory (memlock) | load |"
echo "|---:|---:|---:|---:|---|---:|"
for d in $DEDUPS; do
    for s in $SETS; do
        start_snoop maps 4194304 "" --dedup-entries "$d" --report-interval 1h
        sleep 2
        mem=$(map_memlock "$TRACER_PID")
        e0=$(metric '^snoop_events_emitted_total')
        c0=$(cpu_ticks "$TRACER_PID")
        run_in "$CG_T" "$FILELOOP" paced "$TREE" "$s" "$SECS" same 0
        c1=$(cpu_ticks "$TRACER_PID")
        sleep 1
        e1=$(metric '^snoop_events_emitted_total')
        stop_tracer TERM
        extra=$(((e1 - e0 - s) / SECS))
        ((extra < 0)) && extra=0
        pct=$(echo "scale=2; ($c1 - $c0) * 100 / $hz / $SECS" | bc)
        total=$(tr ' ' '\n' <<< "$mem" | awk -F= '{ s += $2 } END { printf "%.1f", s / 1048576 }')
        detail=$(tr ' ' '\n' <<< "$mem" | awk -F= '$1 ~ /^(dedup|start|cgroup_verdic|events|container_stat)/ { printf "%s%s %.1f", sep, $1, $2 / 1048576; sep = ", " }')
        echo "| $d | $s | $extra | $pct % | $total MiB ($detail) | $(load1) |"
        log "dedup $d set $s: $extra extra events/s, $pct % CPU, maps $total MiB"
    done
done
echo
echo "Emitted: \`snoop_events_emitted_total\` over the run, less the one pass every path needs, per second."
