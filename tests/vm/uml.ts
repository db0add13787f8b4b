/**
 * The user-mode-linux backend of the VM harness (`NLTS_VM_BACKEND=uml`, or
 * `deno task vm --backend uml`): Debian's `user-mode-linux` package is a Linux kernel built to
 * run as an ordinary process on the host, so the guest's code runs natively instead of under
 * QEMU's TCG emulation (hosts without a usable KVM). QEMU with Debian's real kernel stays the
 * default and the reference: the UML kernel is a different build (6.1.176 um) without
 * CONFIG_NF_CONNTRACK_ZONES, and every guest system call goes through ptrace.
 *
 * Setup: the package is fetched with `apt-get download` into `.cache/vm/uml/` and unpacked there
 * with `dpkg -x` (never installed), its modules indexed with `depmod -b`.
 *
 * Boot: `linux.uml` mounts the host's `/` read-only through hostfs as its root and runs
 * tests/vm/uml_init.sh as pid 1, which builds the same guest as the QEMU path (overlay with a
 * tmpfs upper layer, fresh /tmp and /run, shares and the control directory as read-write hostfs
 * mounts, openvswitch & co loaded). UML's consoles are host file descriptors: the control
 * channel, the command's stdout and its stderr are appended to files in the run directory that
 * run.ts follows, exactly as with QEMU's virtio consoles.
 *
 * Processes: UML puts itself in a session of its own and forks helper processes into it; a
 * small `sh` wrapper (under `setpriv --pdeathsig TERM`, so it hears of our death even by
 * SIGKILL) kills that whole process group when told to stop and after UML exits. UML's memory
 * is an unlinked file in `/dev/shm` (or the run directory when /dev/shm is too small): it goes
 * away with the processes.
 *
 * @module
 */

import {
  aptUpdate,
  cacheDir,
  capture,
  ensurePackages,
  exists,
  log,
  missingPackages,
  run,
  VM_DIR,
  which,
  withLock,
} from "./_internal.ts";

/** The Debian package of the UML kernel. */
export const UML_PACKAGE = "user-mode-linux";

/** Debian packages the UML backend needs on the host (no QEMU), with a file each provides. */
export const UML_HOST_PACKAGES: Readonly<Record<string, string>> = {
  "busybox-static": "/bin/busybox",
  "kmod": "/usr/sbin/modprobe",
  "openvswitch-switch": "/usr/bin/ovs-dpctl",
  "tcpdump": "/usr/bin/tcpdump",
  "iproute2": "/usr/sbin/genl",
};

/** Modules stage 1 of the guest init loads (with their dependencies) before the root switch. */
export const UML_EARLY_MODULES: readonly string[] = ["overlay"];

/**
 * Modules the UML guest loads on top of `$NLTS_VM_MODULES`: built into Debian's kernel, modules
 * in UML's. ipv6: loaded on demand it deadlocks the kernel (a vxlan or geneve port opens its
 * IPv6 socket holding rtnl_lock, and ipv6's init waits for rtnl_lock).
 */
export const UML_PRELOAD_MODULES: readonly string[] = ["ipv6"];

/** Guest memory when `$NLTS_VM_MEM` is unset (UML only touches what the guest uses). */
export const UML_DEFAULT_MEM = "2G";

/** Everything the UML backend needs to boot a guest. */
export interface UmlImage {
  /** Kernel release, e.g. "6.1.176". */
  kver: string;
  /** Version of the user-mode-linux package, e.g. "6.1um4+b13". */
  packageVersion: string;
  /** The kernel binary (`usr/bin/linux.uml` of the unpacked package). */
  linux: string;
  /** Base directory for `modprobe -d` / `depmod -b` (holds lib/modules/KVER). */
  moduleRoot: string;
  /** The modules directory (with modules.dep), bound onto /lib/modules/KVER in the guest. */
  moduleDir: string;
  /** `.ko` files of {@link UML_EARLY_MODULES} in load order. */
  earlyModules: string[];
}

