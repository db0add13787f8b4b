// Every generated family is a FamilySpec (generic netlink) or a RawFamilySpec (netlink-raw) as
// the clients take them (checked by the compiler), and typed clients infer requests and replies
// from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type FamilySpec, GenlSocket } from "../../src/genl/mod.ts";
import { RawFamily, type RawFamilySpec } from "../../src/ynl/mod.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";
import { conntrack as f_conntrack } from "../../src/families/conntrack.ts";
import { devlink as f_devlink } from "../../src/families/devlink.ts";
import { dpll as f_dpll } from "../../src/families/dpll.ts";
import { ethtool as f_ethtool } from "../../src/families/ethtool.ts";
import { fou as f_fou } from "../../src/families/fou.ts";
import { handshake as f_handshake } from "../../src/families/handshake.ts";
import { mptcpPm as f_mptcp_pm } from "../../src/families/mptcp_pm.ts";
import { netdev as f_netdev } from "../../src/families/netdev.ts";
import { nfsd as f_nfsd } from "../../src/families/nfsd.ts";
import { nftables as f_nftables } from "../../src/families/nftables.ts";
import { nl80211 as f_nl80211 } from "../../src/families/nl80211.ts";
import { nlctrl as f_nlctrl } from "../../src/families/nlctrl.ts";
import { ovsDatapath as f_ovs_datapath } from "../../src/families/ovs_datapath.ts";
import { ovsFlow as f_ovs_flow } from "../../src/families/ovs_flow.ts";
import { ovsVport as f_ovs_vport } from "../../src/families/ovs_vport.ts";
import { rtAddr as f_rt_addr } from "../../src/families/rt_addr.ts";
import { rtLink as f_rt_link, RTM_KERNEL } from "../../src/families/rt_link.ts";
import { rtNeigh as f_rt_neigh } from "../../src/families/rt_neigh.ts";
import { rtNetns as f_rt_netns } from "../../src/families/rt_netns.ts";
import { rtRoute as f_rt_route } from "../../src/families/rt_route.ts";
import { rtRule as f_rt_rule } from "../../src/families/rt_rule.ts";
import { tc as f_tc } from "../../src/families/tc.ts";
import { tcpMetrics as f_tcp_metrics } from "../../src/families/tcp_metrics.ts";
import { team as f_team } from "../../src/families/team.ts";
import { wireguard as f_wireguard } from "../../src/families/wireguard.ts";

const genl: readonly FamilySpec[] = [
  f_devlink,
  f_dpll,
  f_ethtool,
  f_fou,
  f_handshake,
  f_mptcp_pm,
  f_netdev,
  f_nfsd,
  f_nl80211,
  f_nlctrl,
  f_ovs_datapath,
  f_ovs_flow,
  f_ovs_vport,
  f_tcp_metrics,
  f_team,
  f_wireguard,
];
const raw: readonly RawFamilySpec[] = [
  f_conntrack,
  f_nftables,
  f_rt_addr,
  f_rt_link,
  f_rt_neigh,
  f_rt_netns,
  f_rt_route,
  f_rt_rule,
  f_tc,
];

test("families: 25 generated families, each a FamilySpec or a RawFamilySpec", () => {
  assert.equal(genl.length + raw.length, 25);
  for (const f of genl) assert.equal(typeof f.version, "number", f.name);
  for (const f of raw) assert.ok(f.protocol === 0 || f.protocol === 12, f.name);
});

test("families: the generated rt-link types its dump: header and attributes", () => {
  using ns = tempNetns("ynlfam");
  ipIn(ns.name, ["link", "add", "v0", "mtu", "1280", "type", "veth", "peer", "name", "v1"]);
  using link = RawFamily.open(f_rt_link, { netns: ns.name });
  const rows: [number, string | undefined, number | undefined][] = link.dumpSync("getlink").map(
    (m) => [m.header.ifiIndex, m.attrs.ifname, m.attrs.mtu],
  );
  const ip = (JSON.parse(ipIn(ns.name, ["-j", "link"])) as {
    ifindex: number;
    ifname: string;
    mtu: number;
  }[]).map((l) => [l.ifindex, l.ifname, l.mtu]);
  assert.deepEqual(rows.sort(), ip.sort());
  // RTM_NEWLINK is the reply and notification type
  assert.equal(f_rt_link.operations.getlink.replyCmd, RTM_KERNEL.GETLINK_REPLY);
});

test("families: the generated netdev types its dump", () => {
  using ns = tempNetns("ynlfam");
  ipIn(ns.name, ["link", "add", "v0", "type", "veth", "peer", "name", "v1"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const ifindexes: (number | undefined)[] = genl.family(f_netdev).dumpSync("dev-get").map((m) =>
    m.attrs.ifindex
  );
  const ip = (JSON.parse(ipIn(ns.name, ["-j", "link"])) as { ifindex: number }[]).map((l) =>
    l.ifindex
  );
  assert.deepEqual(ifindexes.sort(), ip.sort());
});
