// Decode speed of the attribute schema on an openvswitch-flow-like dump: 200,000 messages in
// one buffer, each with an ovs_header, a flow key nest of 9 attributes (3 structs, a flag set),
// a mask nest of 6, an ordered list of 3 actions (one holding a nest), stats (struct), used and
// tcp-flags: 8 address strings per message, the source MAC and destination IP differ per flow.
// Run: deno run -A bench/schema_bench.ts   |   bun run bench/schema_bench.ts
// Prints `RUNTIME schema-decode ns/msg` and msgs/s (best of several rounds), then the time to
// encode the same flows (`schema-encode ns/msg`), then the decode time of 200,000 netdev
// page-pool replies (`schema-decode-checked ns/msg`: attributes with YNL integer checks, which
// decoding verifies).
import { attrSet, MessageIterator, NetlinkWriter, t } from "../src/protocol/mod.ts";
import { pagePoolAttrs } from "../src/families/netdev.ts";

const N = 200_000;
const ROUNDS = 7;

const ethernet = t.struct("ovs-key-ethernet", { src: t.mac(), dst: t.mac() });
const ipv4 = t.struct("ovs-key-ipv4", {
  src: t.ipv4(),
  dst: t.ipv4(),
  proto: t.u8(),
  tos: t.u8(),
  ttl: t.u8(),
  frag: t.u8(),
});
const tcp = t.struct("ovs-key-tcp", { src: t.u16be(), dst: t.u16be() });
const flowStats = t.struct("ovs-flow-stats", { packets: t.u64(), bytes: t.u64() });
const vlan = t.struct("ovs-action-push-vlan", { tpid: t.u16be(), tci: t.u16be() });
const ovsHeader = t.struct("ovs-header", { dpIfindex: t.s32() });

const keyAttrs = attrSet("key-attrs", {
  priority: [2, t.u32()],
  inPort: [3, t.u32()],
  ethernet: [4, ethernet],
  ethertype: [6, t.u16be()],
  ipv4: [7, ipv4],
  tcp: [9, tcp],
  skbMark: [15, t.u32()],
  recircId: [20, t.u32()],
  ctState: [22, t.flags(t.u32(), { new: 1, established: 2, related: 4, replyDir: 8, invalid: 16 })],
});
const actionAttrs = attrSet("action-attrs", {
  output: [1, t.u32()],
  set: [3, t.nest(keyAttrs, { nestedFlag: false })],
  pushVlan: [4, vlan],
  popVlan: [5, t.flag()],
  recirc: [7, t.u32()],
});
const flowAttrs = attrSet("flow-attrs", {
  key: [1, t.nest(keyAttrs, { nestedFlag: false })],
  actions: [2, t.list(actionAttrs, { nestedFlag: false })],
  stats: [3, flowStats],
  tcpFlags: [4, t.u8()],
  used: [5, t.u64()],
  mask: [7, t.nest(keyAttrs, { nestedFlag: false })],
});

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

// Source MAC and destination IPv4 differ per flow; the rest repeats, as in real dumps.
function flow(i: number) {
  return {
    key: {
      priority: 0,
      inPort: i & 0xff,
      ethernet: { src: `00:11:22:33:${hex2(i >> 8)}:${hex2(i)}`, dst: "66:77:88:99:aa:bb" },
      ethertype: 0x0800,
      ipv4: {
        src: "10.0.0.1",
        dst: `10.1.${(i >> 8) & 0xff}.${i & 0xff}`,
        proto: 6,
        tos: 0,
        ttl: 64,
        frag: 0,
      },
      tcp: { src: 40000 + (i % 1000), dst: 80 },
      skbMark: 0,
      recircId: 0,
      ctState: ["new" as const],
    },
    mask: {
      inPort: 0xffffffff,
      ethernet: { src: "ff:ff:ff:ff:ff:ff", dst: "ff:ff:ff:ff:ff:ff" },
      ethertype: 0xffff,
      ipv4: {
        src: "255.255.255.255",
        dst: "255.255.255.255",
        proto: 255,
        tos: 0,
        ttl: 0,
        frag: 255,
      },
      tcp: { src: 0xffff, dst: 0xffff },
      recircId: 0xffffffff,
    },
    actions: [
      { kind: "set" as const, value: { skbMark: 7 } },
      { kind: "pushVlan" as const, value: { tpid: 0x8100, tci: 0x1000 | (i & 0xfff) } },
      { kind: "output" as const, value: 2 },
    ],
    stats: { packets: BigInt(i), bytes: BigInt(i) * 1500n },
    tcpFlags: 0x12,
    used: 123456789n,
  };
}

