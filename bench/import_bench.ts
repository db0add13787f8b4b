/**
 * What importing the library costs a script before its first line runs: fresh processes of
 * the runtime running this script whose only statement imports one entry point (`mod.ts`,
 * `src/genl/mod.ts`, `src/route/mod.ts`; the same script without the import as the baseline),
 * run in interleaved rounds (A B C ... A B C ...), so a load change on the machine touches
 * every case alike.
 * Prints `RUNTIME import_<entry>_wall_ms` / `_cpu_ms` lines: the medians, and `_over_empty`
 * the median minus the empty script's. CPU is user + system of the child (all its threads:
 * JIT, GC and the module loader count), from bash's `times`.
 *
 *   deno run -A bench/import_bench.ts [ROUNDS] [ROOT]
 *   bun bench/import_bench.ts [ROUNDS] [ROOT]
 *
 * ROOT (default: this checkout) is the tree whose modules are imported, e.g. a worktree of an
 * older commit for an A/B comparison. Each case runs once untimed first (Deno's emit and V8 code
 * caches warm, as a user's second run finds them).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";

const rounds = Number(process.argv[2] ?? 15);
const root = resolve(process.argv[3] ?? new URL("..", import.meta.url).pathname);
const ENTRIES: Record<string, string | null> = {
  empty: null,
  mod: "mod.ts",
  genl: "src/genl/mod.ts",
  route: "src/route/mod.ts",
};

/** Seconds in bash's `times` notation ("0m0.083s") to ms. */
function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  if (m === null) throw new Error(`Cannot read bash times output: ${JSON.stringify(text)}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1000;
}

/** Runs `cmd` once in bash; returns its wall time and its CPU time (user + system) in ms. */
function run(cmd: string): { wall: number; cpu: number } {
  const t0 = performance.now();
  const out = execFileSync("bash", ["-c", `${cmd} >/dev/null; times`], { encoding: "utf8" });
  const wall = performance.now() - t0;
  // `times` prints the shell's times, then its children's: "0m0.071s 0m0.012s".
  const [user, sys] = out.trim().split("\n")[1].split(/\s+/);
  return { wall, cpu: seconds(user) + seconds(sys) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const dir = mkdtempSync(join(tmpdir(), "nlts-import-"));
try {
  const cases: { runtime: string; name: string; cmd: string }[] = [];
  const runtimes = [typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno"];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const file = join(dir, `${name}.ts`);
    writeFileSync(
      file,
      entry === null
        ? "export {};\n"
        : `import * as m from ${
          JSON.stringify(`file://${join(root, entry)}`)
        };\nif (Object.keys(m).length === 0) throw new Error("nothing exported");\n`,
    );
    for (const runtime of runtimes) {
      cases.push({
        runtime,
        name,
        cmd: runtime === "deno" ? `deno run -A ${file}` : `bun ${file}`,
      });
    }
  }
  for (const c of cases) run(c.cmd);
  const walls = cases.map(() => [] as number[]);
  const cpus = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      const m = run(c.cmd);
      walls[i].push(m.wall);
      cpus[i].push(m.cpu);
    });
  }
  const empty = new Map<string, { wall: number; cpu: number }>();
  cases.forEach((c, i) => {
    const wall = median(walls[i]), cpu = median(cpus[i]);
    if (c.name === "empty") empty.set(c.runtime, { wall, cpu });
    console.log(`${c.runtime} import_${c.name}_wall_ms ${wall.toFixed(2)}`);
    console.log(`${c.runtime} import_${c.name}_cpu_ms ${cpu.toFixed(2)}`);
    const e = empty.get(c.runtime);
    if (c.name !== "empty" && e !== undefined) {
      console.log(`${c.runtime} import_${c.name}_wall_over_empty_ms ${(wall - e.wall).toFixed(2)}`);
      console.log(`${c.runtime} import_${c.name}_cpu_over_empty_ms ${(cpu - e.cpu).toFixed(2)}`);
    }
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
