/**
 * Link kinds the rt-link spec has no `linkinfo` format for (internal). The kernel's rt-link
 * spec describes IFLA_INFO_DATA of bond, bridge, gre, geneve, vlan, vrf, netkit... but not of
 * veth, vxlan, macvlan/macvtap or ipvlan/ipvtap, nor IFLA_INFO_SLAVE_DATA of vrf ports, so a
 * family loaded from it keeps their data as bytes and cannot create them with options. These
 * definitions, written from the uapi headers (`<linux/if_link.h>`, `<linux/veth.h>`) in the
 * spec's own YNL shape, are added to a spec that lacks them (what it already has is left alone).
 *
 * @module
 */

import { coreScalar } from "./_core_yaml.ts";

type Obj = Record<string, unknown>;

/** What the kernel reads, for the erratum's note. */
export const LINK_KINDS_SOURCE = "include/uapi/linux/if_link.h (IFLA_VXLAN_*, IFLA_MACVLAN_*, " +
  "IFLA_IPVLAN_*, IFLA_VRF_PORT_*, IFLA_GRE_*), include/uapi/linux/veth.h (VETH_INFO_PEER: struct " +
  "ifinfomsg and link attributes); drivers/net/vxlan/vxlan_core.c vxlan_policy, " +
  "drivers/net/macvlan.c macvlan_policy, drivers/net/ipvlan/ipvlan_main.c, drivers/net/veth.c " +
  "veth_newlink, drivers/net/vrf.c vrf_slave_policy";

const u8 = (name: string): Obj => ({ name, type: "u8" });
const u32 = (name: string): Obj => ({ name, type: "u32" });
const flag = (name: string): Obj => ({ name, type: "flag" });
const ip = (name: string, hint: "ipv4" | "ipv6"): Obj => ({
  name,
  type: "binary",
  "display-hint": hint,
});

/**
 * A copy of literal data (objects, arrays, strings, numbers, booleans): what the spec gets
 * must not be the constants of this module (structuredClone does the same, at a higher cost
 * on a first load).
 */
function copy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(copy) as T;
  if (typeof v !== "object" || v === null) return v;
  const out: Obj = {};
  for (const k of Object.keys(v)) out[k] = copy((v as Obj)[k]);
  return out as T;
}

/** Enum and flags definitions of the added sets. */
export const LINK_KIND_DEFINITIONS: readonly Obj[] = [
  {
    name: "vxlan-df",
    type: "enum",
    "enum-name": "ifla-vxlan-df",
    "name-prefix": "vxlan-df-",
    entries: ["unset", "set", "inherit"],
  },
  {
    name: "vxlan-label-policy",
    type: "enum",
    "enum-name": "ifla-vxlan-label-policy",
    "name-prefix": "vxlan-label-",
    entries: ["fixed", "inherit"],
  },
  {
    name: "vxlan-port-range",
    type: "struct",
    members: [
      { name: "low", type: "u16", "byte-order": "big-endian" },
      { name: "high", type: "u16", "byte-order": "big-endian" },
    ],
  },
  {
    name: "macvlan-mode",
    type: "enum",
    "enum-name": "macvlan-mode",
    "name-prefix": "macvlan-mode-",
    entries: [
      { name: "private", value: 1 },
      { name: "vepa", value: 2 },
      { name: "bridge", value: 4 },
      { name: "passthru", value: 8 },
      { name: "source", value: 16 },
    ],
  },
  {
    name: "macvlan-flags",
    type: "flags",
    "name-prefix": "macvlan-flag-",
    entries: ["nopromisc", "nodst"],
  },
  {
    name: "macvlan-macaddr-mode",
    type: "enum",
    "enum-name": "macvlan-macaddr-mode",
    "name-prefix": "macvlan-macaddr-",
    entries: ["add", "del", "flush", "set"],
  },
  {
    name: "ipvlan-mode",
    type: "enum",
    "enum-name": "ipvlan-mode",
    "name-prefix": "ipvlan-mode-",
    entries: ["l2", "l3", "l3s"],
  },
  {
    name: "ipvlan-flags",
    type: "flags",
    "name-prefix": "ipvlan-f-",
    entries: ["private", "vepa"],
  },
];

/**
 * Attributes of `link-attrs` a veth peer may carry (veth_newlink() reads the peer's
 * ifinfomsg and attributes like a new link's: name, addresses, MTU, queues, namespace).
 * Only those the spec has are kept.
 */
export const VETH_PEER_ATTRS: readonly string[] = [
  "address",
  "broadcast",
  "ifname",
  "mtu",
  "txqlen",
  "operstate",
  "linkmode",
  "net-ns-pid",
  "ifalias",
  "group",
  "net-ns-fd",
  "num-tx-queues",
  "num-rx-queues",
  "gso-max-segs",
  "gso-max-size",
  "target-netnsid",
  "gro-max-size",
  "gso-ipv4-max-size",
  "gro-ipv4-max-size",
];

