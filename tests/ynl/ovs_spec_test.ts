// The OVS families keep their hand-written model (richer than ovs_flow.yaml, which leaves keys
// and actions partly opaque), but they must describe the same wire format as the kernel's specs:
// the families generated from ovs_datapath/ovs_vport/ovs_flow.yaml are compared with them
// attribute by attribute, number, wire type and nesting, and any mismatch fails. Pure: runs on
// the host (no openvswitch module needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AttrSet, Codec } from "../../src/protocol/mod.ts";
import { ovsDatapathFamily, ovsFlowFamily, ovsVportFamily } from "../../src/ovs/mod.ts";
import { ovsDatapath } from "../../src/families/ovs_datapath.ts";
import { ovsFlow } from "../../src/families/ovs_flow.ts";
import { ovsVport } from "../../src/families/ovs_vport.ts";

// deno-lint-ignore no-explicit-any
type AnyCodec = Codec<any, any> & Record<string, any>;
// deno-lint-ignore no-explicit-any
type AnySet = AttrSet<any>;

/** Peels what does not change the bytes: lazy references, enum and flag views. */
function peel(c: AnyCodec): AnyCodec {
  while (c.kind === "lazy") c = c.resolve();
  return c;
}

/**
 * The wire type of a codec: fixed-size values by their size and byte order (an enum, a flag set
 * or an address over a u32 is still a u32 on the wire), structs by their size, strings, flags,
 * opaque bytes, nests (compared by their sets), arrays by their elements.
 */
function wire(c0: AnyCodec): { type: string; set?: AnySet; inner?: AnyCodec } {
  const c = peel(c0);
  switch (c.kind) {
    case "nest":
    case "list": // an ordered list (actions) is a nest of the same set, kept in order
      return { type: "nest", set: c.set };
    case "multi":
      return { type: "multi", inner: c.inner };
    case "indexed-array":
      return { type: "indexed-array", inner: c.inner };
    case "string":
    case "flag":
    case "pad":
      return { type: c.kind };
    case "binary":
      return { type: c.size >= 0 ? `bytes[${c.size}]` : "bytes" };
    case "array": // binary with a scalar sub-type: "u32[]"
      return { type: `array of ${c.type.replace(/\[\]$/, "")}` };
    case "u32-array": // the model's per-CPU upcall pids
      return { type: "array of u32" };
    case "ip":
    case "lladdr":
      return { type: "bytes" };
    case "struct":
      // t.extensible(struct) and a fixed struct: compared by the struct's size
      return { type: `bytes[${c.size >= 0 ? c.size : c.struct.size}]` };
  }
  if (c.size > 0) {
    const be = /be$/.test(c.kind) || c.kind === "ipv4" || c.kind === "ipv6" || c.kind === "mac";
    return { type: c.size === 1 ? "int[1]" : `int[${c.size}]${be ? " be" : ""}` };
  }
  return { type: c.kind };
}

/**
 * Compares two attribute sets field by field (every number either one has), recursing into
 * nested sets once per pair; returns the mismatches with their paths.
 */
function compareSets(
  hand: AnySet,
  spec: AnySet,
  path: string,
  seen: Set<string>,
  out: string[],
  counts: { attrs: number },
): void {
  const key = `${hand.name}|${spec.name}`;
  if (seen.has(key)) return;
  seen.add(key);
  const numbers = new Set([...hand.fields, ...spec.fields].map((f) => f.type));
  for (const n of [...numbers].sort((a, b) => a - b)) {
    const h = hand.field(n);
    const s = spec.field(n);
    const where = `${path}.${s?.name ?? h?.name}(${n})`;
    if (h === undefined || s === undefined) {
      // padding attributes carry nothing: a model may leave them out
      if ((h ?? s)!.codec.kind === "pad") continue;
      out.push(`${where}: only in the ${h ? "hand-written model" : "spec"}`);
      continue;
    }
    counts.attrs++;
    compareCodecs(h.codec as AnyCodec, s.codec as AnyCodec, where, seen, out, counts);
  }
}

