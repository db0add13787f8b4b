/**
 * Known mistakes of published specs, corrected when a spec is read (internal). Each entry says
 * what the spec gets wrong against the kernel's uapi header or which kernel code accepts what
 * the spec leaves out; a spec that no longer has the mistake is left alone. A loaded family
 * lists what was applied in `ynl.errata`; a generated module names it in its header, so a change
 * here changes src/families: run `deno run -A scripts/gen_families.ts` (tests/ynl/gen_test.ts
 * fails until the modules match).
 *
 * @module
 */

import { NO_NESTED_FLAG } from "./_marks.ts";
import { coreScalar } from "./_core_yaml.ts";
import { addLinkKinds } from "./errata_link_kinds.ts";

type Obj = Record<string, unknown>;

/**
 * nlctrl.yaml (through Linux 6.18) lists policy-attrs `mask` before `pad`, numbering them 11
 * and 12, while `<linux/netlink.h>` has NL_POLICY_TYPE_ATTR_PAD = 11 and
 * NL_POLICY_TYPE_ATTR_MASK = 12: swap them back.
 */
function nlctrlPolicyPad(doc: Obj): string | undefined {
  if (doc.name !== "nlctrl") return undefined;
  const sets = doc["attribute-sets"];
  if (!Array.isArray(sets)) return undefined;
  const set = sets.find((s) => (s as Obj)?.name === "policy-attrs") as Obj | undefined;
  const attrs = set?.attributes;
  if (!Array.isArray(attrs)) return undefined;
  const i = attrs.findIndex((a) => (a as Obj)?.name === "mask");
  const j = attrs.findIndex((a) => (a as Obj)?.name === "pad");
  if (i < 0 || j !== i + 1 || attrs.some((a) => (a as Obj)?.value !== undefined)) return undefined;
  [attrs[i], attrs[j]] = [attrs[j], attrs[i]];
  return "policy-attrs: pad and mask swapped back to the uapi numbers (PAD 11, MASK 12)";
}

/**
 * team.yaml (6.12) declares no multicast group, although the team driver multicasts every
 * option and port change to "change_event" (and options-set fails with ESRCH while nobody
 * listens there: it returns the multicast's error): add it.
 */
function teamChangeEvent(doc: Obj): string | undefined {
  if (doc.name !== "team" || doc["mcast-groups"] !== undefined) return undefined;
  doc["mcast-groups"] = { list: [{ name: "change_event" }] };
  return "mcast-groups: change_event (drivers/net/team/team_core.c: team_nl_mcgrps has " +
    "TEAM_GENL_CHANGE_EVENT_MC_GRP_NAME; team_nl_send_multicast() sends option and port changes " +
    "to it)";
}

/**
 * An operation whose request list leaves out attributes the kernel accepts. Per-op request
 * lists are strict (a request encodes only what its operation lists), so an omission would make
 * a valid request impossible to send; each entry names the kernel source that accepts the
 * attributes it adds.
 */
interface RequestErratum {
  /** The spec's `name`. */
  readonly family: string;
  /** The operation and mode whose request list is extended. */
  readonly op: string;
  readonly mode: "do" | "dump";
  /**
   * Attributes to add (`"table|rta-table"`: the first of these names the spec's set has, as
   * older specs prefix their names), or every attribute of another operation's `do` request
   * list.
   */
  readonly add: readonly string[] | { readonly requestOf: string };
  /** The kernel code that reads them. */
  readonly source: string;
}