const flows = Array.from({ length: N }, (_, i) => flow(i));
const w = new NetlinkWriter(N * 300);
function encodeAll(): number {
  w.reset();
  for (let i = 0; i < N; i++) {
    const m = w.beginMessage(0x20, 2, 1);
    w.putU8(1).putU8(1).putU16(0); // genlmsghdr
    ovsHeader.encodeTo(w, { dpIfindex: 5 });
    flowAttrs.encode(w, flows[i]);
    w.endMessage(m);
  }
  return w.length;
}
encodeAll();
const buf = w.copy();

let sink = 0;
function decodeAll(): number {
  const it = new MessageIterator(buf);
  let n = 0;
  while (it.next()) {
    const p = it.payloadOffset;
    const hdr = ovsHeader.decodeAt(buf, p + 4);
    const f = flowAttrs.decode(buf, p + 8, it.messageEnd);
    sink += hdr.dpIfindex + (f.key?.inPort ?? 0) + (f.actions?.length ?? 0);
    n++;
  }
  return n;
}

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`
  : `deno ${Deno.version.deno}`;
let best = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const n = decodeAll();
  const dt = performance.now() - t0;
  if (n !== N) throw new Error(`Cannot run bench: decoded ${n} messages, expected ${N}`);
  best = Math.min(best, dt);
}
const nsPer = (best * 1e6) / N;
let bestEncode = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const n = encodeAll();
  bestEncode = Math.min(bestEncode, performance.now() - t0);
  if (n !== buf.length) {
    throw new Error(`Cannot run bench: encoded ${n} bytes, expected ${buf.length}`);
  }
}
console.log(
  `${runtime} schema-decode ${nsPer.toFixed(0)} ns/msg, ${
    Math.round(N / (best / 1000)).toLocaleString("en-US")
  } msgs/s (${N} flows of ${buf.length / N} bytes, ${best.toFixed(1)} ms, best of ${ROUNDS}; sink ${
    sink % 7
  })`,
);

// netdev page-pool replies: id, ifindex and napi-id carry min/max checks (a kernel sends them
// in range), inflight and inflight-mem none.
const pools = new NetlinkWriter(N * 64);
for (let i = 0; i < N; i++) {
  const m = pools.beginMessage(0x20, 2, 1);
  pools.putU8(1).putU8(1).putU16(0); // genlmsghdr
  pagePoolAttrs.encode(pools, {
    id: BigInt(i + 1),
    ifindex: 1 + (i & 0xff),
    napiId: BigInt(8193 + (i & 0x3f)),
    inflight: BigInt(i & 0x3ff),
    inflightMem: BigInt((i & 0x3ff) * 4096),
  });
  pools.endMessage(m);
}
const poolBuf = pools.copy();
function decodePools(): number {
  const it = new MessageIterator(poolBuf);
  let n = 0;
  while (it.next()) {
    const p = pagePoolAttrs.decode(poolBuf, it.payloadOffset + 4, it.messageEnd);
    sink += p.ifindex ?? 0;
    n++;
  }
  return n;
}
let bestChecked = Infinity;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const n = decodePools();
  bestChecked = Math.min(bestChecked, performance.now() - t0);
  if (n !== N) throw new Error(`Cannot run bench: decoded ${n} messages, expected ${N}`);
}

console.log(
  `${runtime} schema-encode ${((bestEncode * 1e6) / N).toFixed(0)} ns/msg (the same flows, ${
    bestEncode.toFixed(1)
  } ms, best of ${ROUNDS})`,
);
console.log(
  `${runtime} schema-decode-checked ${
    ((bestChecked * 1e6) / N).toFixed(0)
  } ns/msg (${N} netdev page-pool replies of ${poolBuf.length / N} bytes, ${
    bestChecked.toFixed(1)
  } ms, best of ${ROUNDS}; sink ${sink % 7})`,
);
