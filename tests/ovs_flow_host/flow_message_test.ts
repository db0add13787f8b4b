// Host tests of whole ovs_flow messages: decodeFlowMessage on annotated bytes, seeded random
// messages (encode -> decode -> encode byte for byte), truncated and corrupted messages (only
// DecodeError), and the small helpers of src/ovs/flow.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "../../src/protocol/errors.ts";
import { NetlinkWriter } from "../../src/protocol/writer.ts";
import { decodeFlowMessage, type Flow, toFlow, ufidFlags } from "../../src/ovs/flow.ts";
import { type FlowAttrs, flowAttrs } from "../../src/ovs/flow_attrs.ts";
import { randomActions, randomKey, randomMask, Rng } from "../ovs_text/_random.ts";

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function bytes(...parts: (number | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

test("flow message: annotated bytes decode to a Flow", () => {
  const msg = bytes(
    [1, 1, 0, 0], // genlmsghdr: OVS_FLOW_CMD_NEW, version 1
    [7, 0, 0, 0], // ovs_header.dp_ifindex = 7
    [12, 0, 1, 0], // OVS_FLOW_ATTR_KEY, 8 bytes of key attributes
    [8, 0, 3, 0, 2, 0, 0, 0], //   OVS_KEY_ATTR_IN_PORT = 2
    [20, 0, 3, 0], // OVS_FLOW_ATTR_STATS (struct ovs_flow_stats)
    [5, 0, 0, 0, 0, 0, 0, 0], //   n_packets = 5
    [0x2c, 1, 0, 0, 0, 0, 0, 0], //   n_bytes = 300
    [5, 0, 4, 0, 0x12, 0, 0, 0], // OVS_FLOW_ATTR_TCP_FLAGS = SYN|ACK (u8, padded)
    [12, 0, 5, 0, 0x10, 0x27, 0, 0, 0, 0, 0, 0], // OVS_FLOW_ATTR_USED = 10000 ms
    [12, 0, 2, 0], // OVS_FLOW_ATTR_ACTIONS
    [8, 0, 1, 0, 3, 0, 0, 0], //   OVS_ACTION_ATTR_OUTPUT = 3
    [20, 0, 9, 0, ...Array.from({ length: 16 }, (_, i) => i)], // OVS_FLOW_ATTR_UFID
  );
  const f = decodeFlowMessage(msg);
  assert.deepEqual(
    f,
    {
      dpIfindex: 7,
      ufid: Uint8Array.from({ length: 16 }, (_, i) => i),
      key: { inPort: 2 },
      actions: [{ kind: "output", value: 3 }],
      stats: { packets: 5n, bytes: 300n },
      used: 10000n,
      tcpFlags: 0x12,
    } satisfies Flow,
  );
  // The UFID is an owned copy, not a view into the message.
  msg[msg.length - 1] = 0xee;
  assert.equal(f.ufid![15], 15);
  // An offset/end window into a larger buffer.
  const big = new Uint8Array(msg.length + 8);
  big.set(msg, 4);
  assert.equal(decodeFlowMessage(big, 4, 4 + msg.length).dpIfindex, 7);
});

test("flow message: random messages re-encode byte for byte", () => {
  const r = new Rng(0xf10e);
  for (let i = 0; i < 400; i++) {
    const key = randomKey(r);
    const attrs: Record<string, unknown> = { key };
    if (r.bool()) attrs.ufid = r.bytes(1 + r.int(16));
    if (r.bool(0.7)) attrs.mask = randomMask(r, key);
    attrs.actions = randomActions(r);
    if (r.bool()) attrs.stats = { packets: BigInt(r.u32()), bytes: BigInt(r.u32()) * 7n };
    if (r.bool()) attrs.used = BigInt(r.u32());
    if (r.bool()) attrs.tcpFlags = r.u8();
    const w = new NetlinkWriter();
    w.putU8(1).putU8(1).putU16(0).putS32(r.int(1000) + 1);
    flowAttrs.encode(w, attrs as never);
    const b = w.copy();
    const f = decodeFlowMessage(b);
    const w2 = new NetlinkWriter();
    w2.putU8(1).putU8(1).putU16(0).putS32(f.dpIfindex);
    const { dpIfindex: _, ...rest } = f;
    // Re-encode in wire order: the decoded object keeps it.
    const ordered: Record<string, unknown> = {};
    for (const k of Object.keys(flowAttrs.decode(b, 8))) ordered[k] = rest[k as keyof typeof rest];
    flowAttrs.encode(w2, ordered as never);
    assert.equal(hex(w2.copy()), hex(b), `case ${i}`);
  }
});

test("flow message: truncated and corrupted messages raise DecodeError only", () => {
  const r = new Rng(0xbad);
  let decodeErrors = 0;
  for (let i = 0; i < 300; i++) {
    const key = randomKey(r);
    const w = new NetlinkWriter();
    w.putU8(1).putU8(1).putU16(0).putS32(3);
    flowAttrs.encode(w, { key, mask: randomMask(r, key), actions: randomActions(r) } as never);
    const b = w.copy();
    const cases: Uint8Array[] = [b.subarray(0, r.int(b.length))];
    const c = b.slice();
    for (let j = 0; j < 1 + r.int(4); j++) c[r.int(c.length)] = r.u8();
    cases.push(c);
    for (const x of cases) {
      try {
        decodeFlowMessage(x);
      } catch (e) {
        assert.ok(e instanceof DecodeError, `case ${i}: ${e}`);
        decodeErrors++;
      }
    }
  }
  assert.ok(decodeErrors > 100, `${decodeErrors} decode errors`);
  assert.throws(() => decodeFlowMessage(new Uint8Array(7)), DecodeError);
  assert.throws(() => decodeFlowMessage(new Uint8Array(16), 12), DecodeError);
});

test("flow message: toFlow keeps only what the reply carried; ufidFlags", () => {
  assert.deepEqual(toFlow(3, { ufid: new Uint8Array(16) } as FlowAttrs), {
    dpIfindex: 3,
    ufid: new Uint8Array(16),
  });
  assert.equal(ufidFlags(undefined), 0);
  assert.equal(ufidFlags(["key", "mask", "actions"]), 7);
  assert.equal(ufidFlags(["mask"]), 2);
  assert.throws(() => ufidFlags(["stats" as never]), TypeError);
});
