// Host tests of flow files (ovs-dpctl add-flows/mod-flows/del-flows lines), dump filters
// (ovs-dpctl dump-flows filter=...), and the dump-flows line and JSON forms of the CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFlowLines } from "../../src/ovs/flow_lines.ts";
import { parseFlowFilter } from "../../src/ovs/flow_filter.ts";
import { parseFlowKey } from "../../src/ovs/odp_text.ts";
import { dpctlFlowLine, flowJson } from "../../src/cli/dp_flows.ts";
import { formatUfid } from "../../src/ovs/flow_attrs.ts";

const ARP = "in_port(1),eth(),eth_type(0x0806),arp()";

test("flow lines: commands, comments, blank lines, errors with line numbers", () => {
  const text = [
    "# a comment",
    `${ARP} 2`,
    "",
    `  modify ${ARP}   3,4  # trailing comment`,
    `delete ${ARP}`,
    `d ufid:c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f,${ARP}`,
    `${ARP}`,
    `delete ${ARP} 2`,
    "in_port(1),bogus(3) 2",
    `ad ufid:c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f,${ARP} drop`,
  ].join("\n");
  const lines = [...parseFlowLines(text)];
  assert.deepEqual(lines.map((l) => [l.line, l.op?.op ?? "error"]), [
    [2, "new"],
    [4, "set"],
    [5, "del"],
    [6, "del"],
    [7, "error"],
    [8, "error"],
    [9, "error"],
    [10, "new"],
  ]);
  const set = lines[1].op!;
  assert.ok(set.op === "set");
  assert.deepEqual(set.update.actions, [{ kind: "output", value: 3 }, {
    kind: "output",
    value: 4,
  }]);
  const del = lines[3].op!;
  assert.ok(del.op === "del" && del.ref.ufid && !del.ref.key);
  assert.equal(formatUfid(del.ref.ufid), "c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
  const add = lines[7].op!;
  assert.ok(add.op === "new" && add.flow.ufid !== undefined && add.flow.actions.length === 0);
  assert.match(lines[4].error!.message, /line number 7: expected a flow and its actions/);
  assert.match(lines[5].error!.message, /line number 8: delete takes a flow and no actions/);
  assert.match(lines[6].error!.message, /column/);
  // The default command of mod-flows / del-flows.
  assert.equal([...parseFlowLines(`${ARP} 2`, { command: "modify" })][0].op?.op, "set");
  assert.equal([...parseFlowLines(ARP, { command: "delete" })][0].op?.op, "del");
  // Port names resolve in keys.
  const named = [...parseFlowLines("in_port(eth9),eth(),eth_type(0x0806),arp() 2", {
    portNames: new Map([[9, "eth9"]]),
  })][0].op!;
  assert.ok(named.op === "new" && named.flow.key.inPort === 9);
});

function flowOf(text: string) {
  const { key, mask } = parseFlowKey(text);
  return { key, mask };
}

test("flow filter: OpenFlow-style fields against kernel-shaped keys and masks", () => {
  const tcp80 = flowOf(
    "in_port(2),eth(src=00:01:02:03:04:05,dst=10:11:12:13:14:15),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.1.2.3,proto=6,frag=no),tcp(dst=80)",
  );
  const arp = flowOf(
    "in_port(1),eth(),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1)",
  );
  const wild = flowOf("in_port(3),eth(),eth_type(0x0800),ipv4(frag=no)");
  const cases: [string, boolean, boolean, boolean][] = [
    // filter, tcp80, arp, wild (wildcarded addresses and ports pass)
    ["", true, true, true],
    ["in_port=2", true, false, false],
    ["ip", true, false, true],
    ["arp", false, true, false],
    ["tcp", true, false, true],
    ["udp", false, false, true],
    ["tcp,tp_dst=80", true, false, true],
    ["tcp,tp_dst=81", false, false, true],
    ["ip,nw_src=10.0.0.0/8", true, false, true],
    ["ip,nw_src=11.0.0.0/8", false, false, true],
    ["nw_dst=10.1.2.3", true, false, true],
    ["arp,nw_src=10.0.0.1", false, true, false],
    ["arp,arp_op=2", false, false, false],
    ["dl_src=00:01:02:03:04:05", true, true, true],
    ["dl_dst=10:11:12:00:00:00/ff:ff:ff:00:00:00", true, true, true],
    ["dl_dst=10:11:13:00:00:00/ff:ff:ff:00:00:00", false, true, true],
    ["in_port(2),eth_type(0x0800)", true, false, false],
    ["eth_type(0x0806)", false, true, false],
  ];
  for (const [text, a, b, c] of cases) {
    const f = parseFlowFilter(text);
    assert.deepEqual([f.matches(tcp80), f.matches(arp), f.matches(wild)], [a, b, c], text);
  }
  // A flow dumped without its key (terse) passes; a key without mask is exact.
  assert.equal(parseFlowFilter("in_port=9").matches({}), true);
  assert.equal(parseFlowFilter("in_port=9").matches({ key: { inPort: 8 } }), false);
  assert.equal(
    parseFlowFilter("in_port=eth9", { portNames: new Map([[9, "eth9"]]) }).matches({
      key: { inPort: 9 },
    }),
    true,
  );
  for (
    const bad of ["bogus=1", "nosuchproto", "tp_dst=80", "in_port=x1", "nw_src=1.2.3", "in_port(1"]
  ) {
    assert.throws(() => parseFlowFilter(bad), RangeError, bad);
  }
});

test("flow filter: tunnel, ct_state, vlan and IPv6 fields", () => {
  const f = flowOf(
    "tunnel(tun_id=0x5,src=192.168.0.1,dst=192.168.0.2,ttl=64,flags(+key)),recirc_id(0x3),ct_state(+trk+est),in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x86dd),ipv6(src=2001:db8::1,proto=58,frag=no),icmpv6(type=135))",
  );
  const yes = [
    "tun_id=5",
    "tun_src=192.168.0.1",
    "recirc_id=3",
    "ct_state=+trk+est-new",
    "dl_vlan=10",
    "vlan_pcp=3",
  ];
  const no = [
    "tun_id=6",
    "tun_dst=192.168.0.9",
    "recirc_id=0",
    "ct_state=-est",
    "dl_vlan=11",
    "vlan_pcp=2",
  ];
  for (const t of yes) assert.equal(parseFlowFilter(t).matches(f), true, t);
  for (const t of no) assert.equal(parseFlowFilter(t).matches(f), false, t);
  // nw_frag in Open vSwitch's terms against the kernel's fragment types.
  const frag = (t: string) => flowOf(`in_port(1),eth(),eth_type(0x0800),ipv4(frag=${t})`);
  const fragCases: [string, boolean, boolean, boolean][] = [
    ["ip,nw_frag=no", true, false, false],
    ["ip,nw_frag=yes", false, true, true],
    ["ip,nw_frag=first", false, true, false],
    ["ip,nw_frag=later", false, false, true],
    ["ip,nw_frag=not_later", true, true, false],
    ["in_port(1),eth_type(0x0800),ipv4(frag=first)", false, true, false],
  ];
  for (const [t, no, first, later] of fragCases) {
    const ff = parseFlowFilter(t);
    assert.deepEqual(
      [ff.matches(frag("no")), ff.matches(frag("first")), ff.matches(frag("later"))],
      [
        no,
        first,
        later,
      ],
      t,
    );
  }
  // A VLAN filter does not pass untagged flows.
  assert.equal(parseFlowFilter("dl_vlan=10").matches(frag("no")), false);
  // VLAN fields as ovs-dpctl 3.1 filters them (seen in the VM): the outer tag counts, and its
  // TPID must be 802.1Q (Open vSwitch's flow_fix_vlan_tpid), so an 802.1ad outer tag fails.
  const qinq = flowOf(
    "in_port(1),eth(),eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x8100),vlan(vid=20)," +
      "encap(eth_type(0x0800),ipv4(src=10.0.0.7,frag=no)))",
  );
  const q20 = flowOf(
    "in_port(1),eth(),eth_type(0x8100),vlan(vid=20),encap(eth_type(0x0800),ipv4(src=10.0.0.8,frag=no))",
  );
  const q10 = flowOf(
    "in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.9,frag=no))",
  );
  const vlanCases: [string, boolean, boolean, boolean][] = [
    ["dl_vlan=10", false, false, true],
    ["dl_vlan=20", false, true, false],
    ["vlan_vid=0x100a", false, false, true],
    ["vlan_vid=10", false, false, false],
    ["vlan_tci=0x100a", false, false, false],
    ["vlan_tci=0x700a", false, false, true],
    ["dl_vlan_pcp=0", false, true, false],
    ["dl_vlan_pcp=3", false, true, true], // q20 wildcards its PCP
    ["dl_vlan=10,dl_vlan_pcp=3", false, false, true],
    ["dl_vlan=10,dl_vlan_pcp=2", false, false, false],
    ["dl_vlan=0xffff", false, false, false],
    ["dl_type=0x0800", true, true, true],
    [
      "eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x8100),vlan(vid=20),encap(eth_type(0x0800)))",
      true,
      false,
      false,
    ],
    ["eth_type(0x8100),vlan(vid=10),encap(eth_type(0x0800))", false, false, true],
  ];
  for (const [t, a, b, c] of vlanCases) {
    const ff = parseFlowFilter(t);
    assert.deepEqual([ff.matches(qinq), ff.matches(q20), ff.matches(q10)], [a, b, c], t);
  }
  assert.equal(parseFlowFilter("dl_vlan=0xffff").matches(frag("no")), true, "untagged");
  const v6 = flowOf(
    "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::1,proto=58,frag=no),icmpv6(type=135)",
  );
  assert.equal(parseFlowFilter("ipv6,ipv6_src=2001:db8::/32").matches(v6), true);
  assert.equal(parseFlowFilter("ipv6,ipv6_src=2001:db9::/32").matches(v6), false);
  assert.equal(parseFlowFilter("icmp6,icmp_type=135").matches(v6), true);
  assert.equal(parseFlowFilter("icmp6,icmp_type=136").matches(v6), false);
});

test("dump-flows line: -m adds the UFID and dp:ovs; JSON carries typed fields and text", () => {
  const ufid = Uint8Array.from({ length: 16 }, (_, i) => i);
  const f = {
    dpIfindex: 4,
    ufid,
    key: { inPort: 1, ethertype: 0x0806 },
    mask: { inPort: 0xffffffff, ethertype: 0xffff },
    actions: [{ kind: "output", value: 2 }] as const,
    stats: { packets: 3n, bytes: 180n },
    used: 1_000n,
    tcpFlags: 0,
  };
  assert.equal(
    dpctlFlowLine(f, 1_250n, false),
    "in_port(1),eth_type(0x0806), packets:3, bytes:180, used:0.250s, actions:2",
  );
  assert.equal(
    dpctlFlowLine(f, 1_250n, true, new Map([[1, "p1"], [2, "p2"]])),
    `ufid:${
      formatUfid(ufid)
    }, in_port(p1),eth_type(0x0806), packets:3, bytes:180, used:0.250s, dp:ovs, actions:p2`,
  );
  const j = flowJson(f, 1_250n);
  assert.equal(j.ufid, formatUfid(ufid));
  assert.equal(j.flow, "in_port(1),eth_type(0x0806)");
  assert.equal(j.actionsText, "2");
  assert.equal(j.usedMsAgo, 250n);
  assert.equal(j.packets, 3n);
});
