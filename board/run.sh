#!/usr/bin/env bash
# Build the board image and boot it in QEMU (mps2-an386, Cortex-M4F, LAN9118),
# with the board's port 80 on http://127.0.0.1:8081/ and its UART console here.
# Stops QEMU by its pidfile on exit, whatever happens. Ctrl-C to stop.
set -euo pipefail
cd "$(dirname "$0")"
port="${BOARD_PORT:-8081}"
cargo build -q --release
elf=target/thumbv7em-none-eabihf/release/wisp-board
pidfile="${BOARD_PIDFILE:-$PWD/target/board.pid}"
stop() { [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile"; }
trap stop EXIT
echo "wisp-board: dashboard at http://127.0.0.1:$port/  (WebSocket: ws://127.0.0.1:$port/printf, /echo, /tap)"
qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none \
  -serial "${BOARD_SERIAL:-stdio}" \
  -nic "user,restrict=on,hostfwd=tcp:127.0.0.1:$port-:80" \
  -pidfile "$pidfile" -kernel "$elf"
