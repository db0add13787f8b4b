/**
 * Host-side checks of the VM harness itself, through `deno task vm` exactly as a developer
 * calls it: exit status, separate stdout/stderr streams, working directory, guest kernel,
 * writable shares, throw-away root, timeout (124) and boot failure (125).
 *
 * Run it with `deno task vm:selftest` (about half a minute under TCG); `deno task test:vm`
 * runs it first and counts its checks into its totals. Not a `*_test.ts` file on purpose: the
 * host suite must not boot guests.
 *
 * @module
 */

import { capture, exists, log, REPO_DIR } from "./_internal.ts";
import { EXIT_GUEST_FAILED, EXIT_TIMEOUT } from "./run.ts";
import { ensureSetup } from "./setup.ts";

/** Outcome of the selftest. */
export interface SelftestResult {
  passed: number;
  failed: number;
}

/** Runs `deno task vm ARGS...` with extra env and captures everything. */
function vmTask(args: string[], env: Record<string, string> = {}) {
  return capture(Deno.execPath(), ["task", "--quiet", "vm", ...args], { cwd: REPO_DIR, env });
}

/** Runs every check, printing one line each; never throws. */
export async function runSelftest(): Promise<SelftestResult> {
  const result: SelftestResult = { passed: 0, failed: 0 };
  const check = (name: string, ok: boolean, detail = "") => {
    if (ok) result.passed++;
    else result.failed++;
    console.log(`selftest: ${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail}`}`);
  };
  const guard = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      check(name, false, (e as Error).stack ?? String(e));
    }
  };

  const image = await ensureSetup().catch((e) => {
    check("setup", false, (e as Error).message);
    return null;
  });
  if (!image) return result;

  await guard("exit status", async () => {
    const r = await vmTask(["--", "sh", "-c", "exit 7"]);
    check(
      "`deno task vm -- sh -c 'exit 7'` exits with 7",
      r.code === 7,
      `got ${r.code}\n${r.stderr}`,
    );
  });

  await guard("streams", async () => {
    const share = await Deno.makeTempDir({ prefix: "nlts-vm-share-" });
    const probe = `/etc/nlts-vm-selftest-${Deno.pid}`;
    try {
      const script = [
        "echo out-marker",
        "echo err-marker >&2",
        'echo "cwd=$(pwd)"',
        'echo "kernel=$(uname -r)"',
        'echo "in-vm=$NLTS_IN_VM"',
        `touch ${probe}`,
        `test -e ${probe} && echo probe-written`,
        `echo from-guest > ${share}/file`,
        "exit 0",
      ].join("; ");
      const r = await vmTask(["--share", share, "--", "sh", "-c", script]);
      const out = r.stdout.split("\n");
      check("a command that succeeds exits with 0", r.code === 0, `got ${r.code}\n${r.stderr}`);
      check(
        "stdout and stderr arrive on their own streams",
        out.includes("out-marker") && !r.stdout.includes("err-marker") &&
          r.stderr.split("\n").includes("err-marker") && !r.stderr.includes("out-marker"),
        `stdout: ${JSON.stringify(r.stdout)} stderr: ${JSON.stringify(r.stderr)}`,
      );
      check(
        "the command runs in the caller's directory",
        out.includes(`cwd=${REPO_DIR}`),
        r.stdout,
      );
      check(
        `the guest runs the cached kernel ${image.kver} with NLTS_IN_VM=1`,
        out.includes(`kernel=${image.kver}`) && out.includes("in-vm=1"),
        r.stdout,
      );
      const shared = await Deno.readTextFile(`${share}/file`).catch(() => "");
      check("a --share directory is writable from the guest", shared === "from-guest\n", shared);
      check(
        "writes outside the shares vanish with the guest",
        out.includes("probe-written") && !exists(probe),
        exists(probe) ? `${probe} exists on the host` : r.stdout,
      );
    } finally {
      await Deno.remove(share, { recursive: true }).catch(() => {});
      await Deno.remove(probe).catch(() => {});
    }
  });

  await guard("timeout", async () => {
    const t0 = performance.now();
    const r = await vmTask(["--", "sleep", "600"], { NLTS_VM_TIMEOUT: "20" });
    const s = (performance.now() - t0) / 1000;
    check(
      `a command past NLTS_VM_TIMEOUT is killed with status ${EXIT_TIMEOUT}`,
      r.code === EXIT_TIMEOUT && s < 60,
      `got ${r.code} after ${s.toFixed(1)} s\n${r.stderr}`,
    );
  });

  await guard("boot failure", async () => {
    const r = await vmTask(["--", "true"], {
      NLTS_VM_APPEND: "rdinit=/nonexistent",
      NLTS_VM_BOOT_RETRIES: "0",
      NLTS_VM_BOOT_TIMEOUT: "60",
    });
    check(
      `a guest that cannot boot gives status ${EXIT_GUEST_FAILED}`,
      r.code === EXIT_GUEST_FAILED && r.stderr.includes("failed to boot"),
      `got ${r.code}\n${r.stderr}`,
    );
  });

  // QEMU runs as a child of the harness; one whose parent is gone was left behind.
  const ps = await capture("ps", ["-eo", "pid=,ppid=,args="]);
  const orphans = ps.stdout.split("\n").filter((l) => {
    const m = l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/);
    return m !== null && m[3].includes("qemu-system-x86_64 -name nlts-vm") &&
      (m[2] === "1" || !exists(`/proc/${m[2]}`));
  });
  check("no QEMU left running", orphans.length === 0, orphans.join("\n"));
  return result;
}

if (import.meta.main) {
  const t0 = performance.now();
  const { passed, failed } = await runSelftest();
  log(`selftest took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`selftest: ${passed} passed, ${failed} failed`);
  Deno.exit(failed > 0 ? 1 : 0);
}
