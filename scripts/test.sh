#!/usr/bin/env bash
# THE test command: every check and every test of the workspace.
# Installs what is missing first (scripts/setup.sh), so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Each step with the time since the start, so a slow step shows in CI's log.
step() { printf '\n\033[1;32m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

step "setup"
scripts/setup.sh --no-trunk
# trunk (about 5 minutes to build on a fresh machine) is needed only by the
# last steps: it is built meanwhile, in the gaps the other steps leave idle.
mkdir -p target
setsid scripts/setup.sh --trunk > target/setup-trunk.log 2>&1 &
trunk_job=$!  # its own process group (setsid), so it can be stopped with its cargo
board_pid="$PWD/board/target/board-test.pid"
stop_board() { [ -f "$board_pid" ] && kill "$(cat "$board_pid")" 2>/dev/null; rm -f "$board_pid"; }
# On any exit: the board stopped, the background trunk build too.
trap 'stop_board; [ -n "$trunk_job" ] && kill -- "-$trunk_job" 2>/dev/null || true' EXIT

step "format"
cargo fmt --all --check

step "clippy (workspace, all targets, all features; the dashboard for wasm32 too)"
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo clippy -p wisp-web -p wisp-web-twin --target wasm32-unknown-unknown -- -D warnings

step "docs: every crate's rustdoc builds without a warning (broken or redundant links)"
RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --workspace --all-features

step "the dashboard's committed build (console/dashboard, web-twin/dist) matches its sources"
scripts/build-web.sh
if ! git diff --quiet -- console/dashboard web-twin/dist; then
  git --no-pager diff --stat -- console/dashboard web-twin/dist
  echo "the dashboard's build is stale: run scripts/build-web.sh and commit the result" >&2
  exit 1
fi

step "packaging: wisp-ws publishes, and wisp-console packages against it"
cargo publish --dry-run -q -p wisp-ws --allow-dirty
cargo package -q -p wisp-ws -p wisp-console --allow-dirty

step "no_std builds: wisp for Cortex-M4F, Cortex-M0 and wasm32; the console library and the simulated device for both Cortex-Ms"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi wasm32-unknown-unknown; do
  cargo build -q -p wisp-ws --lib --target "$target" --no-default-features
  cargo build -q -p wisp-ws --lib --target "$target" --all-features
done
for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
  cargo build -q -p wisp-console --lib --target "$target" --no-default-features --features compact-sha1
  cargo build -q -p wisp-console --lib --target "$target" --features compact-sha1,dashboard,async,embassy
  cargo build -q -p wisp-sim --lib --target "$target"
done

step "size probe builds (the image size/report.py measures)"
# (Run inside size/: its .cargo/config.toml picks the target and linker script.)
for f in wisp-server wisp-framing; do
  (cd size && cargo build -q --release --features "$f")
done

step "the device on the emulated Cortex-M4 board (QEMU mps2-an386, embassy): boot and UART console"
board/smoke.sh

step "the embassy platform on the emulated board: embassy-net TCP echo tasks (board/examples/net_echo.rs)"
python3 board/examples/net_echo_check.py

step "the minimal console firmware on the emulated board: the dashboard gzip-served, a log line, its own command (board/examples/minimal.rs)"
python3 board/examples/minimal_check.py

step "real boards: the example firmwares build for their chips (examples/boards/: Nucleo-F429ZI, Pico W)"
# One target dir for the embedded workspaces: the boards reuse what the board
# built (host-side proc macros and build scripts, crates built alike).
embedded_target="$PWD/board/target"
for b in board examples/boards/nucleo-f429zi examples/boards/pico-w; do
  (cd "$b" && export CARGO_TARGET_DIR="$embedded_target" && cargo fmt --check &&
    cargo clippy -q --release --all-targets -- -D warnings &&
    { [ "$b" = board ] || cargo build -q --release; })
done

step "the board on the network: printf, burst, dump, echo, bad input, and the dashboard it serves"
BOARD_PIDFILE="$board_pid" BOARD_SERIAL="file:$PWD/board/target/board-test-uart.txt" board/run.sh > /dev/null 2>&1 &
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/8081) 2>/dev/null && break
  sleep 0.2
done
# One device, shared state (pause, bursts): one test at a time.
cargo test -p device-sim --test board -- --ignored --test-threads=1

step "Autobahn|Testsuite (independent conformance) against the board's /echo"
scripts/autobahn.sh 127.0.0.1:8081 board
stop_board

step "tests (host, 64-bit)"
cargo test --workspace --all-features

step "Autobahn|Testsuite (independent conformance) against the twin's /echo, and wisp's client role against the suite's server"
scripts/autobahn.sh
scripts/autobahn.sh client

step "dashboard unit tests in headless Chromium (wasm-bindgen-test)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test -p wisp-web -p wisp-web-twin --target wasm32-unknown-unknown

step "trunk builds the dev page (offline, tools from PATH)"
wait "$trunk_job" || { trunk_job=; cat target/setup-trunk.log; echo "installing trunk failed" >&2; exit 1; }
trunk_job=
trunk build --offline --quiet

step "tests (wisp on a 32-bit target: i686)"
cargo test -q -p wisp-ws --all-features --target i686-unknown-linux-gnu

step "all tests passed"