function compareCodecs(
  h: AnyCodec,
  s: AnyCodec,
  where: string,
  seen: Set<string>,
  out: string[],
  counts: { attrs: number },
): void {
  const a = wire(h);
  const b = wire(s);
  // Where the spec says only "bytes" (any length: ovs_flow.yaml leaves keys and actions partly
  // opaque), the model may know their layout; padding is padding either way.
  if (b.type === "bytes" || (a.type === "pad" && b.type.startsWith("bytes"))) return;
  // Opaque bytes in the model and an array view in the spec are the same byte string (Geneve
  // options: TLVs in whole 4-byte words, which ovs_flow.yaml shows as u32s).
  if (a.type === "bytes" && b.type.startsWith("array of ")) return;
  // Where the model is richer than the spec, as the kernel is:
  const richer = RICHER.get(`${peel(h).kind}|${b.type}`);
  if (richer !== undefined) return;
  if (a.type !== b.type) {
    out.push(`${where}: hand-written ${a.type}, spec ${b.type}`);
    return;
  }
  if (a.set && b.set) compareSets(a.set, b.set, where, seen, out, counts);
  if (a.inner && b.inner) compareCodecs(a.inner, b.inner, `${where}[]`, seen, out, counts);
}

/** Model codecs richer than the spec's type for the same attribute, and why (kind|spec type). */
const RICHER = new Map([
  [
    "mpls-lses|bytes[4]",
    "OVS_KEY_ATTR_MPLS holds a stack of label entries (net/openvswitch/flow_netlink.c: its " +
    "length is OVS_ATTR_VARIABLE); the spec one struct ovs_key_mpls",
  ],
  [
    "set-masked|nest",
    "OVS_ACTION_ATTR_SET_MASKED holds one key attribute whose value is followed by its mask " +
    "(flow_netlink.c: validate_set()); the spec a nest of key-attrs",
  ],
]);

const PAIRS = [
  ["ovs_datapath", ovsDatapathFamily, ovsDatapath],
  ["ovs_vport", ovsVportFamily, ovsVport],
  ["ovs_flow", ovsFlowFamily, ovsFlow],
] as const;

for (const [name, hand, spec] of PAIRS) {
  test(`ovs vs ${name}.yaml: the same family name, version, header and commands`, () => {
    assert.equal(hand.name, spec.name);
    assert.equal(hand.version, spec.version);
    assert.equal(hand.header?.size, spec.header.size);
    const members = (m: Record<string, { kind: string }>) =>
      Object.entries(m).filter(([, c]) => c.kind !== "pad").map(([k]) => k);
    assert.deepEqual(members(hand.header?.members ?? {}), members(spec.header.members));
    const cmds = (ops: Record<string, { cmd: number }>) =>
      Object.values(ops).map((o) => o.cmd).sort((x, y) => x - y);
    // the spec's operations are a subset of what the model describes
    const handCmds = new Set(cmds(hand.operations));
    for (const c of cmds(spec.operations)) assert.ok(handCmds.has(c), `${name}: cmd ${c}`);
    const events = (e: Record<string, { cmd: number }> | undefined) =>
      Object.values(e ?? {}).map((x) => x.cmd).sort((x, y) => x - y);
    for (const c of events(spec.events)) {
      assert.ok(events(hand.events).includes(c), `${name}: event ${c}`);
    }
    assert.deepEqual([...(hand.mcastGroups ?? [])], [...spec.mcastGroups]);
  });

  test(`ovs vs ${name}.yaml: every attribute agrees in number, wire type and nesting`, () => {
    const out: string[] = [];
    const counts = { attrs: 0 };
    compareSets(hand.attrs, spec.attrs, name, new Set(), out, counts);
    assert.deepEqual(out, [], `${name}: mismatches between the model and the spec`);
    assert.ok(counts.attrs >= (name === "ovs_flow" ? 100 : 5), `${counts.attrs} attributes`);
  });
}
