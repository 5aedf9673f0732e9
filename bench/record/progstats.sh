#!/usr/bin/env bash
# Nanoseconds per call spent in the tracers' BPF programs (kernel.bpf_stats_enabled: run_time_ns /
# run_cnt, summed over a tracer's programs and divided by the workload's calls), which the machine's
# load moves far less than the wall-clock figures of `run.sh attach`. The cost of the tracepoint or
# trampoline dispatch around the programs is not in it.
#
#   bench/record/progstats.sh            snoop raw, snoop (auto), bpftrace; N_OPEN (1000000) opens
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N_OPEN=${N_OPEN:-1000000}
trap 'sysctl -q kernel.bpf_stats_enabled=0; cleanup' EXIT
setup

# prog_ns: the summed run_time_ns of the programs whose name matches $1
prog_ns() {
    bpftool -j prog show | jq --arg re "$1" '[.[] | select(.name | test($re)) | .run_time_ns // 0] | add // 0'
}

echo "| tracer | workload | ns in BPF programs per call |"
echo "|---|---|---:|"
for c in snoop-raw snoop bpftrace; do
    case $c in
        snoop-raw) SNOOP_ATTACH=raw start_snoop stats-raw 4194304 ""; re='^(tp_btf__sys_|tracepoint__sys|fexit__x64_sys)' ;;
        snoop) SNOOP_ATTACH= start_snoop stats 4194304 ""; re='^(tp_btf__sys_|tracepoint__sys|fexit__x64_sys)' ;;
        bpftrace) start_bpftrace; re='^sys_enter_opena' ;;
    esac
    sysctl -q kernel.bpf_stats_enabled=1
    for w in "traced open" "untraced open" "traced getppid"; do
        cg=$CG_T
        [[ $w == untraced* ]] && cg=$CG_U
        before=$(prog_ns "$re")
        if [[ $w == *getppid ]]; then
            run_in "$cg" "$FILELOOP" getppid "$N_OPEN" > /dev/null
        else
            run_in "$cg" "$FILELOOP" open "$N_OPEN" "$W/one-file" > /dev/null
        fi
        after=$(prog_ns "$re")
        # an open+close is two syscalls; only the open is traced
        printf '| %s | %s | %.1f |\n' "$c" "$w" "$(echo "($after - $before) / $N_OPEN" | bc -l)"
    done
    sysctl -q kernel.bpf_stats_enabled=0
    if [[ $c == snoop* ]]; then stop_tracer TERM; else stop_tracer INT; fi
done