function umlCache(): string {
  return `${cacheDir()}/uml`;
}

function imagePath(): string {
  return `${umlCache()}/image.json`;
}

function readImage(): UmlImage | null {
  try {
    return JSON.parse(Deno.readTextFileSync(imagePath())) as UmlImage;
  } catch {
    return null;
  }
}

async function aptCandidate(): Promise<string | null> {
  const policy = await capture("apt-cache", ["policy", UML_PACKAGE]);
  const v = policy.stdout.match(/Candidate:\s*(\S+)/);
  return v && v[1] !== "(none)" ? v[1] : null;
}

/** The candidate version of user-mode-linux (apt-get update when apt knows none). */
async function resolveUml(): Promise<string> {
  let version = await aptCandidate();
  if (!version) {
    await aptUpdate();
    version = await aptCandidate();
  }
  if (!version) throw new Error(`Cannot resolve ${UML_PACKAGE}: apt-cache knows no such package`);
  return version;
}

/** Downloads and unpacks the package unless the cache holds that version; runs depmod. */
async function ensurePackageTree(version: string): Promise<{ root: string; kver: string }> {
  const cache = umlCache();
  const root = `${cache}/root`;
  const stampFile = `${root}/.version`;
  const kverOf = (dir: string) => {
    const names = [...Deno.readDirSync(`${dir}/usr/lib/uml/modules`)].map((e) => e.name);
    if (names.length !== 1) {
      throw new Error(`Cannot tell the kernel release: ${dir}/usr/lib/uml/modules has ${names}`);
    }
    return names[0];
  };
  if (exists(stampFile) && (await Deno.readTextFile(stampFile)).trim() === version) {
    return { root, kver: kverOf(root) };
  }
  await Deno.mkdir(cache, { recursive: true });
  const plain = version.replace(/^\d+:/, "");
  const debName = `${UML_PACKAGE}_${plain}_amd64.deb`;
  if (!exists(`${cache}/${debName}`)) {
    log(`downloading ${UML_PACKAGE} ${version}`);
    await run("apt-get", [
      "download",
      "-q",
      "-o",
      "APT::Sandbox::User=root",
      `${UML_PACKAGE}=${version}`,
    ], { cwd: cache });
    const names = [...Deno.readDirSync(cache)].map((e) => e.name);
    // apt-get download escapes the epoch's colon (%3a) in the file name.
    const got = names.find((n) => n.startsWith(`${UML_PACKAGE}_`) && n.includes(plain));
    if (!got) throw new Error(`Cannot find the downloaded ${UML_PACKAGE} in ${cache}`);
    if (got !== debName) await Deno.rename(`${cache}/${got}`, `${cache}/${debName}`);
    for (const n of names) {
      if (n.startsWith(`${UML_PACKAGE}_`) && n.endsWith(".deb") && n !== debName && n !== got) {
        await Deno.remove(`${cache}/${n}`);
      }
    }
  }
  log(`unpacking ${debName}`);
  const tmp = `${root}.tmp`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  await run("dpkg", ["-x", `${cache}/${debName}`, tmp]);
  const kver = kverOf(tmp);
  // depmod and modprobe look for BASE/lib/modules/KVER; the package keeps its modules in
  // usr/lib/uml/modules/KVER. A relative link survives the rename below.
  await Deno.mkdir(`${tmp}/lib/modules`, { recursive: true });
  await Deno.symlink(`../../usr/lib/uml/modules/${kver}`, `${tmp}/lib/modules/${kver}`);
  await run("depmod", ["-b", tmp, kver]);
  await Deno.remove(root, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, root);
  await Deno.writeTextFile(stampFile, version + "\n");
  return { root, kver };
}

/** The module files (in load order) that stage 1 of the guest init loads. */
async function earlyModuleFiles(root: string, kver: string): Promise<string[]> {
  const files: string[] = [];
  for (const mod of UML_EARLY_MODULES) {
    const res = await capture("modprobe", ["-d", root, "-S", kver, "--show-depends", mod]);
    if (res.code !== 0) throw new Error(`Cannot resolve module ${mod}: ${res.stderr.trim()}`);
    for (const line of res.stdout.split("\n")) {
      const m = line.match(/^insmod\s+(\S+)/);
      if (m && !files.includes(m[1])) files.push(m[1]);
    }
  }
  return files;
}

