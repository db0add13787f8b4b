// The datapath text format beyond odp.at: ovs-dpctl dump-flows lines, masks as the kernel
// dumps them, forms ovs-dpctl prints but cannot read, errors. Expected strings were checked
// against ovs-dpctl 3.1 (`ovs-dpctl parse-actions`, `ovs-dpctl normalize-actions`) where it
// can print them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Action,
  decodeActions,
  decodeFlowKey,
  encodeActions,
  encodeFlowKey,
  type FlowKey,
  formatActions,
  formatFlow,
  formatFlowKey,
  formatTcpFlags,
  formatUfid,
  OdpParseError,
  parseActions,
  parseFlow,
  parseFlowKey,
} from "./_ovs.ts";
import { MAX_NESTING } from "../../src/protocol/mod.ts";

const ONES32 = 0xffffffff;

function actionsRoundTrip(text: string, want = text): void {
  const a = parseActions(text);
  assert.equal(formatActions(a), want);
  assert.equal(formatActions(decodeActions(encodeActions(a))), want);
}

test("text: a kernel dump line prints like ovs-dpctl dump-flows", () => {
  const key: FlowKey = {
    recircId: 0,
    dpHash: 0,
    priority: 0,
    inPort: 2,
    skbMark: 0,
    ctState: [],
    ctZone: 0,
    ctMark: 0,
    ctLabels: new Uint8Array(16),
    ethernet: { src: "00:01:02:03:04:05", dst: "10:11:12:13:14:15" },
    ethertype: 0x0800,
    ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 },
    tcp: { src: 41000, dst: 80 },
  };
  // The kernel sends a mask for every key attribute; zero means wildcarded.
  const mask: FlowKey = {
    recircId: ONES32,
    dpHash: 0,
    priority: 0,
    inPort: ONES32,
    skbMark: 0,
    ctState: [],
    ctZone: 0,
    ctMark: 0,
    ctLabels: new Uint8Array(16),
    ethernet: { src: "00:00:00:00:00:00", dst: "00:00:00:00:00:00" },
    ethertype: 0xffff,
    ipv4: { src: "255.0.0.0", dst: "0.0.0.0", proto: 0xff, tos: 0, ttl: 0, frag: 0xff },
    tcp: { src: 0, dst: 0xffff },
  };
  const ufid = Uint8Array.from([
    0x41,
    0x7a,
    0xa3,
    0xc5,
    0x9c,
    0x4d,
    0x5f,
    0x3b,
    0x7f,
    0xb2,
    0x6f,
    0x5d,
    0x4a,
    0x0e,
    0x9e,
    0x1c,
  ]);
  const flow = {
    ufid,
    key,
    mask,
    stats: { packets: 12n, bytes: 1234n },
    used: 5_000n,
    tcpFlags: 0x1b,
    actions: [{ kind: "ct", value: { zone: 5 } }, { kind: "recirc", value: 5 }] as Action[],
  };
  assert.equal(
    formatFlow(flow, { now: 5_120n }),
    "recirc_id(0),in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.0.1/255.0.0.0,proto=6,frag=no)," +
      "tcp(dst=80), packets:12, bytes:1234, used:0.120s, flags:SFP., actions:ct(zone=5),recirc(0x5)",
  );
  assert.equal(
    formatFlow(flow, { now: 5_120n, verbose: true }),
    `ufid:${
      formatUfid(ufid)
    }, recirc_id(0),dp_hash(0/0),skb_priority(0/0),in_port(2),skb_mark(0/0),` +
      "ct_state(0/0),ct_zone(0/0),ct_mark(0/0),ct_label(0/0),eth(src=00:01:02:03:04:05/00:00:00:00:00:00," +
      "dst=10:11:12:13:14:15/00:00:00:00:00:00),eth_type(0x0800),ipv4(src=10.0.0.1/255.0.0.0," +
      "dst=10.0.0.2/0.0.0.0,proto=6,tos=0/0,ttl=64/0,frag=no),tcp(src=41000/0,dst=80), packets:12, " +
      "bytes:1234, used:0.120s, flags:SFP., dp:ovs, actions:ct(zone=5),recirc(0x5)",
  );
  assert.match(
    formatFlow(flow, { now: 5_120n, verbose: true, dpLayer: null }),
    /, flags:SFP\., actions:/,
  );
  assert.match(
    formatFlow(flow, { now: 5_120n, verbose: true, dpLayer: "tc" }),
    /, flags:SFP\., dp:tc, actions:/,
  );
  assert.equal(
    formatFlow({ key: { inPort: 1 }, mask: { inPort: ONES32 }, actions: [] }),
    "in_port(1), packets:0, bytes:0, used:never, actions:drop",
  );
  assert.throws(() => formatFlow(flow), TypeError); // used without options.now
});

