/**
 * Host-side checks of the VM harness itself, through `deno task vm` exactly as a developer
 * calls it: exit status, separate stdout/stderr streams (pipes in the guest, nothing lost),
 * working directory, environment, guest kernel with openvswitch loaded, writable shares,
 * throw-away root, timeout (124) and interruption (130) without a guest process left behind,
 * and boot failure (125).
 *
 * Run it with `deno task vm:selftest` (about half a minute under TCG); `deno task test:vm`
 * runs it first and counts its checks into its totals. It checks the backend that
 * `$NLTS_VM_BACKEND` or `--backend qemu|uml` names (QEMU by default):
 * `deno task vm:selftest --backend uml` checks the user-mode-linux backend (about 25 s).
 * Not a `*_test.ts` file on purpose: the host suite must not boot guests.
 *
 * @module
 */

import { capture, exists, log, REPO_DIR, type VmBackend, vmBackend } from "./_internal.ts";
import { EXIT_GUEST_FAILED, EXIT_INTERRUPTED, EXIT_TIMEOUT } from "./run.ts";
import { ensureSetup } from "./setup.ts";
import { ensureUmlSetup, isHarnessUml } from "./uml.ts";

/** Outcome of the selftest. */
export interface SelftestResult {
  passed: number;
  failed: number;
}

/** Options of {@link runSelftest}. */
export interface SelftestOptions {
  /** The backend to check; defaults to `$NLTS_VM_BACKEND` (QEMU when unset). */
  backend?: VmBackend;
}

