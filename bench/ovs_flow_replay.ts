/**
 * What the Open vSwitch flow table costs in JavaScript alone, without the kernel (and so on any
 * host, without root or the openvswitch module): the two workloads of bench/ovs_flow_bench.ts
 * whose library share decides how far they stay from the C loops.
 *
 * - `install`: `FlowTable.newBatch` of the flow bench's N flows (built before the clock, as the
 *   C loop builds nothing) on a table over a `FakeKernel`, whose socket's `sendBatchSync` takes
 *   each chunk and answers nothing: encoding and framing alone.
 * - `dump`: `FlowTable.dumpSync` of N flows shaped as the kernel returns them (its full key and
 *   mask, UFID, actions), every flow decoded to a `Flow`: the datagrams a `FakeKernel` answers
 *   are recorded once, then replayed with the request's seq (socket layer and decoders as in
 *   the bench, no system call).
 *
 * CPU time per flow (`process.cpuUsage()`), minimum and median of NLTS_BENCH_ROUNDS (default 7)
 * after 3 warm-up rounds; a checksum of the bytes written and of the values decoded, which
 * must not change with the code. Prints `RUNTIME-replay WORKLOAD MIN_NS MEDIAN_NS CHECKSUM
 * DATAGRAMS` (the chunks sent, the datagrams read).
 * With N = NLTS_BENCH_FLOWS (default 100000). For an A/B comparison, run it from both trees
 * in turns; steadier under load with `--v8-flags=--single-threaded` (Deno) and
 * `BUN_JSC_useConcurrentJIT=0 BUN_JSC_useConcurrentGC=0` (Bun), whose helper threads'
 * CPU time otherwise counts.
 *
 *   deno run -A bench/ovs_flow_replay.ts
 *   bun bench/ovs_flow_replay.ts
 *
 * @module
 */
import process from "node:process";
import type { RecvResult } from "../src/ffi/mod.ts";
import { GenlSocket } from "../src/genl/mod.ts";
import {
  type FlowInit,
  type FlowKey,
  type FlowMask,
  FlowTable,
  ovsDatapathFamily,
  ovsFlowFamily,
} from "../src/ovs/mod.ts";
import { FakeKernel, genlReply } from "../src/testing/mod.ts";
import { ACTIONS, ETH, flowOf, MASK, srcOf } from "./_ovs_flows.ts";
import { stampSeq } from "./_replay.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const N = Number(process.env.NLTS_BENCH_FLOWS ?? 100_000);
const ROUNDS = Number(process.env.NLTS_BENCH_ROUNDS ?? 7);
const WARMUP = 3;

/** Flow `i`'s UFID: its number little-endian in bytes 0-3, 0xbe in byte 15 (as the bench's). */
function ufidOf(slab: Uint8Array, i: number): Uint8Array {
  const u = slab.subarray(16 * i, 16 * i + 16);
  u[0] = i & 255;
  u[1] = (i >> 8) & 255;
  u[2] = (i >> 16) & 255;
  u[3] = i >>> 24;
  u[15] = 0xbe;
  return u;
}

/** `cpu` (ns per flow of each round) as [min, median]. */
function stats(cpu: number[]): [number, number] {
  const s = [...cpu].sort((a, b) => a - b);
  return [s[0], s[s.length >> 1]];
}

/** Runs `round` WARMUP + ROUNDS times; CPU ns per flow of the timed rounds. */
function measure(round: () => void): number[] {
  const out: number[] = [];
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const c0 = process.cpuUsage();
    round();
    const c = process.cpuUsage(c0);
    if (r >= WARMUP) out.push((c.user + c.system) * 1000 / N);
  }
  return out;
}

function report(workload: string, cpu: number[], checksum: number, datagrams: number): void {
  const [min, med] = stats(cpu);
  console.log(
    `${runtime}-replay ${workload} ${Math.round(min)} ${Math.round(med)} ${checksum} ${datagrams}`,
  );
}

function fakeKernel(dump: () => unknown[]): FakeKernel {
  const kernel = new FakeKernel();
  kernel.serveFamily(ovsDatapathFamily, {
    get: () => genlReply({ name: "dp0" }, { header: { dpIfindex: 7 } }),
  });
  kernel.serveFamily(ovsFlowFamily, {
    new: () => {},
    get: (req) => (req.dump ? dump() : []) as never, // flow attributes (checked when encoded)
  });
  return kernel;
}

