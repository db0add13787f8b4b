// Decode + print of Open vSwitch flows as a kernel dump delivers them: 200,000 ovs_flow
// messages in one buffer, each with ovs_header, a UFID, a key of 13 attributes (the metadata
// the kernel always reports: recirc_id, dp_hash, priority, in_port, skb_mark, ct_state,
// ct_zone, ct_mark, ct_label; then eth, eth_type, ipv4, tcp), a mask for every key attribute,
// stats, used, tcp_flags and 2 actions (ct with zone, output). Each flow is decoded with
// flowAttrs and printed with formatFlow as `ovs-dpctl dump-flows` prints it. Source MAC,
// destination IP and ports differ per flow.
// Run: deno run -A bench/ovs_text_bench.ts   |   bun run bench/ovs_text_bench.ts
// Prints `RUNTIME ovs-text decode+format ns/flow` (best of several rounds), and the two halves;
// then the time to parse adversarial text (80,000 blanks or digits in a row).
import { MessageIterator, NetlinkWriter, t } from "../src/protocol/mod.ts";
import { type FlowAttrs, flowAttrs } from "../src/ovs/flow_attrs.ts";
import type { FlowKey } from "../src/ovs/keys.ts";
import { formatFlow, parseFlow, parseFlowKey } from "../src/ovs/odp_text.ts";
import { parseFlowLines } from "../src/ovs/flow_lines.ts";

const N = 200_000;
const ROUNDS = 5;
const ONES = 0xffffffff;
const ovsHeader = t.struct("ovs-header", { dpIfindex: t.s32() });

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

function flow(i: number) {
  const key: FlowKey = {
    recircId: 0,
    dpHash: 0,
    priority: 0,
    inPort: 1 + (i & 3),
    skbMark: 0,
    ctState: i & 1 ? ["established", "tracked"] : [],
    ctZone: 0,
    ctMark: 0,
    ctLabels: new Uint8Array(16),
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
  };
  const mask: FlowKey = {
    recircId: ONES,
    dpHash: 0,
    priority: 0,
    inPort: ONES,
    skbMark: 0,
    ctState: ["established", "tracked"],
    ctZone: 0,
    ctMark: 0,
    ctLabels: new Uint8Array(16),
    ethernet: { src: "ff:ff:ff:ff:ff:ff", dst: "ff:ff:ff:ff:ff:ff" },
    ethertype: 0xffff,
    ipv4: { src: "255.255.255.255", dst: "255.255.255.255", proto: 255, tos: 0, ttl: 0, frag: 255 },
    tcp: { src: 0, dst: 0xffff },
  };
  const ufid = new Uint8Array(16);
  new DataView(ufid.buffer).setUint32(0, i, true);
  return {
    key,
    ufid,
    mask,
    stats: { packets: BigInt(i), bytes: BigInt(i) * 1500n },
    tcpFlags: 0x1b,
    used: 1_000_000n + BigInt(i),
    actions: [
      { kind: "ct" as const, value: { zone: 5 } },
      { kind: "output" as const, value: 2 },
    ],
  };
}

const w = new NetlinkWriter(N * 400);
for (let i = 0; i < N; i++) {
  const m = w.beginMessage(0x20, 2, 1);
  w.putU8(1).putU8(1).putU16(0); // genlmsghdr: OVS_FLOW_CMD_NEW, version 1
  ovsHeader.encodeTo(w, { dpIfindex: 5 });
  flowAttrs.encode(w, flow(i));
  w.endMessage(m);
}
const buf = w.copy();
const NOW = 1_500_000n;

let sink = 0;
const decoded: FlowAttrs[] = new Array(N);

function decodeAll(keep: boolean): number {
  const it = new MessageIterator(buf);
  let n = 0;
  while (it.next()) {
    const f = flowAttrs.decode(buf, it.payloadOffset + 8, it.messageEnd);
    if (keep) decoded[n] = f;
    else sink += f.key?.inPort ?? 0;
    n++;
  }
  return n;
}

function formatAll(): void {
  for (let i = 0; i < N; i++) sink += formatFlow(decoded[i], { now: NOW }).length;
}

function both(): number {
  const it = new MessageIterator(buf);
  let n = 0;
  while (it.next()) {
    const f = flowAttrs.decode(buf, it.payloadOffset + 8, it.messageEnd);
    sink += formatFlow(f, { now: NOW }).length;
    n++;
  }
  return n;
}

const runtime = "Bun" in globalThis
  ? `bun ${(globalThis as { Bun?: { version: string } }).Bun?.version}`
  : `deno ${Deno.version.deno}`;

function best(f: () => unknown): number {
  let b = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, performance.now() - t0);
  }
  return b;
}

decodeAll(true);
const sample = formatFlow(decoded[0], { now: NOW });
const tBoth = best(() => {
  if (both() !== N) throw new Error("Cannot run bench: message count mismatch");
});
const tDecode = best(() => decodeAll(false));
const tFormat = best(formatAll);
const ns = (ms: number) => ((ms * 1e6) / N).toFixed(0);
console.log(
  `${runtime} ovs-text decode+format ${ns(tBoth)} ns/flow (decode ${ns(tDecode)}, format ${
    ns(tFormat)
  }); ${N} flows of ${buf.length / N} bytes, ${tBoth.toFixed(0)} ms, best of ${ROUNDS}; sink ${
    sink % 7
  }`,
);
console.log(`  e.g. ${sample.slice(0, 160)}...`);

// Untrusted text (`nlts dp add-flows FILE`): runs of 80,000 blanks and digits, which took
// seconds when a trailing-blank regex retried from every blank and integers grew a bigint
// digit by digit (issue 15). Each input is parsed whole; the figure is the best time.
const RUN = 80_000;
const ARP = "in_port(1),eth(),eth_type(0x0806),arp()";
const blanks = " ".repeat(RUN);
const adversarial: [string, () => unknown][] = [
  ["flow line with 80,000 blanks", () => [...parseFlowLines(`${ARP}${blanks}2${blanks}x`)]],
  ["flow file line of 80,000 blanks", () => [...parseFlowLines(`${blanks}x\n${blanks}#`)]],
  ["packets: of 80,000 digits", () => parseFlow(`${ARP}, packets:${"9".repeat(RUN)}, actions:1`)],
  ["in_port(0x + 80,000 hex digits)", () => parseFlowKey(`in_port(0x${"f".repeat(RUN)})`)],
  ["ct_label(0x + 80,000 hex digits)", () => parseFlowKey(`ct_label(0x${"1".repeat(RUN)})`)],
];
for (const [what, f] of adversarial) {
  const ms = best(() => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Error) || e.message.length > 700) throw e;
    }
  });
  console.log(`${runtime} ovs-text parse ${what}: ${ms.toFixed(2)} ms`);
}
