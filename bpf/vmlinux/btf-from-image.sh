#!/bin/bash
# Cuts the kernel's .BTF section out of a kernel image file, for a vmlinux.h of an architecture this
# machine does not run (make vmlinux-image ARCH=arm64 IMAGE=...). Debian's arm64 vmlinuz is the raw
# Image (an EFI PE file, uncompressed in the signed package), other builds gzip it: both are read.
# The BTF is found by its header: magic 0xeB9F little-endian, version 1, flags 0, hdr_len 24; the
# first match whose type and string sections fit in the file is taken, and hdr_len + str_off +
# str_len bytes (the string section follows the types) are written to OUT.
# Usage: btf-from-image.sh IMAGE OUT
set -euo pipefail
image=$1 out=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if [[ $(head -c2 "$image" | od -An -tx1 | tr -d ' ') == 1f8b ]]; then
    gzip -dc "$image" > "$tmp"
else
    cp "$image" "$tmp"
fi
size=$(stat -c %s "$tmp")
u32() { od -An -tu4 -j "$1" -N4 "$tmp" | tr -d ' '; }
for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$tmp" | cut -d: -f1); do
    type_off=$(u32 $((off + 8))) type_len=$(u32 $((off + 12)))
    str_off=$(u32 $((off + 16))) str_len=$(u32 $((off + 20)))
    total=$((24 + str_off + str_len))
    if ((type_off == 0 && str_off == type_len && type_len > 0 && str_len > 0 && off + total <= size)); then
        dd if="$tmp" of="$out" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$total" status=none
        echo "btf-from-image.sh: $total bytes of BTF at offset $off of $image" >&2
        exit 0
    fi
done
echo "btf-from-image.sh: no BTF in $image (a kernel built without CONFIG_DEBUG_INFO_BTF?)" >&2
exit 1