const REQUEST_ERRATA: readonly RequestErratum[] = [
  {
    family: "nlctrl",
    op: "getfamily",
    mode: "do",
    add: ["family-id"],
    source: "net/netlink/genetlink.c: ctrl_getfamily() finds the family by CTRL_ATTR_FAMILY_ID " +
      "as well as by CTRL_ATTR_FAMILY_NAME",
  },
  {
    family: "rt-link",
    op: "newlink",
    mode: "do",
    add: { requestOf: "setlink" },
    source: "net/core/rtnetlink.c: __rtnl_newlink() hands an existing device and its IFLA_* " +
      "attributes to do_setlink() (the attributes setlink takes), rtnl_newlink_create() sets " +
      "IFLA_MASTER, and link types read IFLA_LINK (net/8021q/vlan_netlink.c, " +
      "drivers/net/macvlan.c)",
  },
  {
    family: "rt-link",
    op: "dellink",
    mode: "do",
    add: ["alt-ifname", "group", "target-netnsid"],
    source: "net/core/rtnetlink.c: rtnl_dellink() finds the device by IFLA_IFNAME, " +
      "IFLA_ALT_IFNAME or IFLA_GROUP, in the namespace IFLA_TARGET_NETNSID names",
  },
  {
    family: "rt-route",
    op: "getroute",
    mode: "dump",
    add: ["table|rta-table", "oif|rta-oif"],
    source: "net/ipv4/fib_frontend.c: ip_valid_fib_dump_req() filters a strict dump by " +
      "RTA_TABLE and RTA_OIF (IPv6 and MPLS dumps use it too)",
  },
  ...(["newrule", "delrule"] as const).map((op): RequestErratum => ({
    family: "rt-rule",
    op,
    mode: "do",
    add: ["src", "dst"],
    source: "net/core/fib_rules.c: fib_nl2rule() hands FRA_SRC and FRA_DST to the family's " +
      "configure() (net/ipv4/fib_rules.c, net/ipv6/fib6_rules.c), and rule_find() matches them",
  })),
  {
    family: "rt-addr",
    op: "newaddr",
    mode: "do",
    add: ["broadcast|ifa-broadcast", "rt-priority|ifa-rt-priority", "proto|ifa-proto"],
    source: "net/ipv4/devinet.c: inet_rtm_newaddr() reads IFA_BROADCAST, IFA_RT_PRIORITY and " +
      "IFA_PROTO (net/ipv6/addrconf.c: inet6_rtm_newaddr() the last two)",
  },
  {
    family: "rt-addr",
    op: "getaddr",
    mode: "dump",
    add: ["target-netnsid|ifa-target-netnsid"],
    source: "net/ipv4/devinet.c: inet_valid_dump_ifaddr_req() and net/ipv6/addrconf.c: " +
      "inet6_valid_dump_ifaddr_req() accept IFA_TARGET_NETNSID in a strict dump",
  },
];

/** Applies a {@link RequestErratum} when the spec still lacks some of its attributes. */
function requestErratum(e: RequestErratum): (doc: Obj) => string | undefined {
  return (doc) => {
    if (doc.name !== e.family) return undefined;
    const list = (doc.operations as Obj | undefined)?.list;
    if (!Array.isArray(list)) return undefined;
    const op = list.find((o) => (o as Obj)?.name === e.op) as Obj | undefined;
    const request = ((op?.[e.mode] as Obj | undefined)?.request) as Obj | undefined;
    const have = request?.attributes;
    if (request === undefined || !Array.isArray(have)) return undefined;
    let add: readonly unknown[];
    if (Array.isArray(e.add)) {
      const setName = op?.["attribute-set"];
      const set = ((doc["attribute-sets"] as Obj[] | undefined) ?? []).find((s) =>
        s?.name === setName
      );
      const names = new Set(
        Array.isArray(set?.attributes) ? (set.attributes as Obj[]).map((a) => a?.name) : [],
      );
      add = e.add.map((alts: string) => alts.split("|").find((n) => names.has(n))).filter((
        n,
      ) => n !== undefined);
    } else {
      const other = list.find((o) =>
        (o as Obj)?.name === (e.add as { requestOf: string }).requestOf
      );
      const attrs = (((other as Obj | undefined)?.do as Obj | undefined)?.request as
        | Obj
        | undefined)?.attributes;
      if (!Array.isArray(attrs)) return undefined;
      add = attrs;
    }
    const missing = add.filter((a) => typeof a === "string" && !have.includes(a));
    if (missing.length === 0) return undefined;
    // a new array: YAML anchors may share the old one with other operations
    request.attributes = [...have, ...missing];
    return `${e.op} ${e.mode} request: added ${missing.join(", ")} (${e.source})`;
  };
}

/**
 * nlctrl.yaml gives no version, so YNL's default 1 would go in the genlmsghdr of requests;
 * net/netlink/genetlink.c registers the controller with `.version = 0x2` and answers with it.
 */
function nlctrlVersion(doc: Obj): string | undefined {
  if (doc.name !== "nlctrl" || doc.version !== undefined) return undefined;
  doc.version = 2;
  return "version 2 (net/netlink/genetlink.c registers genl_ctrl with .version = 0x2)";
}

/** ovs_vport.yaml says version 2; the family is registered with OVS_VPORT_VERSION, 1. */
function ovsVportVersion(doc: Obj): string | undefined {
  if (doc.name !== "ovs_vport" || coreScalar(doc.version) !== 2) return undefined;
  doc.version = 1;
  return "version 1 (include/uapi/linux/openvswitch.h: OVS_VPORT_VERSION 0x1, the version " +
    "net/openvswitch/datapath.c registers dp_vport_genl_family with)";
}