async function buildImage(version: string): Promise<UmlImage> {
  const { root, kver } = await ensurePackageTree(version);
  const image: UmlImage = {
    kver,
    packageVersion: version,
    linux: `${root}/usr/bin/linux.uml`,
    moduleRoot: root,
    moduleDir: `${root}/usr/lib/uml/modules/${kver}`,
    earlyModules: await earlyModuleFiles(root, kver),
  };
  if (!exists(image.linux)) throw new Error(`Cannot find ${image.linux} in ${UML_PACKAGE}`);
  await Deno.writeTextFile(imagePath(), JSON.stringify(image, null, 2) + "\n");
  return image;
}

/**
 * The whole UML setup: host packages (those the UML backend needs), the user-mode-linux package
 * (re-resolved through apt-cache) unpacked into `.cache/vm/uml/`. Falls back to the cached
 * package when apt cannot be reached.
 */
export function setupUml(): Promise<UmlImage> {
  return withLock(async () => {
    await ensurePackages(UML_HOST_PACKAGES);
    let version: string;
    try {
      version = await resolveUml();
    } catch (e) {
      const cached = readImage();
      if (!cached) throw e;
      log(`${(e as Error).message}; using the cached ${UML_PACKAGE} ${cached.packageVersion}`);
      version = cached.packageVersion;
    }
    return await buildImage(version);
  });
}

/** Returns the cached UML image when it is complete, and runs {@link setupUml} otherwise. */
export async function ensureUmlSetup(): Promise<UmlImage> {
  const image = readImage();
  if (
    image && exists(image.linux) && exists(`${image.moduleDir}/modules.dep`) &&
    image.earlyModules.every(exists) && (await missingPackages(UML_HOST_PACKAGES)).length === 0
  ) {
    return image;
  }
  log(`first use of the UML backend: setting up (deno task vm:setup --backend uml)`);
  return await setupUml();
}

/** Lines the UML guest init reads from the control directory's config, on top of run.ts's. */
export function umlConfig(image: UmlImage): string[] {
  return [
    `VM_EARLY_MODULES='${image.earlyModules.join(" ")}'`,
    `VM_PRELOAD='${UML_PRELOAD_MODULES.join(" ")}'`,
  ];
}

/**
 * Fails unless a host path can travel where the UML backend puts it: on the kernel command line
 * (UML joins its arguments with spaces), in hostfs mount options (comma-separated), in the
 * config's space-separated module list.
 */
