#!/usr/bin/env bash
# Measures `snoop record`: syscall overhead against opensnoop and bpftrace, event throughput and
# drops, recorder memory, idle CPU. Prints markdown tables on stdout, progress on stderr.
#
#   bench/record/run.sh [overhead] [attach] [throughput] [memory] [idle]     (default: all but attach)
#
# Environment: ROUNDS (3), N_PPID (5000000, attach), MEM_RATE (25000 stat/s in the memory section), N_OPEN (1000000), N_FLOOD (1000000), FLOOD_ROUNDS (2),
# RINGS ("262144 1048576 4194304 16777216"), PRODUCERS ("1 2"), IDLE_SECS (60),
# LEAN_OPTS (the recommended JVM flags), EXTRA_FLOODS, MEM_CFGS, IDLE_CFGS (see below), SNOOP_BENCH_DIR (/tmp/snoop-recbench), METRICS_PORT.
# Needs root, the packages in bench/record/apt-packages and a built snoop-cli/target/snoop.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
N_OPEN=${N_OPEN:-1000000}
N_PPID=${N_PPID:-5000000}
N_FLOOD=${N_FLOOD:-1000000}
FLOOD_ROUNDS=${FLOOD_ROUNDS:-2}
RINGS=${RINGS:-"262144 1048576 4194304 16777216"}
PRODUCERS=${PRODUCERS:-"1 2"}
IDLE_SECS=${IDLE_SECS:-60}
MEM_RATE=${MEM_RATE:-25000}
LEAN_OPTS=${LEAN_OPTS:-"-Xms8m -Xmx128m -Xmn4m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -Xss256k -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m"}
LEAN_RING=${LEAN_RING:-1048576}
# flag sets by name: default is the launcher's (serial GC, C1 only); c2 allows C2
opts_of() {
    case $1 in
        default | default-*) echo "" ;;
        c2) echo "-XX:TieredStopAtLevel=4" ;;
        lean*-c2) echo "$LEAN_OPTS -XX:TieredStopAtLevel=4 -XX:CICompilerCount=2" ;;
        lean*) echo "$LEAN_OPTS" ;;
    esac
}
# throughput: "RING PRODUCERS FLAGS" after the RINGS x PRODUCERS sweep with default flags
EXTRA_FLOODS=${EXTRA_FLOODS:-"$LEAN_RING 1 lean;$LEAN_RING 2 lean"}
# memory: "NAME|RING"
MEM_CFGS=${MEM_CFGS:-"default|4194304;lean-4m|4194304;lean|$LEAN_RING;lean-c2|$LEAN_RING"}

trap cleanup EXIT
setup

header() {
    echo
    echo "## $1"
    echo
    echo "$(date -u +%FT%TZ), $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg) at the start"
    echo
}

