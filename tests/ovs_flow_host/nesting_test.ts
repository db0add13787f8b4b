// Deep nesting (issue 15, item 4): one limit, MAX_NESTING, bounds every decoder that follows
// nests. Input nested 16,000 deep (as deep as 65,535 bytes allow) raises DecodeError with the
// attribute path from every attribute set nlts ships, the flow message decoder and the dump
// filter, never "Maximum call stack size exceeded"; encoding refuses what decoding refuses; and
// the deepest flows that decode print text the parsers read back.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as genl from "../../src/genl/mod.ts";
import * as ovs from "../../src/ovs/mod.ts";
import {
  type AttrFields,
  AttrSet,
  DecodeError,
  MAX_NESTING,
  NetlinkWriter,
} from "../../src/protocol/mod.ts";

/** Attributes nested `depth` deep, the types cycling through `types`, the innermost empty. */
function chain(types: readonly number[], depth: number): Uint8Array {
  const b = new Uint8Array(depth * 4);
  for (let i = 0; i < depth; i++) {
    const len = b.length - i * 4;
    const type = types[i % types.length];
    b.set([len & 0xff, len >> 8, type & 0xff, type >> 8], i * 4);
  }
  return b;
}

function decodeErrorOnly(label: string, f: () => unknown): DecodeError | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof DecodeError)) assert.fail(`${label}: ${e}`);
    return e;
  }
}

test("nesting: a dump filter over encaps nested 16,000 deep raises DecodeError", () => {
  const deep = chain([ovs.OVS_KEY_ATTR.ENCAP], 16000);
  const e = decodeErrorOnly("FlowFilter", () => new ovs.FlowFilter(deep, deep));
  assert.ok(e);
  assert.match(e.message, /nest too deeply/);
  assert.equal(e.path, `key-attrs${".encap".repeat(MAX_NESTING + 1)}`);
  assert.equal(e.offset, 4 * MAX_NESTING);
  // As deep as the limit still filters.
  const ok = chain([ovs.OVS_KEY_ATTR.ENCAP], MAX_NESTING);
  const f = new ovs.FlowFilter(ok, ok);
  assert.equal(f.matches({ key: { inPort: 1 } }), true);
});

test("nesting: every attribute set nlts ships raises DecodeError for chains deeper than the limit", () => {
  const sets: [string, AttrSet<AttrFields>][] = [];
  for (const [mod, m] of [["genl", genl], ["ovs", ovs]] as const) {
    for (const [k, v] of Object.entries(m)) {
      if (v instanceof AttrSet) sets.push([`${mod}.${k}`, v as AttrSet<AttrFields>]);
    }
  }
  assert.ok(sets.length > 40, `${sets.length} attribute sets`);
  let refused = 0;
  for (const [name, set] of sets) {
    const types = set.fields.map((f) => f.type);
    // every pair of attribute types, alternating (a clone in a clone, sample > actions > sample),
    // deeper than MAX_NESTING recursions of up to 3 nests each
    for (const a of types) {
      for (const b of types) {
        const bytes = chain([a, b], 4 * MAX_NESTING + 100);
        if (decodeErrorOnly(`${name} [${a}, ${b}]`, () => set.decode(bytes))) refused++;
      }
    }
  }
  assert.ok(refused > 100, `${refused} refused`);
  // 16,000 deep: flow-attrs whose actions nest clones, whose key nests encaps
  const T = ovs.OVS_KEY_ATTR, A = ovs.OVS_ACTION_ATTR, F = ovs.OVS_FLOW_ATTR;
  const cycle = (
    first: number,
    ...rest: number[]
  ) => [first, ...Array.from({ length: 15999 }, (_, i) => rest[i % rest.length])];
  for (
    const [types, path] of [
      [cycle(F.ACTIONS, A.CLONE), "flow-attrs.actions[0].clone[0].clone"],
      [cycle(F.KEY, T.ENCAP), "flow-attrs.key.encap.encap"],
      [
        cycle(F.ACTIONS, A.SAMPLE, ovs.OVS_SAMPLE_ATTR.ACTIONS),
        "flow-attrs.actions[0].sample.actions[0].sample",
      ],
      [
        cycle(F.ACTIONS, A.DEC_TTL, ovs.OVS_DEC_TTL_ATTR.ACTION),
        "flow-attrs.actions[0].dec-ttl.action[0].dec-ttl",
      ],
    ] as const
  ) {
    const bytes = chain(types, 16000);
    const msg = new Uint8Array(8 + bytes.length); // genlmsghdr, ovs_header, attributes
    msg.set(bytes, 8);
    const e = decodeErrorOnly(path, () => ovs.decodeFlowMessage(msg));
    assert.ok(e && /nest too deeply/.test(e.message), path);
    assert.ok(e.path.startsWith(path), e.path);
  }
});