test("text: parseFlow reads dump-flows lines back", () => {
  const line =
    "ufid:c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f, recirc_id(0),in_port(2),eth(),eth_type(0x0800)," +
    "ipv4(src=10.0.0.1/255.0.0.0,frag=no), packets:12, bytes:1234, used:1.005s, flags:S., " +
    "actions:ct(commit,zone=5,nat(src=10.0.0.240:32768-65535,random)),2";
  const f = parseFlow(line);
  assert.equal(formatUfid(f.ufid!), "c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
  assert.deepEqual(f.stats, { packets: 12n, bytes: 1234n });
  assert.equal(f.usedAgo, 1005);
  assert.equal(f.tcpFlags, 0x12);
  assert.equal(f.key.inPort, 2);
  assert.deepEqual(f.mask.ethernet, { src: "00:00:00:00:00:00", dst: "00:00:00:00:00:00" });
  assert.equal(f.actions.length, 2);
  // Printed back (not verbose, so without the UFID), the line is the same.
  assert.equal(formatFlow({ ...f, used: 1n }, { now: 1006n }), line.slice(line.indexOf(" ") + 1));
  const plain = parseFlow("in_port(1),eth_type(0x0806) actions:drop");
  assert.deepEqual(plain.actions, []);
  assert.equal(plain.stats, undefined);
  assert.throws(() => parseFlow("in_port(1), packets:x, actions:1"), OdpParseError);
  assert.throws(() => parseFlow("in_port(1), packets:1"), OdpParseError);
});

test("text: formatFlowKey verbose defaults and wildcard rules", () => {
  const key: FlowKey = { inPort: 1, ctMark: 0, ctLabels: new Uint8Array(16), ethertype: 0x86dd };
  // Without a mask: verbose by default, like odp_flow_key_format.
  assert.equal(formatFlowKey(key), "in_port(1),ct_mark(0),ct_label(0),eth_type(0x86dd)");
  // ovs-dpctl without -m and without a mask prints these empty (OVS reads "no mask" as zero there).
  assert.equal(
    formatFlowKey(key, undefined, { verbose: false }),
    "in_port(1),ct_mark(),ct_label(),eth_type(0x86dd)",
  );
  // A mask that lacks an attribute wildcards it; the Ethernet attribute still shows as eth().
  assert.equal(
    formatFlowKey({ ethernet: { src: "00:00:00:00:00:01", dst: "00:00:00:00:00:02" }, inPort: 3 }, {
      inPort: ONES32,
    }),
    "eth(),in_port(3)",
  );
  // A masked ethertype without a key ethertype (802.2 frames).
  assert.equal(
    formatFlowKey({ inPort: 3 }, { inPort: ONES32, ethertype: 0xffff }),
    "in_port(3),eth_type(0/0xffff)",
  );
  assert.equal(formatFlowKey({}, undefined), "<empty>");
  assert.equal(
    formatFlowKey({ inPort: 4 }, undefined, { portNames: new Map([[4, "eth4"]]) }),
    "in_port(eth4)",
  );
  assert.deepEqual(parseFlowKey("in_port(eth4)", { portNames: new Map([[4, "eth4"]]) }).key, {
    inPort: 4,
  });
});

test("text: flags, ct_state and tcp_flags, exact and masked", () => {
  const { key, mask } = parseFlowKey("ct_state(-inv+trk),tcp_flags(+syn-ack),ct_zone(0x5/0xff)");
  assert.deepEqual(key.ctState, ["tracked"]);
  assert.deepEqual(mask.ctState, ["invalid", "tracked"]);
  assert.equal(key.tcpFlags, 0x002);
  assert.equal(mask.tcpFlags, 0x012);
  assert.equal(
    formatFlowKey(key, mask),
    "ct_state(-inv+trk),tcp_flags(+syn-ack),ct_zone(0x5/0xff)",
  );
  assert.equal(
    formatFlowKey(key, mask, { verbose: true }),
    "ct_state(0x20/0x30),tcp_flags(+syn-ack),ct_zone(0x5/0xff)",
  );
  const exact = parseFlowKey("ct_state(est|trk),tcp_flags(syn|ack|0x800)");
  assert.equal(formatFlowKey(exact.key, exact.mask), "ct_state(est|trk),tcp_flags(syn|ack|[800])");
  assert.equal(formatTcpFlags(0), "none");
  assert.equal(formatTcpFlags(0x1ff), "SFPRU.ECN");
});

test("text: IPv6 addresses print as glibc inet_ntop does", () => {
  const t = "ipv6(src=::1:2,dst=::ffff:1.2.3.4,label=0x12345,proto=58,tclass=0,hlimit=1,frag=no)";
  assert.equal(
    formatFlowKey(parseFlowKey(t).key),
    "ipv6(src=::0.1.0.2,dst=::ffff:1.2.3.4,label=0x12345,proto=58,tclass=0,hlimit=1,frag=no)",
  );
  assert.equal(parseFlowKey("ipv6(src=::0.1.0.2)").key.ipv6?.src, "::1:2");
});

test("text: ipv6_exthdrs prints with its newer name; key32(...) from ovs-dpctl 3.1 parses too", () => {
  const a = parseFlowKey("eth_type(0x86dd),ipv6_exthdrs(hdrs=0x104)");
  const b = parseFlowKey("eth_type(0x86dd),key32(04 01)");
  assert.deepEqual(a.key, b.key);
  assert.deepEqual(a.key.ipv6Exthdrs, { hdrs: 0x104 });
  assert.equal(formatFlowKey(b.key), "eth_type(0x86dd),ipv6_exthdrs(hdrs=0x104)");
  // Attributes nobody names print and parse as keyN(bytes).
  const u = parseFlowKey("key40(01 02 03/ff 00 ff)");
  assert.deepEqual(u.key.unknown, [{ type: 40, bytes: Uint8Array.from([1, 2, 3]) }]);
  assert.equal(formatFlowKey(u.key, u.mask), "key40(01 02 03/ff 00 ff)");
  assert.equal(formatFlowKey(u.key), "key40(01 02 03)");
});

test("text: forms ovs-dpctl prints but does not read are accepted", () => {
  assert.deepEqual(parseActions("recirc(0x5)"), [{ kind: "recirc", value: 5 }]);
  actionsRoundTrip("recirc(5)", "recirc(0x5)");
  actionsRoundTrip("hash(l4(0))");
  actionsRoundTrip("hash(sym_l4(7))");
  actionsRoundTrip("push_mpls(label=100,tc=7,ttl=64,bos=1,eth_type=0x8847)");
  actionsRoundTrip("pop_mpls(eth_type=0x800)");
  actionsRoundTrip("push_eth(src=00:01:02:03:04:05,dst=10:11:12:13:14:15),pop_eth");
  actionsRoundTrip("dec_ttl(le_1(userspace(pid=1,userdata(0102030405060708)),2))");
  actionsRoundTrip("dec_ttl(le_1(drop))");
  actionsRoundTrip("1,drop,2");
  actionsRoundTrip("clone(drop)");
  actionsRoundTrip("sample(sample=50.0%,actions(drop))");
  actionsRoundTrip("action40(aa bb),action41", "action40(aa bb),action41");
  actionsRoundTrip("push_nsh(flags=0,ttl=63,mdtype=2,np=3,spi=0x10,si=255,md2=0x1020304)");
  assert.deepEqual(parseActions("drop"), []);
  assert.deepEqual(parseActions(" DROP "), []);
});

test("text: printing details that match ovs-dpctl 3.1", () => {
  // %.1f of the probability; push_nsh shows the 2-bit flags and 6-bit TTL of the header.
  assert.equal(
    formatActions(parseActions("sample(sample=12.25%,actions(1))")),
    "sample(sample=12.3%,actions(1))",
  );
  assert.equal(
    formatActions([{
      kind: "pushNsh",
      value: {
        nsh: {
          base: { flags: 130, ttl: 133, mdtype: 1, np: 3, pathHdr: 0x1ff },
          md1: { context: [1, 0, 0, 0] },
        },
      },
    }]),
    "push_nsh(flags=2,ttl=5,mdtype=1,np=3,spi=0x1,si=255,c1=0x1,c2=0x0,c3=0x0,c4=0x0)",
  );
  // Userdata shorter than 8 bytes is padded, a missing one is an all-zero 48-byte cookie.
  assert.equal(
    formatActions(parseActions("userspace(pid=1,userdata(01))")),
    "userspace(pid=1,userdata(0100000000000000))",
  );
  assert.equal(
    formatActions(parseActions("userspace(pid=1,actions)")),
    `userspace(pid=1,userdata(${"00".repeat(48)}),actions)`,
  );
  // tunnel_out_port=4294967295 is ODPP_NONE: left out.
  assert.equal(
    formatActions(
      parseActions("userspace(pid=2,userdata(0102030405060708),tunnel_out_port=4294967295)"),
    ),
    "userspace(pid=2,userdata(0102030405060708))",
  );
  // A set of a struct with padding (arp) is always a masked set; it prints the same.
  const arp = parseActions(
    "set(arp(sip=1.2.3.4,tip=5.6.7.8,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:02))",
  );
  assert.equal(arp[0].kind, "setMasked");
  // nat options need a type and an address to be sent at all.
  assert.equal(formatActions(parseActions("ct(commit,nat(src,random))")), "ct(commit,nat(src))");
  // What ovs-dpctl prints as an error ('nat(error: Only one of "src" or "dst" may be
  // present.)', "sample(error)", "userspace(error)") prints as its bytes instead, which parse
  // back to the same action.
  const malformed: Action[] = [
    { kind: "ct", value: { nat: { src: true, dst: true } } },
    { kind: "sample", value: { probability: 5 } },
    { kind: "userspace", value: {} },
  ];
  assert.equal(
    formatActions(malformed),
    "action12(0c 00 06 00 04 00 01 00 04 00 02 00),action6(08 00 01 00 05 00 00 00),action2",
  );
  assert.deepEqual(parseActions(formatActions(malformed)), malformed);
});

test("text: set of the whole header vs masked set follows the mask", () => {
  const full = parseActions("set(tcp(src=80,dst=8080))");
  assert.deepEqual(full, [{ kind: "set", value: { tcp: { src: 80, dst: 8080 } } }]);
  const part = parseActions("set(tcp(src=80))");
  assert.deepEqual(part, [{
    kind: "setMasked",
    value: { key: { tcp: { src: 80, dst: 0 } }, mask: { tcp: { src: 0xffff, dst: 0 } } },
  }]);
  const nsh = parseActions("set(nsh(ttl=9))");
  assert.equal(nsh[0].kind, "setMasked");
  assert.equal(formatActions(nsh), "set(nsh(ttl=9))");
  actionsRoundTrip(
    "set(nsh(flags=1,ttl=9,mdtype=1,np=3,spi=0x5,si=4,c1=0x1,c2=0x2,c3=0x3,c4=0x4))",
  );
});

test("text: psample and nat addresses of both families", () => {
  actionsRoundTrip("psample(group=12,cookie=0x102)");
  assert.deepEqual(
    (parseActions("psample(group=12,cookie=0x102)")[0] as { value: { cookie: Uint8Array } }).value
      .cookie,
    Uint8Array.from([1, 2]),
  );
  actionsRoundTrip("ct(commit,nat(dst=[fe80::1]-[fe80::9]:80-90,persistent))");
  actionsRoundTrip("ct(commit,nat(src=10.0.0.1-10.0.0.9,hash))");
});

test("text: parse errors carry the column and what was expected", () => {
  const e = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof OdpParseError, String(err));
      assert.ok(err instanceof SyntaxError);
      return err;
    }
    assert.fail("no error");
  };
  const a = e(() => parseFlowKey("in_port(1),eth_type(0x0800"));
  assert.equal(a.column, 27);
  assert.equal(a.expected, '"/" or ")"');
  const b = e(() => parseFlowKey("in_port(1),ipv4(src=1.2.3.4,foo=1)"));
  assert.equal(b.column, 29);
  assert.match(b.expected, /"src=", "dst=", "proto="/);
  const c = e(() => parseActions("1,tnl_pop(4)"));
  assert.equal(c.column, 3);
  assert.match(c.message, /userspace datapath/);
  const d = e(() => parseFlowKey("ipv4(ttl=256)"));
  assert.match(d.message, /does not fit/);
  const f = e(() => parseFlowKey("in_port(1),in_port(2)"));
  assert.match(f.message, /duplicate in_port/);
  e(() => parseActions("lb_output(1)"));
  e(() => parseActions("ct(commit,force_commit)"));
  e(() => parseActions("psample(group=1,group=2)"));
  e(() => parseFlowKey("tunnel(gtpu(flags=1))"));
});

