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

test("lazy set: a nested set is built when a message first reaches it, not with its parent", () => {
  const made: string[] = [];
  const leaf = attrSet("leaf", () => {
    made.push("leaf");
    return { id: [1, t.u32()] } as const;
  }, { subMessages: false });
  const items = attrSet("item", () => {
    made.push("item");
    return { x: [1, t.u8()] } as const;
  }, { subMessages: false });
  const root = attrSet("root", () => {
    made.push("root");
    return {
      leaf: [1, t.nest(leaf)],
      items: [2, t.indexedArray(t.nest(items))],
      name: [3, t.string()],
    } as const;
  }, { subMessages: false });
  assert.deepEqual(root.decode(hex("07 00 03 00 61 62 00 00")), { name: "ab" });
  assert.deepEqual(made, ["root"], "a message without them builds neither nested set");
  const w = new NetlinkWriter();
  root.encode(w, { leaf: { id: 5 } });
  assert.deepEqual(made, ["root", "leaf"], "encoding a value for it builds it");
  assert.deepEqual(root.decode(w.bytes()), { leaf: { id: 5 } });
  assert.deepEqual(
    root.decode(hex("10 00 02 80", "0c 00 01 00", "05 00 01 00 07 00 00 00")),
    { items: [{ x: 7 }] },
  );
  assert.deepEqual(made, ["root", "leaf", "item"], "each once");
});

test("lazy set: without subMessages, the first use looks through (and builds) what it nests", () => {
  const made: string[] = [];
  const leaf = attrSet("leaf", () => {
    made.push("leaf");
    return { id: [1, t.u32()] } as const;
  });
  const root = attrSet("root", () => {
    made.push("root");
    return { leaf: [1, t.nest(leaf)] } as const;
  });
  assert.equal(root.subMessages, undefined);
  assert.deepEqual(root.decode(new Uint8Array(0)), {});
  assert.deepEqual(made, ["root", "leaf"]);
});

test("lazy set: a sub-message below sets told subMessages: true finds its selector", () => {
  const made: string[] = [];
  const vlan = attrSet("vlan-attrs", () => {
    made.push("vlan");
    return { id: [1, t.u16()] } as const;
  }, { subMessages: false });
  const info = attrSet("linkinfo-attrs", () => {
    made.push("info");
    return {
      kind: [1, t.string()],
      data: [2, t.subMessage("kind", { vlan })],
    } as const;
  }, { subMessages: true });
  const link = attrSet("link-attrs", () => {
    made.push("link");
    return { ifname: [3, t.string()], linkinfo: [18, t.nest(info)] } as const;
  }, { subMessages: true });
  const w = new NetlinkWriter();
  link.encode(w, { linkinfo: { kind: "vlan", data: { id: 10 } } });
  assert.deepEqual(made, ["link", "info", "vlan"]);
  assert.deepEqual(link.decode(w.bytes()), { linkinfo: { kind: "vlan", data: { id: 10 } } });
  assert.throws(
    () => attrSet("x", {}, { subMessages: 1 as never }),
    /Cannot define attribute set x: subMessages must be a boolean/,
  );
});

test("lazy set: a cycle of nests without t.lazy is raised when its last set is built", () => {
  const a: ReturnType<typeof attrSet> = attrSet("a", () => ({ b: [1, t.nest(b)] }), {
    subMessages: false,
  });
  const b: ReturnType<typeof attrSet> = attrSet("b", () => ({ a: [1, t.nest(a)] }), {
    subMessages: false,
  });
  assert.deepEqual(a.decode(new Uint8Array(0)), {}, "a alone is fine: b is not built yet");
  const bytes = hex("04 00 01 80");
  assert.throws(
    () => a.decode(bytes),
    /Cannot define attribute set b: it contains itself \(nest it through t\.lazy\)/,
  );
  assert.throws(() => b.fields, /it contains itself/, "raised again at the next use");
});
