#!/usr/bin/env bash
# `deno task bench`: every benchmark under Deno and Bun, plus the C baseline when a C compiler
# is present. Figures are printed as `RUNTIME NAME VALUE` lines.
set -eu
cd "$(dirname "$0")/.."
if command -v cc >/dev/null 2>&1; then
  out=$(mktemp -d)
  cc -O2 -o "$out/genl_rtt" bench/c/genl_rtt.c && "$out/genl_rtt" "${NLTS_BENCH_ITERATIONS:-100000}"
  # ethtool features-get dump over 1,001 devices of a private namespace (root), cf. genl_bench.ts
  cc -O2 -o "$out/ethtool_features_dump" bench/c/ethtool_features_dump.c &&
    "$out/ethtool_features_dump"
  # libnl, when its headers are installed (apt-get install libnl-genl-3-dev)
  if pkg-config --exists libnl-genl-3.0 2>/dev/null; then
    # shellcheck disable=SC2046
    cc -O2 -o "$out/libnl_rtt" bench/c/libnl_rtt.c $(pkg-config --cflags --libs libnl-genl-3.0) &&
      "$out/libnl_rtt" "${NLTS_BENCH_ITERATIONS:-100000}"
  else
    echo "libnl: not measured (apt-get install libnl-genl-3-dev)"
  fi
  rm -rf "$out"
fi
for f in bench/*_bench.ts; do
  echo "== $f"
  deno run -A "$f"
  bun "$f"
done