/**
 * ethtool.yaml (6.12) declares no multicast group, although every ethtool notification goes to
 * the "monitor" group: add it and name it on the notifications.
 */
function ethtoolMonitor(doc: Obj): string | undefined {
  if (doc.name !== "ethtool" || doc["mcast-groups"] !== undefined) return undefined;
  const list = (doc.operations as Obj | undefined)?.list;
  if (!Array.isArray(list)) return undefined;
  doc["mcast-groups"] = { list: [{ name: "monitor" }] };
  doc.operations = {
    ...(doc.operations as Obj),
    list: list.map((o) =>
      (o as Obj)?.notify !== undefined || (o as Obj)?.event !== undefined
        ? { ...(o as Obj), mcgrp: "monitor" }
        : o
    ),
  };
  return "mcast-groups: monitor, the group of every notification (net/ethtool/netlink.c: " +
    "ethtool_nl_mcgrps has ETHTOOL_MCGRP_MONITOR_NAME; ethnl_multicast() sends to it)";
}

/**
 * An attribute the kernel checks, or writes, in a way its spec does not say: length limits of
 * its policy (so that encoding refuses what the kernel would), or a nest written without
 * NLA_F_NESTED (so that a decoded reply re-encodes to the kernel's bytes).
 */
interface AttrErratum {
  /** The spec's `name`. */
  readonly family: string;
  /** The attribute set and the attribute. */
  readonly set: string;
  readonly attr: string;
  /** Checks to add, where the spec has none of that kind. */
  readonly checks?: { readonly "max-len"?: number };
  /** The kernel writes the nest (and an indexed array's elements) without NLA_F_NESTED. */
  readonly noNestedFlag?: true;
  /** The kernel code. */
  readonly source: string;
}

const ATTR_ERRATA: readonly AttrErratum[] = [
  {
    family: "nlctrl",
    set: "ctrl-attrs",
    attr: "family-name",
    checks: { "max-len": 15 },
    source: "net/netlink/genetlink.c: ctrl_policy_family and ctrl_policy_policy take " +
      "CTRL_ATTR_FAMILY_NAME as NLA_NUL_STRING of at most GENL_NAMSIZ - 1 bytes",
  },
  {
    family: "nlctrl",
    set: "ctrl-attrs",
    attr: "ops",
    noNestedFlag: true,
    source: "net/netlink/genetlink.c: ctrl_fill_info() opens CTRL_ATTR_OPS and each " +
      "operation with nla_nest_start_noflag()",
  },
  {
    family: "nlctrl",
    set: "ctrl-attrs",
    attr: "mcast-groups",
    noNestedFlag: true,
    source: "net/netlink/genetlink.c: ctrl_fill_info() and ctrl_fill_mcgrp_info() open " +
      "CTRL_ATTR_MCAST_GROUPS and each group with nla_nest_start_noflag()",
  },
  {
    family: "ovs_vport",
    set: "vport-options",
    attr: "extension",
    noNestedFlag: true,
    source: "net/openvswitch/vport-vxlan.c: vxlan_get_options() opens OVS_TUNNEL_ATTR_EXTENSION " +
      "with nla_nest_start_noflag()",
  },
  {
    family: "ethtool",
    set: "header",
    attr: "dev-name",
    checks: { "max-len": 127 },
    source: "net/ethtool/netlink.c: the ethnl_header_policy* policies take " +
      "ETHTOOL_A_HEADER_DEV_NAME as NLA_NUL_STRING of at most ALTIFNAMSIZ - 1 bytes",
  },
  {
    family: "ethtool",
    set: "wol",
    attr: "sopass",
    checks: { "max-len": 6 },
    source: "net/ethtool/wol.c: ethnl_wol_set_policy takes ETHTOOL_A_WOL_SOPASS as " +
      "NLA_BINARY of at most SOPASS_MAX (6) bytes",
  },
];

