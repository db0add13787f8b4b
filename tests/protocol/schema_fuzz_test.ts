// Fuzz-style robustness of the schema machinery itself, with its decoders generated and generic
// (the mutations are those of tests/fuzz, which fuzzes every shipped attribute set):
// 2,000 seeded random mutations and truncations of valid messages
// either decode or raise DecodeError (never RangeError/TypeError from DataView & co), and
// whatever decodes re-encodes and decodes to the same value. Reproducible: seeded PRNG.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttrSet,
  attrSet,
  type Codec,
  DecodeError,
  NetlinkWriter,
  t,
} from "../../src/protocol/mod.ts";
import { ctrlAttrs } from "../../src/genl/nlctrl_schema.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import {
  NLCTRL_GETFAMILY_REPLY,
  NLCTRL_POLICY_FAMILY_ID,
  NLCTRL_POLICY_FAMILY_NAME,
  NLCTRL_POLICY_OP,
} from "../fixtures/nlctrl_getfamily_reply.ts";
import { prng } from "./_helpers.ts";
import { mutateBytes } from "../fuzz/_targets.ts";

const SEED = 0x5eed_2026;
const ITERATIONS = 2000;

interface Sample {
  // deno-lint-ignore no-explicit-any
  set: AttrSet<any>;
  bytes: Uint8Array;
}

function samples(): Sample[] {
  const ethernet = t.struct("ovs-key-ethernet", { src: t.mac(), dst: t.mac() });
  const ipv4 = t.struct("ovs-key-ipv4", {
    src: t.ipv4(),
    dst: t.ipv4(),
    proto: t.u8(),
    tos: t.u8(),
    ttl: t.u8(),
    frag: t.enum(t.u8(), { no: 0, first: 1, later: 2 }),
  });
  const ipv6 = t.struct("ovs-key-ipv6", {
    src: t.ipv6(),
    dst: t.ipv6(),
    label: t.u32be(),
    proto: t.u8(),
    tclass: t.u8(),
    hlimit: t.u8(),
    frag: t.u8(),
  });
  const tunnel = attrSet("tunnel-key-attrs", {
    id: [0, t.u64be()],
    ipv4Src: [1, t.ipv4()],
    dontFragment: [5, t.flag()],
    tpDst: [10, t.u16be()],
    ipv6Dst: [14, t.ipv6()],
    pad: [15, t.pad()],
  });
  const key = attrSet("key-attrs", {
    priority: [2, t.u32()],
    inPort: [3, t.u32()],
    ethernet: [4, ethernet],
    vlan: [5, t.u16be()],
    ethertype: [6, t.u16be()],
    ipv4: [7, ipv4],
    ipv6: [8, ipv6],
    tunnel: [16, t.nest(tunnel, { nestedFlag: false })],
    ctState: [22, t.flags(t.u32(), { new: 1, established: 2, related: 4 })],
    ctLabels: [25, t.binary({ length: 16 })],
    hash: [19, t.uint()],
  });
  type Actions = AttrSet<{
    output: Codec<number>;
    userspace: Codec<{ pid?: number; unknown?: unknown[] }>;
    set: Codec<unknown>;
    popVlan: Codec<true, boolean>;
    clone: Codec<unknown[], readonly unknown[]>;
    hash: Codec<{ value: number; selector: number }>;
  }>;
  const userspace = attrSet("userspace-attrs", { pid: [1, t.u32()], userdata: [2, t.binary()] });
  const actions: Actions = attrSet("action-attrs", {
    output: [1, t.u32()],
    userspace: [2, t.nest(userspace)],
    set: [3, t.nest(key, { nestedFlag: false })],
    popVlan: [5, t.flag()],
    clone: [20, t.lazy(() => t.list(actions) as Codec<unknown[], readonly unknown[]>)],
    hash: [6, t.bitfield32()],
  }) as unknown as Actions;
  const stats = t.struct("ovs-flow-stats", { packets: t.u64(), bytes: t.u64() });
  const flow = attrSet("flow-attrs", {
    key: [1, t.nest(key, { nestedFlag: false })],
    actions: [2, t.list(actions, { nestedFlag: false })],
    stats: [3, stats],
    tcpFlags: [4, t.u8()],
    used: [5, t.u64()],
    mask: [7, t.nest(key, { nestedFlag: false })],
    ufid: [8, t.binary({ length: 16 })],
    names: [9, t.multi(t.string())],
    groups: [10, t.indexedArray(t.nest(userspace))],
    ids: [11, t.map(t.sint())],
    s: [12, t.s16()],
  });
  const w = new NetlinkWriter();
  flow.encode(w, {
    key: {
      inPort: 1,
      ethernet: { src: "00:11:22:33:44:55", dst: "66:77:88:99:aa:bb" },
      ethertype: 0x0800,
      ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: "no" },
      ipv6: {
        src: "2001:db8::1",
        dst: "fe80::2",
        label: 5,
        proto: 17,
        tclass: 0,
        hlimit: 64,
        frag: 0,
      },
      tunnel: { id: 42n, ipv4Src: "192.0.2.1", dontFragment: true, tpDst: 4789, ipv6Dst: "::1" },
      ctState: ["new", "established"],
      ctLabels: new Uint8Array(16).fill(7),
      hash: 1n << 40n,
    },
    actions: [
      { kind: "popVlan", value: true },
      { kind: "set", value: { priority: 3 } },
      {
        kind: "clone",
        value: [{ kind: "output", value: 3 }, {
          kind: "clone",
          value: [{ kind: "output", value: 4 }],
        }],
      },
      { kind: "userspace", value: { pid: 99 } },
      { kind: "hash", value: { value: 1, selector: 3 } },
      { kind: "output", value: 2 },
    ],
    stats: { packets: 10n, bytes: 1500n },
    tcpFlags: 0x12,
    used: 99n,
    mask: { inPort: 0xffffffff, ethertype: 0xffff },
    ufid: new Uint8Array(16).fill(0xab),
    names: ["a", "bc", "déf"],
    groups: [{ pid: 1 }, { pid: 2, userdata: new Uint8Array([1, 2, 3]) }],
    ids: [{ key: 1, value: -5n }, { key: 7, value: 1n << 50n }],
    s: -300,
  });
  const out: Sample[] = [{ set: flow, bytes: w.copy() }];
  for (
    const m of [
      NLCTRL_GETFAMILY_REPLY,
      NLCTRL_POLICY_OP,
      NLCTRL_POLICY_FAMILY_ID,
      NLCTRL_POLICY_FAMILY_NAME,
    ]
  ) {
    out.push({ set: ctrlAttrs, bytes: m.slice(20) });
  }
  return out;
}