type Wrap = (inner: ovs.Action[]) => ovs.Action;
const WRAPS: Record<string, Wrap> = {
  clone: (a) => ({ kind: "clone", value: a }),
  sample: (a) => ({ kind: "sample", value: { probability: 0x80000000, actions: a } }),
  "check_pkt_len gt": (a) => ({
    kind: "checkPktLen",
    value: { pktLen: 100, actionsIfGreater: a, actionsIfLessEqual: [{ kind: "output", value: 3 }] },
  }),
  "check_pkt_len le": (a) => ({
    kind: "checkPktLen",
    value: { pktLen: 100, actionsIfGreater: [], actionsIfLessEqual: a },
  }),
  dec_ttl: (a) => ({ kind: "decTtl", value: { action: a } }),
};

function nestActions(wrap: Wrap, levels: number, leaf: ovs.Action[]): ovs.Action[] {
  let a = leaf;
  for (let i = 0; i < levels; i++) a = [wrap(a)];
  return a;
}

function encapKey(levels: number, leaf: ovs.FlowKey): ovs.FlowKey {
  let k = leaf;
  for (let i = 0; i < levels; i++) k = { ethertype: 0x8100, vlan: 0x1000 | i, encap: k };
  return k;
}

function flowBytes(flow: ovs.FlowAttrs): Uint8Array {
  const w = new NetlinkWriter();
  ovs.flowAttrs.encode(w, flow);
  return w.copy();
}

/** The flow decodes, prints, parses back, and prints the same again. */
function roundTrip(label: string, flow: ovs.FlowAttrs): void {
  const d = ovs.flowAttrs.decode(flowBytes(flow));
  const text = ovs.formatFlow(d);
  const p = ovs.parseFlow(text);
  assert.equal(
    ovs.formatFlow({ key: p.key, mask: p.mask, actions: p.actions }),
    text,
    label,
  );
}

test("nesting: the deepest flows that decode print text that parses back; one level more is refused both ways", () => {
  const output: ovs.Action[] = [{ kind: "output", value: 2 }];
  const key: ovs.FlowKey = { inPort: 1 };
  for (const [name, wrap] of Object.entries(WRAPS)) {
    roundTrip(name, { key, mask: key, actions: nestActions(wrap, MAX_NESTING, output) });
    assert.throws(
      () => flowBytes({ actions: nestActions(wrap, MAX_NESTING + 1, output) }),
      (e) => e instanceof RangeError && /nest too deeply/.test(e.message),
      name,
    );
  }
  const deepKey = encapKey(MAX_NESTING, { inPort: 1, ethertype: 0x0800 });
  roundTrip("encap", { key: deepKey, mask: deepKey, actions: output });
  assert.throws(() => flowBytes({ key: encapKey(MAX_NESTING + 1, key) }), RangeError);
  // a set action (a key) under clones: recursion on both sides of the action/key boundary
  const ipv4 = { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 };
  for (const clones of [0, 1, MAX_NESTING >> 1, MAX_NESTING]) {
    const set: ovs.Action = { kind: "set", value: encapKey(MAX_NESTING - clones, { ipv4 }) };
    roundTrip(`${clones} clones`, {
      key,
      mask: key,
      actions: nestActions(WRAPS.clone, clones, [set]),
    });
  }
  // One more clone than the limit, built by hand around the deepest that encodes: DecodeError.
  const ok = flowBytes({ actions: nestActions(WRAPS.clone, MAX_NESTING, output) });
  const deeper = new Uint8Array(ok.length + 4);
  deeper.set([(ok.length + 4) & 0xff, (ok.length + 4) >> 8, ovs.OVS_FLOW_ATTR.ACTIONS, 0]);
  deeper.set([ok.length & 0xff, ok.length >> 8, ovs.OVS_ACTION_ATTR.CLONE, 0], 4);
  deeper.set(ok.subarray(4), 8);
  const e = decodeErrorOnly("one more clone", () => ovs.flowAttrs.decode(deeper));
  assert.ok(e && /nest too deeply/.test(e.message));
});
