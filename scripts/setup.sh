#!/usr/bin/env bash
# Install what building and testing Wisp needs, skipping what is present.
# Idempotent; safe to run on every CI run. Facts: ../shared/notes/toolchain.md
#   scripts/setup.sh             everything
#   scripts/setup.sh --no-trunk  everything but trunk (the test command builds
#                                it in the background: only its last step needs it)
#   scripts/setup.sh --trunk     trunk only
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-all}"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- trunk, for `trunk serve` (the dashboard's dev server) -----------------
install_trunk() {
  if ! trunk --version 2>/dev/null | grep -q "0.21.14"; then
    say "cargo install trunk@0.21.14"
    cargo install -q --locked trunk@0.21.14
  fi
}
if [ "$part" = --trunk ]; then
  install_trunk
  exit 0
fi

# --- Rust targets ---------------------------------------------------------
# thumbv7em-none-eabihf: the QEMU board, the size probe, the Nucleo-F429ZI;
# thumbv6m-none-eabi: the Pico W (examples/boards/).
want_targets=(wasm32-unknown-unknown thumbv7em-none-eabihf thumbv6m-none-eabi i686-unknown-linux-gnu)
have_targets="$(rustup target list --installed)"
for t in "${want_targets[@]}"; do
  grep -qx "$t" <<<"$have_targets" || { say "rustup target add $t"; rustup target add "$t"; }
done

# --- Debian packages ------------------------------------------------------
# command -> package
declare -A pkgs=(
  [chromium]=chromium
  [chromedriver]=chromium-driver
  [tshark]=tshark
  [zopfli]=zopfli
  [node]=nodejs
  [npm]=npm
  [qemu-system-arm]=qemu-system-arm
  [arm-none-eabi-objdump]=binutils-arm-none-eabi
)
missing=()
for cmd in "${!pkgs[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${pkgs[$cmd]}")
done
# 32-bit host builds (the core's tests run on i686 too) need multilib.
[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ] || missing+=(gcc-multilib)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- wasm-bindgen CLI, pinned to the version in Cargo.lock ------------------
wb_version="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock 2>/dev/null || true)"
if [ -n "$wb_version" ]; then
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wb_version"; then
    say "cargo install wasm-bindgen-cli@$wb_version"
    # No --locked: its lock names a webpki-roots release the registry here lacks.
    cargo install -q wasm-bindgen-cli@"$wb_version"
  fi
fi
# --- node tools: wasm-opt (binaryen), terser, axe-core ----------------------------
# Pinned with their hashes in scripts/node/package-lock.json, installed into
# scripts/node/node_modules/ (git-ignored) in seconds; again only when the
# lock file changes. npm's binaryen is a wasm-opt that runs on node (Debian's
# binaryen 108 breaks the externref table wasm-bindgen 0.2.130 emits).
node_dir=scripts/node
lock_sum="$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$node_dir/node_modules/.lock-sum" 2>/dev/null)" != "$lock_sum" ]; then
  say "npm ci in $node_dir (wasm-opt from binaryen, terser, axe-core)"
  (cd "$node_dir" && npm ci --no-audit --no-fund --silent)
  echo "$lock_sum" > "$node_dir/node_modules/.lock-sum"
fi

[ "$part" = --no-trunk ] || install_trunk
say "ready"
