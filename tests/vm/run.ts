/**
 * Runs one command as root inside a fresh QEMU guest that boots Debian's kernel with
 * openvswitch loaded, and exits with the command's exit status. `--backend uml` (or
 * `NLTS_VM_BACKEND=uml`) boots Debian's user-mode-linux kernel instead (tests/vm/uml.ts), which
 * runs natively on hosts without KVM.
 *
 * ```sh
 * deno task vm -- uname -r
 * deno task vm --share /tmp/out -- sh -c 'ovs-dpctl show > /tmp/out/dp.txt'
 * ```
 *
 * The guest sees the host's whole file system read-only through 9p, under an overlay whose
 * writable layer is a tmpfs: writes vanish with the guest, except in the shared directories
 * (`--share DIR`, `$NLTS_VM_SHARE`), which are mounted read-write at the same path. The
 * command runs in the caller's working directory; its stdout and stderr stream to ours through
 * two virtio consoles (in the guest they are pipes). See tests/vm/README.md.
 *
 * @module
 */

import {
  envNumber,
  exists,
  log,
  shellQuote,
  verbose,
  type VmBackend,
  vmBackend,
  which,
} from "./_internal.ts";
import { ensureSetup, type VmImage } from "./setup.ts";
import { assertUmlPath, ensureUmlSetup, umlConfig, type UmlImage, umlLaunch } from "./uml.ts";

export type { VmBackend } from "./_internal.ts";

/** Exit status when the overall timeout (`NLTS_VM_TIMEOUT`) fired. */
export const EXIT_TIMEOUT = 124;
/** Exit status when the guest failed: it did not boot, or died before reporting a status. */
export const EXIT_GUEST_FAILED = 125;
/** Exit status when we were interrupted (SIGINT/SIGTERM). */
export const EXIT_INTERRUPTED = 130;

/** Options of {@link runInVm}. */
export interface VmRunOptions {
  /** Working directory in the guest (a host path); defaults to `Deno.cwd()`. */
  cwd?: string;
  /** Host directories mounted read-write at the same path in the guest. */
  shares?: string[];
  /** Extra environment for the command (on top of the passed-through variables). */
  env?: Record<string, string>;
  /** Overall timeout in seconds, boot included; default `$NLTS_VM_TIMEOUT` or 1800. */
  timeoutSec?: number;
  /** Seconds to wait for the guest to come up before retrying; `$NLTS_VM_BOOT_TIMEOUT` or 60. */
  bootTimeoutSec?: number;
  /** Where the command's stdout goes; defaults to our stdout. */
  stdout?: (chunk: Uint8Array) => Promise<void>;
  /** Where the command's stderr goes; defaults to our stderr. */
  stderr?: (chunk: Uint8Array) => Promise<void>;
  /** `qemu` (Debian's kernel, the default) or `uml`; defaults to `$NLTS_VM_BACKEND`. */
  backend?: VmBackend;
}

/** What {@link runInVm} reports. */
export interface VmRunResult {
  /** The command's exit status, or one of the EXIT_* codes above. */
  code: number;
  /** Why the run ended. */
  reason: "exit" | "timeout" | "boot-failed" | "guest-died" | "interrupted";
  /** Milliseconds from starting QEMU (or UML) until the guest was ready to run the command. */
  bootMs: number | null;
  /** Milliseconds for the whole run, boot attempts included. */
  totalMs: number;
  /** Boot attempts made. */
  attempts: number;
}

/** Environment variables passed from the host to the guest command. */
export const PASSTHROUGH_ENV: RegExp =
  /^(NLTS_.*|DENO_.*|BUN_.*|CI|NO_COLOR|FORCE_COLOR|TERM|LANG|LC_.*|TZ|XDG_CACHE_HOME)$/;

const STANDARD_PATH = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

/** The command's environment in the guest. */
export function guestEnv(image: { kver: string }, extra: Record<string, string> = {}): Record<
  string,
  string
> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (PASSTHROUGH_ENV.test(k)) env[k] = v;
  }
  const path = (Deno.env.get("PATH") ?? "").split(":").filter((p) => p.startsWith("/"));
  for (const p of STANDARD_PATH) if (!path.includes(p)) path.push(p);
  Object.assign(env, {
    PATH: path.join(":"),
    HOME: Deno.env.get("HOME") ?? "/root",
    USER: "root",
    LOGNAME: "root",
    SHELL: "/bin/sh",
  });
  env.LANG ??= "C.UTF-8";
  Object.assign(env, extra);
  env.NLTS_IN_VM = "1";
  env.NLTS_VM_KVER = image.kver;
  return env;
}

/** Decides between KVM and TCG (`$NLTS_VM_ACCEL` = kvm | tcg overrides). */
export function detectAccel(): "kvm" | "tcg" {
  const forced = Deno.env.get("NLTS_VM_ACCEL");
  if (forced === "kvm" || forced === "tcg") return forced;
  // PVM (kvm_pvm) only runs PVM-enabled guests; Debian's kernel is not one.
  if (exists("/sys/module/kvm_pvm")) return "tcg";
  try {
    Deno.openSync("/dev/kvm", { read: true, write: true }).close();
  } catch {
    return "tcg";
  }
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo) ? "kvm" : "tcg";
}

function qemuPath(s: string): string {
  return s.replaceAll(",", ",,");
}

function writeSink(
  file: { write(p: Uint8Array): Promise<number> },
): (chunk: Uint8Array) => Promise<void> {
  return async (chunk) => {
    let off = 0;
    try {
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
    } catch {
      // the reader went away (EPIPE): drop the rest
    }
  };
}

/**
 * Follows a file that QEMU appends to, handing new bytes to `sink` until `finished()` says the
 * writer is gone and everything was read. Regular files rather than FIFOs or sockets: QEMU
 * writes its chardevs non-blocking and a virtconsole drops whatever does not fit, so a pipe
 * that fills while we are slow would lose output.
 */