/** Attribute sets of the added kinds (`peer-attrs` is filled in from the spec's link-attrs). */
export function linkKindSets(linkAttrNames: readonly string[]): Obj[] {
  return [
    {
      name: "linkinfo-vxlan-attrs",
      "name-prefix": "ifla-vxlan-",
      attributes: [
        { ...u32("id"), value: 1 },
        ip("group", "ipv4"),
        u32("link"),
        ip("local", "ipv4"),
        u8("ttl"),
        u8("tos"),
        u8("learning"),
        u32("ageing"),
        u32("limit"),
        { name: "port-range", type: "binary", struct: "vxlan-port-range" },
        u8("proxy"),
        u8("rsc"),
        u8("l2miss"),
        u8("l3miss"),
        { name: "port", type: "u16", "byte-order": "big-endian" },
        ip("group6", "ipv6"),
        ip("local6", "ipv6"),
        u8("udp-csum"),
        u8("udp-zero-csum6-tx"),
        u8("udp-zero-csum6-rx"),
        u8("remcsum-tx"),
        u8("remcsum-rx"),
        flag("gbp"),
        flag("remcsum-nopartial"),
        u8("collect-metadata"),
        { name: "label", type: "u32", "byte-order": "big-endian" },
        flag("gpe"),
        {
          name: "ttl-inherit",
          type: "binary",
          doc: "Set as a flag (an empty payload: vxlan_policy's NLA_FLAG), reported as a u8 " +
            "(vxlan_fill_info): binary keeps both as they are.",
        },
        { name: "df", type: "u8", enum: "vxlan-df" },
        u8("vnifilter"),
        u8("localbypass"),
        { name: "label-policy", type: "u32", enum: "vxlan-label-policy" },
        { name: "reserved-bits", type: "binary", checks: { "exact-len": 8 } },
        u8("mc-route"),
      ],
    },
    {
      name: "linkinfo-macvlan-attrs",
      "name-prefix": "ifla-macvlan-",
      attributes: [
        { name: "mode", type: "u32", enum: "macvlan-mode", value: 1 },
        { name: "flags", type: "u16", enum: "macvlan-flags", "enum-as-flags": true },
        { name: "macaddr-mode", type: "u32", enum: "macvlan-macaddr-mode" },
        { name: "macaddr", type: "binary", "display-hint": "mac" },
        { name: "macaddr-data", type: "nest", "nested-attributes": "macvlan-macaddr-list" },
        u32("macaddr-count"),
        u32("bc-queue-len"),
        u32("bc-queue-len-used"),
        { name: "bc-cutoff", type: "s32" },
      ],
    },
    {
      name: "macvlan-macaddr-list",
      "name-prefix": "ifla-macvlan-",
      attributes: [
        {
          name: "macaddr",
          type: "binary",
          "display-hint": "mac",
          "multi-attr": true,
          value: 4,
        },
      ],
    },
    {
      name: "linkinfo-ipvlan-attrs",
      "name-prefix": "ifla-ipvlan-",
      attributes: [
        { name: "mode", type: "u16", enum: "ipvlan-mode", value: 1 },
        { name: "flags", type: "u16", enum: "ipvlan-flags", "enum-as-flags": true },
      ],
    },
    {
      name: "linkinfo-veth-attrs",
      "name-prefix": "veth-info-",
      attributes: [
        {
          name: "peer",
          type: "sub-message",
          "sub-message": "linkinfo-veth-peer-msg",
          selector: "kind",
          value: 1,
        },
      ],
    },
    {
      name: "linkinfo-veth-peer-attrs",
      "subset-of": "link-attrs",
      attributes: VETH_PEER_ATTRS.filter((n) => linkAttrNames.includes(n)).map((name) => ({
        name,
      })),
    },
    {
      name: "linkinfo-vrf-port-attrs",
      "name-prefix": "ifla-vrf-port-",
      attributes: [{ ...u32("table"), value: 1 }],
    },
  ];
}