/** Applies an {@link AttrErratum} where the spec still lacks what it adds. */
function attrErratum(e: AttrErratum): (doc: Obj) => string | undefined {
  return (doc) => {
    if (doc.name !== e.family || !Array.isArray(doc["attribute-sets"])) return undefined;
    const set = (doc["attribute-sets"] as Obj[]).find((x) => x?.name === e.set);
    const attrs = set?.attributes;
    if (!Array.isArray(attrs)) return undefined;
    const i = attrs.findIndex((a) => (a as Obj)?.name === e.attr);
    if (i < 0) return undefined;
    const a = { ...(attrs[i] as Obj) } as Obj & { [NO_NESTED_FLAG]?: boolean };
    const done: string[] = [];
    if (e.checks !== undefined) {
      const checks = { ...((a.checks as Obj | undefined) ?? {}) };
      for (const [k, v] of Object.entries(e.checks)) {
        if (checks[k] !== undefined) continue;
        checks[k] = v;
        done.push(`${k} ${v}`);
      }
      if (done.length) a.checks = checks;
    }
    if (e.noNestedFlag && a[NO_NESTED_FLAG] !== true) {
      a[NO_NESTED_FLAG] = true;
      done.push("written without NLA_F_NESTED");
    }
    if (done.length === 0) return undefined;
    // a new object and array: YAML anchors may share the old ones
    const copy = [...attrs];
    copy[i] = a;
    set!.attributes = copy;
    return `${e.set}.${e.attr}: ${done.join(", ")} (${e.source})`;
  };
}

/**
 * A change to one element of a spec (an attribute, a struct member, or a new attribute set or
 * attribute), where the spec disagrees with what the kernel reads and writes. Applied when the
 * spec still has the old form.
 */
interface SpecPatch {
  /** The spec's `name`. */
  readonly family: string;
  /** What to change. */
  readonly target:
    | { readonly set: string; readonly attr: string; readonly fields: Obj }
    | { readonly set: string; readonly insertBefore: string; readonly attr: Obj }
    | { readonly struct: string; readonly member: string; readonly fields: Obj }
    | { readonly struct: string; readonly append: Obj }
    | { readonly newSet: Obj };
  /** What the spec gets wrong, and the kernel code that says so. */
  readonly note: string;
}

const OVS_PATCHES: readonly SpecPatch[] = [
  {
    family: "ovs_vport",
    target: { set: "vport-options", attr: "dst-port", fields: { type: "u16" } },
    note: "vport-options.dst-port is a u16 (net/openvswitch/vport-vxlan.c: " +
      "vxlan_get_options() writes it with nla_put_u16(), vxlan_create() reads nla_get_u16())",
  },
  {
    family: "ovs_vport",
    target: {
      newSet: {
        name: "vport-vxlan-ext-attrs",
        "name-prefix": "ovs-vxlan-ext-",
        attributes: [{ name: "gbp", type: "flag", value: 1 }],
      },
    },
    note: "vport-vxlan-ext-attrs: the OVS_VXLAN_EXT_* of a port's options, gbp a flag " +
      "(net/openvswitch/vport-vxlan.c: exts_policy)",
  },
  {
    family: "ovs_vport",
    target: {
      set: "vport-options",
      attr: "extension",
      fields: { type: "nest", "nested-attributes": "vport-vxlan-ext-attrs" },
    },
    note: "vport-options.extension is a nest of OVS_VXLAN_EXT_* (net/openvswitch/" +
      "vport-vxlan.c: vxlan_get_options() opens it with nla_nest_start_noflag())",
  },
  {
    family: "ovs_flow",
    target: { struct: "ovs-key-arp", append: { name: "pad", type: "pad", len: 2 } },
    note: "struct ovs_key_arp is 24 bytes, its trailing alignment padding included " +
      "(net/openvswitch/flow_netlink.c: ovs_key_lens takes sizeof(struct ovs_key_arp))",
  },
  {
    family: "ovs_flow",
    target: { struct: "ovs-key-ct-tuple-ipv4", append: { name: "pad", type: "pad", len: 3 } },
    note: "struct ovs_key_ct_tuple_ipv4 is 16 bytes, its trailing alignment padding included " +
      "(net/openvswitch/flow_netlink.c: ovs_key_lens takes its sizeof)",
  },
  {
    family: "ovs_flow",
    target: { struct: "ovs-action-add-mpls", member: "mpls-ethertype", fields: { type: "u16" } },
    note: "ovs-action-add-mpls.mpls-ethertype is a __be16 (include/uapi/linux/openvswitch.h: " +
      "struct ovs_action_add_mpls is 8 bytes, as flow_netlink.c's action_lens checks)",
  },
  {
    family: "ovs_flow",
    target: { set: "action-attrs", insertBefore: "psample", attr: { name: "drop", type: "u32" } },
    note: "action-attrs: drop (24, a u32 reason) comes before psample, which is 25 " +
      "(include/uapi/linux/openvswitch.h: OVS_ACTION_ATTR_DROP; flow_netlink.c's action_lens)",
  },
  {
    family: "ovs_flow",
    target: { set: "action-attrs", attr: "push-nsh", fields: { "nested-attributes": "key-attrs" } },
    note: "action-attrs.push-nsh holds one OVS_KEY_ATTR_NSH, a nest of key-attrs " +
      "(net/openvswitch/flow_netlink.c: validate_push_nsh())",
  },
  {
    family: "ovs_flow",
    target: { set: "flow-attrs", attr: "probe", fields: { type: "flag" } },
    note: "flow-attrs.probe is a flag (net/openvswitch/datapath.c: flow_policy has " +
      "[OVS_FLOW_ATTR_PROBE] = { .type = NLA_FLAG })",
  },
];

