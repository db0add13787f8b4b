#!/usr/bin/env bash
# The whole test suite: static checks, the host tests under Deno AND Bun, the OVS tests in the
# VM (tests/vm, when NLTS_SKIP_VM is not set), and a final `N passed, N failed` line with the
# totals over every runner. Exit status 0 only when everything passed.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0
skipped=0

step() { # name, command...: a static check counts as one test
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    echo "FAILED: $name"
    failed=$((failed + 1))
  fi
}

add_counts() { # junit files...
  read -r p f s < <(deno run -A scripts/junit_count.ts "$@")
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
}

{ [ -d node_modules/typescript ] && [ -d node_modules/js-yaml ] && [ -d node_modules/@types/js-yaml ] && [ -d node_modules/cli-progress ] && [ -d node_modules/@types/cli-progress ]; } || npm install --no-audit --no-fund >/dev/null

# Independent peers the host tests compare with: iproute2's ip/genl and ethtool(8).
if ! command -v ethtool >/dev/null 2>&1 || ! command -v genl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ethtool and iproute2 (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q ethtool iproute2 >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q ethtool iproute2 >/dev/null 2>&1; } ||
      echo "warning: could not install ethtool/iproute2; the tests that compare with them fail"
  fi
fi

# The kernel's YNL specs (linux-doc-6.12), its Python CLI (linux-source-6.12, python3-yaml) for
# the tests that compare with it; the CLI is extracted into .cache/ynl once.
if [ ! -d /usr/share/doc/linux-doc-6.12/Documentation/netlink/specs ] ||
  [ ! -f /usr/src/linux-source-6.12.tar.xz ] || ! python3 -c 'import yaml' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing linux-doc-6.12, linux-source-6.12 and python3-yaml (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q linux-doc-6.12 linux-source-6.12 python3-yaml >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 &&
        apt-get install -y -q linux-doc-6.12 linux-source-6.12 python3-yaml >/dev/null 2>&1; } ||
      echo "warning: could not install the YNL specs; the tests that need them fail"
  fi
fi
ynl_cli=.cache/ynl/linux-source-6.12/tools/net/ynl/cli.py
if [ ! -f "$ynl_cli" ] && [ -f /usr/src/linux-source-6.12.tar.xz ]; then
  echo "== extracting the kernel's YNL CLI into .cache/ynl"
  mkdir -p .cache/ynl
  tmp=$(mktemp -d .cache/ynl/.x.XXXXXX)
  tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$tmp" --wildcards \
    'linux-source-6.12/tools/net/ynl/*' 'linux-source-6.12/Documentation/netlink/*' &&
    { [ -f "$ynl_cli" ] || mv "$tmp/linux-source-6.12" .cache/ynl/; }
  rm -rf "$tmp"
fi

mapfile -t host_tests < <(find tests -name '*_test.ts' -not -path 'tests/vm/*' -not -path 'tests/ovs/*' | sort)

step "deno check" deno check mod.ts src examples tests scripts bench
mapfile -t sources < <(find src -name '*.ts' -not -name '*_test.ts' | sort)
# Every @example in the JSDoc, type-checked against the sources (deno.json maps the package's
# names to them); tests/docs runs the ones this host can run, under Deno and Bun.
step "deno check --doc (every @example)" deno check --doc mod.ts "${sources[@]}"
step "deno lint" deno lint
step "deno fmt --check" deno fmt --check
step "tsc (Bun types: library, examples, host tests)" npx tsc -p tsconfig.bun.json
step "deno doc --lint" deno doc --lint $(deno eval 'const c=JSON.parse(Deno.readTextFileSync("deno.json"));console.log(Object.values(c.exports).join(" "))')
step "deno publish --dry-run" deno publish --dry-run --allow-dirty

echo "== deno test (${#host_tests[@]} files)"
deno test -A --junit-path="$out/deno.xml" "${host_tests[@]}"
echo "== bun test (${#host_tests[@]} files)"
bun test --timeout 60000 --reporter=junit --reporter-outfile="$out/bun.xml" $(printf './%s ' "${host_tests[@]}")
add_counts "$out/deno.xml" "$out/bun.xml"

if [ -z "${NLTS_SKIP_VM:-}" ] && [ -f tests/vm/run.ts ]; then
  echo "== VM tests (deno task test:vm)"
  deno task test:vm | tee "$out/vm.log"
  line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$out/vm.log" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | sed -E 's/^vm: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
  else
    echo "VM tests printed no result line"
    failed=$((failed + 1))
  fi
fi

echo
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
