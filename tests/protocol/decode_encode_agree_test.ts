// Decode and encode agree on every limit (issue 15, item 5): a decoded value always encodes
// again, or decoding fails with a DecodeError naming the limit (a wire limit); an integer
// outside its YNL checks (the kernel's input policy) is kept in `unknown` and re-encodes
// verbatim. A seeded property test over every attribute set nlts ships (schema-shaped random
// attributes: strings and binaries of lengths around their limits, nests, lists, maps...), the
// attributes the issue names one by one, and the 64 KiB edge (strings that grow when
// re-encoded, nests that are nearly full).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import * as genl from "../../src/genl/mod.ts";
import * as ovs from "../../src/ovs/mod.ts";
import {
  type AttrFields,
  type AttrSet,
  attrSet,
  DecodeError,
  NetlinkWriter,
  t,
} from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import { listSpecs, loadSpec } from "../../src/ynl/mod.ts";
import { existsSync, readdirSync } from "node:fs";
import { prng } from "./_helpers.ts";
import {
  attr,
  attrsFor,
  collectSets,
  concat,
  customPayloads,
  int,
  payloadFor,
} from "./_schema_gen.ts";

// A masked set action holds one key attribute: a value then a mask of the same size.
customPayloads.set("set-masked", (rand, depth) => {
  const fields = ovs.flowKeyAttrs.fields;
  const f = fields[int(rand, fields.length)];
  // deno-lint-ignore no-explicit-any
  const half = payloadFor(f.codec as any, rand, depth + 1);
  return attr(f.type, concat([half, half]));
});

const SEED = 0xa9_2e_e0;
const PER_SET = 150;
const PER_SPEC_SET = 20;

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Decodes `bytes`; when it decodes, it must encode, and decode again to the same value. */
function agrees(set: AttrSet<AttrFields>, bytes: Uint8Array, label: string): boolean {
  let value: unknown;
  try {
    value = set.decode(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) assert.fail(`${label}: ${e} for ${hex(bytes)}`);
    return false;
  }
  const w = new NetlinkWriter();
  try {
    set.encode(w, value as never);
  } catch (e) {
    assert.fail(`${label}: decoded, but encoding it back fails: ${e} (input ${hex(bytes)})`);
  }
  const again = set.decode(w.bytes());
  assert.ok(
    isDeepStrictEqual(again, value),
    `${label}: decode(encode(v)) differs for ${hex(bytes)}`,
  );
  return true;
}

test("agree: what decodes re-encodes, for every attribute set of every family nlts ships", () => {
  const sets = collectSets([genl, ovs]);
  assert.ok(sets.length > 50, `${sets.length} sets`);
  const rand = prng(SEED);
  let decoded = 0, refused = 0;
  for (const [name, set] of sets) {
    for (let i = 0; i < PER_SET; i++) {
      if (agrees(set, attrsFor(set, rand), `${name} #${i}`)) decoded++;
      else refused++;
    }
  }
  assert.ok(decoded > refused, `decoded ${decoded}, refused ${refused}`);
});

const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";
const SHARED = new URL("../../../shared/ynl-specs", import.meta.url).pathname;

test("agree: what decodes re-encodes, for every attribute set of every YNL spec", (t) => {
  const files = [
    ...(existsSync(LINUX_DOC) ? listSpecs({ dirs: [LINUX_DOC] }).map((s) => s.path) : []),
    ...(existsSync(SHARED)
      ? readdirSync(SHARED).filter((f) => f.endsWith(".yaml")).map((f) => `${SHARED}/${f}`)
      : []),
  ];
  if (files.length === 0) {
    t.skip("no YNL specs here (linux-doc-6.12, ../shared/ynl-specs)");
    return;
  }
  const rand = prng(SEED + 2);
  let decoded = 0, refused = 0, sets = 0;
  for (const file of files) {
    const family = loadSpec(file);
    for (const [name, set] of family.ynl.sets) {
      sets++;
      for (let i = 0; i < PER_SPEC_SET; i++) {
        if (agrees(set, attrsFor(set, rand), `${family.name}/${name} #${i}`)) decoded++;
        else refused++;
      }
    }
  }
  assert.ok(
    sets > 300 && decoded > refused,
    `${sets} sets: decoded ${decoded}, refused ${refused}`,
  );
});