const TEAM_PATCHES: readonly SpecPatch[] = [
  {
    family: "team",
    target: { set: "item-option", attr: "option", fields: { "multi-attr": true } },
    note: "item-option.option is repeated, one per option (drivers/net/team/team_core.c: " +
      "team_nl_fill_one_option_get() opens a TEAM_ATTR_ITEM_OPTION for each option in the " +
      "one TEAM_ATTR_LIST_OPTION; team_nl_cmd_options_set() reads each of them)",
  },
  {
    family: "team",
    target: { set: "item-port", attr: "port", fields: { "multi-attr": true } },
    note: "item-port.port is repeated, one per port (drivers/net/team/team_core.c: " +
      "team_nl_fill_one_port_get() opens a TEAM_ATTR_ITEM_PORT for each port in the one " +
      "TEAM_ATTR_LIST_PORT)",
  },
];

/** Applies a {@link SpecPatch} when the spec still has the old form. */
function specPatch(e: SpecPatch): (doc: Obj) => string | undefined {
  // (a value loadSpec's parse left as text read as the core schema reads it: "true" is true)
  const sameFields = (o: Obj, fields: Obj) =>
    Object.entries(fields).every(([k, v]) => coreScalar(o[k]) === v);
  return (doc) => {
    if (doc.name !== e.family) return undefined;
    const sets = doc["attribute-sets"];
    const defs = doc.definitions;
    const t = e.target;
    if ("newSet" in t) {
      if (!Array.isArray(sets) || sets.some((x) => (x as Obj)?.name === t.newSet.name)) {
        return undefined;
      }
      doc["attribute-sets"] = [...sets, structuredClone(t.newSet)];
      return e.note;
    }
    if ("set" in t) {
      if (!Array.isArray(sets)) return undefined;
      const i = sets.findIndex((x) => (x as Obj)?.name === t.set);
      const attrs = (sets[i] as Obj | undefined)?.attributes;
      if (!Array.isArray(attrs)) return undefined;
      let copy: unknown[];
      if ("insertBefore" in t) {
        if (attrs.some((a) => (a as Obj)?.name === t.attr.name)) return undefined;
        const j = attrs.findIndex((a) => (a as Obj)?.name === t.insertBefore);
        if (j < 0 || (attrs[j] as Obj).value !== undefined) return undefined;
        copy = [...attrs.slice(0, j), { ...t.attr }, ...attrs.slice(j)];
      } else {
        const j = attrs.findIndex((a) => (a as Obj)?.name === t.attr);
        if (j < 0 || sameFields(attrs[j] as Obj, t.fields)) return undefined;
        copy = [...attrs];
        copy[j] = { ...(attrs[j] as Obj), ...t.fields };
      }
      // new objects: YAML anchors may share the old ones
      const newSets = [...sets];
      newSets[i] = { ...(sets[i] as Obj), attributes: copy };
      doc["attribute-sets"] = newSets;
      return e.note;
    }
    if (!Array.isArray(defs)) return undefined;
    const i = defs.findIndex((d) => (d as Obj)?.name === t.struct);
    const members = (defs[i] as Obj | undefined)?.members;
    if (!Array.isArray(members)) return undefined;
    let copy: unknown[];
    if ("append" in t) {
      const last = members[members.length - 1] as Obj | undefined;
      if (last?.type === "pad") return undefined;
      copy = [...members, { ...t.append }];
    } else {
      const j = members.findIndex((m) => (m as Obj)?.name === t.member);
      if (j < 0 || sameFields(members[j] as Obj, t.fields)) return undefined;
      copy = [...members];
      copy[j] = { ...(members[j] as Obj), ...t.fields };
    }
    const newDefs = [...defs];
    newDefs[i] = { ...(defs[i] as Obj), members: copy };
    doc.definitions = newDefs;
    return e.note;
  };
}