# --- 1. per-call overhead -------------------------------------------------------------------
overhead() {
    header "Syscall overhead: open+close of one file, $N_OPEN times, ns per call"
    local tsv=$W/overhead.tsv contenders=(none snoop opensnoop bpftrace) r k c t u
    : > "$tsv"
    for r in $(seq "$ROUNDS"); do
        for k in 0 1 2 3; do
            c=${contenders[(k + r) % 4]} # a different order each round
            case $c in
                none) TRACER_PID= ;;
                snoop) start_snoop overhead 4194304 "" ;;
                opensnoop) start_opensnoop ;;
                bpftrace) start_bpftrace ;;
            esac
            t=$(run_in "$CG_T" "$FILELOOP" open "$N_OPEN" "$W/one-file")
            u=$(run_in "$CG_U" "$FILELOOP" open "$N_OPEN" "$W/one-file")
            local l; l=$(load1)
            if [[ $c == snoop ]]; then
                stop_tracer TERM
                jq -e --arg f "$W/one-file" '[.containers[].files[] | select(. == $f)] | length == 1' "$REPORT" > /dev/null \
                    || die "snoop's report does not list $W/one-file"
            elif [[ -n $TRACER_PID ]]; then
                stop_tracer INT
            fi
            echo "$r $c $t $u $l" >> "$tsv"
            log "round $r $c: traced $t ns, untraced $u ns, load $l"
        done
    done
    local base_t base_u
    base_t=$(awk '$2 == "none" { print $3 }' "$tsv" | median)
    base_u=$(awk '$2 == "none" { print $4 }' "$tsv" | median)
    echo "| tracer | in the traced cgroup: runs | median | added | in another cgroup: runs | median | added | load (1 min) |"
    echo "|---|---|---:|---:|---|---:|---:|---|"
    for c in "${contenders[@]}"; do
        local runs_t runs_u mt mu loads
        runs_t=$(awk -v c="$c" '$2 == c { printf "%s%s", s, $3; s = ", " }' "$tsv")
        runs_u=$(awk -v c="$c" '$2 == c { printf "%s%s", s, $4; s = ", " }' "$tsv")
        loads=$(awk -v c="$c" '$2 == c { printf "%s%s", s, $5; s = ", " }' "$tsv")
        mt=$(awk -v c="$c" '$2 == c { print $3 }' "$tsv" | median)
        mu=$(awk -v c="$c" '$2 == c { print $4 }' "$tsv" | median)
        printf '| %s | %s | %s | %+.0f | %s | %s | %+.0f | %s |\n' "$c" "$runs_t" "$mt" "$(echo "$mt - $base_t" | bc)" \
            "$runs_u" "$mu" "$(echo "$mu - $base_u" | bc)" "$loads"
    done
    echo
    echo "opensnoop: libbpf-tools $(dpkg-query -W -f '${Version}' libbpf-tools 2>/dev/null) has no --cgroup option, so it traces"
    echo "every open on the machine (output to a file, line-buffered); bpftrace: \`tracepoint:syscalls:sys_enter_openat"
    echo "/cgroup == cgroupid(\"$CG_T\")/ { @[str(args->filename)] = count(); }\`."
}

# --- 1b. per-syscall attachment ----------------------------------------------------------------
# attach: open+close and getppid, each from the traced and from an untraced cgroup, with no tracer,
# snoop forced onto the raw tp_btf programs (SNOOP_ATTACH=raw), snoop as it attaches by itself, and
# the bpftrace one-liner; one alternating run, medians of ROUNDS.
attach() {
    header "Per-syscall attachment: ns per call, open+close of one file ($N_OPEN times) and getppid ($N_PPID times)"
    local tsv=$W/attach.tsv contenders=(none snoop-raw snoop bpftrace) r k c l
    : > "$tsv"
    for r in $(seq "$ROUNDS"); do
        for k in 0 1 2 3; do
            c=${contenders[(k + r) % 4]}
            case $c in
                none) TRACER_PID= ;;
                snoop-raw) SNOOP_ATTACH=raw start_snoop attach-raw 4194304 "" ;;
                snoop) SNOOP_ATTACH= start_snoop attach 4194304 "" ;;
                bpftrace) start_bpftrace ;;
            esac
            local ot ou pt pu
            ot=$(run_in "$CG_T" "$FILELOOP" open "$N_OPEN" "$W/one-file")
            ou=$(run_in "$CG_U" "$FILELOOP" open "$N_OPEN" "$W/one-file")
            pt=$(run_in "$CG_T" "$FILELOOP" getppid "$N_PPID")
            pu=$(run_in "$CG_U" "$FILELOOP" getppid "$N_PPID")
            l=$(load1)
            if [[ $c == snoop* ]]; then
                stop_tracer TERM
                jq -e --arg f "$W/one-file" '[.containers[].files[] | select(. == $f)] | length == 1' "$REPORT" > /dev/null \
                    || die "snoop's report does not list $W/one-file"
                c="$c($(jq -r '.recording.attachment' "$REPORT"))"
            elif [[ -n $TRACER_PID ]]; then
                stop_tracer INT
            fi
            echo "$r $c $ot $ou $pt $pu $l" >> "$tsv"
            log "round $r $c: open traced $ot, untraced $ou; getppid traced $pt, untraced $pu ns; load $l"
        done
    done
    local names col base
    names=$(awk '{ print $2 }' "$tsv" | awk '!seen[$0]++')
    echo "| tracer | open+close, traced cgroup | added | open+close, other cgroup | added | getppid, traced cgroup | added | getppid, other cgroup | added |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for c in $names; do
        local row="| $c"
        for col in 3 4 5 6; do
            local m
            m=$(awk -v c="$c" -v f="$col" '$2 == c { print $f }' "$tsv" | median)
            base=$(awk -v f="$col" '$2 == "none" { print $f }' "$tsv" | median)
            row="$row | $m | $(printf '%+.0f' "$(echo "$m - $base" | bc)")"
        done
        echo "$row |"
    done
    echo
    echo "Medians of $ROUNDS rounds; runs per round in \`$tsv\` (round, tracer, the four figures, 1-minute load)."
    echo "bpftrace: \`tracepoint:syscalls:sys_enter_openat /cgroup == cgroupid(\"$CG_T\")/ { @[str(args->filename)] = count(); }\`."
}

