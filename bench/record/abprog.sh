#!/usr/bin/env bash
# A/B of the time spent in the tracers' BPF programs (kernel.bpf_stats_enabled: run_time_ns of the
# programs a tracer loaded, divided by the workload's calls), with two snoop builds and bpftrace
# rotated round by round in one run, so the machine's load moves all three alike.
#
#   OLD=/work/wt/perf-old/snoop NEW=snoop-cli/target/snoop ROUNDS=7 bench/record/abprog.sh
#
# OLD and NEW are snoop launchers (each beside its own snoop.jar). A tracer's programs are the ones
# its process holds fds of (/proc/PID/fdinfo: prog_id), so programs other sessions load meanwhile
# are not counted. Prints one tsv line per round, contender and workload, then the medians as a
# markdown table.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
OLD=${OLD:-/work/wt/perf-old/snoop}
NEW=${NEW:-$repo/snoop-cli/target/snoop}
ROUNDS=${ROUNDS:-5}
N_OPEN=${N_OPEN:-1000000}
CONTENDERS=(old new bpftrace)
WORKLOADS=("traced open" "untraced open")
trap 'sysctl -q kernel.bpf_stats_enabled=0; cleanup' EXIT
setup
[[ -x $OLD ]] || die "$OLD not found"

# held_prog_ids PID: the ids of the BPF programs the process holds
held_prog_ids() { cat /proc/"$1"/fdinfo/* 2> /dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u | tr '\n' ' ' || true; }

# stats IDS...: "run_time_ns run_cnt" summed over the given program ids
stats() {
    bpftool -j prog show | jq -r --arg ids "$*" '($ids | split(" ") | map(tonumber)) as $want
        | [.[] | select(.id as $i | $want | index($i))] | "\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0)"'
}

start() {
    case $1 in
        old) SNOOP=$OLD start_snoop ab-old 4194304 "" ;;
        new) SNOOP=$NEW start_snoop ab-new 4194304 "" ;;
        bpftrace) start_bpftrace ;;
    esac
}

TSV=$W/abprog.tsv
: > "$TSV"
sysctl -q kernel.bpf_stats_enabled=1
log "old=$OLD new=$NEW rounds=$ROUNDS n=$N_OPEN"
printf 'round\ttracer\tworkload\tns_per_call\tprog_runs\tload1\ttime\n'
for r in $(seq "$ROUNDS"); do
    for k in 0 1 2; do
        c=${CONTENDERS[$(((r + k) % 3))]}
        start "$c"
        # bpftrace has been seen to report ready before its fds show: look again for up to 3 s
        for _ in $(seq 30); do
            ids=$(held_prog_ids "$TRACER_PID")
            [[ -n $ids ]] && break
            sleep 0.1
        done
        [[ -n $ids ]] || die "$c loaded no programs"
        for w in "${WORKLOADS[@]}"; do
            cg=$CG_T
            [[ $w == untraced* ]] && cg=$CG_U
            read -r ns0 cnt0 <<< "$(stats $ids)"
            run_in "$cg" "$FILELOOP" open "$N_OPEN" "$W/one-file" > /dev/null
            read -r ns1 cnt1 <<< "$(stats $ids)"
            printf '%d\t%s\t%s\t%.1f\t%d\t%s\t%s\n' "$r" "$c" "$w" \
                "$(echo "($ns1 - $ns0) / $N_OPEN" | bc -l)" $((cnt1 - cnt0)) "$(load1)" "$(date -u +%T)" | tee -a "$TSV"
        done
        if [[ $c == bpftrace ]]; then stop_tracer INT; else stop_tracer TERM; fi
    done
done

echo
echo "| tracer | traced open (ns, median) | untraced open (ns, median) | traced open, each round |"
echo "|---|---:|---:|---|"
for c in "${CONTENDERS[@]}"; do
    row="| $c"
    for w in "${WORKLOADS[@]}"; do
        row+=" | $(awk -F'\t' -v c="$c" -v w="$w" '$2 == c && $3 == w { print $4 }' "$TSV" | median)"
    done
    runs=$(awk -F'\t' -v c="$c" -v w="${WORKLOADS[0]}" '$2 == c && $3 == w { printf "%s%s", s, $4; s = ", " }' "$TSV")
    echo "$row | $runs |"
done
