#!/usr/bin/env bash
# `deno task bench`: every benchmark under Deno and Bun, plus the C baseline when a C compiler
# is present. Figures are printed as `RUNTIME NAME VALUE` lines.
set -eu
cd "$(dirname "$0")/.."
# The typed generic netlink path beside C, libnl and the plain-FFI floor under Deno and Bun, in
# one run (issue 14): bench/genl_bench.ts drives every client, both runtimes included.
echo "== bench/genl_bench.ts"
deno run -A bench/genl_bench.ts
# Peer libraries (issue #3), when Debian has them installed; the bench installs nothing.
# mdlayher/genetlink (Go), built in GOPATH mode against the Debian-packaged sources
gosrc=/usr/share/gocode
if command -v go >/dev/null 2>&1 && [ -d "$gosrc/src/github.com/mdlayher/genetlink" ]; then
  out=$(mktemp -d)
  GO111MODULE=off GOPATH="$gosrc" go build -o "$out/genetlink_rtt" bench/peers/genetlink_rtt.go &&
    "$out/genetlink_rtt" "${NLTS_BENCH_ITERATIONS:-100000}"
  rm -rf "$out"
else
  echo "go-genetlink: not measured (apt-get install golang-go golang-github-mdlayher-genetlink-dev)"
fi
# pyroute2 (Python); /usr/bin/python3 too, for when another python3 comes first in PATH
py=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import pyroute2' >/dev/null 2>&1; then py=$p && break; fi
done
if [ -n "$py" ]; then
  if [ -n "${NLTS_BENCH_ITERATIONS:-}" ]; then
    "$py" bench/peers/pyroute2_rtt.py "$NLTS_BENCH_ITERATIONS"
  else
    "$py" bench/peers/pyroute2_rtt.py
  fi
else
  echo "pyroute2: not measured (apt-get install python3-pyroute2)"
fi
for f in bench/*_bench.ts; do
  [ "$f" = bench/genl_bench.ts ] && continue
  echo "== $f"
  deno run -A "$f"
  bun "$f"
done