# --- 2. throughput --------------------------------------------------------------------------
# flood_once NAME RING PRODUCERS JAVA_OPTS: prints "events_in_report seconds events_per_s dropped producer_rate"
flood_once() {
    local name=$1 ring=$2 p=$3 opts=$4 n=$N_FLOOD i
    start_snoop "$name" "$ring" "$opts" --report-interval 1h
    local t0 t1 last=-1 now val stable=0 c0 c1
    c0=$(cpu_ticks "$TRACER_PID")
    t0=$(date +%s%N)
    local pids=()
    rm -f "$W"/producer-*.out
    for ((i = 0; i < p; i++)); do
        run_in "$CG_T" "$FILELOOP" stat "$TREE" $((i * n / p)) $((n / p)) > "$W/producer-$i.out" &
        pids+=($!)
    done
    wait "${pids[@]}"
    local prod_rate
    prod_rate=$(cat "$W"/producer-*.out | awk '{ s += $3 } END { printf "%.0f", s }')
    # the time the last file reached the recording: the gauge stops moving
    t1=$(date +%s%N)
    while ((stable < 20)); do
        val=$(metric '^snoop_unique_files' || echo 0)
        now=$(date +%s%N)
        if [[ $val != "$last" ]]; then
            last=$val
            t1=$now
            stable=0
        else
            stable=$((stable + 1))
        fi
        sleep 0.05
    done
    c1=$(cpu_ticks "$TRACER_PID")
    local dropped_metric; dropped_metric=$(metric '^snoop_events_dropped_total')
    stop_tracer TERM
    local in_report dropped_report
    in_report=$(jq --arg t "$TREE/" '[.containers[].files[] | select(startswith($t))] | length' "$REPORT")
    dropped_report=$(jq '.dropped_events' "$REPORT")
    [[ $dropped_report == "$dropped_metric" ]] || log "dropped: report $dropped_report, metric $dropped_metric"
    # every lost event is counted: files missing from the report <= drops
    local missing=$((n - in_report))
    ((missing <= dropped_report)) || log "WARNING: $missing files missing but only $dropped_report drops counted"
    local secs; secs=$(echo "scale=3; ($t1 - $t0) / 1000000000" | bc)
    # the recorder's own CPU per event recorded: what the rate would be with a whole core
    local per_cpu_s; per_cpu_s=$(echo "$in_report * $(getconf CLK_TCK) / ($c1 - $c0 + 1)" | bc)
    echo "$in_report $secs $(echo "$in_report / $secs" | bc) $dropped_report $prod_rate $per_cpu_s"
}

