/**
 * `deno task test:vm`: the harness selftest on the host, against the QEMU backend and against
 * the user-mode-linux one, then the VM test files in a fresh guest under Deno and in another
 * under Bun (on the backend `$NLTS_VM_BACKEND` names, QEMU by default), each writing a JUnit
 * report to a shared writable directory. Ends with one line, `vm: N passed, N failed`, the
 * totals over both selftests and both runtimes; exits 1 when anything failed.
 *
 * `NLTS_VM_SELFTEST`: `0` skips the selftests, `qemu` or `uml` runs only that backend's.
 *
 * Test files: every `*_test.ts` under {@link TEST_ROOTS} (roots that do not exist are skipped),
 * or the paths given as arguments (`deno task test:vm tests/ovs/flow_test.ts`).
 *
 * @module
 */

import { countJunit, type JunitCounts } from "./_junit.ts";
import {
  cacheDir,
  capture,
  exists,
  log,
  REPO_DIR,
  type VmBackend,
  vmBackend,
  which,
} from "./_internal.ts";
import { runInVm, type VmRunResult } from "./run.ts";
import { runSelftest } from "./selftest.ts";

/** Directories searched for `*_test.ts` files to run in the guest; add new ones here. */
export const TEST_ROOTS: readonly string[] = ["tests/vm", "tests/ovs"];

/** Lists `*_test.ts` files under the roots, relative to the repo, sorted. */
export function findTestFiles(roots: readonly string[] = TEST_ROOTS): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(`${REPO_DIR}/${rel}`)) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.isFile && e.name.endsWith("_test.ts")) files.push(path);
    }
  };
  for (const root of roots) {
    if (exists(`${REPO_DIR}/${root}`)) walk(root);
  }
  return files.sort();
}

interface RuntimeRun {
  runtime: string;
  counts: JunitCounts;
  seconds: number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Adds a failure that no report explains (runner crashed, guest failed, no report...). */
function addFailure(counts: JunitCounts, name: string, message: string): void {
  counts.failed++;
  counts.failures.push({ name, classname: "", status: "failed", message });
}

async function runRuntime(
  runtime: string,
  command: string[],
  report: string,
  results: string,
): Promise<RuntimeRun> {
  console.log(`\n== vm: ${runtime}: ${command.join(" ")}`);
  const t0 = performance.now();
  let run: VmRunResult | null = null;
  const counts: JunitCounts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  try {
    run = await runInVm(command, { shares: [results] });
  } catch (e) {
    addFailure(counts, "harness", (e as Error).message);
  }
  let xml: string | null = null;
  try {
    xml = await Deno.readTextFile(report);
  } catch {
    // no report
  }
  if (xml !== null) {
    const c = countJunit(xml);
    Object.assign(counts, { ...c, failures: [...counts.failures, ...c.failures] });
  }
  if (run) {
    if (run.code !== 0 && counts.failed === 0) {
      const why = run.reason === "exit"
        ? `exit status ${run.code} with ${xml === null ? "no JUnit report" : "no failed test"}`
        : `${run.reason} (status ${run.code})`;
      addFailure(counts, "run", why);
    } else if (run.code === 0 && xml === null) {
      addFailure(counts, "report", `no JUnit report at ${report}`);
    }
  }
  return { runtime, counts, seconds: (performance.now() - t0) / 1000 };
}

/** A fresh directory for this run's reports under .cache/vm/results; keeps the last five. */
async function resultsDir(): Promise<string> {
  const base = `${cacheDir()}/results`;
  await Deno.mkdir(base, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = `${base}/${stamp}-${Deno.pid}`;
  await Deno.mkdir(dir);
  const old = [...Deno.readDirSync(base)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  for (const name of old.slice(0, Math.max(0, old.length - 5))) {
    await Deno.remove(`${base}/${name}`, { recursive: true }).catch(() => {});
  }
  return dir;
}

async function main(args: string[]): Promise<number> {
  const t0 = performance.now();
  const totals = { passed: 0, failed: 0 };
  const failures: string[] = [];
  try {
    const only = Deno.env.get("NLTS_VM_SELFTEST") ?? "";
    const backends: VmBackend[] = only === "0"
      ? []
      : only === "qemu" || only === "uml"
      ? [only]
      : ["qemu", "uml"];
    for (const backend of backends) {
      console.log(
        `${backend === backends[0] ? "" : "\n"}== vm: harness selftest, ${backend} backend ` +
          `(deno task vm:selftest --backend ${backend})`,
      );
      const st = await runSelftest({ backend });
      totals.passed += st.passed;
      totals.failed += st.failed;
      if (st.failed > 0) failures.push(`selftest (${backend}): ${st.failed} check(s) failed`);
    }

    const files = args.length > 0 ? args : findTestFiles();
    if (files.length === 0) {
      console.log(`vm: no *_test.ts files under ${TEST_ROOTS.join(", ")}`);
    } else {
      console.log(`\n== vm: ${files.length} test file(s): ${files.join(" ")}`);
      console.log(`vm: the guests run on the ${vmBackend()} backend (NLTS_VM_BACKEND)`);
      // Type-check on the host (fast) so the guest can run with --no-check: Deno does not reuse
      // its check cache for these files, and type-checking under TCG takes ~45 s.
      const check = await capture(Deno.execPath(), ["check", ...files], { cwd: REPO_DIR });
      if (check.code === 0) {
        totals.passed++;
        console.log("vm: deno check of the test files: ok");
      } else {
        totals.failed++;
        failures.push("deno check of the VM test files failed");
        console.log(`vm: deno check of the test files FAILED\n${check.stderr}`);
      }

      const results = await resultsDir();
      console.log(`vm: JUnit reports go to ${results}`);
      const runs: RuntimeRun[] = [];
      runs.push(
        await runRuntime(
          "deno",
          [
            Deno.execPath(),
            "test",
            "-A",
            "--no-check",
            `--junit-path=${results}/deno.xml`,
            ...files,
          ],
          `${results}/deno.xml`,
          results,
        ),
      );
      const bunPath = which("bun");
      const bun = bunPath ? await Deno.realPath(bunPath) : null;
      if (bun) {
        runs.push(
          await runRuntime(
            "bun",
            [
              bun,
              "test",
              "--timeout",
              "120000",
              "--reporter=junit",
              `--reporter-outfile=${results}/bun.xml`,
              ...files.map((f) => (f.startsWith("/") ? f : `./${f}`)),
            ],
            `${results}/bun.xml`,
            results,
          ),
        );
      } else {
        const counts: JunitCounts = { passed: 0, failed: 0, skipped: 0, failures: [] };
        addFailure(counts, "missing", "bun is not installed on the host (npm install -g bun)");
        runs.push({ runtime: "bun", counts, seconds: 0 });
      }
      console.log("");
      for (const r of runs) {
        const c = r.counts;
        console.log(
          `vm: ${r.runtime} in the guest: ${c.passed} ok, ${c.failed} failing, ${c.skipped} ` +
            `skipped (${r.seconds.toFixed(1)} s)`,
        );
        totals.passed += c.passed;
        totals.failed += c.failed;
        for (const f of c.failures) {
          failures.push(`${r.runtime}: ${f.name}${f.message ? `: ${f.message}` : ""}`);
        }
      }
    }
  } catch (e) {
    totals.failed++;
    failures.push(`harness: ${(e as Error).stack ?? e}`);
  }
  for (const f of failures) console.log(`vm: FAILED ${f}`);
  log(`test:vm took ${seconds(performance.now() - t0)}`);
  console.log(`vm: ${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
