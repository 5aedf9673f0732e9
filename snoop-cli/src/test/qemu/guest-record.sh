#!/bin/sh
# Runs inside the VM (kernel-vm.sh): records a cgroup with the build's launcher, runs a known
# workload in it, stops snoop with SIGTERM and checks the report. Last line: snoop-vm: PASS or FAIL.
# Usage: guest-record.sh LAUNCHER RESULT_DIR [PROGRAM_SET]
#   PROGRAM_SET modern or legacy: forced with SNOOP_PROGRAMS, and checked in the report
launcher=$1 result=$2 programs=${3:-}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
kernel=$(uname -r)
fail() { echo "snoop-vm: FAIL kernel=$kernel $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
echo "snoop-vm: up kernel=$kernel uptime=$(cut -d' ' -f1 /proc/uptime)s"
cg=/sys/fs/cgroup/snoop-vm
mkdir -p $cg /tmp/x
start=$(now_ms)
SNOOP_PROGRAMS=$programs "$launcher" record --cgroup $cg --report-path /tmp/x/r.json --report-interval 1h --metrics-addr off \
    > /tmp/x/out.log 2> /tmp/x/snoop.log &
snoop=$!
deadline=$(( $(date +%s) + 150 ))
until grep -q 'msg=recording' /tmp/x/snoop.log; do
    kill -0 $snoop 2>/dev/null || { cat /tmp/x/snoop.log; cp /tmp/x/snoop.log "$result/"; fail "snoop exited before recording"; }
    [ "$(date +%s)" -lt $deadline ] || { cat /tmp/x/snoop.log; fail "snoop not recording after 150 s"; }
    sleep 0.2
done
recording=$(now_ms)
echo "snoop-vm: recording after $((recording - start)) ms"
# the workload: reads two known files and execs a binary, inside the traced cgroup
sh -c "echo \$\$ > $cg/cgroup.procs && cat /etc/hostname /etc/os-release > /dev/null && exec /usr/bin/env true"
kill -TERM $snoop
wait $snoop
rc=$?
stopped=$(now_ms)
cp /tmp/x/snoop.log /tmp/x/r.json "$result/" 2>/dev/null
echo "snoop-vm: snoop exited $rc, stop took $((stopped - recording)) ms (workload included)"
cat /tmp/x/snoop.log
[ $rc -eq 0 ] || fail "snoop exited $rc"
[ -f /tmp/x/r.json ] || fail "no report"
for path in /etc/hostname /etc/os-release /usr/bin/env /usr/bin/true; do
    jq -e --arg p "$path" '[.containers[].files[]] | index($p) != null' /tmp/x/r.json > /dev/null \
        || fail "the report lacks $path: $(jq -c '[.containers[].files[]]' /tmp/x/r.json)"
done
dropped=$(jq '.dropped_events' /tmp/x/r.json)
[ "$dropped" = 0 ] || fail "dropped_events=$dropped"
set=$(jq -r '.recording.program_set' /tmp/x/r.json)
[ -z "$programs" ] || [ "$set" = "$programs" ] || fail "program_set=$set, not the forced $programs"
# the exec'd env is dynamic: its ELF interpreter is reported unless the report says it was not seen
# (ld-linux-x86-64.so.2 on x86-64, ld-linux-aarch64.so.1 on arm64)
if ! jq -e '(.recording.not_seen // []) | index("elf interpreter mapping") != null' /tmp/x/r.json > /dev/null; then
    jq -e '[.containers[].files[]] | map(test("/ld-linux[^/]*\\.so\\.[12]$")) | any' /tmp/x/r.json > /dev/null \
        || fail "the report lacks the ELF interpreter: $(jq -c '[.containers[].files[]]' /tmp/x/r.json)"
fi
echo "snoop-vm: PASS kernel=$kernel program_set=$set not_seen=$(jq -c '.recording.not_seen // []' /tmp/x/r.json) startup_ms=$((recording - start)) total_ms=$((stopped - start)) files=$(jq '[.containers[].files[]] | length' /tmp/x/r.json)"
