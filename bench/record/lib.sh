# shellcheck shell=bash
# Shared by bench/record/*.sh: paths, cgroups, starting and stopping the tracers.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
W=${SNOOP_BENCH_DIR:-/tmp/snoop-recbench}
SNOOP=${SNOOP:-$repo/snoop-cli/target/snoop}
PORT=${METRICS_PORT:-19391}
FILELOOP=$W/fileloop
mkdir -p "$W"

log() { echo "[$(date +%T)] $*" >&2; }
die() { echo "run.sh: $*" >&2; exit 1; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# the cgroup v2 mount, from mountinfo (the field after "-" is the fs type; field 5 the mount point)
cgroup2_mount() {
    awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' /proc/self/mountinfo
}

setup() {
    [[ $EUID -eq 0 ]] || die "needs root (BPF, cgroups, tmpfs)"
    for tool in gcc jq curl bc bpftrace opensnoop stdbuf; do
        command -v "$tool" > /dev/null || die "$tool not found: apt-get install -y \$(grep -v '^#' bench/record/apt-packages)"
    done
    [[ -x $SNOOP ]] || die "$SNOOP not found: ./mvnw -o -q package -DskipTests"
    # bpftrace's and opensnoop's tracepoints need tracefs (snoop's tp_btf programs do not)
    if [[ -d /sys/kernel/tracing ]] && ! mountpoint -q /sys/kernel/tracing; then
        mount -t tracefs tracefs /sys/kernel/tracing
    fi
    gcc -O2 -Wall -o "$FILELOOP" "$here/fileloop.c"
    CG2=$(cgroup2_mount)
    [[ -n $CG2 ]] || die "no cgroup2 mount in /proc/self/mountinfo"
    CG_ROOT=$CG2/${SNOOP_BENCH_CGROUP:-snoop-recbench} # another name lets two benches share a machine
    CG_T=$CG_ROOT/traced
    CG_U=$CG_ROOT/untraced
    mkdir -p "$CG_T" "$CG_U"
    echo "test" > "$W/one-file"
}

# run_in CGROUP CMD...: runs CMD inside CGROUP
run_in() {
    local cg=$1
    shift
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}

# builds the 1M-file tree on a tmpfs once (about 10 s)
make_tree() {
    local n=$1
    TREE=$W/tree
    mkdir -p "$TREE"
    if ! mountpoint -q "$TREE"; then
        mount -t tmpfs -o size=1g,nr_inodes=4m tmpfs "$TREE"
    fi
    if [[ ! -f $TREE/.done-$n ]]; then
        log "creating $n files in $TREE"
        "$FILELOOP" mktree "$TREE" "$n"
        touch "$TREE/.done-$n"
    fi
}

# start_snoop NAME RING_BYTES JAVA_OPTS [extra args]: starts snoop record on $CG_T, waits until attached
# (RING_BYTES 0: snoop's default ring)
start_snoop() {
    local name=$1 ring=$2 opts=$3
    shift 3
    REPORT=$W/report-$name.json
    rm -f "$REPORT"
    SNOOP_JAVA_OPTS=$opts "$SNOOP" record --cgroup "$CG_T" --report-path "$REPORT" \
        --metrics-addr "127.0.0.1:$PORT" $([[ $ring == 0 ]] || echo --ring-buffer-size "$ring") --log-level warn "$@" \
        > "$W/snoop-$name.out" 2> "$W/snoop-$name.err" &
    TRACER_PID=$!
    local i
    for i in $(seq 200); do
        curl -sf "127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && return 0
        kill -0 "$TRACER_PID" 2> /dev/null || { cat "$W/snoop-$name.err" >&2; die "snoop exited"; }
        sleep 0.1
    done
    die "snoop did not start"
}

stop_tracer() {
    local sig=${1:-TERM}
    kill "-$sig" "$TRACER_PID" 2> /dev/null || true
    wait "$TRACER_PID" 2> /dev/null || true
    TRACER_PID=
}

start_opensnoop() {
    # libbpf-tools opensnoop here has no --cgroup option: it traces every open on the machine
    stdbuf -oL opensnoop > "$W/opensnoop.out" 2> "$W/opensnoop.err" &
    TRACER_PID=$!
    local i
    for i in $(seq 200); do
        [[ -s $W/opensnoop.out ]] && return 0 # the header is printed once the programs are attached
        kill -0 "$TRACER_PID" 2> /dev/null || { cat "$W/opensnoop.err" >&2; die "opensnoop exited"; }
        sleep 0.1
    done
    die "opensnoop did not start"
}

start_bpftrace() {
    # BEGIN fires once every probe is attached
    bpftrace -e 'BEGIN { printf("ready\n"); }
        tracepoint:syscalls:sys_enter_openat /cgroup == cgroupid("'"$CG_T"'")/ { @[str(args->filename)] = count(); }' \
        > "$W/bpftrace.out" 2> "$W/bpftrace.err" &
    TRACER_PID=$!
    local i
    for i in $(seq 300); do
        grep -q ready "$W/bpftrace.out" 2> /dev/null && return 0
        kill -0 "$TRACER_PID" 2> /dev/null || { cat "$W/bpftrace.err" >&2; die "bpftrace exited"; }
        sleep 0.1
    done
    die "bpftrace did not start"
}

# metric NAME_REGEX: the value of the first matching /metrics line
metric() {
    local body
    body=$(curl -sf --max-time 5 "127.0.0.1:$PORT/metrics") || return 1
    awk -v re="$1" '$0 ~ re { printf "%d\n", $NF; exit }' <<< "$body"
}

# cpu_ticks PID: utime+stime in clock ticks (fields 14 and 15 of /proc/PID/stat, after the comm)
cpu_ticks() {
    sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# the JVM behind the launcher (it execs java, so the pid is the same)
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

cleanup() {
    [[ -n ${TRACER_PID:-} ]] && stop_tracer KILL
    rmdir "$CG_T" "$CG_U" "$CG_ROOT" 2> /dev/null || true
}
