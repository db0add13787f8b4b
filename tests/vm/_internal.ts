/**
 * Shared helpers of the VM harness: where the cache lives, running host commands, shell
 * quoting, and the tiny cpio writer that builds the initramfs.
 *
 * @module
 */

/** The repository's root directory (two levels above this file). */
export const REPO_DIR: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** This directory (tests/vm). */
export const VM_DIR: string = new URL(".", import.meta.url).pathname.replace(/\/$/, "");

/** The download and image cache: `$NLTS_VM_CACHE` or `<repo>/.cache/vm`. */
export function cacheDir(): string {
  return Deno.env.get("NLTS_VM_CACHE") ?? `${REPO_DIR}/.cache/vm`;
}

/** Prints a harness message to stderr, prefixed so it stands apart from guest output. */
export function log(message: string): void {
  console.error(`vm: ${message}`);
}

/** Whether `NLTS_VM_VERBOSE` asks for the guest's diagnostics. */
export function verbose(): boolean {
  const v = Deno.env.get("NLTS_VM_VERBOSE") ?? "";
  return v !== "" && v !== "0";
}

/** Reads a numeric env var (`fallback` when unset); throws unless it is >= `min` (default 1). */
export function envNumber(name: string, fallback: number, min = 1): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    throw new RangeError(`Cannot use ${name}=${raw}: expected a number >= ${min}`);
  }
  return n;
}

/** Output of a finished host command. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a host command to completion and captures its output (never throws on exit status). */
export async function capture(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; stdin?: Uint8Array } = {},
): Promise<CommandResult> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs a host command, its stdout and stderr both copied to our stderr (our stdout belongs to
 * the guest command); throws when it fails.
 */
export async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  await child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true });
  const status = await child.status;
  if (!status.success) {
    throw new Error(`Cannot run ${cmd} ${args.join(" ")}: exit status ${status.code}`);
  }
}

/** Whether `cmd` names an executable in PATH (or is an executable path). */
export function which(cmd: string): string | null {
  const dirs = cmd.includes("/") ? [""] : (Deno.env.get("PATH") ?? "").split(":");
  for (const dir of dirs) {
    const path = dir === "" ? cmd : `${dir}/${cmd}`;
    try {
      const st = Deno.statSync(path);
      if (st.isFile && st.mode !== null && (st.mode & 0o111) !== 0) return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether a path exists. */
export function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The packages of `packages` (name -> a file it provides) that are not installed. */
export async function missingPackages(
  packages: Readonly<Record<string, string>>,
): Promise<string[]> {
  const names = Object.keys(packages);
  if (!which("dpkg-query")) {
    return names.filter((p) => !exists(packages[p]));
  }
  const res = await capture("dpkg-query", [
    "-W",
    "-f",
    "${Package} ${db:Status-Abbrev}\n",
    ...names,
  ]);
  const installed = new Set<string>();
  for (const line of res.stdout.split("\n")) {
    const [name, status] = line.split(" ");
    if (status?.startsWith("ii")) installed.add(name);
  }
  return names.filter((p) => !installed.has(p) || !exists(packages[p]));
}

/** Runs `apt-get update` (package lists missing or stale). */
export async function aptUpdate(): Promise<void> {
  log("apt-get update");
  await run("apt-get", ["update", "-q"]);
}

/** Installs the packages of `packages` that are missing (apt-get; needs root). */
export async function ensurePackages(
  packages: Readonly<Record<string, string>>,
): Promise<void> {
  const missing = await missingPackages(packages);
  if (missing.length === 0) return;
  if (Deno.uid() !== 0) {
    throw new Error(
      `Cannot install ${missing.join(" ")}: not root; run: sudo apt-get install ${
        missing.join(" ")
      }`,
    );
  }
  log(`installing ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const args = ["install", "-y", "-q", "--no-install-recommends", ...missing];
  try {
    await run("apt-get", args, { env });
  } catch {
    await aptUpdate();
    await run("apt-get", args, { env });
  }
}

/** Runs `fn` holding the cache's lock (one setup at a time across processes). */
export async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  await Deno.mkdir(cacheDir(), { recursive: true });
  using lock = await Deno.open(`${cacheDir()}/.lock`, { create: true, write: true });
  await lock.lock(true);
  try {
    return await fn();
  } finally {
    await lock.unlock();
  }
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Hex SHA-256 of some bytes. */
export async function sha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One entry of a newc cpio archive. */
export type CpioEntry =
  | { kind: "dir"; name: string; mode?: number }
  | { kind: "file"; name: string; data: Uint8Array; mode?: number }
  | { kind: "char"; name: string; major: number; minor: number; mode?: number };

/**
 * Writes a newc ("070701") cpio archive, the format the kernel unpacks as an initramfs. Written
 * here rather than with cpio(1) so that device nodes need no privileges; all entries are owned
 * by root.
 */
export function cpioNewc(entries: CpioEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    size += b.length;
  };
  const pad = () => {
    const n = (4 - (size % 4)) % 4;
    if (n) push(new Uint8Array(n));
  };
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  let ino = 1;
  const header = (
    name: string,
    mode: number,
    fileSize: number,
    rdevMajor: number,
    rdevMinor: number,
  ) => {
    const nameBytes = enc.encode(name + "\0");
    const fields = [
      ino++,
      mode,
      0, // uid
      0, // gid
      (mode & 0o170000) === 0o040000 ? 2 : 1, // nlink
      0, // mtime
      fileSize,
      0, // devmajor
      0, // devminor
      rdevMajor,
      rdevMinor,
      nameBytes.length,
      0, // check
    ];
    push(enc.encode("070701" + fields.map(hex).join("")));
    push(nameBytes);
    pad();
  };
  for (const e of entries) {
    if (e.kind === "dir") {
      header(e.name, 0o040000 | (e.mode ?? 0o755), 0, 0, 0);
    } else if (e.kind === "char") {
      header(e.name, 0o020000 | (e.mode ?? 0o600), 0, e.major, e.minor);
    } else {
      header(e.name, 0o100000 | (e.mode ?? 0o644), e.data.length, 0, 0);
      push(e.data);
      pad();
    }
  }
  ino = 0;
  header("TRAILER!!!", 0, 0, 0, 0);
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** The guest backends of the harness: QEMU (the default and reference) or user-mode-linux. */
export type VmBackend = "qemu" | "uml";

/**
 * The backend to use: `requested` (a `--backend` option) when given, else `$NLTS_VM_BACKEND`,
 * else QEMU. Throws a TypeError for any other name.
 */
export function vmBackend(requested?: string): VmBackend {
  const fromEnv = requested === undefined;
  const name = (fromEnv ? Deno.env.get("NLTS_VM_BACKEND") : requested) ?? "";
  if (name === "" || name === "qemu") return "qemu";
  if (name === "uml") return "uml";
  throw new TypeError(
    `Cannot use ${fromEnv ? "NLTS_VM_BACKEND=" : "--backend "}${name}: expected qemu or uml`,
  );
}