for (const mode of ["generated", "generic"] as const) {
  test(`schema fuzz (${mode}): ${ITERATIONS} mutated messages decode or raise DecodeError`, () => {
    const before = codegenEnabled();
    if (mode === "generic") setCodegen(false);
    try {
      const all = samples();
      // the samples themselves are valid
      for (const s of all) s.set.decode(s.bytes, 0, s.bytes.length);
      const rand = prng(SEED);
      let decoded = 0;
      let rejected = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const s = all[Math.floor(rand() * all.length)];
        const bytes = rand() < 0.05
          ? Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))
          : mutateBytes(s.bytes, rand);
        const strict = rand() < 0.3;
        // decode from an offset inside a larger buffer too
        const pad = Math.floor(rand() * 3);
        const buf = new Uint8Array(bytes.length + 2 * pad).fill(0xee);
        buf.set(bytes, pad);
        let value: unknown;
        try {
          value = s.set.decode(buf, pad, pad + bytes.length, { strict });
        } catch (e) {
          if (!(e instanceof DecodeError)) {
            assert.fail(
              `iteration ${i} (seed ${SEED}): ${e} for ${
                Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join(" ")
              }`,
            );
          }
          assert.ok(e.offset >= pad && e.offset <= pad + bytes.length, `offset ${e.offset}`);
          rejected++;
          continue;
        }
        decoded++;
        // what decodes re-encodes, and decodes to the same value again
        const w = new NetlinkWriter();
        s.set.encode(w, value as never);
        assert.deepEqual(s.set.decode(w.bytes(), 0, w.length), value, `iteration ${i}`);
      }
      assert.ok(decoded > 100 && rejected > 100, `decoded ${decoded}, rejected ${rejected}`);
    } finally {
      setCodegen(before);
    }
  });
}
