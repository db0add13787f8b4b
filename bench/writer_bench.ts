// Encode speed of NetlinkWriter's own methods (the layer under the schema codecs): 200,000
// messages in one buffer, each a netlink header, a genlmsghdr (putU8, putU8, putU16), an
// s32 (putS32), u8/u16/u32/u64/s32 attributes, a big-endian u16 and u32, a flag, a string and
// a nest holding two u32s. Every integer the writer takes is range checked.
// Run: deno run -A bench/writer_bench.ts   |   bun run bench/writer_bench.ts
// Prints `RUNTIME writer-encode ns/msg` (best of several rounds).
import { NetlinkWriter } from "../src/protocol/mod.ts";

const N = 200_000;
const ROUNDS = 7;

const w = new NetlinkWriter(N * 128);
let sink = 0;

function encodeAll(): number {
  w.reset();
  for (let i = 0; i < N; i++) {
    const m = w.beginMessage(0x20, 5, i + 1);
    w.putU8(1).putU8(1).putU16(0).putS32(i & 0xffff);
    w.attrU8(1, i & 0xff);
    w.attrU16(2, i & 0xffff);
    w.attrU32(3, i);
    w.attrU64(4, 1500n);
    w.attrS32(5, -i);
    w.attrU16Be(6, 80);
    w.attrU32Be(7, i);
    w.attrFlag(8);
    w.attrString(9, "ovs-system");
    const n = w.beginNest(10);
    w.attrU32(1, i);
    w.attrU32(2, 7);
    w.endNest(n);
    w.endMessage(m);
  }
  return w.length;
}

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`
  : `deno ${Deno.version.deno}`;
let best = Infinity;
let bytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  bytes = encodeAll();
  const dt = performance.now() - t0;
  best = Math.min(best, dt);
  sink += w.bytes()[bytes - 1];
}
console.log(
  `${runtime} writer-encode ${((best * 1e6) / N).toFixed(0)} ns/msg (${N} messages of ${
    bytes / N
  } bytes, ${best.toFixed(1)} ms, best of ${ROUNDS}; sink ${sink % 7})`,
);
