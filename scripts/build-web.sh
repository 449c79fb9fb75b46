#!/usr/bin/env bash
# Build the dashboard's release into console/dashboard/ — its page, script
# and WebAssembly gzip-compressed (zopfli: about 6 % smaller than gzip -9),
# the bytes wisp-console embeds with its `dashboard` feature and serves as
# they are — and the in-browser twin's module into web-twin/dist/, which
# device-sim serves beside them. Deterministic: the test command rebuilds
# and compares, so the committed build cannot silently go stale.
#   needs: the wasm32 target, wasm-bindgen (= the version in Cargo.lock),
#   wasm-opt from npm's binaryen, terser from npm and zopfli (scripts/setup.sh
#   installs them all)
set -euo pipefail
cd "$(dirname "$0")/.."
# Where the builds go.
dash="${WEB_DIST:-console/dashboard}"
twin="${TWIN_DIST:-web-twin/dist}"
# binaryen 132 from npm, pinned in scripts/node/package-lock.json: Debian's
# 108 breaks wasm-bindgen's externref table.
wasm_opt=scripts/node/node_modules/.bin/wasm-opt
terser=scripts/node/node_modules/.bin/terser
# The dashboard's files before compression.
raw=target/web-dist/dashboard
cargo build -q -p wisp-web -p wisp-web-twin --lib --target wasm32-unknown-unknown --profile web --target-dir target/web-dist
mkdir -p "$raw" "$dash" "$twin"
# Features: what rustc 1.95 enables.
for module in wisp_web wisp_web_twin; do
  out=$raw
  [ "$module" = wisp_web_twin ] && out=$twin
  wasm-bindgen --target web --no-typescript --out-dir "$out" \
    "target/web-dist/wasm32-unknown-unknown/web/$module.wasm"
  "$wasm_opt" -Oz --enable-reference-types --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals --enable-multivalue --strip-debug --strip-producers \
    -o "$out/${module}_bg.wasm" "$out/${module}_bg.wasm"
done
# The page: index.html with trunk's <link data-trunk …> replaced by the module loader.
sed 's|<link data-trunk rel="rust"[^>]*>|<script type="module">import init from "./wisp_web.js"; init();</script>|' \
  index.html > "$raw/index.html"
# wasm-bindgen's glue minified (its import names are properties, kept).
"$terser" "$raw/wisp_web.js" --module --compress --mangle -o "$raw/wisp_web.min.js"
mv "$raw/wisp_web.min.js" "$raw/wisp_web.js"
rm -f "$dash"/*
for name in index.html wisp_web.js wisp_web_bg.wasm; do
  zopfli -c "$raw/$name" > "$dash/$name.gz"
  echo "$dash/$name.gz: $(stat -c %s "$raw/$name") bytes raw, $(stat -c %s "$dash/$name.gz") bytes gzip (zopfli)"
done
file="$twin/wisp_web_twin_bg.wasm"
echo "$file: $(stat -c %s "$file") bytes raw, $(gzip -9 -n -c "$file" | wc -c) bytes gzip -9"
