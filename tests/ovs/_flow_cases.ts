// The wide set of datapath flows of the flow interop tests: every key attribute and every
// action that Linux 6.1's openvswitch module accepts, with masks, in ovs-dpctl's syntax. Port
// numbers: 1 and 2 are veths, 3 an internal port (see makeFlowDp).
//
// `dpctl: false` marks what ovs-dpctl 3.1 cannot read back (it prints it, or the kernel has it,
// but its parser refuses): those go in only through nlts. `dpctlPrints: false` marks what
// ovs-dpctl 3.1 prints wrongly (dec_ttl: 3.1 numbers OVS_ACTION_ATTR_DEC_TTL like its own
// tnl_push and prints garbage).
import type { FlowKey } from "../../src/ovs/keys.ts";
import { CT_ZONES } from "./_helpers.ts";

export interface FlowCase {
  flow: string;
  actions: string;
  dpctl?: false;
  dpctlPrints?: false;
  /** Changes to the parsed key/mask that the text syntax cannot say (multi-label MPLS). */
  edit?: (key: FlowKey, mask: FlowKey) => void;
}

const V4 = (n: number) =>
  `eth(src=00:00:00:00:01:${n.toString(16).padStart(2, "0")}),eth_type(0x0800)`;

const ALL_CASES: FlowCase[] = [
  // Keys
  {
    flow:
      "in_port(1),eth(src=00:01:02:03:04:05,dst=10:11:12:13:14:15),eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=00:01:02:03:04:05,tha=00:00:00:00:00:00)",
    actions: "2",
  },
  {
    flow:
      "recirc_id(0),dp_hash(0x5/0xff),skb_priority(0x1),skb_mark(0x5),in_port(2),eth(src=00:01:02:03:04:05/ff:ff:ff:00:00:00,dst=10:11:12:13:14:15),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,dst=10.0.0.2,proto=6,tos=0x4/0xfc,ttl=64,frag=no),tcp(src=1234,dst=80/0xfff0),tcp_flags(syn|ack)",
    actions: "1",
  },
  {
    flow: "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.3,proto=17,frag=no),udp(src=53)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.9.9.12,proto=17,frag=no),udp(src=1/0xff,dst=2/0xf0)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.4,proto=1,frag=no),icmp(type=8,code=0)",
    actions: "2",
  },
  {
    flow: "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.5,proto=132,frag=no),sctp(dst=9)",
    actions: "2",
  },
  { flow: "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.9.9.9,frag=first)", actions: "2" },
  { flow: "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.9.9.10,frag=later)", actions: "2" },
  {
    flow:
      "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::/ffff:ffff::,label=0x12345,proto=58,tclass=0x10,hlimit=255,frag=no),icmpv6(type=135,code=0),nd(target=2001:db8::2,sll=00:01:02:03:04:05,tll=00:00:00:00:00:00)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::3,proto=6,frag=no),tcp(dst=443),tcp_flags(0/0)",
    actions: "2",
  },
  // Linux 6.1's OVS_KEY_ATTR_IPV6_EXTHDRS: ovs-dpctl 3.1 prints it as key32(...).
  {
    flow:
      "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::30,frag=no),ipv6_exthdrs(hdrs=0x3/0x3)",
    actions: "2",
    dpctl: false,
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(src=10.0.0.6,frag=no))",
    actions: "2",
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x88a8),vlan(vid=10),encap(eth_type(0x8100),vlan(vid=20),encap(eth_type(0x0800),ipv4(src=10.0.0.7,frag=no)))",
    actions: "2",
  },
  { flow: "in_port(1),eth(),eth_type(0x8847),mpls(label=100,tc=3,ttl=64,bos=1)", actions: "2" },
  {
    // Two labels (the key syntax has no way to say it: set through the model).
    flow: "in_port(1),eth(src=00:00:00:00:00:77),eth_type(0x8847),mpls(label=5,tc=0,ttl=1,bos=0)",
    actions: "2",
    dpctl: false,
    edit: (k, m) => {
      k.mpls = [(5 << 12) | 64, (6 << 12) | 0x100 | 64];
      m.mpls = [0xffffffff, 0xfffff0ff];
    },
  },
  {
    flow:
      "recirc_id(0x1),in_port(1),ct_state(+trk+est-new),ct_zone(5),ct_mark(0x1/0xff),ct_label(0x1/0xff),eth(),eth_type(0x0800),ipv4(src=10.0.0.8,frag=no)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),ct_state(+trk),ct_tuple4(src=10.0.0.1,dst=10.0.0.2,proto=6,tp_src=1,tp_dst=2),eth(),eth_type(0x0800),ipv4(src=10.0.0.9,proto=6,frag=no),tcp(),tcp_flags(0/0)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),ct_state(+trk),ct_tuple6(src=2001:db8::1,dst=2001:db8::2,proto=17,tp_src=1,tp_dst=2),eth(),eth_type(0x86dd),ipv6(src=2001:db8::4,proto=17,frag=no),udp()",
    actions: "2",
  },
  {
    flow:
      "tunnel(tun_id=0x5,src=192.168.0.1,dst=192.168.0.2,tos=0x1,ttl=64,tp_src=1,tp_dst=4789,flags(-df+csum+key)),in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.10,frag=no)",
    actions: "2",
  },
  {
    flow:
      "tunnel(tun_id=0x6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2,ttl=64,tp_dst=6081,geneve({class=0xffff,type=0x80,len=4,0xa/0xf}),flags(+key)),in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.11,frag=no)",
    actions: "2",
  },
  {
    flow:
      "tunnel(tun_id=0x7,src=192.168.0.1,dst=192.168.0.3,ttl=64,tp_dst=4789,vxlan(gbp(id=10,flags=0x1)),flags(+key)),in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.12,frag=no)",
    actions: "2",
  },
  {
    flow:
      "tunnel(src=192.168.0.1,dst=192.168.0.4,ttl=64,erspan(ver=1,idx=0x7),flags(+key)),in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.13,frag=no)",
    actions: "2",
  },
  {
    flow:
      "in_port(1),eth(),eth_type(0x894f),nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,c4=0x4)",
    actions: "2",
    dpctl: false,
  },
  // Actions
  {
    flow: `in_port(3),${V4(1)},ipv4(src=10.1.0.1,frag=no)`,
    actions: "userspace(pid=1234,userdata(01020304),actions)",
  },
  {
    flow: `in_port(3),${V4(2)},ipv4(src=10.1.0.2,frag=no)`,
    actions: "set(tunnel(tun_id=0xabc,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(df|key))),2",
  },
  {
    flow: `in_port(3),${V4(3)},ipv4(src=10.1.0.3,proto=6,frag=no),tcp(),tcp_flags(0/0)`,
    actions: "set(ipv4(src=1.2.3.4,dst=5.6.7.8,tos=0,ttl=10)),set(tcp(src=1,dst=2)),2",
  },
  {
    flow: `in_port(3),${V4(4)},ipv4(src=10.1.0.4,frag=no)`,
    actions: "set(ipv4(src=1.2.3.0/255.255.255.0)),set(eth(dst=00:00:00:00:00:aa)),2",
  },
  {
    flow: `in_port(3),${V4(5)},ipv4(src=10.1.0.5,frag=no)`,
    actions: "push_vlan(vid=12,pcp=0),2,pop_vlan,1",
  },
  {
    flow: `in_port(3),${V4(6)},ipv4(src=10.1.0.6,frag=no)`,
    actions: "sample(sample=50.0%,actions(1)),recirc(5)",
  },
  {
    flow: `in_port(3),${V4(7)},ipv4(src=10.1.0.7,proto=6,frag=no),tcp(),tcp_flags(0/0)`,
    actions: "hash(l4(0)),recirc(6)",
    dpctl: false,
  },
  {
    flow: `in_port(3),${V4(8)},ipv4(src=10.1.0.8,frag=no)`,
    actions: "push_mpls(label=100,tc=0,ttl=64,bos=1,eth_type=0x8847),2",
    dpctl: false,
  },
  {
    flow:
      "in_port(3),eth(src=00:00:00:00:01:09),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)",
    actions: "pop_mpls(eth_type=0x800),2",
    dpctl: false,
  },
  {
    flow: `in_port(3),${V4(10)},ipv4(src=10.1.0.10,frag=no)`,
    actions: "add_mpls(label=200,tc=0,ttl=64,bos=0,eth_type=0x8847),2",
  },
  {
    flow: `in_port(3),${V4(11)},ipv4(src=10.1.0.11,proto=6,frag=no),tcp(),tcp_flags(0/0)`,
    actions:
      "ct(commit,zone=5,mark=0x1/0xff,label=0x1/0xff,nat(src=10.0.0.240-10.0.0.250:32768-65535,random)),recirc(7)",
  },
  {
    flow: `in_port(3),${V4(12)},ipv4(src=10.1.0.12,frag=no)`,
    actions: "ct(zone=6,nat),ct_clear,2",
  },
  {
    flow: `in_port(3),${V4(13)},ipv4(src=10.1.0.13,frag=no)`,
    actions: "ct(force_commit,nat(dst=10.0.0.1:80,persistent,hash)),2",
  },
  {
    flow: `in_port(3),${V4(14)},ipv4(src=10.1.0.14,proto=6,frag=no),tcp(),tcp_flags(0/0)`,
    actions: "ct(commit,helper=ftp),2",
  },
  {
    flow:
      "in_port(3),eth(src=00:00:00:00:01:15),eth_type(0x86dd),ipv6(src=2001:db8::20,proto=6,frag=no),tcp(),tcp_flags(0/0)",
    actions: "ct(commit,nat(dst=[2001:db8::1]-[2001:db8::5]:80-90)),2",
  },
  { flow: `in_port(3),${V4(16)},ipv4(src=10.1.0.16,frag=no)`, actions: "trunc(100),2,3" },
  {
    flow: `in_port(3),${V4(17)},ipv4(src=10.1.0.17,frag=no)`,
    actions: "pop_eth,push_eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),2",
    dpctl: false,
  },
  {
    flow: `in_port(3),${V4(18)},ipv4(src=10.1.0.18,frag=no)`,
    actions:
      "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,c4=0x4),2",
  },
  {
    flow: "in_port(3),eth(src=00:00:00:00:01:19),eth_type(0x894f),nsh(np=3)",
    actions: "pop_nsh,2",
    dpctl: false,
  },
  { flow: `in_port(3),${V4(20)},ipv4(src=10.1.0.20,frag=no)`, actions: "meter(0),2" },
  {
    flow: `in_port(3),${V4(21)},ipv4(src=10.1.0.21,frag=no)`,
    actions: "clone(push_vlan(vid=5,pcp=0),1),2",
  },
  {
    flow: `in_port(3),${V4(22)},ipv4(src=10.1.0.22,frag=no)`,
    actions: "check_pkt_len(size=200,gt(1),le(2))",
  },
  {
    flow: `in_port(3),${V4(23)},ipv4(src=10.1.0.23,ttl=64,frag=no)`,
    actions: "dec_ttl(le_1(drop)),2",
    dpctl: false,
    dpctlPrints: false,
  },
  // "drop" is the empty action list (ovs-dpctl 3.1 sends an explicit drop action, which 6.1 lacks).
  { flow: `in_port(3),${V4(24)},ipv4(src=10.1.0.24,frag=no)`, actions: "drop", dpctl: false },
  {
    flow: `in_port(3),${V4(25)},ipv4(src=10.1.0.25,frag=no)`,
    actions: "set(skb_mark(0x5)),set(skb_priority(0x3)),2",
  },
  {
    flow: `in_port(3),${V4(26)},ipv4(src=10.1.0.26,frag=no)`,
    actions: "set(skb_mark(0x5/0xff)),2",
  },
  {
    flow:
      "in_port(3),eth(src=00:00:00:00:01:1b),eth_type(0x86dd),ipv6(src=2001:db8::9,proto=17,frag=no),udp()",
    actions: "set(ipv6(src=2001:db8::10,label=0x5,tclass=0,hlimit=9)),set(udp(src=7,dst=8)),2",
  },
  {
    flow: `in_port(3),${V4(28)},ipv4(src=10.1.0.28,proto=132,frag=no),sctp()`,
    actions: "set(sctp(src=1,dst=2)),2",
  },
  {
    flow:
      "in_port(3),eth(src=00:00:00:00:01:1d),eth_type(0x8847),mpls(label=100,tc=0,ttl=64,bos=1)",
    actions: "set(mpls(label=101,tc=1,ttl=63,bos=1)),2",
  },
  {
    flow: `in_port(3),${V4(30)},ipv4(src=10.1.0.30,frag=no)`,
    actions:
      "userspace(pid=1,sFlow(vid=9,pcp=7,output=0x1f)),userspace(pid=2,slow_path(cfm)),userspace(pid=3,flow_sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3,output_port=4294967295)),userspace(pid=4,ipfix(output_port=5)),userspace(pid=5,controller(reason=1,dont_send=0,continuation=0,recirc_id=1,rule_cookie=0x1,controller_id=0,max_len=65535)),userspace(pid=6,userdata(aa),tunnel_out_port=2)",
  },
  {
    flow: `in_port(3),${V4(31)},ipv4(src=10.1.0.31,frag=no)`,
    actions: "set(ipv4(ttl=5)),sample(sample=10.0%,actions(userspace(pid=7,userdata(0102)))),2",
  },
];

