// Attribute sets given a function (what generated families define): built at their first use,
// the same set as one given its entries, and a mistake in the entries raised at that use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, NetlinkWriter, t } from "../../src/protocol/mod.ts";
import { hex } from "./_helpers.ts";

test("lazy set: the entries are made at the first use, once, and decode as an eager set's", () => {
  let made = 0;
  const inner = attrSet("inner", () => {
    made++;
    return { id: [1, t.u32()] } as const;
  });
  const outer = attrSet("outer", () => {
    made++;
    return { inner: [1, t.nest(inner)], name: [2, t.string()] } as const;
  });
  const eager = attrSet("outer", {
    inner: [1, t.nest(attrSet("inner", { id: [1, t.u32()] }))],
    name: [2, t.string()],
  });
  assert.equal(made, 0, "nothing is built at definition");
  assert.equal(outer.name, "outer", "the name needs no build");
  assert.equal(made, 0);

  const bytes = hex("0c 00 01 80", "08 00 01 00 2a 00 00 00", "07 00 02 00 61 62 00 00");
  assert.deepEqual(outer.decode(bytes), { inner: { id: 42 }, name: "ab" });
  assert.equal(made, 2, "the outer set and the set it nests, once each");
  assert.deepEqual(outer.decode(bytes), eager.decode(bytes));
  const w = new NetlinkWriter();
  outer.encode(w, { inner: { id: 42 }, name: "ab" });
  const v = new NetlinkWriter();
  eager.encode(v, { inner: { id: 42 }, name: "ab" });
  assert.deepEqual(w.bytes(), v.bytes());
  assert.deepEqual(outer.fields.map((f) => [f.key, f.name, f.type]), [
    ["inner", "inner", 1],
    ["name", "name", 2],
  ]);
  assert.equal(made, 2);
});

test("lazy set: each way in builds it (codecs, fields, field, nameOf, encode)", () => {
  const ways: [string, (s: ReturnType<typeof make>) => unknown, unknown][] = [
    ["codecs", (s) => s.codecs.mtu.kind, "u32"],
    ["fields", (s) => s.fields.length, 2],
    ["field", (s) => s.field(4)?.key, "mtu"],
    ["nameOf", (s) => s.nameOf(3), "if-name"],
    ["encode", (s) => {
      const w = new NetlinkWriter();
      s.encode(w, { mtu: 1500 });
      return w.length;
    }, 8],
  ];
  let made = 0;
  const make = () =>
    attrSet("link", () => {
      made++;
      return { ifName: [3, t.string()], mtu: [4, t.u32()] } as const;
    });
  for (const [way, use, expected] of ways) {
    made = 0;
    const s = make();
    assert.equal(made, 0, way);
    assert.equal(use(s), expected, way);
    assert.equal(made, 1, way);
  }
});

test("lazy set: a mistake in the entries is raised at each use, not at definition", () => {
  const dup = attrSet("dup", () => ({ a: [1, t.u8()], b: [1, t.u16()] }));
  assert.throws(
    () => dup.decode(new Uint8Array(0)),
    /Cannot define dup\.b: type 1 is already used by a/,
  );
  assert.throws(() => dup.fields, /already used by a/, "raised again at the next use");
  const notObject = attrSet("bad", (() => [1, 2]) as never);
  assert.throws(() => notObject.codecs, /the spec must be an object/);
  // a set nesting itself directly (not through t.lazy) cannot be built
  const self: ReturnType<typeof attrSet> = attrSet("self", () => ({ me: [1, t.nest(self)] }));
  assert.throws(() => self.fields, /Cannot define attribute set self: it contains itself/);
  // through t.lazy it can
  const tree: ReturnType<typeof attrSet> = attrSet("tree", () => ({
    id: [1, t.u8()],
    child: [2, t.lazy(() => t.nest(tree))],
  }));
  assert.deepEqual(tree.decode(hex("0c 00 02 80", "05 00 01 00 07 00 00 00")), {
    child: { id: 7 },
  });
});

test("lazy set: a subset picked from it is built at its own first use", () => {
  let made = 0;
  const full = attrSet("route-attrs", () => {
    made++;
    return { dst: [1, t.ipv4()], oif: [4, t.u32()], table: [15, t.u32()] } as const;
  });
  const request = full.pick(["table", "oif"]);
  const wrong = full.pick(["nope" as never]);
  assert.equal(made, 0, "picking builds neither set");
  assert.deepEqual(request.fields.map((f) => f.key), ["table", "oif"]);
  assert.equal(made, 1);
  assert.equal(request.name, "route-attrs");
  assert.throws(() => wrong.fields, /Cannot pick route-attrs\.nope: the set has no such attribute/);
  // from a built set, a bad key is raised at once, as before
  assert.throws(() => full.pick(["nope" as never]), /Cannot pick route-attrs\.nope/);
});