/**
 * An attribute whose type the spec gets wrong for some of what the kernel sends: the fix
 * applies while the attribute still has the wrong type.
 */
interface TypeErratum {
  /** The spec's `name`. */
  readonly family: string;
  /** The attribute set. */
  readonly set: string;
  /** The attributes. */
  readonly attrs: readonly string[];
  /** The type the spec gives. */
  readonly wrong: string;
  /** What replaces it (type and its properties). */
  readonly to: Readonly<Obj>;
  /** The kernel code that shows the right type. */
  readonly source: string;
}

const TYPE_ERRATA: readonly TypeErratum[] = [
  {
    family: "rt-link",
    set: "linkinfo-brport-attrs",
    attrs: [
      "mode",
      "guard",
      "protect",
      "fast-leave",
      "learning",
      "unicast-flood",
      "proxyarp",
      "learning-sync",
      "proxyarp-wifi",
      "mcast-flood",
      "mcast-to-ucast",
      "vlan-tunnel",
      "bcast-flood",
      "neigh-suppress",
      "isolated",
      "mrp-ring-open",
      "mrp-in-open",
      "locked",
      "mab",
      "neigh-vlan-suppress",
    ],
    wrong: "flag",
    to: { type: "u8" },
    source: "net/bridge/br_netlink.c: br_port_fill_attrs() reports each with nla_put_u8 (0 or " +
      "1) and br_port_policy takes NLA_U8: a flag's empty payload is refused both ways",
  },
  {
    family: "rt-rule",
    set: "fib-rule-attrs",
    attrs: ["dst", "src"],
    wrong: "u32",
    to: { type: "binary", "display-hint": "ipv4" },
    source: "an address of the rule's family: net/ipv4/fib_rules.c reads 4 bytes " +
      "(nla_get_in_addr), net/ipv6/fib6_rules.c 16 (nla_get_in6_addr); a u32 cannot hold an " +
      "IPv6 rule's prefix",
  },
];

/** Applies a {@link TypeErratum} to the attributes that still have the wrong type. */
function typeErratum(e: TypeErratum): (doc: Obj) => string | undefined {
  return (doc) => {
    if (doc.name !== e.family) return undefined;
    const sets = doc["attribute-sets"];
    if (!Array.isArray(sets)) return undefined;
    const set = sets.find((s) => (s as Obj)?.name === e.set) as Obj | undefined;
    if (!Array.isArray(set?.attributes)) return undefined;
    const fixed: string[] = [];
    set.attributes = (set.attributes as Obj[]).map((a) => {
      if (!e.attrs.includes(String(a?.name)) || a?.type !== e.wrong) return a;
      fixed.push(String(a.name));
      const { type: _, ...rest } = a;
      return { ...rest, ...e.to };
    });
    if (fixed.length === 0) return undefined;
    return `${e.set}: ${fixed.join(", ")} ${e.wrong} -> ${
      Object.entries(e.to).map(([k, v]) => `${k} ${v}`).join(", ")
    } (${e.source})`;
  };
}

const ERRATA = [
  nlctrlPolicyPad,
  nlctrlVersion,
  ovsVportVersion,
  ethtoolMonitor,
  teamChangeEvent,
  addLinkKinds,
  ...REQUEST_ERRATA.map(requestErratum),
  ...ATTR_ERRATA.map(attrErratum),
  ...OVS_PATCHES.map(specPatch),
  ...TEAM_PATCHES.map(specPatch),
  ...TYPE_ERRATA.map(typeErratum),
];

/**
 * Applies the errata to a parsed spec; returns the spec to use and what was corrected. The
 * corrections are made on a deep copy, unless `owned` (a spec this module just parsed, that
 * nobody else holds: then in place, saving the copy of a large spec).
 */
export function applyErrata(doc: unknown, owned = false): { doc: unknown; applied: string[] } {
  if (typeof doc !== "object" || doc === null) return { doc, applied: [] };
  const copy = (owned ? doc : structuredClone(doc)) as Obj;
  const applied: string[] = [];
  for (const e of ERRATA) {
    const note = e(copy);
    if (note !== undefined) applied.push(note);
  }
  return applied.length ? { doc: copy, applied } : { doc, applied };
}