test("text: address and number forms the scanner reads (leading zeros, short MAC bytes, %i)", () => {
  const { key, mask } = parseFlowKey(
    "in_port(010),eth(src=0:1:a:B:4:5,dst=00:11:22:33:44:55),eth_type(0x0800)," +
      "ipv4(src=010.000.0.1,dst=1.2.3.4/255.255.0.0,ttl=+7,frag=no)",
  );
  assert.equal(key.inPort, 8, "a leading 0 is octal, as C's %i");
  assert.deepEqual(key.ethernet, { src: "00:01:0a:0b:04:05", dst: "00:11:22:33:44:55" });
  assert.equal(key.ipv4?.src, "10.0.0.1", "leading zeros of a dotted quad are decimal");
  assert.equal(key.ipv4?.ttl, 7);
  assert.equal(mask.ipv4?.dst, "255.255.0.0");
  assert.equal(parseFlowKey("in_port(4294967295)").key.inPort, 4294967295);
  for (
    const [text, column, expected] of [
      ["ipv4(src=256.0.0.1)", 10, "an IPv4 address"],
      ["ipv4(src=1.2.3)", 10, "an IPv4 address"],
      ["ipv4(src=1..2.3)", 10, "an IPv4 address"],
      ["eth(src=0:1:2:3:4)", 9, "an Ethernet address (xx:xx:xx:xx:xx:xx)"],
      ["eth(src=g0:1:2:3:4:5)", 9, "an Ethernet address (xx:xx:xx:xx:xx:xx)"],
      ["in_port(0x1ffffffff)", 9, "a number"],
      ["in_port(x)", 9, "a port number or a known port name"],
      ["ipv4(ttl=x)", 10, "a number"],
    ] as const
  ) {
    assert.throws(() => parseFlowKey(text), (e: unknown) => {
      assert.ok(e instanceof OdpParseError, String(e));
      assert.equal(e.column, column, text);
      assert.equal(e.expected, expected, text);
      return true;
    });
  }
});