test("agree: integers outside their checks (YNL min, max, flags-mask) decode into unknown and re-encode verbatim; encoding the value is refused", () => {
  const s = attrSet("checked", {
    id: [1, t.u32({ min: 1 })],
    index: [2, t.u16({ max: 7 })],
    flags: [3, t.u32({ mask: 0x7 })],
    big: [4, t.u64({ max: 1000n })],
    v: [5, t.uint({ min: 10 })],
    pair: [6, t.struct("pair", { a: t.u8({ max: 9 }), b: t.u8() })],
  }) as unknown as AttrSet<AttrFields>;
  const le32 = (v: number) =>
    new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]);
  const cases: [Uint8Array, RegExp, Record<string, unknown>][] = [
    [attr(1, le32(0)), /0 is outside 1\.\./, { id: 0 }],
    [attr(2, new Uint8Array([8, 0])), /8 is outside \.\.\.\.\.7/, { index: 8 }],
    [attr(3, le32(9)), /9 sets bits outside the mask 0x7/, { flags: 9 }],
    [attr(4, new Uint8Array([0xe9, 3, 0, 0, 0, 0, 0, 0])), /1001 is outside/, { big: 1001n }],
    [attr(5, le32(9)), /9 is outside 10\.\./, { v: 9n }],
    [attr(6, new Uint8Array([10, 0])), /10 is outside/, { pair: { a: 10, b: 0 } }],
  ];
  for (const [bytes, why, value] of cases) {
    // the attribute decodes as it came, into unknown, and the value re-encodes (agrees)
    assert.deepEqual(Object.keys(s.decode(bytes)), ["unknown"]);
    assert.ok(agrees(s, bytes, `${why}`));
    // and encoding the value as a number is refused (the kernel's input policy)
    assert.throws(
      () => s.encode(new NetlinkWriter(), value as never),
      (e) => e instanceof RangeError && why.test(e.message),
    );
  }
  assert.ok(
    agrees(
      s,
      concat([attr(1, le32(1)), attr(3, le32(5)), attr(6, new Uint8Array([9, 200]))]),
      "in range",
    ),
  );
});

/** `set` decoding `bytes` raises a DecodeError at `path` whose message matches `limit`. */
function refuses(set: AttrSet<AttrFields>, bytes: Uint8Array, path: string, limit: RegExp): void {
  assert.throws(
    () => set.decode(bytes),
    (e) =>
      e instanceof DecodeError && e.path === path && limit.test(e.message) ||
      assert.fail(`${path}: ${e}`),
  );
}

const ascii = (n: number) => new Uint8Array(n + 1).fill(0x61, 0, n); // "aaa...\0"

test("agree: the attributes the issue names are refused by decode as encode refuses them", () => {
  const sets = (s: unknown) => s as AttrSet<AttrFields>;
  const F = ovs.OVS_FLOW_ATTR;
  for (const n of [0, 17, 20, 796]) {
    refuses(
      sets(ovs.flowAttrs),
      attr(F.UFID, new Uint8Array(n)),
      "flow-attrs.ufid",
      new RegExp(`expected 1\\.\\.16 bytes for binary\\[1\\.\\.16\\], got ${n}`),
    );
  }
  refuses(
    sets(ovs.psampleAttrs),
    attr(ovs.OVS_PSAMPLE_ATTR.COOKIE, new Uint8Array(17)),
    "psample-attrs.cookie",
    /0\.\.16 bytes .*got 17/,
  );
  refuses(
    sets(ovs.ctAttrs),
    attr(ovs.OVS_CT_ATTR.HELPER, ascii(48)),
    "ct-attrs.helper",
    /the string is 48 bytes long \(UTF-8\), at most 15 fit/,
  );
  refuses(
    sets(ovs.ctAttrs),
    attr(ovs.OVS_CT_ATTR.TIMEOUT, ascii(32)),
    "ct-attrs.timeout",
    /32 bytes long .*at most 31 fit/,
  );
  refuses(
    sets(ovs.datapathAttrs),
    attr(ovs.OVS_DP_ATTR.NAME, ascii(16)),
    "datapath.name",
    /16 bytes long .*at most 15 fit/,
  );
  refuses(
    sets(genl.ctrlAttrs),
    attr(genl.CTRL_ATTR.FAMILY_NAME, ascii(34)),
    "ctrl-attrs.family-name",
    /34 bytes long .*at most 15 fit/,
  );
  refuses(sets(genl.wolAttrs), attr(3, new Uint8Array(48)), "wol.sopass", /0\.\.6 bytes .*got 48/);
  refuses(
    sets(genl.channelsAttrs),
    attr(1, attr(2, ascii(165))),
    "channels.header.dev-name",
    /165 bytes long .*at most 127 fit/,
  );
  // Invalid UTF-8 counts as what it re-encodes to: 6 bytes of 0xff are 6 U+FFFD, 18 bytes.
  refuses(
    sets(genl.ctrlAttrs),
    attr(genl.CTRL_ATTR.FAMILY_NAME, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0])),
    "ctrl-attrs.family-name",
    /18 bytes long \(UTF-8\), at most 15 fit/,
  );
  // At the limit, they decode and re-encode.
  assert.ok(agrees(sets(ovs.datapathAttrs), attr(ovs.OVS_DP_ATTR.NAME, ascii(15)), "15"));
  assert.ok(agrees(sets(ovs.flowAttrs), attr(F.UFID, new Uint8Array(16)), "ufid 16"));
  assert.ok(agrees(sets(genl.wolAttrs), attr(3, new Uint8Array(6)), "sopass 6"));
});

