// Every @example of the library runs, under the runtime running this test (deno test and bun
// test: so under both), against this checkout's sources. An example must complete without an
// error, unless it needs what this host lacks (the openvswitch module, another family this
// kernel lacks, the network namespace "blue" the examples name): those are counted by reason,
// and a reason not listed here is a failure. Examples with `declare` (fragments that name a
// value they do not create) are only type-checked (scripts/test.sh runs `deno check --doc` over
// every source file), and so are the other runtime's FFI backend's. The examples run in driver
// processes (tests/docs/_run_examples.ts), one after the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DocExample, docExamples, root, runnableSource } from "./_examples.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** What this host may lack, recognised in an example's error. */
const MISSING: [RegExp, string][] = [
  [/generic netlink family "ovs_\w+"|modprobe openvswitch/, "the openvswitch module"],
  [/The kernel has no generic netlink family "[\w.-]+"/, "a family this kernel does not have"],
  [/network namespace \/run\/netns\/blue does not exist/, 'network namespace "blue"'],
];

interface Result {
  ok: boolean;
  error: string;
  timedOut: boolean;
}

function runDriver(
  listFile: string,
): Promise<{ stdout: string; stderr: string; status: number | null }> {
  const driver = join(root, "tests/docs/_run_examples.ts");
  const argv = isBun
    ? [driver, listFile, "20000"]
    : ["run", "-A", "--no-check", "--quiet", driver, listFile, "20000"];
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", NLTS_DEBUG: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => stdout += d);
    child.stderr!.on("data", (d) => stderr += d);
    child.on("close", (status) => done({ stdout, stderr, status }));
  });
}

/** Runs every file; a new driver takes over after one that timed out or died. */
async function runAll(files: string[], dir: string): Promise<Map<number, Result>> {
  const results = new Map<number, Result>();
  let pending = files.map((file, id) => ({ id, file }));
  for (let round = 0; pending.length > 0; round++) {
    const listFile = join(dir, `list_${round}.json`);
    writeFileSync(listFile, JSON.stringify(pending));
    const { stdout, stderr, status } = await runDriver(listFile);
    for (const line of stdout.split("\n")) {
      if (!line.startsWith("@@example ")) continue;
      const r = JSON.parse(line.slice(10)) as {
        id: number;
        ok: boolean;
        error?: string;
        timedOut?: boolean;
      };
      results.set(r.id, { ok: r.ok, error: r.error ?? "", timedOut: r.timedOut ?? false });
    }
    const left = pending.filter((p) => !results.has(p.id));
    if (left.length === pending.length) {
      // The driver died before reporting the first example: that one brought it down.
      results.set(left[0].id, {
        ok: false,
        error: `the process ended (status ${status}): ${stderr.trim().slice(-400)}`,
        timedOut: false,
      });
      pending = left.slice(1);
    } else pending = left;
  }
  return results;
}

test(
  "docs: every @example runs (or names what this host lacks)",
  { timeout: 600_000 },
  async () => {
    const all = docExamples();
    assert.ok(all.length > 500, `only ${all.length} examples found`);
    // The Bun backend's examples run under Bun only, the Deno backend's under Deno only.
    const otherBackend = isBun ? "src/ffi/deno.ts" : "src/ffi/bun.ts";
    const runnable = all.filter((e) =>
      !/\bdeclare\s+(const|let|function|class)\b/.test(e.code) && e.file !== otherBackend
    );
    const dir = mkdtempSync(join(tmpdir(), "nlts-examples-"));
    let outcomes: (Result & { example: DocExample })[];
    try {
      const files = runnable.map((e, i) => {
        const file = join(dir, `example_${i}.ts`);
        writeFileSync(file, runnableSource(e));
        return file;
      });
      const results = await runAll(files, dir);
      outcomes = runnable.map((example, i) => ({ example, ...results.get(i)! }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const lacking = new Map<string, number>();
    const failures: string[] = [];
    for (const o of outcomes) {
      if (o.ok) continue;
      const reason = o.timedOut ? undefined : MISSING.find(([re]) => re.test(o.error))?.[1];
      if (reason !== undefined) {
        lacking.set(reason, (lacking.get(reason) ?? 0) + 1);
        continue;
      }
      failures.push(`${o.example.file}:${o.example.line}: ${o.timedOut ? "timed out" : o.error}`);
    }
    const ran = outcomes.filter((o) => o.ok).length;
    console.log(
      `${all.length} examples: ${ran} ran, ${
        all.length - runnable.length
      } type-only or for the other runtime's backend; lacking: ${
        [...lacking].map(([r, n]) => `${n} need ${r}`).join(", ") || "nothing"
      }`,
    );
    assert.deepEqual(failures, []);
    assert.ok(ran > runnable.length / 2, `only ${ran} of ${runnable.length} examples ran`);
  },
);
