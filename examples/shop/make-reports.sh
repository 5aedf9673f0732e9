#!/usr/bin/env bash
# Makes the three example reports from real runs of three versions of a tiny Python service.
# The file lists come from strace on this host (Debian 12, /usr/bin/python3.11): the same syscalls
# snoop record traces (open*, exec*, stat*, access*, readlink*), so the reports look like what the
# recorder writes for a container running this app. Needs strace, python3 and jq.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

version_1='import json, http.server
print(json.dumps({"ok": True}))'
version_2='import json, sqlite3, urllib.request
db = sqlite3.connect(":memory:"); db.execute("create table t (x)")
print(json.dumps({"ok": True}))'
version_3='import json, sqlite3, urllib.request, logging, decimal
logging.basicConfig(level=logging.INFO); logging.info("start")
db = sqlite3.connect(":memory:"); db.execute("create table t (x)")
print(json.dumps({"total": str(decimal.Decimal("1.10"))}))'

for v in 1 2 3; do
    code_var="version_$v"
    mkdir -p "$work/app"
    printf '%s\n' "${!code_var}" > "$work/app/main.py"
    (cd "$work/app" && strace -f -qq -e trace=%file -e status=successful,failed \
        -o "$work/trace$v" /usr/bin/python3 -I -S main.py > /dev/null)
    # the first quoted path argument of each traced call, made relative to the app directory
    grep -oE '^[0-9]+ +[a-z0-9_]+\((AT_FDCWD, )?"[^"]*"' "$work/trace$v" \
        | sed -E 's/^[0-9]+ +[a-z0-9_]+\((AT_FDCWD, )?"//; s/"$//' \
        | sed "s|^$work/app|/app|; s|^main.py$|/app/main.py|" \
        | grep -v '^$' | LC_ALL=C sort -u > "$work/files$v"
    events=$(grep -cE '^[0-9]+ +[a-z0-9_]+\(' "$work/trace$v")
    jq -n --rawfile files "$work/files$v" --arg v "$v" --argjson events "$events" '{
        schema_version: 1,
        pod_name: "shop-7d9c5-x2x4q",
        namespace: "shop",
        labels: {app: "shop", version: ("1." + $v)},
        started_at: "2026-11-0\($v)T09:00:00Z",
        last_updated_at: "2026-11-0\($v)T09:30:00Z",
        total_events: $events,
        dropped_events: 0,
        containers: [{
            name: "app",
            image_ref: ("registry.example.com/shop:1." + $v),
            image_digest: ("sha256:" + ("\($v)" * 64)),
            started_at: "2026-11-0\($v)T09:00:00Z",
            last_updated_at: "2026-11-0\($v)T09:30:00Z",
            total_events: $events,
            dropped_events: 0,
            files: ($files | split("\n") | map(select(length > 0)))
        }]
    }' > "$work/raw$v.json"
    # snoop normalizes, excludes nothing here, sorts and writes the canonical form
    "$here/../../snoop-cli/target/snoop" merge "$work/raw$v.json" > "$here/v$v.json"
done
echo "wrote $here/v1.json $here/v2.json $here/v3.json"
