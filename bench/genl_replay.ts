/**
 * What the typed generic netlink path costs in JavaScript alone, without the kernel: the four
 * workloads of bench/genl_typed.ts (nlctrl getfamily round trip, the family dump, ethtool
 * features-get and netdev dev-get dumps) each run once against the kernel through a transport
 * that records the datagrams read, then again and again against the recording (each datagram's
 * messages get the request's seq): the socket, encoder and decoders run as in the real
 * workload, no system call is made. CPU time per operation, minimum and median of 7 rounds
 * after a warm-up of at least NLTS_BENCH_WARMUP_MS (default 1500). Prints
 * `RUNTIME-replay WORKLOAD MIN_NS MEDIAN_NS DATAGRAMS`.
 *
 * The dumps see the devices of the network namespace it runs in (genl_bench's 1,001 devices:
 * `ip netns exec NS deno run -A bench/genl_replay.ts`). For an A/B comparison run it from both
 * trees in turns; it measures a few percent where bench/genl_bench.ts, whose system calls take
 * most of each operation, sees noise.
 *
 *   deno run -A bench/genl_replay.ts [ROUND_TRIPS [WORKLOAD...]]
 *   bun bench/genl_replay.ts [ROUND_TRIPS [WORKLOAD...]]
 *
 * With WORKLOAD names (getfamily, families, features, netdev), only those run.
 *
 * @module
 */
import process from "node:process";
import { type Libc, loadLibc, type RecvManyResult } from "../src/ffi/mod.ts";
import { ethtool, GenlSocket, netdev, nlctrl } from "../src/genl/mod.ts";
import { stampSeq } from "./_replay.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const WARMUP_MS = Number(process.env.NLTS_BENCH_WARMUP_MS ?? 1500);
const rtt = Number(process.argv[2] ?? 50000);
if (!(rtt > 0)) throw new TypeError("Cannot run the replay: pass a positive round-trip count");
const only = process.argv.slice(3);

const real = await loadLibc();
let replaying = false;
/** The datagrams of the current workload's recording (null: not recording). */
let recording: Uint8Array[] | null = null;
let datagrams: Uint8Array[] = [];
let next = 0;
let seq = 0;
const results = [0, 1, 2, 3, 4, 5, 6, 7].map(() => ({
  ret: 0,
  errno: 0,
  msgFlags: 0,
  portid: 0,
  groups: 0,
  controlLen: 0,
}));
const many: RecvManyResult = { ret: 0, errno: 0, results };

/** Notes a request's seq; the replayed replies start over. */
function sent(b: Uint8Array): void {
  seq = b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24);
  next = 0;
}

// The real backend's calls, bound, with the three a workload makes replaced.
const transport: Record<string, unknown> = {};
for (let o = real as object; o !== Object.prototype; o = Object.getPrototypeOf(o)) {
  for (const k of Object.getOwnPropertyNames(o)) {
    if (k === "constructor" || k in transport) continue;
    const v = (real as unknown as Record<string, unknown>)[k];
    transport[k] = typeof v === "function" ? v.bind(real) : v;
  }
}
transport.sendto = (fd: number, buf: Uint8Array, addr: Uint8Array | null, flags: number) => {
  sent(buf);
  return replaying ? { ret: buf.length, errno: 0 } : real.sendto(fd, buf, addr, flags);
};
transport.sendmsg = (
  fd: number,
  iov: readonly Uint8Array[],
  addr: Uint8Array | null,
  flags: number,
) => {
  sent(iov[0]);
  if (!replaying) return real.sendmsg(fd, iov, addr, flags);
  let n = 0;
  for (const b of iov) n += b.length;
  return { ret: n, errno: 0 };
};
transport.recvmmsg = (fd: number, bufs: readonly Uint8Array[], flags: number) => {
  if (!replaying) {
    const r = real.recvmmsg!(fd, bufs, flags);
    for (let i = 0; i < r.ret; i++) recording?.push(bufs[i].slice(0, r.results[i].ret));
    return r;
  }
  let n = 0;
  while (n < bufs.length && next < datagrams.length) {
    const d = datagrams[next++];
    const b = bufs[n];
    b.set(d);
    stampSeq(b, d.length, seq);
    results[n].ret = d.length;
    n++;
  }
  many.ret = n === 0 ? -1 : n;
  many.errno = n === 0 ? 11 : 0; // EAGAIN when the recording is read out
  return many;
};
if (real.recvmmsg === undefined) {
  throw new Error("Cannot replay: this backend has no recvmmsg");
}

using genl = GenlSocket.open({ transport: transport as unknown as Libc });
const ctrl = genl.family(nlctrl);
const eth = genl.family(ethtool);
const dev = genl.family(netdev);
const featuresRequest = { header: {} };

const workloads: [string, number, () => number][] = [
  ["getfamily", rtt, () => ctrl.doSync("getfamily", { familyName: "nlctrl" })?.familyId ?? 0],
  ["families", Math.ceil(rtt / 10), () => ctrl.dumpSync("getfamily").length],
  ["features", Math.ceil(rtt / 500), () => eth.dumpSync("features-get", featuresRequest).length],
  ["netdev", Math.ceil(rtt / 50), () => dev.dumpSync("dev-get").length],
];

for (const [name, count, run] of workloads) {
  if (only.length > 0 && !only.includes(name)) continue;
  replaying = false;
  recording = [];
  const want = run();
  datagrams = recording;
  recording = null;
  replaying = true;
  let check = 0;
  const warm = performance.now() + WARMUP_MS;
  for (let k = 0; k < count / 10 + 1 || performance.now() < warm; k++) check += run() - want;
  const ns: number[] = [];
  for (let r = 0; r < 7; r++) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < count; k++) check += run() - want;
    const c = process.cpuUsage(c0);
    ns.push((c.user + c.system) * 1000 / count);
  }
  if (check !== 0) throw new Error(`${name}: the replayed replies decoded differently`);
  ns.sort((a, b) => a - b);
  console.log(
    `${runtime}-replay ${name} ${ns[0].toFixed(0)} ${ns[3].toFixed(0)} ${datagrams.length}`,
  );
}
