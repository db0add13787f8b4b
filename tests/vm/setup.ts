/**
 * Prepares what the VM harness boots: installs the host tools it needs from Debian's apt (only
 * those missing), downloads Debian's own kernel package into `.cache/vm/` (without installing
 * it), unpacks it, indexes its modules with depmod, extracts the uncompressed vmlinux (booted
 * directly through its PVH entry point, which skips the decompression that costs seconds under
 * TCG), and builds a busybox initramfs around tests/vm/init.sh.
 *
 * Run it with `deno task vm:setup`; `deno task vm` calls it on first use. With `--backend uml`
 * (or `NLTS_VM_BACKEND=uml`) it prepares the user-mode-linux backend instead (tests/vm/uml.ts).
 *
 * @module
 */

import {
  aptUpdate,
  cacheDir,
  capture,
  type CpioEntry,
  cpioNewc,
  ensurePackages,
  exists,
  log,
  missingPackages,
  run,
  sha256,
  VM_DIR,
  vmBackend,
  withLock,
} from "./_internal.ts";
import { setupUml } from "./uml.ts";

/**
 * Debian packages the harness needs on the host (the guest sees the host's files), with a file
 * each one provides; wireguard-tools and iw are the independent peers of the guest-only family
 * tests (wireguard, nl80211).
 */
export const HOST_PACKAGES: Readonly<Record<string, string>> = {
  "qemu-system-x86": "/usr/bin/qemu-system-x86_64",
  "busybox-static": "/bin/busybox",
  "kmod": "/usr/sbin/modprobe",
  "openvswitch-switch": "/usr/bin/ovs-dpctl",
  "tcpdump": "/usr/bin/tcpdump",
  "iproute2": "/usr/sbin/genl",
  "xz-utils": "/usr/bin/xz",
  "wireguard-tools": "/usr/bin/wg",
  "iw": "/usr/sbin/iw",
};

/** Modules the initramfs loads (with their dependencies) to reach the 9p root and consoles. */
export const INITRAMFS_MODULES: readonly string[] = [
  "virtio_pci",
  "virtio_console",
  "9pnet_virtio",
  "9p",
  "overlay",
];

/** Everything run.ts needs to boot a guest. */
export interface VmImage {
  /** Kernel release, e.g. "6.1.0-56-amd64". */
  kver: string;
  /** Debian package it came from, e.g. "linux-image-6.1.0-56-amd64". */
  kernelPackage: string;
  /** That package's version, e.g. "6.1.192-2". */
  kernelVersion: string;
  /** Compressed kernel (bzImage). */
  bzImage: string;
  /** Uncompressed ELF kernel with a PVH entry point, or null when it could not be made. */
  vmlinux: string | null;
  /** The unpacked /lib/modules/KVER tree (with modules.dep). */
  moduleDir: string;
  /** The initramfs (uncompressed newc cpio). */
  initramfs: string;
  /** Hash of what the initramfs was built from. */
  initramfsStamp: string;
}

const IMAGE_FILE = "image.json";

function imagePath(): string {
  return `${cacheDir()}/${IMAGE_FILE}`;
}

async function aptCandidate(): Promise<{ pkg: string; version: string } | null> {
  let pkg = Deno.env.get("NLTS_VM_KERNEL") ?? "";
  if (pkg === "") {
    const dep = await capture("apt-cache", ["depends", "linux-image-amd64"]);
    const m = dep.stdout.match(/Depends:\s*(linux-image-[0-9][^\s]*)/);
    if (!m) return null;
    pkg = m[1];
  }
  const policy = await capture("apt-cache", ["policy", pkg]);
  const v = policy.stdout.match(/Candidate:\s*(\S+)/);
  if (!v || v[1] === "(none)") return null;
  return { pkg, version: v[1] };
}