/** Formats added to the spec's sub-messages (by sub-message name). */
export const LINK_KIND_FORMATS: Readonly<Record<string, readonly Obj[]>> = {
  "linkinfo-data-msg": [
    { value: "veth", "attribute-set": "linkinfo-veth-attrs" },
    { value: "vxlan", "attribute-set": "linkinfo-vxlan-attrs" },
    { value: "macvlan", "attribute-set": "linkinfo-macvlan-attrs" },
    { value: "macvtap", "attribute-set": "linkinfo-macvlan-attrs" },
    { value: "ipvlan", "attribute-set": "linkinfo-ipvlan-attrs" },
    { value: "ipvtap", "attribute-set": "linkinfo-ipvlan-attrs" },
    // the Ethernet flavours of the IPv6 GRE kinds read the same IFLA_GRE_* attributes
    // (net/ipv6/ip6_gre.c ip6gre_tap_ops, ip6erspan_tap_ops), when the spec has their set
    { value: "ip6gretap", "attribute-set": "linkinfo-gre6-attrs" },
    { value: "ip6erspan", "attribute-set": "linkinfo-gre6-attrs" },
  ],
  "linkinfo-member-data-msg": [
    { value: "vrf", "attribute-set": "linkinfo-vrf-port-attrs" },
  ],
  "linkinfo-veth-peer-msg": [
    { value: "veth", "fixed-header": "ifinfomsg", "attribute-set": "linkinfo-veth-peer-attrs" },
  ],
};

/**
 * Adds the link kinds to a parsed rt-link spec (in place); returns what was added, or
 * undefined when the spec is not rt-link or already has them all.
 */
export function addLinkKinds(doc: Obj): string | undefined {
  if (doc.name !== "rt-link") return undefined;
  const sets = doc["attribute-sets"];
  const subs = doc["sub-messages"];
  if (!Array.isArray(sets) || !Array.isArray(subs)) return undefined;
  const link = sets.find((s) => (s as Obj)?.name === "link-attrs") as Obj | undefined;
  const linkinfo = sets.find((s) => (s as Obj)?.name === "linkinfo-attrs") as Obj | undefined;
  if (!Array.isArray(link?.attributes) || !Array.isArray(linkinfo?.attributes)) return undefined;
  if (!(linkinfo.attributes as Obj[]).some((a) => a?.name === "kind")) return undefined;
  const ifinfomsg = Array.isArray(doc.definitions) &&
    (doc.definitions as Obj[]).some((d) => d?.name === "ifinfomsg");
  if (!ifinfomsg) return undefined;
  const linkNames = (link.attributes as Obj[]).map((a) => String(a?.name));

  const added: string[] = [];
  // the formats this spec lacks, per existing (or added) sub-message
  const plan: [string, Obj[]][] = [];
  const mine = new Set(linkKindSets([]).map((x) => x.name));
  for (const [msg, formats] of Object.entries(LINK_KIND_FORMATS)) {
    const have = subs.find((s) => (s as Obj)?.name === msg) as Obj | undefined;
    const values = new Set(
      Array.isArray(have?.formats)
        ? (have.formats as Obj[]).map((f) => String(coreScalar(f?.value)))
        : [],
    );
    const usable = (f: Obj) =>
      mine.has(f["attribute-set"]) || sets.some((x) => (x as Obj)?.name === f["attribute-set"]);
    const missing = formats.filter((f) => !values.has(String(f.value)) && usable(f));
    if (msg === "linkinfo-veth-peer-msg") continue; // added with the veth format below
    if (have === undefined) continue; // not a sub-message of this spec's linkinfo
    if (missing.length) plan.push([msg, missing.map(copy)]);
  }
  if (plan.length === 0) return undefined;
  const needSets = new Set(plan.flatMap(([, fs]) => fs.map((f) => String(f["attribute-set"]))));
  if (needSets.has("linkinfo-veth-attrs")) {
    needSets.add("linkinfo-veth-peer-attrs");
    if (!subs.some((s) => (s as Obj)?.name === "linkinfo-veth-peer-msg")) {
      subs.push({
        name: "linkinfo-veth-peer-msg",
        formats: copy(LINK_KIND_FORMATS["linkinfo-veth-peer-msg"]),
      });
    }
  }
  if (needSets.has("linkinfo-macvlan-attrs")) needSets.add("macvlan-macaddr-list");
  const setNames = new Set(sets.map((s) => (s as Obj)?.name));
  const pushed: Obj[] = [];
  for (const s of linkKindSets(linkNames)) {
    if (needSets.has(String(s.name)) && !setNames.has(s.name)) pushed.push(s);
  }
  sets.push(...pushed);
  const defs = doc.definitions as Obj[];
  const defNames = new Set(defs.map((d) => d?.name));
  // the definitions the added sets name (the spec's own sets name only its own)
  const used = JSON.stringify(pushed);
  for (const d of LINK_KIND_DEFINITIONS) {
    if (!defNames.has(d.name) && used.includes(`"${d.name}"`)) defs.push(copy(d));
  }
  for (const [msg, formats] of plan) {
    const sm = subs.find((s) => (s as Obj)?.name === msg) as Obj;
    sm.formats = [...(sm.formats as Obj[]), ...formats];
    added.push(`${msg}: ${formats.map((f) => f.value).join(", ")}`);
  }
  return `linkinfo formats added (${added.join("; ")}) from ${LINK_KINDS_SOURCE}`;
}