function install(): void {
  const kernel = fakeKernel(() => []);
  using genl = GenlSocket.open({ transport: kernel });
  using table = FlowTable.openSync("dp0", genl);
  let sum = 0, chunks = 0;
  // Each chunk is taken (checksummed) and answered with no failure: no decode, no kernel.
  (genl.socket as unknown as { sendBatchSync: (b: Uint8Array) => [] }).sendBatchSync = (b) => {
    for (let i = 0; i < b.length; i += 61) sum = (sum + b[i] * (i + 1)) | 0;
    chunks++;
    return [];
  };
  const slab = new Uint8Array(16 * N);
  const flows: FlowInit[] = [];
  for (let i = 0; i < N; i++) {
    flows.push(flowOf(i, ufidOf(slab, i)));
  }
  let last = 0;
  const cpu = measure(() => {
    sum = 0;
    chunks = 0;
    const r = table.newBatch(flows);
    if (r.ok !== N) throw new Error(`installed ${r.ok} of ${N}`);
    last = sum;
  });
  report("install", cpu, last, chunks);
}

function dump(): void {
  // What the kernel answers for the installed flows: the full key (every attribute it keeps)
  // and mask, the UFID and the actions (no statistics: no packet went through).
  const zero16 = new Uint8Array(16);
  const full = { recircId: 0, dpHash: 0, priority: 0 };
  const slab = new Uint8Array(16 * N);
  const kernel = fakeKernel(() => {
    const out = [];
    for (let i = 0; i < N; i++) {
      const key: FlowKey = {
        ...full,
        inPort: 1,
        skbMark: 0,
        ctState: [],
        ctMark: 0,
        ctLabels: zero16,
        ethernet: ETH,
        ethertype: 0x0800,
        ipv4: { src: srcOf(i), dst: "0.0.0.0", proto: 0, tos: 0, ttl: 0, frag: 0 },
      };
      const mask: FlowMask = {
        ...full,
        tunnel: { ttl: 0 },
        inPort: 0xffffffff,
        skbMark: 0,
        ctState: [],
        ctMark: 0,
        ctLabels: zero16,
        ethernet: ETH,
        ethertype: 0xffff,
        ipv4: MASK.ipv4,
      };
      out.push({ key, ufid: ufidOf(slab, i), mask, actions: ACTIONS });
    }
    return out;
  });
  using genl = GenlSocket.open({ transport: kernel });
  using table = FlowTable.openSync("dp0", genl);
  // Record the datagrams of one dump, then serve them again for each round.
  const recvmsg = kernel.recvmsg.bind(kernel);
  const datagrams: Uint8Array[] = [];
  let replaying = false, next = 0, seq = 0;
  kernel.recvmsg = (fd, buf, flags, control): RecvResult => {
    if (!replaying) {
      const r = recvmsg(fd, buf, flags, control);
      if (r.ret > 0) datagrams.push(buf.slice(0, r.ret));
      return r;
    }
    if (next === datagrams.length) {
      return { ret: -1, errno: 11, msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
    }
    const d = datagrams[next++];
    buf.set(d);
    stampSeq(buf, d.length, seq);
    return { ret: d.length, errno: 0, msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
  };
  const sendmsg = kernel.sendmsg.bind(kernel);
  kernel.sendmsg = (fd, iov, addr, flags) => {
    const b = iov[0];
    seq = b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24);
    next = 0;
    if (!replaying) return sendmsg(fd, iov, addr, flags);
    let n = 0;
    for (const x of iov) n += x.length;
    return { ret: n, errno: 0 };
  };
  if (table.dumpSync(() => {}) !== N) throw new Error("the recorded dump is short");
  replaying = true;
  let sum = 0;
  const cpu = measure(() => {
    sum = 0;
    const n = table.dumpSync((f) => {
      const u = f.ufid!, k = f.key!;
      sum = (sum + u[0] + u[1] * 3 + u[2] * 5 + (k.inPort ?? 0) + k.ipv4!.src.length +
        f.mask!.ctLabels!.length + f.actions!.length) | 0;
    });
    if (n !== N) throw new Error(`dumped ${n} of ${N}`);
  });
  report("dump", cpu, sum, datagrams.length);
}

install();
dump();