/** The host's processes (read from /proc: no procps needed), zombies left out. */
async function processes(): Promise<{ pid: string; ppid: string; args: string }[]> {
  const found: { pid: string; ppid: string; args: string }[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const args = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).split("\0")
        .filter((a) => a !== "").join(" ");
      // stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      if (args !== "") found.push({ pid: e.name, ppid, args });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Processes whose command line mentions `dir` (the guest's run directory lives there, and QEMU's
 * and UML's arguments name it), waiting up to 3 s for them to go away.
 */
async function leftovers(dir: string): Promise<string[]> {
  let found: string[] = [];
  for (let i = 0; i < 30; i++) {
    found = (await processes()).filter((p) => p.args.includes(dir)).map((p) =>
      `${p.pid} ${p.args.slice(0, 160)}`
    );
    if (found.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

/** Runs every check of one backend, printing one line each; never throws. */
export async function runSelftest(options: SelftestOptions = {}): Promise<SelftestResult> {
  const result: SelftestResult = { passed: 0, failed: 0 };
  let backend: VmBackend = "qemu";
  const check = (name: string, ok: boolean, detail = "") => {
    if (ok) result.passed++;
    else result.failed++;
    const tag = backend === "qemu" ? "" : `[${backend}] `;
    console.log(
      `selftest: ${ok ? "ok  " : "FAIL"} ${tag}${name}${ok || !detail ? "" : `: ${detail}`}`,
    );
  };
  try {
    backend = vmBackend(options.backend);
  } catch (e) {
    check("backend", false, (e as Error).message);
    return result;
  }
  /** Runs `deno task vm ARGS...` on our backend with extra env and captures everything. */
  const vmTask = (args: string[], env: Record<string, string> = {}) =>
    capture(Deno.execPath(), ["task", "--quiet", "vm", ...args], {
      cwd: REPO_DIR,
      env: { NLTS_VM_BACKEND: backend, ...env },
    });
  const guard = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      check(name, false, (e as Error).stack ?? String(e));
    }
  };

  const image = await (backend === "uml" ? ensureUmlSetup() : ensureSetup()).catch((e) => {
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
    const lines = 20000;
    try {
      const script = [
        "echo out-marker",
        "echo err-marker >&2",
        'echo "cwd=$(pwd)"',
        'echo "kernel=$(uname -r)"',
        'echo "in-vm=$NLTS_IN_VM backend=$NLTS_VM_BACKEND"',
        'echo "env=${NLTS_SELFTEST_PROBE:-unset}/${FROM_OPTION:-unset}/${SELFTEST_PRIVATE:-unset}"',
        "[ -p /proc/self/fd/1 ] && [ -p /proc/self/fd/2 ] && echo pipes",
        "[ -d /sys/module/openvswitch ] && echo ovs-module",
        "genl ctrl list | grep -q '^Name: ovs_datapath' && echo ovs-genl",
        `touch ${probe}`,
        `test -e ${probe} && echo probe-written`,
        `echo from-guest > ${share}/file`,
        `seq 1 ${lines}`,
        "exit 0",
      ].join("; ");
      const r = await vmTask(
        ["--share", share, "--env", "FROM_OPTION=opt", "--", "sh", "-c", script],
        { NLTS_SELFTEST_PROBE: "passed", SELFTEST_PRIVATE: "leaked" },
      );
      const out = r.stdout.split("\n");
      check("a command that succeeds exits with 0", r.code === 0, `got ${r.code}\n${r.stderr}`);
      check(
        "stdout and stderr arrive on their own streams",
        out.includes("out-marker") && !r.stdout.includes("err-marker") &&
          r.stderr.split("\n").includes("err-marker") && !r.stderr.includes("out-marker"),
        `stdout: ${JSON.stringify(r.stdout.slice(0, 2000))} stderr: ${JSON.stringify(r.stderr)}`,
      );
      const numbers = out.filter((l) => /^\d+$/.test(l));
      check(
        `${lines} lines of stdout arrive complete and in order`,
        numbers.length === lines && numbers.every((l, i) => l === String(i + 1)),
        `got ${numbers.length} lines, first gap after ${
          numbers.findIndex((l, i) => l !== String(i + 1))
        }`,
      );
      check("the command's stdout and stderr are pipes", out.includes("pipes"), r.stdout);
      check(
        "the command runs in the caller's directory",
        out.includes(`cwd=${REPO_DIR}`),
        r.stdout.slice(0, 2000),
      );
      check(
        `the guest runs the cached kernel ${image.kver} with NLTS_IN_VM=1`,
        out.includes(`kernel=${image.kver}`) && out.includes(`in-vm=1 backend=${backend}`),
        r.stdout.slice(0, 2000),
      );
      check(
        "the environment holds passed-through and --env variables, nothing else",
        out.includes("env=passed/opt/unset"),
        r.stdout.slice(0, 2000),
      );
      check(
        "openvswitch is loaded (module and generic netlink family)",
        out.includes("ovs-module") && out.includes("ovs-genl"),
        `${r.stdout.slice(0, 2000)}\n${r.stderr}`,
      );
      const shared = await Deno.readTextFile(`${share}/file`).catch(() => "");
      check("a --share directory is writable from the guest", shared === "from-guest\n", shared);
      check(
        "writes outside the shares vanish with the guest",
        out.includes("probe-written") && !exists(probe),
        exists(probe) ? `${probe} exists on the host` : r.stdout.slice(0, 2000),
      );
    } finally {
      await Deno.remove(share, { recursive: true }).catch(() => {});
      await Deno.remove(probe).catch(() => {});
    }
  });

  // The timed-out and the interrupted guest get a TMPDIR of their own: their run directory,
  // which QEMU's and UML's command lines name, tells their processes apart from any other.
  await guard("timeout", async () => {
    const tmp = await Deno.makeTempDir({ prefix: "nlts-vm-selftest-" });
    try {
      const timeout = backend === "uml" ? 10 : 20;
      const t0 = performance.now();
      const r = await vmTask(["--", "sleep", "600"], {
        NLTS_VM_TIMEOUT: String(timeout),
        TMPDIR: tmp,
      });
      const s = (performance.now() - t0) / 1000;
      check(
        `a command past NLTS_VM_TIMEOUT is killed with status ${EXIT_TIMEOUT}`,
        r.code === EXIT_TIMEOUT && s < timeout + 40,
        `got ${r.code} after ${s.toFixed(1)} s\n${r.stderr}`,
      );
      const left = await leftovers(tmp);
      const dirs = [...Deno.readDirSync(tmp)].map((e) => e.name);
      check(
        "a timed-out guest leaves no process and no run directory behind",
        left.length === 0 && dirs.length === 0,
        `processes: ${left.join("; ")}; files: ${dirs.join(" ")}`,
      );
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  });

  await guard("interrupt", async () => {
    const tmp = await Deno.makeTempDir({ prefix: "nlts-vm-selftest-" });
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${REPO_DIR}/tests/vm/run.ts`, "--", "sleep", "600"],
        cwd: REPO_DIR,
        env: { NLTS_VM_BACKEND: backend, TMPDIR: tmp },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const output = child.output();
      // Interrupt once the guest runs (its ready marker shows up in the control log), or after
      // 30 s; a run directory appears first.
      for (let i = 0; i < 300; i++) {
        const dir = [...Deno.readDirSync(tmp)].find((e) => e.name.startsWith("nlts-vm-"));
        const ctl = dir
          ? await Deno.readTextFile(`${tmp}/${dir.name}/ctl.log`).catch(() => "")
          : "";
        if (ctl.includes("nlts-vm: ready")) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGINT");
      const r = await output;
      const left = await leftovers(tmp);
      check(
        `an interrupted run exits with ${EXIT_INTERRUPTED} and leaves no process behind`,
        r.code === EXIT_INTERRUPTED && left.length === 0,
        `got ${r.code}; processes: ${left.join("; ")}\n${new TextDecoder().decode(r.stderr)}`,
      );
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  });

  await guard("boot failure", async () => {
    const r = await vmTask(["--", "true"], {
      // QEMU boots an initramfs (rdinit=); UML runs init= from the host's file system.
      NLTS_VM_APPEND: backend === "uml" ? "init=/nonexistent" : "rdinit=/nonexistent",
      NLTS_VM_BOOT_RETRIES: "0",
      NLTS_VM_BOOT_TIMEOUT: "60",
    });
    check(
      `a guest that cannot boot gives status ${EXIT_GUEST_FAILED}`,
      r.code === EXIT_GUEST_FAILED && r.stderr.includes("failed to boot"),
      `got ${r.code}\n${r.stderr}`,
    );
  });

  // QEMU (or UML's wrapper) runs as a child of the harness; a guest process whose parent is
  // gone was left behind.
  const procs = await processes();
  const orphans = procs.filter((p) =>
    (backend === "uml"
      ? isHarnessUml(p.args)
      : p.args.includes("qemu-system-x86_64 -name nlts-vm")) &&
    (p.ppid === "1" || !exists(`/proc/${p.ppid}`))
  ).map((p) => `${p.pid} ${p.args.slice(0, 160)}`);
  check(
    `no ${backend === "uml" ? "linux.uml" : "QEMU"} left running`,
    orphans.length === 0,
    orphans.join("\n"),
  );
  return result;
}

if (import.meta.main) {
  const t0 = performance.now();
  let backend: VmBackend | undefined;
  const i = Deno.args.indexOf("--backend");
  if (i >= 0) {
    try {
      backend = vmBackend(Deno.args[i + 1] ?? "");
    } catch (e) {
      log((e as Error).message);
      Deno.exit(2);
    }
  }
  const { passed, failed } = await runSelftest({ backend });
  log(`selftest took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`selftest: ${passed} passed, ${failed} failed`);
  Deno.exit(failed > 0 ? 1 : 0);
}