/** Resolves the kernel package that linux-image-amd64 depends on (or $NLTS_VM_KERNEL). */
async function resolveKernel(): Promise<{ pkg: string; version: string }> {
  let found = await aptCandidate();
  if (!found) {
    await aptUpdate();
    found = await aptCandidate();
  }
  if (!found) {
    throw new Error("Cannot resolve the kernel package: apt-cache knows no linux-image-amd64");
  }
  return found;
}

/** Finds the offset of the first xz stream in a bzImage. */
function findXz(data: Uint8Array): number {
  const magic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  outer: for (let i = 0; i + magic.length <= data.length; i++) {
    for (let j = 0; j < magic.length; j++) {
      if (data[i + j] !== magic[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Whether an ELF64 file has the Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) QEMU boots. */
export function hasPvhNote(elf: Uint8Array): boolean {
  if (elf.length < 64 || elf[0] !== 0x7f || elf[1] !== 0x45 || elf[4] !== 2) return false;
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (dv.getUint32(ph, true) !== 4) continue; // PT_NOTE
    const off = Number(dv.getBigUint64(ph + 8, true));
    const size = Number(dv.getBigUint64(ph + 32, true));
    let p = off;
    while (p + 12 <= off + size) {
      const namesz = dv.getUint32(p, true);
      const descsz = dv.getUint32(p + 4, true);
      const type = dv.getUint32(p + 8, true);
      const name = new TextDecoder().decode(elf.subarray(p + 12, p + 12 + namesz)).replace(
        /\0+$/,
        "",
      );
      if (name === "Xen" && type === 18) return true;
      p += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** Decompresses the vmlinux inside a bzImage; returns false when it has no PVH entry. */
async function extractVmlinux(bzImage: string, out: string): Promise<boolean> {
  const data = await Deno.readFile(bzImage);
  const off = findXz(data);
  if (off < 0) return false;
  const res = await new Deno.Command("xz", {
    args: ["-dc", "--single-stream"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = res.stdin.getWriter();
  const done = res.output();
  await writer.write(data.subarray(off)).catch(() => {});
  await writer.close().catch(() => {});
  const result = await done;
  if (!result.success || !hasPvhNote(result.stdout)) return false;
  await Deno.writeFile(out, result.stdout);
  return true;
}

/** Lists the module files (in load order) that the initramfs needs. */
async function initramfsModules(root: string, kver: string): Promise<string[]> {
  const files: string[] = [];
  for (const mod of INITRAMFS_MODULES) {
    const res = await capture("modprobe", ["-d", root, "-S", kver, "--show-depends", mod]);
    if (res.code !== 0) {
      throw new Error(`Cannot resolve module ${mod}: ${res.stderr.trim()}`);
    }
    for (const line of res.stdout.split("\n")) {
      const m = line.match(/^insmod\s+(\S+)/);
      if (m && !files.includes(m[1])) files.push(m[1]);
    }
  }
  return files;
}

async function moduleBytes(file: string): Promise<Uint8Array> {
  if (file.endsWith(".ko")) return await Deno.readFile(file);
  if (file.endsWith(".ko.xz")) {
    const out = await new Deno.Command("xz", { args: ["-dc", file], stdout: "piped" }).output();
    if (out.success) return out.stdout;
  }
  throw new Error(`Cannot read module ${file}: only .ko and .ko.xz are supported`);
}

/** Fails unless a file is a statically linked ELF (no PT_INTERP program header). */
function assertStatic(path: string, data: Uint8Array): void {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data[0] !== 0x7f || data[4] !== 2) throw new Error(`Cannot use ${path}: not an ELF64 file`);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    if (dv.getUint32(phoff + i * phentsize, true) === 3) {
      throw new Error(`Cannot use ${path}: dynamically linked; install busybox-static`);
    }
  }
}

/** What the initramfs is built from, cheaply: kernel, init.sh's hash, busybox's size and mtime. */
async function initramfsInputs(kver: string): Promise<string> {
  const init = await Deno.readFile(`${VM_DIR}/init.sh`);
  const bb = await Deno.stat("/bin/busybox");
  return await sha256(
    new TextEncoder().encode(
      [kver, await sha256(init), bb.size, bb.mtime?.getTime() ?? 0, ...INITRAMFS_MODULES].join(
        "\n",
      ),
    ),
  );
}

/** Builds the initramfs for an unpacked kernel tree. */
async function buildInitramfs(root: string, kver: string, out: string): Promise<void> {
  const init = await Deno.readFile(`${VM_DIR}/init.sh`);
  const busybox = await Deno.readFile("/bin/busybox");
  assertStatic("/bin/busybox", busybox);
  const modFiles = await initramfsModules(root, kver);
  const entries: CpioEntry[] = [];
  for (const d of ["bin", "dev", "proc", "sys", "mnt", "mnt/host", "mnt/rw", "newroot"]) {
    entries.push({ kind: "dir", name: d });
  }
  entries.push({ kind: "char", name: "dev/console", major: 5, minor: 1 });
  entries.push({ kind: "char", name: "dev/null", major: 1, minor: 3, mode: 0o666 });
  entries.push({ kind: "file", name: "bin/busybox", data: busybox, mode: 0o755 });
  entries.push({ kind: "file", name: "init", data: init, mode: 0o755 });
  entries.push({ kind: "dir", name: "modules" });
  const order: string[] = [];
  for (const file of modFiles) {
    const base = file.replace(/^.*\//, "").replace(/\.ko(\.xz)?$/, "");
    order.push(base);
    entries.push({ kind: "file", name: `modules/${base}.ko`, data: await moduleBytes(file) });
  }
  entries.push({
    kind: "file",
    name: "modules/order",
    data: new TextEncoder().encode(order.join("\n") + "\n"),
  });
  await Deno.writeFile(`${out}.tmp`, cpioNewc(entries));
  await Deno.rename(`${out}.tmp`, out);
  log(`built initramfs (${order.length} modules: ${order.join(" ")})`);
}

/** Downloads and unpacks the kernel package unless the cache already holds that version. */
async function ensureKernel(pkg: string, version: string): Promise<{ kver: string; dir: string }> {
  const kver = pkg.replace(/^linux-image-/, "");
  const cache = cacheDir();
  const dir = `${cache}/kernel/${kver}`;
  const stampFile = `${dir}/.version`;
  if (exists(stampFile) && (await Deno.readTextFile(stampFile)).trim() === version) {
    return { kver, dir };
  }
  const debs = `${cache}/debs`;
  await Deno.mkdir(debs, { recursive: true });
  const debName = `${pkg}_${version.replace(/^\d+:/, "")}_amd64.deb`;
  if (!exists(`${debs}/${debName}`)) {
    log(`downloading ${pkg} ${version}`);
    await run("apt-get", [
      "download",
      "-q",
      "-o",
      "APT::Sandbox::User=root",
      `${pkg}=${version}`,
    ], { cwd: debs });
    const version1 = version.replace(/^\d+:/, "");
    const names = [...Deno.readDirSync(debs)].map((e) => e.name);
    const got = names.find((n) => n.startsWith(`${pkg}_`) && n.includes(version1.split(":")[0]));
    if (!got) throw new Error(`Cannot find the downloaded ${pkg} in ${debs}`);
    if (got !== debName) await Deno.rename(`${debs}/${got}`, `${debs}/${debName}`);
    for (const n of names) {
      if (n.startsWith("linux-image-") && n !== debName && n !== got) {
        await Deno.remove(`${debs}/${n}`);
      }
    }
  }
  log(`unpacking ${debName}`);
  const tmp = `${dir}.tmp`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  await run("dpkg", ["-x", `${debs}/${debName}`, tmp]);
  await run("depmod", ["-b", tmp, kver]);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, dir);
  await Deno.writeTextFile(stampFile, version + "\n");
  return { kver, dir };
}

/**
 * Does the whole setup: packages, kernel (re-resolved through apt-cache), vmlinux, initramfs.
 * Falls back to the cached kernel when apt cannot be reached.
 */
export function setup(): Promise<VmImage> {
  return withLock(async () => {
    await ensurePackages(HOST_PACKAGES);
    let pkg: string, version: string;
    try {
      ({ pkg, version } = await resolveKernel());
    } catch (e) {
      const cached = readImage();
      if (!cached) throw e;
      log(`${(e as Error).message}; using the cached ${cached.kernelPackage}`);
      ({ kernelPackage: pkg, kernelVersion: version } = cached);
    }
    return await buildImage(pkg, version);
  });
}

async function buildImage(pkg: string, version: string): Promise<VmImage> {
  const { kver, dir } = await ensureKernel(pkg, version);
  const bzImage = `${dir}/boot/vmlinuz-${kver}`;
  let vmlinux: string | null = `${dir}/vmlinux`;
  if (!exists(vmlinux) && !exists(`${dir}/.no-vmlinux`)) {
    if (await extractVmlinux(bzImage, vmlinux)) {
      log("extracted vmlinux (PVH entry)");
    } else {
      await Deno.writeTextFile(`${dir}/.no-vmlinux`, "");
      log("no PVH vmlinux in this kernel: booting the bzImage");
    }
  }
  if (!exists(vmlinux)) vmlinux = null;
  const initramfs = `${dir}/initramfs.cpio`;
  const initramfsStamp = await initramfsInputs(kver);
  const stampFile = `${initramfs}.stamp`;
  if (
    !exists(initramfs) || !exists(stampFile) ||
    (await Deno.readTextFile(stampFile)).trim() !== initramfsStamp
  ) {
    await buildInitramfs(dir, kver, initramfs);
    await Deno.writeTextFile(stampFile, initramfsStamp + "\n");
  }
  const image: VmImage = {
    kver,
    kernelPackage: pkg,
    kernelVersion: version,
    bzImage,
    vmlinux,
    moduleDir: `${dir}/lib/modules/${kver}`,
    initramfs,
    initramfsStamp,
  };
  await Deno.writeTextFile(imagePath(), JSON.stringify(image, null, 2) + "\n");
  return image;
}

function readImage(): VmImage | null {
  try {
    return JSON.parse(Deno.readTextFileSync(imagePath())) as VmImage;
  } catch {
    return null;
  }
}

/**
 * Returns the cached image when it is complete and current (host packages present, files
 * there, initramfs built from today's init.sh and busybox), and runs {@link setup} otherwise;
 * a stale initramfs alone is rebuilt without asking apt.
 */
export async function ensureSetup(): Promise<VmImage> {
  const image = readImage();
  if (
    image && exists(image.bzImage) && exists(`${image.moduleDir}/modules.dep`) &&
    (await missingPackages(HOST_PACKAGES)).length === 0
  ) {
    if (exists(image.initramfs) && (await initramfsInputs(image.kver)) === image.initramfsStamp) {
      return image;
    }
    return await withLock(() => buildImage(image.kernelPackage, image.kernelVersion));
  }
  log("first use: setting up (deno task vm:setup)");
  return await setup();
}

if (import.meta.main) {
  const t0 = performance.now();
  try {
    const i = Deno.args.indexOf("--backend");
    if (vmBackend(i >= 0 ? Deno.args[i + 1] ?? "" : undefined) === "uml") {
      // Only on request: the default (QEMU) setup does not depend on user-mode-linux.
      const uml = await setupUml();
      log(
        `ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: user-mode-linux ` +
          `${uml.packageVersion}, kernel ${uml.kver} (${uml.linux})`,
      );
      Deno.exit(0);
    }
    const image = await setup();
    log(
      `ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: kernel ${image.kver} ` +
        `(${image.kernelVersion}), boots ${image.vmlinux ? "vmlinux (PVH)" : "bzImage"}`,
    );
  } catch (e) {
    log((e as Error).message);
    Deno.exit(1);
  }
}
