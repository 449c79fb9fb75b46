#!/usr/bin/env bash
# Boot the board image in QEMU for a few seconds and check its UART console:
# the firmware's boot banner, then console lines numbered without gaps.
set -euo pipefail
cd "$(dirname "$0")"
cargo build -q --release
elf=target/thumbv7em-none-eabihf/release/wisp-board
out=$(mktemp)
timeout 5 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
  -serial "file:$out" -kernel "$elf" || true
grep -q '^#0 Wisp device .* on mps2-an386' "$out" || { echo "board: no boot banner"; cat "$out"; exit 1; }
seqs=$(grep -o '^#[0-9]*' "$out" | tr -d '#')
n=$(echo "$seqs" | wc -l)
[ "$n" -ge 6 ] || { echo "board: only $n console lines in 5 s"; cat "$out"; exit 1; }
prev=-1
for s in $seqs; do
  [ "$s" -eq $((prev + 1)) ] || { echo "board: gap after #$prev"; exit 1; }
  prev=$s
done
echo "board: booted, $n console lines in order on UART0"
rm -f "$out"
