// Helpers of the OVS tests, which run in the VM guest (deno task test:vm): unique names, shell
// commands, veth pairs, frames sent into a port, ovs-dpctl output parsing, waiting. Outside the
// guest (no NLTS_IN_VM=1) the tests skip themselves with `skip`.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** True inside the VM guest. */
export const IN_VM = process.env.NLTS_IN_VM === "1";
/** The `skip` option of every OVS test. */
export const skip: false | string = IN_VM ? false : "runs only in the VM guest (deno task test:vm)";
/**
 * Whether the guest kernel has conntrack zones. Debian's kernel (QEMU, the default backend and
 * CI's) does; the user-mode-linux kernel (`NLTS_VM_BACKEND=uml`) is built without
 * CONFIG_NF_CONNTRACK_ZONES and refuses `ct(zone=N)` and `ct_zone()` keys with EINVAL, so the
 * flow tests leave zones out there (and only there).
 */
export const CT_ZONES: boolean = process.env.NLTS_VM_BACKEND !== "uml";
/** `ct(commit,zone=5)`, or `ct(commit)` on a kernel without conntrack zones. */
export const CT_COMMIT: string = CT_ZONES ? "ct(commit,zone=5)" : "ct(commit)";
/** True under Bun. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
/** The repository root. */
export const root = new URL("../../", import.meta.url).pathname;

/** Runs a command; returns stdout, throws with stderr when it fails. */
export function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a command; returns its status, stdout and stderr (never throws). */
export function shTry(
  cmd: string,
  ...args: string[]
): { status: number; out: string; err: string } {
  try {
    return { status: 0, out: sh(cmd, ...args), err: "" };
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    return { status: x.status ?? -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

let counter = 0;
const tag = (process.pid % 1000).toString(36) + (isBun ? "b" : "d");

/** A unique interface/datapath name (at most 15 bytes) starting with `prefix` (<= 6 chars). */
export function uniq(prefix: string): string {
  return `${prefix}${tag}${(counter++).toString(36)}`.slice(0, 15);
}

/**
 * Keeps new devices quiet: no IPv6 (no router solicitations or DAD packets that would show up
 * as upcalls and move the lookup counters).
 */
export function quietIpv6(): void {
  if (!IN_VM) return;
  for (const k of ["all", "default"]) {
    const p = `/proc/sys/net/ipv6/conf/${k}/disable_ipv6`;
    if (existsSync(p)) writeFileSync(p, "1");
  }
}

/** Creates veth pair a/b (b up); the returned object deletes it on dispose. */
export function vethPair(a: string, b: string): { a: string; b: string; [Symbol.dispose](): void } {
  sh("ip", "link", "add", a, "type", "veth", "peer", "name", b);
  sh("ip", "link", "set", b, "up");
  return {
    a,
    b,
    [Symbol.dispose]() {
      shTry("ip", "link", "del", a);
    },
  };
}

/** A device's counter from /sys/class/net/DEV/statistics. */
export function devStat(dev: string, name: string): number {
  return Number(readFileSync(`/sys/class/net/${dev}/statistics/${name}`, "utf8").trim());
}

/**
 * Sends one UDP datagram (payload "hello\n") out of `dev` to `10.X.Y.3`: gives `dev` the
 * address `net.1/24` and a static neighbour for `net.3` (MAC 02:00:00:00:00:03), so the frame
 * leaves at once, with no ARP. `net` is like "10.7.7".
 */
export function sendUdp(dev: string, net: string): void {
  shTry("ip", "addr", "add", `${net}.1/24`, "dev", dev);
  shTry("ip", "neigh", "replace", `${net}.3`, "lladdr", "02:00:00:00:00:03", "dev", dev);
  sh("bash", "-c", `echo hello > /dev/udp/${net}.3/9`);
}

/** Polls `check` until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `ovs-dpctl show` output split per datapath: name -> its lines (header included). */
export function dpctlShow(...args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of sh("ovs-dpctl", "show", ...args).split("\n")) {
    const m = /^system@(\S+):$/.exec(line);
    if (m) {
      cur = [line];
      out.set(m[1], cur);
    } else if (cur && line) cur.push(line);
  }
  return out;
}

/** Runs `nlts` (src/cli/main.ts) as a child of the current runtime. */
export function nlts(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const main = `${root}src/cli/main.ts`;
  const argv = isBun ? [main, ...args] : ["run", "-A", main, ...args];
  const r = execFileSync(process.execPath, argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
  return { status: 0, stdout: r, stderr: "" };
}

/** Like {@link nlts} but never throws: the exit status and both outputs. */
export function nltsTry(args: string[]): { status: number | null; stdout: string; stderr: string } {
  try {
    return nlts(args);
  } catch (e) {
    const x = e as { status?: number | null; stdout?: string; stderr?: string };
    return { status: x.status ?? null, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

/** Starts a long-running child (tcpdump, nlts monitor); resolves once `ready` matches stderr. */
export function startChild(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<
  { out: () => string; done: Promise<number | null>; kill: (signal?: NodeJS.Signals) => void }
> {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (d: string) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${cmd} did not become ready: ${err}`));
    }, 30_000);
    child.stderr!.on("data", (d: string) => {
      err += d;
      if (ready.test(err)) {
        clearTimeout(timer);
        resolve({ out: () => out, done, kill: (signal = "SIGINT") => child.kill(signal) });
      }
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Collects what a CLI command writes, for in-process runs of `main`. */
export function collector(): {
  io: { out: (s: string) => void; err: (s: string) => void; signal: AbortSignal };
  out: () => string;
  err: () => string;
  abort: () => void;
} {
  let out = "";
  let err = "";
  const ac = new AbortController();
  return {
    io: { out: (s) => (out += s), err: (s) => (err += s), signal: ac.signal },
    out: () => out,
    err: () => err,
    abort: () => ac.abort(),
  };
}

/** The first packet of a pcap file (classic format, any link type). */
export function firstPcapPacket(path: string): Uint8Array | undefined {
  const b = readFileSync(path);
  if (b.length < 40) return undefined;
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const incl = le ? b.readUInt32LE(24 + 8) : b.readUInt32BE(24 + 8);
  return new Uint8Array(b.subarray(40, 40 + incl));
}

/**
 * Unloads the tunnel vport modules that creating vxlan/geneve/gre ports loads on demand
 * (they pin openvswitch, which later tests may want to reload); no-op when in use.
 */
export function unloadTunnelModules(): void {
  if (!IN_VM) return;
  for (const m of ["vport_vxlan", "vport_geneve", "vport_gre"]) shTry("rmmod", m);
}