test("text: encaps and action lists nest up to MAX_NESTING levels, as the codecs do", () => {
  const deep = (n: number) => "encap(".repeat(n) + ")".repeat(n);
  const k = parseFlowKey(deep(MAX_NESTING)).key;
  assert.equal(formatFlowKey(decodeFlowKey(encodeFlowKey(k))), deep(MAX_NESTING));
  // Open vSwitch reads 31 levels; nlts stops where its codecs stop, so what parses encodes.
  for (const n of [MAX_NESTING + 1, 31, 32]) {
    assert.throws(
      () => parseFlowKey(deep(n)),
      (e) => e instanceof OdpParseError && /deeper than/.test(e.message),
      `${n}`,
    );
  }
  const clones = (n: number) => "clone(".repeat(n) + "1" + ")".repeat(n);
  const a = parseActions(clones(MAX_NESTING));
  assert.equal(formatActions(decodeActions(encodeActions(a))), clones(MAX_NESTING));
  assert.throws(
    () => parseActions(clones(MAX_NESTING + 1)),
    (e) => e instanceof OdpParseError && e.column === 6 * (MAX_NESTING + 1) + 1,
  );
  const samples = (n: number) => "sample(sample=50.0%,actions(".repeat(n) + "1" + "))".repeat(n);
  assert.equal(formatActions(parseActions(samples(MAX_NESTING))), samples(MAX_NESTING));
  assert.throws(() => parseActions(samples(MAX_NESTING + 1)), OdpParseError);
  // Hex-coded nests count too: 10 clones around action20(24 clones) is 34 levels.
  const inner = encodeActions(parseActions(clones(MAX_NESTING)));
  const hexed = Array.from(inner.subarray(4), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.deepEqual(parseActions(`action20(${hexed})`), parseActions(clones(MAX_NESTING)));
  assert.throws(
    () => parseActions("clone(".repeat(10) + `action20(${hexed})` + ")".repeat(10)),
    (e) => e instanceof OdpParseError && /nest too deeply/.test(e.message),
  );
});

test("text: tunnel metadata, geneve and erspan", () => {
  const t = "tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=6081," +
    "geneve({class=0x102,type=0x80,len=4,0xa}),flags(df|key))";
  const { key, mask } = parseFlowKey(t);
  assert.equal(formatFlowKey(key), t);
  assert.equal(formatFlowKey(key, mask), t);
  assert.deepEqual(key.tunnel?.geneveOpts, Uint8Array.from([1, 2, 0x80, 1, 0, 0, 0, 10]));
  const er = "tunnel(tun_id=0x1,dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1,hwid=0x7),flags(key))";
  assert.equal(formatFlowKey(parseFlowKey(er).key), er);
  const six = "tunnel(ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,ttl=64,flags(0))";
  assert.equal(formatFlowKey(parseFlowKey(six).key), six);
  assert.equal(
    formatFlowKey({ tunnel: { ttl: 1, ipv4InfoBridge: true } }),
    "tunnel(ttl=1,ipv4_info_bridge,flags(0))",
  );
  assert.deepEqual(parseFlowKey("tunnel(ttl=1,ipv4_info_bridge,flags(0))").key.tunnel, {
    ttl: 1,
    ipv4InfoBridge: true,
  });
});
