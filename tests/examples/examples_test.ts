// Every example runs as-is under the runtime running the tests (deno run / bun), so none rots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** Runs examples/NAME with the current runtime; returns stdout. */
export function runExample(name: string, args: string[] = []): string {
  const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
  const argv = isBun ? [file, ...args] : ["run", "-A", file, ...args];
  return execFileSync(process.execPath, argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
}

test("examples/raw_nlctrl.ts lists nlctrl with id 0x0010", () => {
  const lines = runExample("raw_nlctrl.ts").trim().split("\n");
  assert.ok(lines.includes("0x0010 nlctrl v2"), lines.join("\n"));
  assert.ok(lines.length >= 3);
  for (const l of lines) assert.match(l, /^0x[0-9a-f]{4} \S+ v\d+$/);
});

test("examples/usersock_echo.ts echoes three words uppercased", () => {
  assert.equal(
    runExample("usersock_echo.ts"),
    "hello -> HELLO\nnetlink -> NETLINK\nworld -> WORLD\n",
  );
});

test("examples/list_families.ts lists nlctrl with its notify group", () => {
  const lines = runExample("list_families.ts").trim().split("\n");
  assert.ok(lines.some((l) => /^\s*16 nlctrl\s+v2 ops=2 groups=notify$/.test(l)), lines.join("\n"));
});

test("examples/family_policy.ts prints nlctrl getfamily's policy", () => {
  const out = runExample("family_policy.ts", ["nlctrl", "3"]);
  assert.match(out, /^cmd 3: do=\d+ dump=\d+$/m);
  assert.match(out, /^ {2}attr 1: u16 min=0 max=65535$/m);
  assert.match(out, /^ {2}attr 2: nulString max-len=15$/m);
});