export function assertUmlPath(path: string, what: string): void {
  if (/[\s,"'\\]/.test(path)) {
    throw new TypeError(
      `Cannot use ${what} ${JSON.stringify(path)} with the UML backend: ` +
        "the path must not contain whitespace, commas, quotes or backslashes",
    );
  }
}

/** `$NLTS_VM_MEM` (QEMU's syntax: a bare number is MiB) as UML's `mem=` value and in bytes. */
export function umlMemory(raw = Deno.env.get("NLTS_VM_MEM") || UML_DEFAULT_MEM): {
  arg: string;
  bytes: number;
} {
  const m = raw.match(/^(\d+)\s*([KMGT]?)(i?B)?$/i);
  if (!m || Number(m[1]) <= 0) {
    throw new RangeError(`Cannot use NLTS_VM_MEM=${raw}: expected a size such as 1024M or 2G`);
  }
  const unit = (m[2] || "M").toUpperCase();
  const shift = { K: 10, M: 20, G: 30, T: 40 }[unit]!;
  return { arg: `${m[1]}${unit}`, bytes: Number(m[1]) * 2 ** shift };
}

/**
 * Where UML keeps the guest's memory (an unlinked file, mmapped): `/dev/shm` when it is a tmpfs
 * that allows exec mappings and has room for all of it, else the run directory (on the host's
 * TMPDIR, slower when that is a disk).
 */
async function memoryDir(runDir: string, bytes: number): Promise<string> {
  try {
    const mounts = await Deno.readTextFile("/proc/mounts");
    const shm = mounts.split("\n").map((l) => l.split(" ")).filter((f) => f[1] === "/dev/shm")
      .pop();
    if (!shm || shm[2] !== "tmpfs" || shm[3].split(",").includes("noexec")) return runDir;
    const st = await capture("stat", ["-f", "-c", "%a %S", "/dev/shm"]);
    const [avail, bsize] = st.stdout.trim().split(" ").map(Number);
    return st.code === 0 && avail * bsize >= bytes ? "/dev/shm" : runDir;
  } catch {
    return runDir;
  }
}

/**
 * Runs UML in the background with its consoles appended to files of the run directory, then
 * waits for it; SIGTERM/SIGINT/SIGHUP (and the end of UML) kill UML's whole process group. `$!`
 * rather than a variable in the trap: a signal may arrive before the assignment ran.
 */
const WRAPPER = `ulimit -c 0
dir=$1
shift
trap 'kill -s KILL -- "-$!" "$!" 2>/dev/null; exit 143' TERM INT HUP
"$@" </dev/null >"$dir/console.log" 2>&1 3>>"$dir/ctl.log" 4>>"$dir/out.log" 5>>"$dir/err.log" &
wait "$!"
rc=$?
kill -s KILL -- "-$!" 2>/dev/null
exit "$rc"
`;

/** The host command that boots a UML guest for run.ts (its files: see {@link WRAPPER}). */
export async function umlLaunch(
  image: UmlImage,
  runDir: string,
): Promise<{ name: string; cmd: string; args: string[]; env: Record<string, string> }> {
  const init = `${VM_DIR}/uml_init.sh`;
  assertUmlPath(runDir, "the run directory (TMPDIR)");
  assertUmlPath(init, "the harness directory");
  for (const ko of image.earlyModules) assertUmlPath(ko, "the module");
  const mem = umlMemory();
  await Deno.mkdir(`${runDir}/uml`, { recursive: true });
  const kernel = [
    `mem=${mem.arg}`,
    "root=/dev/root",
    "rootfstype=hostfs",
    "rootflags=/",
    "ro",
    // Consoles: tty0 (kernel messages) on UML's stdout, tty1-3 on the fds the wrapper opens.
    "con=null",
    "con0=null,fd:1",
    "con1=null,fd:3",
    "con2=null,fd:4",
    "con3=null,fd:5",
    "ssl=null",
    // UML's pid file and management socket go to the run directory.
    `uml_dir=${runDir}/uml`,
    "umid=nlts-vm",
    "quiet",
    "loglevel=4",
    `NLTS_VM_CTL=${runDir}/ctl`,
    "init=/bin/busybox",
    ...(Deno.env.get("NLTS_VM_APPEND") ?? "").split(/\s+/).filter((a) => a !== ""),
    // Arguments of init: busybox runs the script (which then needs no exec bit).
    "--",
    "sh",
    init,
  ];
  const env = { TMPDIR: await memoryDir(runDir, mem.bytes) };
  const wrapped = ["-c", WRAPPER, "sh", runDir, image.linux, ...kernel];
  // setpriv --pdeathsig: the wrapper hears of our death (even by SIGKILL) and takes UML along.
  const setpriv = which("setpriv");
  return setpriv
    ? {
      name: "linux.uml",
      cmd: setpriv,
      args: ["--pdeathsig", "TERM", "--", "sh", ...wrapped],
      env,
    }
    : { name: "linux.uml", cmd: "sh", args: wrapped, env };
}

/** Whether a `ps -o args` line is a UML kernel process started by this harness. */
export function isHarnessUml(args: string): boolean {
  return args.includes("linux.uml") && args.includes("umid=nlts-vm");
}
