#!/usr/bin/env bash
# Regenerates README.md from real runs of snoop on the three reports, so its outputs stay true.
set -euo pipefail
cd "$(dirname "$0")"
S=../../snoop-cli/target/snoop
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
cat <<'EOF'
# Example: three versions of a small service

`v1.json`, `v2.json` and `v3.json` are reports of one container, `app`, running three versions of a
tiny Python service on Debian 12's `python3.11`:

| version | what `main.py` does |
|---|---|
| 1.1 | `json` and `http.server` |
| 1.2 | drops `http.server`, adds `sqlite3` and `urllib.request` |
| 1.3 | adds `logging` and `decimal` |

The file lists come from real runs traced with `strace -e trace=%file` (the same syscalls
`snoop record` traces), turned into reports and normalized by `snoop merge`: see
[`make-reports.sh`](make-reports.sh), which regenerates them. They keep failed look-ups too (Python
probing `/usr/bin/lib/python3.11/os.py`, answered with ENOENT); `snoop record` leaves those out,
since a path that does not exist is nothing to keep ([recording.md](../../docs/recording.md)).

Every output below is real, produced by the commands shown from this directory
(`snoop` is `../../snoop-cli/target/snoop`); [`make-readme.sh`](make-readme.sh) regenerates this page.

## What did 1.2 stop and start using?

```console
$ snoop diff v1.json v2.json | head -12
EOF
$S diff v1.json v2.json | head -12 || true
echo '...'
$S diff v1.json v2.json | tail -1 || true
cat <<'EOF'
$ echo $?
1
```

`diff` exits 1 when the reports differ, 0 when they do not and 2 on trouble, as `diff(1)` does, so a
CI job can fail when an image's file usage changes.

The same as JSON, for scripts:

```console
$ snoop diff --format json v2.json v3.json | jq '{removed: (.removed | length), added: (.added | length), unchanged_count}'
EOF
$S diff --format json v2.json v3.json | jq '{removed: (.removed | length), added: (.added | length), unchanged_count}' || true
cat <<'EOF'
```

## Which files does every version need?

`merge` keeps one entry per image, so three versions stay three entries; with `--with-counts` each
file says in how many reports it was seen. Merging the replicas of one version works the same way and
unites their entries.

```console
$ snoop merge --with-counts v1.json v2.json v3.json -o all.json
$ jq -c '.merged_reports, [.containers[] | {image_ref, unique_files}]' all.json
EOF
$S merge --with-counts v1.json v2.json v3.json -o "$tmp/all.json"
jq -c '.merged_reports, [.containers[] | {image_ref, unique_files}]' "$tmp/all.json"
cat <<'EOF'
```

Two replicas of 1.1 unite into one entry whose files were all seen twice:

```console
$ snoop merge --with-counts v1.json v1.json | jq -c '.containers[] | {image_ref, unique_files, seen_in_all: (.seen_in | all(. == 2))}'
EOF
$S merge --with-counts v1.json v1.json | jq -c '.containers[] | {image_ref, unique_files, seen_in_all: (.seen_in | all(. == 2))}'
cat <<'EOF'
```

## Where are the files?

```console
$ snoop stats --depth 2 --top 5 v3.json
EOF
$S stats --depth 2 --top 5 v3.json
cat <<'EOF'
```

## Usage

```
EOF
$S diff --help
cat <<'EOF'
```
EOF
} > README.md