for (const mode of ["generated", "generic"] as const) {
  test(`agree (${mode}): strings that grow when re-encoded, and nearly full nests, decode only when they fit`, () => {
    const before = codegenEnabled();
    if (mode === "generic") setCodegen(false);
    try {
      growth();
    } finally {
      setCodegen(before);
    }
  });
}

function growth(): void {
  const inner = attrSet("inner", { s: [1, t.multi(t.string())], b: [2, t.binary()] });
  const outer = attrSet("outer", { inner: [1, t.nest(inner)] }) as unknown as AttrSet<AttrFields>;
  const nest = (...children: Uint8Array[]) => attr(1 | 0x8000, concat(children));
  // 30,000 bytes of invalid UTF-8 are 30,000 U+FFFD: 90,001 bytes once encoded.
  assert.throws(
    () => inner.decode(attr(1, new Uint8Array(30000).fill(0xff))),
    (e) => e instanceof DecodeError && /re-encodes to 90001 bytes/.test(e.message),
  );
  // A nest of 65,528 bytes whose string lacks its NUL: re-encoded with it, 4 bytes more.
  const filler = attr(2, new Uint8Array(65528 - 8 - 4));
  const noNul = attr(1, new Uint8Array([0x61, 0x62, 0x63, 0x64]));
  assert.equal(concat([filler, noNul]).length, 65528);
  assert.throws(
    () => outer.decode(nest(filler, noNul)),
    (e) =>
      e instanceof DecodeError && e.path === "outer.inner" && e.offset === 0 &&
      /payload would be 65532 bytes/.test(e.message),
  );
  // The same nest with the NUL in place decodes and encodes again.
  const withNul = attr(1, new Uint8Array([0x61, 0x62, 0x63, 0]));
  assert.ok(agrees(outer, nest(filler, withNul), "with NUL"));
  // A nest of 65,531 bytes ending in an unpadded 3-byte attribute: padded, it would not fit.
  const full = concat([attr(2, new Uint8Array(65531 - 12 - 4)), attr(2, new Uint8Array(4))]);
  const unpadded = new Uint8Array(65531);
  unpadded.set(full.subarray(0, 65531 - 8));
  unpadded.set([7, 0, 2, 0, 1, 2, 3], 65531 - 8);
  assert.throws(
    () => outer.decode(concat([new Uint8Array([0xff, 0xff, 1, 0x80]), unpadded])),
    (e) => e instanceof DecodeError && /payload would be 65532 bytes/.test(e.message),
  );
  // Strings that fit their attribute keep decoding as before, NUL or not, valid UTF-8 or not.
  assert.deepEqual(inner.decode(attr(1, new Uint8Array([0xff, 0x61]))), { s: ["\ufffda"] });
  assert.deepEqual(inner.decode(attr(1, new Uint8Array([0x61, 0x62, 0x63]))), { s: ["abc"] });
}
