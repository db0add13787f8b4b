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

const ERRATA = [nlctrlPolicyPad, addLinkKinds, ...REQUEST_ERRATA.map(requestErratum)];

/**
 * Applies the errata to a parsed spec (a deep copy is made first when one applies); returns
 * the spec to use and what was corrected.
 */
export function applyErrata(doc: unknown): { doc: unknown; applied: string[] } {
  if (typeof doc !== "object" || doc === null) return { doc, applied: [] };
  const copy = structuredClone(doc) as Obj;
  const applied: string[] = [];
  for (const e of ERRATA) {
    const note = e(copy);
    if (note !== undefined) applied.push(note);
  }
  return applied.length ? { doc: copy, applied } : { doc, applied };
}