throughput() {
    make_tree "$N_FLOOD"
    header "Throughput: $N_FLOOD distinct existing files stat()ed once each"
    local tsv=$W/throughput.tsv r ring p cfgs=() cfg k
    : > "$tsv"
    for ring in $RINGS; do
        for p in $PRODUCERS; do
            cfgs+=("$ring $p default")
        done
    done
    IFS=';' read -r -a extra <<< "$EXTRA_FLOODS"
    cfgs+=("${extra[@]}")
    for r in $(seq "$FLOOD_ROUNDS"); do
        for k in "${!cfgs[@]}"; do
            cfg=${cfgs[(k + r) % ${#cfgs[@]}]}
            read -r ring p flags <<< "$cfg"
            local opts; opts=$(opts_of "$flags")
            local res l; res=$(flood_once flood "$ring" "$p" "$opts"); l=$(load1)
            echo "$ring $p $flags $res $l" | awk '{ t = $9; $9 = $10; $10 = t; print }' >> "$tsv" # load before cpu
            log "flood ring $ring producers $p $flags: $res load $l"
        done
    done
    echo "| ring buffer | producers | JVM flags | runs: events/s into the recording (dropped) | median events/s | producers' stat/s (median) | files in report (min) | drops (max) | events per recorder CPU-second (median) | load |"
    echo "|---:|---:|---|---|---:|---:|---:|---:|---:|---|"
    for cfg in "${cfgs[@]}"; do
        read -r ring p flags <<< "$cfg"
        awk -v r="$ring" -v p="$p" -v f="$flags" '$1 == r && $2 == p && $3 == f' "$tsv" > "$W/sel.tsv"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$((ring / 1024)) KiB" "$p" "$flags" \
            "$(awk '{ printf "%s%s (%s)", s, $6, $7; s = ", " }' "$W/sel.tsv")" \
            "$(awk '{ print $6 }' "$W/sel.tsv" | median)" "$(awk '{ print $8 }' "$W/sel.tsv" | median)" \
            "$(awk '{ print $4 }' "$W/sel.tsv" | sort -n | head -1)" "$(awk '{ print $7 }' "$W/sel.tsv" | sort -n | tail -1)" \
            "$(awk '{ print $10 }' "$W/sel.tsv" | median)" "$(awk '{ printf "%s%s", s, $9; s = ", " }' "$W/sel.tsv")"
    done
    echo
    echo "events/s: files of the tree in the final report / (time the unique-files gauge stopped moving - start of"
    echo "the producers); the producers' rate is what they achieved under tracing. lean = \`$LEAN_OPTS\`;"
    echo "c2 = \`-XX:TieredStopAtLevel=4\` (C2 allowed), lean-c2 = lean plus \`-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2\`."
}

# --- 3. memory ------------------------------------------------------------------------------
# mem_once NAME RING JAVA_OPTS: RSS and HWM (MB) at 0, 100K and 1M unique files, report every 2 s
mem_once() {
    local name=$1 ring=$2 opts=$3 out=() stage first count pid
    start_snoop "$name" "$ring" "$opts" --report-interval 2s
    pid=$TRACER_PID
    sleep 3
    out+=("$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)")
    first=0
    for count in 100000 $N_FLOOD; do
        # paced below the drain rate, so that every file is recorded (the flood above measures drops)
        run_in "$CG_T" "$FILELOOP" paced "$TREE" "$MEM_RATE" $(((count - first) / MEM_RATE)) distinct "$first"
        first=$count
        # until the recording holds them all and two reports have been written since
        local i v
        for i in $(seq 600); do
            v=$(metric '^snoop_unique_files' || echo 0)
            ((v >= count)) && break
            sleep 0.1
        done
        sleep 5
        out+=("$(status_kb "$pid" VmRSS)" "$(status_kb "$pid" VmHWM)")
        if [[ $count == 100000 && -n ${NMT:-} ]]; then
            jcmd "$pid" VM.native_memory summary > "$W/nmt-$name-100k.txt" 2>&1 || true
        fi
    done
    [[ -n ${NMT:-} ]] && jcmd "$pid" VM.native_memory summary > "$W/nmt-$name-1m.txt" 2>&1 || true
    stop_tracer TERM
    local files; files=$(jq '[.containers[].unique_files] | add' "$REPORT")
    echo "${out[*]} $files"
}

memory() {
    make_tree "$N_FLOOD"
    header "Memory: recorder RSS with 100K and $N_FLOOD unique files ($MEM_RATE new files/s, report written every 2 s)"
    local tsv=$W/memory.tsv
    : > "$tsv"
    local cfgs
    IFS=';' read -r -a cfgs <<< "$MEM_CFGS"
    local cfg name ring opts res r
    for r in $(seq "${MEM_ROUNDS:-2}"); do
        for cfg in "${cfgs[@]}"; do
            IFS='|' read -r name ring <<< "$cfg"
            res=$(mem_once "$name" "$ring" "$(opts_of "$name")")
            echo "$name $res $(load1)" >> "$tsv"
            log "memory $name: $res"
        done
    done
    echo "| JVM flags | ring | RSS idle | RSS at 100K (HWM) | RSS at 1M (HWM) | files in report | runs |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for cfg in "${cfgs[@]}"; do
        IFS='|' read -r name ring <<< "$cfg"
        awk -v n="$name" -v ring="$((ring / 1024))" '$1 == n { k++; for (i = 2; i <= 7; i++) { v[i] = (v[i] > $i ? v[i] : $i) } f = $8 }
            END { printf "| %s | %s KiB | %.1f MB | %.1f MB (%.1f) | %.1f MB (%.1f) | %s | %d |\n", n, ring, v[2] / 1024,
                  v[4] / 1024, v[5] / 1024, v[6] / 1024, v[7] / 1024, f, k }' "$tsv"
    done
    echo
    echo "MB = 1024 KiB of /proc/PID/status VmRSS (VmHWM the peak), the worst of the runs. lean = \`$LEAN_OPTS\`;"
    echo "-c2 adds \`-XX:TieredStopAtLevel=4 -XX:CICompilerCount=2\`."
}

# --- 4. idle CPU ----------------------------------------------------------------------------
idle() {
    make_tree "$N_FLOOD"
    header "Idle cost: recorder CPU over $IDLE_SECS s"
    local tsv=$W/idle.tsv cfg name ring opts mode t0 t1 hz
    hz=$(getconf CLK_TCK)
    : > "$tsv"
    for cfg in ${IDLE_CFGS:-"default|4194304" "lean|$LEAN_RING"}; do
        IFS='|' read -r name ring <<< "$cfg"
        local opts; opts=$(opts_of "$name")
        for mode in none same distinct; do
            start_snoop "idle-$name" "$ring" "$opts"
            sleep 5 # start-up and JIT settle
            t0=$(cpu_ticks "$TRACER_PID")
            if [[ $mode == none ]]; then
                sleep "$IDLE_SECS"
            else
                run_in "$CG_T" "$FILELOOP" paced "$TREE" 100 "$IDLE_SECS" "$mode"
            fi
            t1=$(cpu_ticks "$TRACER_PID")
            local ev; ev=$(metric '^snoop_events_emitted_total')
            stop_tracer TERM
            local pct; pct=$(echo "scale=3; ($t1 - $t0) * 100 / $hz / $IDLE_SECS" | bc)
            echo "$name $mode $((t1 - t0)) $pct $ev $(load1)" >> "$tsv"
            log "idle $name $mode: $((t1 - t0)) ticks, $pct % of a core, $ev events emitted"
        done
    done
    echo "| JVM flags | workload | CPU ticks ($hz/s) | % of one core | events emitted | load |"
    echo "|---|---|---:|---:|---:|---:|"
    awk '{ w = $2 == "none" ? "nothing (0 events/s)" : $2 == "same" ? "100 stat/s, the same 100 files" : "100 stat/s, 100 new files each second"
           printf "| %s | %s | %s | %s %% | %s | %s |\n", $1, w, $3, $4, $5, $6 }' "$tsv"
}

sections=("$@")
((${#sections[@]})) || sections=(overhead throughput memory idle)
echo "# snoop record benchmarks"
echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs, $(free -g | awk '/Mem:/ { print $2 }') GiB;" \
    "$(java -version 2>&1 | head -1); commit $(git -C "$repo" rev-parse --short HEAD)"
for s in "${sections[@]}"; do
    "$s"
done
