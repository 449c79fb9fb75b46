#!/usr/bin/env bash
# Install what building and testing Wisp needs, skipping what is present.
# Idempotent; safe to run on every CI run. Facts: ../shared/notes/toolchain.md
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

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
  [wasm-opt]=binaryen
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
# --- wasm-opt with current wasm features ----------------------------------
# Debian's binaryen 108 breaks the externref table wasm-bindgen 0.2.130 emits;
# the `wasm-opt` crate builds binaryen 116 (about 10 minutes, once).
if ! "$HOME/.cargo/bin/wasm-opt" --version 2>/dev/null | grep -q "version 116"; then
  say "cargo install wasm-opt@0.116.1 (builds binaryen 116)"
  cargo install -q wasm-opt@0.116.1
fi

# --- trunk, for `trunk serve` (the dashboard's dev server) -----------------
if ! trunk --version 2>/dev/null | grep -q "0.21.14"; then
  say "cargo install trunk@0.21.14"
  cargo install -q --locked trunk@0.21.14
fi
say "ready"