/**
 * The cases, as the guest kernel accepts them: where it has no conntrack zones, without their
 * `ct_zone()` keys and `zone=` arguments (the rest of each case still covers its kinds).
 */
export const FLOW_CASES: FlowCase[] = CT_ZONES ? ALL_CASES : ALL_CASES.map((c) => ({
  ...c,
  flow: c.flow.replace(/ct_zone\([^)]*\),?/g, ""),
  actions: c.actions.replace(/zone=\d+,?/g, ""),
}));

/** Key attributes Linux 6.1 accepts, as FlowKey members. */
const ALL_KEY_KINDS: readonly string[] = [
  "encap",
  "priority",
  "inPort",
  "ethernet",
  "vlan",
  "ethertype",
  "ipv4",
  "ipv6",
  "tcp",
  "udp",
  "icmp",
  "icmpv6",
  "arp",
  "nd",
  "skbMark",
  "tunnel",
  "sctp",
  "tcpFlags",
  "dpHash",
  "recircId",
  "mpls",
  "ctState",
  "ctZone",
  "ctMark",
  "ctLabels",
  "ctOrigTupleIpv4",
  "ctOrigTupleIpv6",
  "nsh",
  "ipv6Exthdrs",
];

/** The key attributes FLOW_CASES must cover: all, but `ctZone` where the kernel has no zones. */
export const KERNEL_KEY_KINDS: readonly string[] = ALL_KEY_KINDS.filter((k) =>
  CT_ZONES || k !== "ctZone"
);

/** Tunnel key members the cases cover. */
export const TUNNEL_KINDS: readonly string[] = [
  "id",
  "ipv4Src",
  "ipv4Dst",
  "tos",
  "ttl",
  "csum",
  "geneveOpts",
  "tpSrc",
  "tpDst",
  "vxlanOpts",
  "ipv6Src",
  "ipv6Dst",
  "erspanOpts",
];

/** Action kinds Linux 6.1 accepts (drop and psample came later). */
export const KERNEL_ACTION_KINDS: readonly string[] = [
  "output",
  "userspace",
  "set",
  "setMasked",
  "pushVlan",
  "popVlan",
  "sample",
  "recirc",
  "hash",
  "pushMpls",
  "popMpls",
  "addMpls",
  "ct",
  "ctClear",
  "trunc",
  "pushEth",
  "popEth",
  "pushNsh",
  "popNsh",
  "meter",
  "clone",
  "checkPktLen",
  "decTtl",
];

/** A UFID for case `i` (every other case has one). */
export function caseUfid(i: number): string | undefined {
  if (i % 2) return undefined;
  const h = (i + 1).toString(16).padStart(12, "0");
  return `5eed0000-0000-4000-8000-${h}`;
}
