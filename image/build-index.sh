#!/usr/bin/env bash
# Joins single-platform OCI layout tars (as jib:buildTar writes them with format OCI) into one OCI
# layout tar whose index.json names one OCI image index, which lists each image with its platform:
# the layout `skopeo copy --all docker://... oci-archive:...` or `docker buildx` would write for a
# multi-platform image, made here without a registry. Blobs the images share (every layer but the
# base's, when they are built from the same sources) are stored once.
#
# The platform of each image is read from its config (architecture, os, variant). The result is
# deterministic: the same inputs give the same bytes.
#
# usage: image/build-index.sh OUTPUT.tar NAME IMAGE.oci.tar...
#   NAME  the reference the index is tagged with (org.opencontainers.image.ref.name, as Jib tags
#         its tars; io.containerd.image.name for `ctr image import`), e.g. snoop:0.1.0
set -euo pipefail
say() { echo "build-index.sh: $*" >&2; }
(($# >= 3)) || { echo "usage: build-index.sh OUTPUT.tar NAME IMAGE.oci.tar..." >&2; exit 2; }
out=$1 name=$2
shift 2
for tool in jq sha256sum tar; do
    command -v "$tool" >/dev/null || { say "$tool is not installed"; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
descriptors=()
for image in "$@"; do
    one=$work/one
    rm -rf "$one" && mkdir -p "$one"
    tar -xf "$image" -C "$one" || { say "$image: not a tar"; exit 1; }
    [[ -f $one/index.json && -d $one/blobs/sha256 ]] || { say "$image: not an OCI layout tar"; exit 1; }
    (($(jq '.manifests | length' "$one/index.json") == 1)) || { say "$image: holds more than one manifest"; exit 1; }
    manifest=$(jq -c '.manifests[0] | {mediaType, digest, size}' "$one/index.json")
    [[ $(jq -r .mediaType <<< "$manifest") == application/vnd.oci.image.manifest.v1+json ]] ||
        { say "$image: not an OCI image manifest"; exit 1; }
    blob() { echo "$one/blobs/sha256/$(jq -r "$1" <<< "$2" | cut -d: -f2)"; }
    config=$(jq -c .config "$(blob .digest "$manifest")")
    platform=$(jq -c '{architecture, os} + (if .variant then {variant} else {} end)' "$(blob .digest "$config")")
    say "$image: $(jq -r '.os + "/" + .architecture' <<< "$platform") $(jq -r .digest <<< "$manifest")"
    descriptors+=("$(jq -c --argjson p "$platform" '. + {platform: $p}' <<< "$manifest")")
    cp -n "$one"/blobs/sha256/* "$layout/blobs/sha256/"
done
platforms=$(printf '%s\n' "${descriptors[@]}" | jq -r '.platform | .os + "/" + .architecture' | sort)
[[ -z $(uniq -d <<< "$platforms") ]] || { say "two images for the same platform"; exit 1; }

# the index as a blob, then index.json naming it (no trailing newline: the digest is of these bytes)
printf '%s\n' "${descriptors[@]}" | jq -sjc \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}' > "$work/index"
digest=$(sha256sum "$work/index" | cut -d' ' -f1)
mv "$work/index" "$layout/blobs/sha256/$digest"
containerd_name=$name
[[ $name == */* ]] || containerd_name=docker.io/library/$name
jq -njc --arg digest "sha256:$digest" --argjson size "$(stat -c %s "$layout/blobs/sha256/$digest")" \
    --arg name "$name" --arg cname "$containerd_name" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.index.v1+json",
      digest: $digest, size: $size,
      annotations: {"org.opencontainers.image.ref.name": $name, "io.containerd.image.name": $cname}}]}' \
    > "$layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"

case $out in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$(dirname "$out")"
(cd "$layout" && LC_ALL=C find oci-layout index.json blobs | LC_ALL=C sort) | tar --sort=name \
    --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$out.tmp" --no-recursion -T -
mv "$out.tmp" "$out"
say "$out: index sha256:$digest ($(tr '\n' ' ' <<< "$platforms"| sed 's/ $//'), $(du -h "$out" | cut -f1))"
