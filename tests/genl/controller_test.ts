// The typed controller against the host kernel, checked against iproute2's `genl ctrl list`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Controller, GenlSocket, nlctrl } from "../../src/genl/mod.ts";
import { NetlinkError } from "../../mod.ts";
import { run } from "../helpers/netns.ts";

const FLAG_BITS: Record<string, number> = {
  adminPerm: 1,
  cmdCapDo: 2,
  cmdCapDump: 4,
  cmdCapHaspol: 8,
  unsAdminPerm: 16,
};

interface Iproute2Family {
  id: number;
  version: number;
  hdrsize: number;
  maxattr: number;
  ops: [number, number | undefined][];
  groups: [number, string][];
}

/** Parses `genl ctrl list` (iproute2) into families by name. */
function iproute2Families(): Map<string, Iproute2Family> {
  const out = new Map<string, Iproute2Family>();
  for (const block of run("genl", ["ctrl", "list"]).split(/\n(?=Name: )/)) {
    const name = /^Name: (\S+)/m.exec(block)?.[1];
    if (!name) continue;
    const num = (re: RegExp) => Number(re.exec(block)?.[1] ?? NaN);
    out.set(name, {
      id: num(/ID: (0x[0-9a-f]+)/),
      version: num(/Version: (0x[0-9a-f]+)/),
      hdrsize: num(/header size: (\d+)/),
      maxattr: num(/max attribs: (\d+)/),
      ops: [
        ...block.split("multicast groups:")[0].matchAll(
          /#\d+:\s+ID-(0x[0-9a-f]+)\s*\n(?:\s*Capabilities \((0x[0-9a-f]+)\))?/g,
        ),
      ].map((m) => [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])]),
      groups: [...block.matchAll(/#\d+:\s+ID-(0x[0-9a-f]+)\s+name: (\S+)/g)].map((m) =>
        [Number(m[1]), m[2]] as [number, string]
      ),
    });
  }
  return out;
}

test("controller: listFamilies agrees with genl ctrl list (ids, versions, ops, groups)", async () => {
  using ctrl = Controller.open();
  const ours = await ctrl.listFamilies();
  const theirs = iproute2Families();
  assert.deepEqual(ours.map((f) => f.name).sort(), [...theirs.keys()].sort());
  assert.ok([...theirs.values()].some((f) => f.ops.length > 5), "iproute2 output was parsed");
  for (const f of ours) {
    const t = theirs.get(f.name)!;
    assert.equal(f.id, t.id, `${f.name} id`);
    assert.equal(f.version, t.version, `${f.name} version`);
    assert.equal(f.hdrsize, t.hdrsize, `${f.name} hdrsize`);
    assert.equal(f.maxattr, t.maxattr, `${f.name} maxattr`);
    assert.deepEqual(f.groups.map((g) => [g.id, g.name]), t.groups, `${f.name} groups`);
    const mask = (flags: readonly (string | number)[]) =>
      flags.reduce<number>((m, x) => m | (typeof x === "number" ? x : FLAG_BITS[x]), 0);
    // iproute2 prints capabilities only for some families (old-style ops); compare where it does.
    assert.deepEqual(
      f.ops.map((o, i) => [o.id, t.ops[i]?.[1] === undefined ? undefined : mask(o.flags)]),
      t.ops,
      `${f.name} ops and flags`,
    );
  }
  assert.deepEqual(ctrl.listFamiliesSync(), ours);
});

test("controller: getFamily by name and by id; flags decode to names", async () => {
  using ctrl = Controller.open();
  const byName = await ctrl.getFamily("nlctrl");
  assert.equal(byName.id, 0x10);
  assert.deepEqual(byName.groups, [{ id: 0x10, name: "notify" }]);
  const getfamily = byName.ops.find((o) => o.id === 3);
  assert.ok(getfamily?.flags.includes("cmdCapDo"));
  assert.ok(getfamily?.flags.includes("cmdCapDump"));
  assert.deepEqual(await ctrl.getFamily(0x10), byName);
  assert.deepEqual(ctrl.getFamilySync("nlctrl"), byName);
});

test("controller: a missing family names the module to load", async () => {
  using ctrl = Controller.open();
  await assert.rejects(
    ctrl.getFamily("ovs_datapath"),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ENOENT" && /modprobe openvswitch/.test(e.message),
  );
  using genl = GenlSocket.open();
  assert.throws(
    () => genl.resolve("nlts_nofam"),
    (e: unknown) =>
      e instanceof NetlinkError && /no generic netlink family "nlts_nofam"/.test(e.message),
  );
});

test("controller: policy of nlctrl getfamily (do) and of ethtool", async () => {
  using ctrl = Controller.open();
  const p = await ctrl.getPolicy("nlctrl", { op: 3 });
  const idx = p.ops.get(3)?.do;
  assert.equal(typeof idx, "number");
  const attrs = p.policies.get(idx!)!;
  const byAttr = new Map(attrs.map((a) => [a.attr, a]));
  assert.equal(byAttr.get(1)?.type, "u16"); // CTRL_ATTR_FAMILY_ID
  assert.equal(byAttr.get(2)?.type, "nulString"); // CTRL_ATTR_FAMILY_NAME
  assert.equal(byAttr.get(2)?.maxLength, 15);

  const e = await ctrl.getPolicy("ethtool");
  assert.ok(e.ops.size >= 10, `ethtool has many ops (${e.ops.size})`);
  assert.ok(e.policies.size >= 2);
  // Every nested attribute points at a policy that was dumped too.
  for (const list of e.policies.values()) {
    for (const a of list) {
      if (a.type === "nested" || a.type === "nestedArray") {
        if (a.policyIdx !== undefined) {
          assert.ok(e.policies.has(a.policyIdx), `policy ${a.policyIdx}`);
        }
      }
    }
  }
});

test("family client: nlctrl do/dump/batch through the schema", async () => {
  using genl = GenlSocket.open();
  const ctrl = genl.family(nlctrl);
  const f = await ctrl.do("getfamily", { familyName: "nlctrl" }, { strict: true });
  assert.equal(f?.familyId, 0x10);
  let n = 0;
  for await (const fam of ctrl.dump("getfamily")) {
    assert.equal(typeof fam.familyName, "string");
    n++;
  }
  assert.ok(n >= 3);
  const r = ctrl.batchSync("getfamily", [{ familyName: "nlctrl" }, { familyName: "nlts_x" }]);
  assert.equal((r[0] as { familyId?: number }).familyId, 0x10);
  assert.ok(r[1] instanceof NetlinkError && r[1].code === "ENOENT");
});
