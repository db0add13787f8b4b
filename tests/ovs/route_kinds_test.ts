// The link kinds this host's kernel does not build in (dummy, vlan, geneve, gre, gretap, bond,
// vrf and their ports), made with RouteClient in the VM guest (whose kernel has them as
// modules), in a namespace of the test's own: each read back against `ip -j -d link show`
// field by field, changed, and deleted. (In tests/ovs because the VM suite runs this folder.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Link, RouteClient } from "../../src/route/mod.ts";
import { linkJson, namesOf } from "../../src/cli/route_json.ts";
import { assertShownAlike, ipJson, type Obj } from "../route/_helpers.ts";
import { tempNetns } from "../helpers/netns.ts";
import { skip } from "./_helpers.ts";

function compare(ns: string, rt: RouteClient): Link[] {
  const links = rt.linksSync();
  const ip = ipJson(ns, ["-d", "link", "show"]);
  const names = namesOf(links);
  for (const l of links) {
    assertShownAlike(linkJson(l, names), ip.find((x) => x.ifindex === l.index), l.name);
  }
  return links;
}

test(
  "route kinds in the guest: dummy, vlan, geneve, gre, gretap, bond, vrf",
  { skip },
  async () => {
    using ns = tempNetns("rtk");
    using rt = RouteClient.open({ netns: ns.name });
    const made = [
      rt.addLinkSync({ kind: "dummy", name: "d0", up: true, mtu: 9000 }),
      rt.addLinkSync({ kind: "vlan", name: "d0.10", link: "d0", id: 10 }),
      rt.addLinkSync({ kind: "vlan", name: "d0.20", link: "d0", id: 20, protocol: "802.1ad" }),
      rt.addLinkSync({ kind: "geneve", name: "gn0", vni: 77, remote: "192.0.2.7", port: 6082 }),
      await rt.addLink({
        kind: "gre",
        name: "gr0",
        remote: "192.0.2.8",
        local: "192.0.2.9",
        key: 5,
      }),
      rt.addLinkSync({ kind: "gretap", name: "gt0", remote: "192.0.2.10", ttl: 17 }),
      rt.addLinkSync({ kind: "bond", name: "bond0", mode: 1, miimon: 100 }),
      rt.addLinkSync({ kind: "vrf", name: "vrf-red", table: 10, up: true }),
    ];
    assert.deepEqual(made.map((l) => l.kind), [
      "dummy",
      "vlan",
      "vlan",
      "geneve",
      "gre",
      "gretap",
      "bond",
      "vrf",
    ]);
    assert.equal(made[0].mtu, 9000);
    const v10 = made[1].linkinfo?.data as Obj;
    assert.deepEqual([v10.id, v10.protocol, made[1].parent], [10, "8021q", made[0].index]);
    assert.equal((made[2].linkinfo?.data as Obj).protocol, "8021ad");
    const gn = made[3].linkinfo?.data as Obj;
    assert.deepEqual([gn.id, gn.remote, gn.port], [77, "192.0.2.7", 6082]);
    const gr = made[4].linkinfo?.data as Obj;
    assert.deepEqual([gr.remote, gr.local, gr.ikey, gr.okey], ["192.0.2.8", "192.0.2.9", 5, 5]);
    assert.equal((made[5].linkinfo?.data as Obj).ttl, 17);
    assert.deepEqual(
      [(made[6].linkinfo?.data as Obj).mode, (made[6].linkinfo?.data as Obj).miimon],
      [
        1,
        100,
      ],
    );
    assert.equal((made[7].linkinfo?.data as Obj).table, 10);

    // ports: a dummy into the bond, another into the vrf
    rt.addLinkSync({ kind: "dummy", name: "d1", master: "bond0" });
    rt.addLinkSync({ kind: "dummy", name: "d2" });
    rt.setLinkSync("d2", { master: "vrf-red", up: true });
    const all = compare(ns.name, rt);
    const d1 = all.find((l) => l.name === "d1")!;
    const d2 = all.find((l) => l.name === "d2")!;
    assert.equal(d1.linkinfo?.slaveKind, "bond");
    assert.equal(d2.linkinfo?.slaveKind, "vrf");
    assert.equal((d2.linkinfo?.slaveData as Obj).table, 10);
    const ipD2 = ipJson(ns.name, ["-d", "link", "show", "d2"])[0];
    assert.equal(((ipD2.linkinfo as Obj).info_slave_data as Obj).table, 10);
    assert.deepEqual(rt.linksSync({ master: "bond0" }).map((l) => l.name), ["d1"]);
    assert.deepEqual(rt.linksSync({ kind: "vlan" }).map((l) => l.name).sort(), ["d0.10", "d0.20"]);

    // a change of kind data goes through changelink
    rt.setLinkSync("bond0", { data: { miimon: 200 } });
    assert.equal((rt.linkSync("bond0").linkinfo?.data as Obj).miimon, 200);

    for (const l of [...made].reverse()) rt.delLinkSync(l.name);
    rt.delLinkSync("d1");
    rt.delLinkSync("d2");
    // what is left: lo, and the fallback devices ip_gre makes in each namespace (gre0, gretap0...)
    const ours = [...made.map((l) => l.name), "d1", "d2"];
    assert.deepEqual(rt.linksSync().filter((l) => ours.includes(l.name)), []);
    assert.deepEqual(
      ipJson(ns.name, ["link", "show"]).filter((l) => ours.includes(l.ifname as string)),
      [],
    );
  },
);