async function follow(
  path: string,
  sink: (chunk: Uint8Array) => Promise<void>,
  finished: () => boolean,
): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(1 << 16);
  while (true) {
    const last = finished();
    const n = await file.read(buf);
    if (n !== null) {
      await sink(buf.slice(0, n));
      continue;
    }
    if (last) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Writes the per-run files the guest reads from its control share. */
async function writeControl(
  ctl: string,
  image: { kver: string; moduleDir: string },
  command: string[],
  cwd: string,
  env: Record<string, string>,
  shares: string[],
  extraConfig: string[],
): Promise<void> {
  const config = [
    "# generated by tests/vm/run.ts",
    `VM_KVER=${shellQuote(image.kver)}`,
    `VM_MODDIR=${shellQuote(image.moduleDir)}`,
    `VM_MODULES=${shellQuote(Deno.env.get("NLTS_VM_MODULES") ?? "openvswitch nlmon veth")}`,
    `VM_SHARES=${shares.length}`,
    ...shares.map((s, i) => `VM_SHARE_${i}=${shellQuote(s)}`),
    ...extraConfig,
    "",
  ];
  await Deno.writeTextFile(`${ctl}/config`, config.join("\n"));
  const assignments = Object.entries(env).map(([k, v]) => shellQuote(`${k}=${v}`));
  const cmd = [
    "# generated by tests/vm/run.ts: run with the host's /bin/sh",
    "umask 022",
    `cd ${shellQuote(cwd)} || { echo "vm: cannot cd to ${cwd}" >&2; exit ${EXIT_GUEST_FAILED}; }`,
    `exec /usr/bin/env -i ${assignments.join(" ")} ${command.map(shellQuote).join(" ")}`,
    "",
  ];
  await Deno.writeTextFile(`${ctl}/cmd`, cmd.join("\n"));
}

/** The host process that runs a guest: QEMU or UML, each behind its own wrapper. */
interface GuestLaunch {
  /** What to call it in messages ("qemu-system-x86_64", "linux.uml"). */
  name: string;
  cmd: string;
  args: string[];
  /** Extra environment. */
  env?: Record<string, string>;
}

function qemuLaunch(image: VmImage, runDir: string, shares: string[]): GuestLaunch {
  const args = qemuArgs(image, runDir, shares);
  // setpriv --pdeathsig: QEMU dies with us even when we are SIGKILLed (spawn() forks from the
  // main thread, which lives as long as the process).
  const setpriv = which("setpriv");
  return {
    name: "qemu-system-x86_64",
    cmd: setpriv ?? "qemu-system-x86_64",
    args: setpriv ? ["--pdeathsig", "KILL", "--", "qemu-system-x86_64", ...args] : args,
  };
}

function qemuArgs(image: VmImage, runDir: string, shares: string[]): string[] {
  const accel = detectAccel();
  const append = [
    "console=ttyS0",
    "panic=-1",
    "quiet",
    "loglevel=4",
    "mitigations=off",
    "rdinit=/init",
    ...(Deno.env.get("NLTS_VM_APPEND") ?? "").split(/\s+/).filter((a) => a !== ""),
  ];
  const args = [
    "-name",
    "nlts-vm",
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-machine",
    Deno.env.get("NLTS_VM_MACHINE") ?? "q35",
    "-accel",
    accel,
    "-cpu",
    accel === "kvm" ? "host" : "max",
    "-smp",
    // Under TCG one vCPU boots faster than two (the vCPU threads compete with us for 2 cores).
    String(envNumber("NLTS_VM_CPUS", accel === "kvm" ? 2 : 1)),
    "-m",
    Deno.env.get("NLTS_VM_MEM") ?? "1024M",
    "-kernel",
    qemuPath(image.vmlinux ?? image.bzImage),
    "-initrd",
    qemuPath(image.initramfs),
    "-append",
    append.join(" "),
    "-serial",
    `file:${qemuPath(`${runDir}/console.log`)}`,
    "-device",
    "virtio-serial-pci,id=vser",
  ];
  for (const name of ["ctl", "out", "err"]) {
    args.push(
      "-chardev",
      `file,id=${name},path=${qemuPath(`${runDir}/${name}.log`)}`,
      "-device",
      `virtconsole,bus=vser.0,chardev=${name}`,
    );
  }
  const fs = [
    { path: "/", tag: "hostroot", ro: true },
    { path: `${runDir}/ctl`, tag: "nltsctl", ro: false },
    ...shares.map((path, i) => ({ path, tag: `share${i}`, ro: false })),
  ];
  fs.forEach((f, i) => {
    args.push(
      "-fsdev",
      `local,id=fs${i},path=${qemuPath(f.path)},security_model=none,multidevs=remap${
        f.ro ? ",readonly=on" : ""
      }`,
      "-device",
      `virtio-9p-pci,fsdev=fs${i},mount_tag=${f.tag}`,
    );
  });
  return args;
}

interface Attempt {
  ready: boolean;
  bootMs: number | null;
  exitFromCtl: number | null;
  failMessage: string | null;
  timedOut: boolean;
  interrupted: boolean;
  bootTimedOut: boolean;
  /** The host process that ran the guest, its exit status and stderr. */
  processName: string;
  processCode: number;
  processStderr: string;
  ctlText: string;
}

async function attempt(
  makeLaunch: () => Promise<GuestLaunch>,
  runDir: string,
  deadline: number,
  bootTimeoutMs: number,
  sinks: { stdout: (c: Uint8Array) => Promise<void>; stderr: (c: Uint8Array) => Promise<void> },
): Promise<Attempt> {
  const result: Attempt = {
    ready: false,
    bootMs: null,
    exitFromCtl: null,
    failMessage: null,
    timedOut: false,
    interrupted: false,
    bootTimedOut: false,
    processName: "",
    processCode: -1,
    processStderr: "",
    ctlText: "",
  };
  await Deno.remove(`${runDir}/ctl/status`).catch(() => {});
  for (const name of ["ctl", "out", "err"]) {
    await Deno.writeFile(`${runDir}/${name}.log`, new Uint8Array());
  }
  const launch = await makeLaunch();
  result.processName = launch.name;
  if (verbose()) log(`${launch.cmd} ${launch.args.map(shellQuote).join(" ")}`);
  const t0 = performance.now();
  const child = new Deno.Command(launch.cmd, {
    args: launch.args,
    env: launch.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    Deno.unrefTimer(setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 3000));
  };

  let ctlLine = "";
  const onCtl = (chunk: Uint8Array): Promise<void> => {
    const text = new TextDecoder().decode(chunk);
    result.ctlText += text;
    ctlLine += text;
    let nl;
    while ((nl = ctlLine.indexOf("\n")) >= 0) {
      const line = ctlLine.slice(0, nl).replace(/\r$/, "");
      ctlLine = ctlLine.slice(nl + 1);
      if (verbose()) log(`+${((performance.now() - t0) / 1000).toFixed(2)} s guest: ${line}`);
      if (line === "nlts-vm: ready") {
        result.ready = true;
        result.bootMs = performance.now() - t0;
        clearTimeout(bootTimer);
      }
      const m = line.match(/^nlts-vm: exit (\d+)$/);
      if (m) result.exitFromCtl = Number(m[1]);
      const f = line.match(/^nlts-vm: fail (.*)$/);
      if (f) result.failMessage = f[1];
    }
    return Promise.resolve();
  };

  const bootTimer = setTimeout(() => {
    if (!result.ready) {
      result.bootTimedOut = true;
      kill();
    }
  }, bootTimeoutMs);
  const deadlineTimer = setTimeout(() => {
    result.timedOut = true;
    kill();
  }, Math.max(0, deadline - Date.now()));
  const onSignal = () => {
    result.interrupted = true;
    kill();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  let processGone = false;
  const finished = () => processGone;
  const followers = [
    follow(`${runDir}/ctl.log`, onCtl, finished),
    follow(`${runDir}/out.log`, sinks.stdout, finished),
    follow(`${runDir}/err.log`, sinks.stderr, finished),
  ];
  const dec = new TextDecoder();
  const [status, , processErr] = await Promise.all([
    child.status,
    child.stdout.pipeTo(new WritableStream()),
    new Response(child.stderr).arrayBuffer(),
  ]);
  clearTimeout(bootTimer);
  clearTimeout(deadlineTimer);
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
  result.processCode = status.code;
  result.processStderr = dec.decode(processErr);

  processGone = true;
  await Promise.all(followers);
  return result;
}

/** Removes run directories left by harness processes that were killed (SIGKILL). */
async function sweepStaleRunDirs(): Promise<void> {
  const tmp = Deno.env.get("TMPDIR") || "/tmp";
  try {
    for await (const e of Deno.readDir(tmp)) {
      if (!e.isDirectory || !e.name.startsWith("nlts-vm-")) continue;
      const dir = `${tmp}/${e.name}`;
      const pid = await Deno.readTextFile(`${dir}/pid`).catch(() => "");
      if (/^\d+\s*$/.test(pid) && !exists(`/proc/${pid.trim()}`)) {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    }
  } catch {
    // no such tmp dir: nothing to sweep
  }
}

async function consoleTail(runDir: string, lines = 30): Promise<string> {
  try {
    const text = await Deno.readTextFile(`${runDir}/console.log`);
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no console output)";
  }
}

/**
 * Boots a fresh guest, runs `command` in it and returns its exit status. Streams the command's
 * stdout/stderr to `options.stdout`/`options.stderr` (our own by default). Retries once when
 * the guest does not come up within the boot timeout; never retries once the command started.
 */
export async function runInVm(command: string[], options: VmRunOptions = {}): Promise<VmRunResult> {
  if (command.length === 0) throw new TypeError("Cannot run an empty command in the VM");
  const t0 = performance.now();
  const backend = vmBackend(options.backend);
  const image: VmImage | UmlImage = backend === "uml"
    ? await ensureUmlSetup()
    : await ensureSetup();
  const timeoutMs = (options.timeoutSec ?? envNumber("NLTS_VM_TIMEOUT", 1800)) * 1000;
  const bootTimeoutMs = (options.bootTimeoutSec ?? envNumber("NLTS_VM_BOOT_TIMEOUT", 60)) *
    1000;
  const retries = Math.floor(envNumber("NLTS_VM_BOOT_RETRIES", 1, 0));
  const deadline = Date.now() + timeoutMs;
  const envShares = (Deno.env.get("NLTS_VM_SHARE") ?? "").split(":").filter((s) => s !== "");
  const shares: string[] = [];
  for (const s of [...(options.shares ?? []), ...envShares]) {
    const real = await Deno.realPath(s).catch(() => {
      throw new Error(`Cannot share ${s}: no such directory`);
    });
    if (!shares.includes(real)) shares.push(real);
  }
  const cwd = options.cwd ?? Deno.cwd();
  // The guest replaces these host directories with its own (tmpfs, devtmpfs, proc, sysfs): a
  // working directory below one of them (a CI checkout in /tmp, say) is shared explicitly,
  // ahead of any share nested inside it.
  const realCwd = await Deno.realPath(cwd).catch(() => cwd);
  if (/^\/(tmp|run|dev|proc|sys)\//.test(`${realCwd}/`)) {
    // ... with the project's ../shared (reference data the tests read), when there is one.
    const parent = realCwd.replace(/\/[^/]+\/?$/, "");
    const sibling = await Deno.stat(`${parent}/shared`).then((st) =>
      st.isDirectory ? `${parent}/shared` : ""
    ).catch(() => "");
    for (const dir of [sibling, realCwd]) {
      if (dir && !shares.includes(dir)) shares.unshift(dir);
    }
  }
  if (backend === "uml") {
    // hostfs takes the host path as its mount option.
    for (const s of shares) assertUmlPath(s, "the share");
  }
  const sinks = {
    stdout: options.stdout ?? writeSink(Deno.stdout),
    stderr: options.stderr ?? writeSink(Deno.stderr),
  };
  await sweepStaleRunDirs();
  const runDir = await Deno.makeTempDir({ prefix: "nlts-vm-" });
  await Deno.writeTextFile(`${runDir}/pid`, `${Deno.pid}\n`);
  const done = (
    code: number,
    reason: VmRunResult["reason"],
    bootMs: number | null,
    attempts: number,
  ): VmRunResult => ({ code, reason, bootMs, totalMs: performance.now() - t0, attempts });
  try {
    await Deno.mkdir(`${runDir}/ctl`);
    const env = guestEnv(image, options.env);
    env.NLTS_VM_BACKEND = backend;
    await writeControl(
      `${runDir}/ctl`,
      image,
      command,
      cwd,
      env,
      shares,
      "linux" in image ? umlConfig(image) : [],
    );
    const makeLaunch = () =>
      "linux" in image
        ? umlLaunch(image, runDir)
        : Promise.resolve(qemuLaunch(image, runDir, shares));
    for (let n = 1;; n++) {
      const a = await attempt(makeLaunch, runDir, deadline, bootTimeoutMs, sinks);
      if (a.interrupted) {
        log("interrupted: guest killed");
        return done(EXIT_INTERRUPTED, "interrupted", a.bootMs, n);
      }
      if (a.timedOut) {
        log(`timeout after ${(timeoutMs / 1000).toFixed(0)} s (NLTS_VM_TIMEOUT): guest killed`);
        return done(EXIT_TIMEOUT, "timeout", a.bootMs, n);
      }
      let statusText: string | null = null;
      try {
        statusText = (await Deno.readTextFile(`${runDir}/ctl/status`)).trim();
      } catch {
        // no status written
      }
      if (statusText !== null && /^\d+$/.test(statusText)) {
        return done(Number(statusText), "exit", a.bootMs, n);
      }
      if (a.exitFromCtl !== null) return done(a.exitFromCtl, "exit", a.bootMs, n);
      if (a.ready) {
        log("the guest died before reporting an exit status; kernel console:");
        console.error(await consoleTail(runDir));
        return done(EXIT_GUEST_FAILED, "guest-died", a.bootMs, n);
      }
      const why = a.bootTimedOut
        ? `no sign of life within ${bootTimeoutMs / 1000} s (NLTS_VM_BOOT_TIMEOUT)`
        : a.failMessage
        ? `guest init failed: ${a.failMessage}`
        : `${a.processName} exited with status ${a.processCode}`;
      if (n <= retries && Date.now() < deadline) {
        log(`boot attempt ${n} failed (${why}); retrying`);
        continue;
      }
      log(`the guest failed to boot: ${why}`);
      if (a.processStderr.trim()) console.error(a.processStderr.trimEnd());
      if (a.ctlText.trim()) console.error(a.ctlText.trimEnd());
      console.error(await consoleTail(runDir));
      return done(EXIT_GUEST_FAILED, "boot-failed", null, n);
    }
  } finally {
    if (verbose()) {
      log("kernel console:");
      console.error(await consoleTail(runDir, 200));
    }
    await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
}

const USAGE = `usage: deno task vm [OPTIONS --] CMD [ARG...]

Runs CMD as root in a fresh QEMU guest (Debian's kernel, openvswitch loaded) that sees the
host's files; exits with CMD's exit status, ${EXIT_TIMEOUT} on timeout, ${EXIT_GUEST_FAILED} when the guest failed.

options (before --):
  --backend NAME     qemu (default: Debian's kernel, the reference) or uml (Debian's
                     user-mode-linux kernel, natively fast without KVM; no conntrack zones);
                     default: $NLTS_VM_BACKEND or qemu
  --share DIR        mount host directory DIR read-write at the same path (repeatable)
  --env NAME=VALUE   set a variable in the command's environment (repeatable)
  --cwd DIR          working directory in the guest (default: the current one)
  --timeout SEC      overall timeout (default: $NLTS_VM_TIMEOUT or 1800)
  -v, --verbose      show the guest's boot messages and the kernel console
  -h, --help         this text`;

/** Parses the CLI: options before `--`, the command after it (or everything, without `--`). */
export function parseArgs(
  argv: string[],
): { command: string[]; options: VmRunOptions; verbose: boolean; help: boolean } {
  // Options only before "--"; without it, everything is the command unless it starts with an
  // option (`deno task vm --help`).
  let sep = argv.indexOf("--");
  if (sep < 0 && argv[0]?.startsWith("-")) sep = argv.length;
  const opts = sep >= 0 ? argv.slice(0, sep) : [];
  const command = sep >= 0 ? argv.slice(sep + 1) : argv;
  const options: VmRunOptions = { shares: [], env: {} };
  let verboseFlag = false;
  let help = false;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i];
    const value = () => {
      const v = opts[++i];
      if (v === undefined) throw new TypeError(`Cannot parse ${o}: it needs a value`);
      return v;
    };
    if (o === "--share") options.shares!.push(value());
    else if (o === "--backend") options.backend = vmBackend(value());
    else if (o === "--cwd") options.cwd = value();
    else if (o === "--timeout") {
      const v = value();
      options.timeoutSec = Number(v);
      if (!(options.timeoutSec > 0)) {
        throw new RangeError(`Cannot use --timeout ${v}: expected a positive number of seconds`);
      }
    } else if (o === "--env") {
      const kv = value();
      const eq = kv.indexOf("=");
      if (eq <= 0) throw new TypeError(`Cannot parse --env ${kv}: expected NAME=VALUE`);
      options.env![kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (o === "-v" || o === "--verbose") verboseFlag = true;
    else if (o === "-h" || o === "--help") help = true;
    else throw new TypeError(`Cannot parse option ${o}; see --help`);
  }
  return { command, options, verbose: verboseFlag, help };
}

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs(Deno.args);
  } catch (e) {
    log((e as Error).message);
    Deno.exit(2);
  }
  if (parsed.help || parsed.command.length === 0) {
    console.error(USAGE);
    Deno.exit(parsed.help ? 0 : 2);
  }
  if (parsed.verbose) Deno.env.set("NLTS_VM_VERBOSE", "1");
  try {
    const result = await runInVm(parsed.command, parsed.options);
    if (verbose()) {
      log(
        `exit ${result.code} (${result.reason}); boot ${
          result.bootMs === null ? "-" : (result.bootMs / 1000).toFixed(1) + " s"
        }, total ${(result.totalMs / 1000).toFixed(1)} s, attempts ${result.attempts}`,
      );
    }
    Deno.exit(result.code);
  } catch (e) {
    log((e as Error).message);
    Deno.exit(EXIT_GUEST_FAILED);
  }
}
