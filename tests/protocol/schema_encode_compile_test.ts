// Generated set encoders and struct writers (schema_compile.ts) against the generic loops: the
// same sets defined with generation off and on encode every value to the same bytes, and every
// bad value (wrong type, out of range, an unknown key or member, a missing member, a bad MAC or
// IPv4 text, unknown attributes) to the same error, path included. Seeded random values, most
// valid, some broken in one place; and the flow key set the bulk installer uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, NetlinkWriter, t } from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import { flowKeyAttrs } from "../../src/ovs/mod.ts";
import { prng } from "./_helpers.ts";

function make() {
  const addr = t.struct("addr", {
    mac: t.mac(),
    ip: t.ipv4(),
    proto: t.u8(),
    pad: t.pad(1),
    port: t.u16be(),
    mark: t.u32(),
    delta: t.s16(),
  });
  const other = t.struct("other", { a: t.u8(), wide: t.u64() }); // not written inline
  const inner = attrSet("inner", { id: [1, t.u32()], name: [2, t.string()] });
  return attrSet("outer", {
    u8: [1, t.u8()],
    u16: [2, t.u16()],
    u32: [3, t.u32()],
    s8: [4, t.s8()],
    s32: [5, t.s32()],
    be16: [6, t.u16be()],
    be32: [7, t.u32be()],
    flag: [8, t.flag()],
    ip: [9, t.ipv4()],
    addr: [10, addr],
    other: [11, other],
    inner: [12, t.nest(inner)],
    list: [13, t.multi(t.u32())],
    blob: [14, t.binary()],
    limited: [15, t.u16({ max: 100 })],
    mac: [16, t.mac()],
    text: [17, t.string()],
  });
}

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function validValue(r: R): Record<string, unknown> {
  const addr = () => ({
    mac: pick(r, ["00:11:22:33:44:55", "AA:bb:CC:dd:EE:ff", "ff:ff:ff:ff:ff:ff"]),
    ip: pick(r, ["10.0.0.1", "255.255.255.255", "0.0.0.0", "192.168.1.200"]),
    proto: pick(r, [0, 6, 255]),
    port: pick(r, [0, 80, 65535]),
    mark: pick(r, [0, 1, 0xffffffff]),
    delta: pick(r, [-32768, -1, 0, 32767]),
  });
  const all: Record<string, () => unknown> = {
    u8: () => pick(r, [0, 1, 255]),
    u16: () => pick(r, [0, 65535]),
    u32: () => pick(r, [0, 7, 0xffffffff]),
    s8: () => pick(r, [-128, 0, 127]),
    s32: () => pick(r, [-0x80000000, -1, 0x7fffffff]),
    be16: () => pick(r, [0x0800, 0xffff]),
    be32: () => pick(r, [1, 0xdeadbeef]),
    flag: () => pick(r, [true, false]),
    ip: () => pick(r, ["1.2.3.4", "10.20.30.40"]),
    addr,
    other: () => ({ a: 1, wide: 5n }),
    inner: () => ({ id: 3, name: "x" }),
    list: () => [1, 2, 3],
    blob: () => new Uint8Array([1, 2, 3]),
    limited: () => pick(r, [0, 100]),
    mac: () => "02:00:00:00:00:01",
    text: () => "hello",
  };
  const keys = Object.keys(all).filter(() => r() < 0.6);
  // Any order: the attributes are written in the value's key order.
  keys.sort(() => r() - 0.5);
  const v: Record<string, unknown> = {};
  for (const k of keys) v[k] = all[k]();
  return v;
}

const BAD: readonly unknown[] = [
  "1",
  1.5,
  -1,
  256,
  65536,
  0x1_0000_0000,
  -0x8000_0001,
  null,
  undefined,
  NaN,
  {},
  [],
  "1.2.3",
  "01.2.3.4",
  "00:11:22:33:44",
  "00:11:22:33:44:5g",
  "00-11-22-33-44-55",
  true,
  101,
];

/** `v` with one value somewhere (a field, a struct member, an extra key) made bad. */
function broken(r: R, v: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(v);
  const roll = r();
  if (roll < 0.1) return { ...v, nope: 1 };
  if (roll < 0.15) return { ...v, unknown: [{ type: 99, bytes: new Uint8Array([1]) }] };
  if (roll < 0.2) return { ...v, unknown: [{ type: "x" }] };
  if (keys.length === 0) return { u8: pick(r, BAD) };
  const k = pick(r, keys);
  const out = { ...v };
  if (k === "addr" && r() < 0.7) {
    const a = { ...(v.addr as Record<string, unknown>) };
    const m = pick(r, [...Object.keys(a), "pad", "extra"]);
    if (r() < 0.2) delete a[m];
    else a[m] = pick(r, BAD);
    out.addr = a;
  } else out[k] = pick(r, BAD);
  return out;
}

function outcome(set: ReturnType<typeof make>, v: unknown): string {
  const w = new NetlinkWriter(16); // small: encodes grow it
  w.putU32(0xabcdef01); // encoding starts past the writer's start
  try {
    set.encode(w, v as never);
    return Array.from(w.bytes(), (b) => b.toString(16).padStart(2, "0")).join("");
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

test("generated set encoders and struct writers: the generic loop's bytes and errors", () => {
  const before = codegenEnabled();
  setCodegen(false);
  const generic = make();
  setCodegen(before);
  const generated = make();
  const r = prng(0x5e7_e4c);
  let errors = 0;
  for (let i = 0; i < 4000; i++) {
    const good = validValue(r);
    const v = r() < 0.5 ? good : broken(r, good);
    const a = outcome(generic, v), b = outcome(generated, v);
    assert.equal(b, a, `value ${i}`);
    if (a.includes("Error")) errors++;
  }
  assert.ok(errors > 500, `${errors} errors`);
  // Not an object: the generic loop's error.
  for (const v of [null, 1, "x", []]) assert.equal(outcome(generated, v), outcome(generic, v));
});

test("generated set encoders: a flow key and its mask encode as the generic loop does", () => {
  const key = {
    inPort: 1,
    ethernet: { src: "00:00:00:00:00:01", dst: "ff:ff:ff:ff:ff:ff" },
    ethertype: 0x0800,
    ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 },
    tcp: { src: 80, dst: 1024 },
    tcpFlags: 0x12,
    encap: { vlan: 0x1005 },
  };
  const w = new NetlinkWriter();
  flowKeyAttrs.encode(w, key);
  const decoded = flowKeyAttrs.decode(w.bytes());
  assert.deepEqual(decoded, key);
  assert.throws(
    () => flowKeyAttrs.encode(new NetlinkWriter(), { ...key, ethernet: { src: "x", dst: "y" } }),
    /Cannot encode key-attrs\.ethernet\.src: expected a MAC address/,
  );
  assert.throws(
    () => flowKeyAttrs.encode(new NetlinkWriter(), { ...key, ipv4: { ...key.ipv4, ttl: 256 } }),
    /Cannot encode key-attrs\.ipv4\.ttl: 256 does not fit in u8/,
  );
});
