#!/usr/bin/env bash
# Autobahn|Testsuite (the independent WebSocket conformance suite) against an
# /echo endpoint: its fuzzingclient runs every case but the permessage-deflate
# ones (12.*, 13.*: an extension Wisp does not offer), and this script fails
# unless every case is OK (or INFORMATIONAL, the suite's own word for a case
# with nothing to judge).
#
#   scripts/autobahn.sh                 start a twin on a free port and test it
#   scripts/autobahn.sh HOST:PORT NAME  test ws://HOST:PORT/echo (e.g. the board)
#   scripts/autobahn.sh client          the other way round: the suite's
#                                       fuzzingserver, and wisp's client role
#                                       (core/examples/autobahn_client.rs)
#                                       echoing what it sends
#
# The suite is Python 2 only: it runs on the first Python 2.7 found (pyenv's
# or the system's) and is installed from PyPI into target/autobahn/ the first
# time. Reports: target/autobahn/<NAME, or client>/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/target/autobahn"
mkdir -p "$root"

py2=""
for c in "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/2.7*/bin/python2.7 /usr/bin/python2.7 /usr/local/bin/python2.7; do
  if [ -x "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (2, 7)' 2>/dev/null; then
    py2="$c"
    break
  fi
done
if [ -z "$py2" ]; then
  echo "autobahn: SKIPPED, no Python 2.7 on this machine (the suite needs it)" >&2
  exit 0
fi
if [ ! -f "$root/py/.installed" ]; then
  "$py2" -m pip install -q --disable-pip-version-check --target "$root/py" autobahntestsuite==25.10.1
  touch "$root/py/.installed"
fi

wstest() { # MODE SPEC: becomes the suite, in "$out", its log in "$out/wstest.log";
  # call it in a subshell. --target installs skip the namespace-package .pth
  # files (zope): add the directory as a site dir so they are read.
  cd "$out" && exec "$py2" -c "
import site, sys
site.addsitedir('$root/py')
from autobahntestsuite.wstest import run
sys.argv = ['wstest', '-m', '$1', '-s', '$2']
run()
" > wstest.log 2>&1
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return; sleep 0.1; done; }
exclude='"exclude-cases": ["12.*", "13.*"], "exclude-agent-cases": {}'

if [ "${1:-}" = client ]; then
  name=wisp
  out="$root/client"
  rm -rf "$out" && mkdir -p "$out"
  cargo build -q --release -p wisp-ws --example autobahn_client --features embedded-io
  addr="127.0.0.1:$(free_port)"
  echo "{\"url\": \"ws://$addr\", \"outdir\": \"$out\", \"cases\": [\"*\"], $exclude}" > "$out/fuzzingserver.json"
  (wstest fuzzingserver fuzzingserver.json) &
  server=$!
  trap 'kill $server 2>/dev/null' EXIT
  wait_port "$addr"
  target/release/examples/autobahn_client "$addr"
else
  if [ $# -ge 1 ]; then
    addr="$1"
    name="${2:-endpoint}"
  else
    cargo build -q --release -p device-sim
    addr="127.0.0.1:$(free_port)"
    name=twin
    RUST_LOG=warn target/release/device-sim --bind "$addr" --max-connections 8 &
    twin=$!
    trap 'kill $twin 2>/dev/null' EXIT
    wait_port "$addr"
  fi
  out="$root/$name"
  rm -rf "$out" && mkdir -p "$out"
  echo "{\"outdir\": \"$out\", \"servers\": [{\"agent\": \"$name\", \"url\": \"ws://$addr/echo\"}], \"cases\": [\"*\"], $exclude}" > "$out/fuzzingclient.json"
  (wstest fuzzingclient fuzzingclient.json) || { tail -20 "$out/wstest.log"; exit 1; }
fi

python3 - "$out/index.json" "$name" <<'EOF'
import collections, json, sys
cases = json.load(open(sys.argv[1])).get(sys.argv[2], {})
fine = {"OK", "INFORMATIONAL"}
counts = collections.Counter(v["behavior"] for v in cases.values())
bad = sorted(
    (k for k, v in cases.items() if v["behavior"] not in fine or v["behaviorClose"] not in fine),
    key=lambda k: [int(p) for p in k.split(".")],
)
print(f"autobahn ({sys.argv[2]}): {len(cases)} cases, " + ", ".join(f"{n} {b}" for b, n in sorted(counts.items())))
for k in bad:
    print(f"  {k}: {cases[k]['behavior']} / close {cases[k]['behaviorClose']}")
# The suite has 301 cases besides 12.* and 13.*; fewer means some never ran.
sys.exit(1 if bad or len(cases) < 301 else 0)
EOF
