// A finished or cancelled waitReadable must not keep the process alive: in Deno the pending
// nonblocking FFI call ends when the eventfd is written; in Bun idle waiter Workers are
// unref()ed. Each case runs in a child process of the same runtime, which must exit by itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./_exit_child.ts", import.meta.url));
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

function runChild(mode: string, timeout = 15_000) {
  const args = isBun ? [child, mode] : ["run", "-A", child, mode];
  return spawnSync(process.execPath, args, {
    encoding: "utf8",
    timeout,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

for (
  const [mode, expected] of [
    ["readable", "readable"],
    ["cancel-then-close", "cancelled"],
    ["unawaited", "cancelled"],
    ["timeout", "timeout"],
  ]
) {
  test(`the process exits by itself after a "${mode}" wait`, () => {
    const r = runChild(mode);
    assert.equal(r.signal, null, `child "${mode}" was killed (hung?): ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), expected);
  });
}

test("a wait that is never cancelled keeps the process alive", () => {
  const r = runChild("pending", 1500);
  assert.equal(r.signal, "SIGTERM");
  assert.equal(r.stdout.trim(), "waiting");
});
