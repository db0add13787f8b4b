/**
 * The `--json` of `nlts link`, `nlts addr` and `nlts route`: the typed results of
 * `@nlts/netlink/route` under the names and in the spellings of iproute2's `ip -j -d` (snake_case
 * keys, names for flags, states, scopes, tables and protocols, booleans where ip prints them).
 * Only what both show is printed, each value as ip prints it, so a script written against
 * `ip -j` reads it unchanged; what ip shows and nlts does not know is left out.
 *
 * @module
 */

import type { Address } from "../route/address.ts";
import { fmtIpv6 } from "../protocol/schema_addr.ts";
import { RT_TABLE, RTM_F, tableName } from "../route/constants.ts";
import type { Link } from "../route/link.ts";
import type { Route } from "../route/route.ts";

type Obj = Record<string, unknown>;

/** What a JSON printer needs to know about the other links: names, flags. */
export interface LinkNames {
  /** A link's name by index (undefined: not in this namespace). */
  name(index: number): string | undefined;
  /** Whether the link with this index is up (undefined: unknown). */
  up(index: number): boolean | undefined;
}

/** {@link LinkNames} over a list of links. */
export function namesOf(links: readonly Link[]): LinkNames {
  const by = new Map(links.map((l) => [l.index, l]));
  return {
    name: (i) => by.get(i)?.name,
    up: (i) => by.get(i)?.up,
  };
}

function put(o: Obj, key: string, v: unknown): void {
  if (v !== undefined) o[key] = v;
}

const BR_PORT_STATES = ["disabled", "listening", "learning", "forwarding", "blocking"];
const LINKMODES = ["DEFAULT", "DORMANT", "TESTING"];
const ADDR_GEN_MODES = ["eui64", "none", "stable_secret", "random"];
const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
];

/** A kind's data under ip's names: [spec key, ip key, how ip prints it]. */
type Field = readonly [string, string, ((v: unknown, names: LinkNames) => unknown)?];

const bool = (v: unknown) => v === 1 || v === true;
const onlyTrue = (v: unknown) => (v === 1 || v === true ? true : undefined);
const nonZero = (v: unknown) => (v === 0 ? undefined : v);

const KIND_DATA: Readonly<Record<string, readonly Field[]>> = {
  vxlan: [
    ["id", "id"],
    ["group", "remote", (v) => (isMulticast(v as string) ? undefined : v)],
    ["group", "group", (v) => (isMulticast(v as string) ? v : undefined)],
    ["group6", "remote6", (v) => (isMulticast(v as string) ? undefined : v)],
    ["group6", "group6", (v) => (isMulticast(v as string) ? v : undefined)],
    ["local", "local"],
    ["local6", "local6"],
    ["link", "link", (v, names) => names.name(v as number)],
    ["portRange", "port_range"],
    ["port", "port"],
    ["learning", "learning", bool],
    ["proxy", "proxy", onlyTrue],
    ["rsc", "rsc", onlyTrue],
    ["l2miss", "l2miss", onlyTrue],
    ["l3miss", "l3miss", onlyTrue],
    ["df", "df"],
    ["ageing", "ageing"],
    ["limit", "limit", nonZero],
    ["udpCsum", "udp_csum", bool],
    ["udpZeroCsum6Tx", "udp_zero_csum6_tx", bool],
    ["udpZeroCsum6Rx", "udp_zero_csum6_rx", bool],
    ["remcsumTx", "remcsum_tx", onlyTrue],
    ["remcsumRx", "remcsum_rx", onlyTrue],
    ["collectMetadata", "external", onlyTrue],
    ["gbp", "gbp", onlyTrue],
    ["gpe", "gpe", onlyTrue],
  ],
  geneve: [
    ["id", "id"],
    ["remote", "remote"],
    ["remote6", "remote6"],
    ["ttl", "ttl"],
    ["port", "port"],
    ["collectMetadata", "external", onlyTrue],
    ["udpCsum", "udp_csum", bool],
    ["udpZeroCsum6Tx", "udp_zero_csum6_tx", bool],
    ["udpZeroCsum6Rx", "udp_zero_csum6_rx", bool],
  ],
  macvlan: [
    ["mode", "mode"],
    ["flags", "nopromisc", (v) => ((v as string[]).includes("nopromisc") ? true : undefined)],
    ["macaddrCount", "macaddr_count", nonZero],
    ["bcQueueLen", "bcqueuelen"],
    ["bcQueueLenUsed", "usedbcqueuelen"],
  ],
  vlan: [
    ["protocol", "protocol", (v) => (v === "8021q" ? "802.1Q" : v === "8021ad" ? "802.1ad" : v)],
    ["id", "id"],
  ],
  bridge: [
    ["forwardDelay", "forward_delay"],
    ["helloTime", "hello_time"],
    ["maxAge", "max_age"],
    ["ageingTime", "ageing_time"],
    ["stpState", "stp_state"],
    ["priority", "priority"],
    ["vlanFiltering", "vlan_filtering"],
    ["rootPort", "root_port"],
    ["rootPathCost", "root_path_cost"],
    ["topologyChange", "topology_change"],
    ["topologyChangeDetected", "topology_change_detected"],
    ["groupAddr", "group_addr"],
    ["mcastSnooping", "mcast_snooping"],
    ["mcastRouter", "mcast_router"],
    ["mcastQueryUseIfaddr", "mcast_query_use_ifaddr"],
    ["mcastQuerier", "mcast_querier"],
    ["mcastHashElasticity", "mcast_hash_elasticity"],
    ["mcastHashMax", "mcast_hash_max"],
    ["mcastLastMemberCnt", "mcast_last_member_cnt"],
    ["mcastStartupQueryCnt", "mcast_startup_query_cnt"],
    ["mcastStatsEnabled", "mcast_stats_enabled"],
    ["mcastIgmpVersion", "mcast_igmp_version"],
    ["mcastMldVersion", "mcast_mld_version"],
    ["nfCallIptables", "nf_call_iptables"],
    ["nfCallIp6tables", "nf_call_ip6tables"],
    ["nfCallArptables", "nf_call_arptables"],
  ],
  vrf: [["table", "table"]],
  bond: [
    ["mode", "mode", (v) => BOND_MODES[v as number] ?? v],
    ["miimon", "miimon"],
    ["updelay", "updelay"],
    ["downdelay", "downdelay"],
    ["minLinks", "min_links"],
  ],
};
/** A GRE tunnel's endpoint as ip prints it: the unspecified address is `any`. */
const endpoint = (v: unknown) => (v === "0.0.0.0" || v === "::" ? "any" : v);
const GRE_KINDS = new Set(["gre", "gretap", "ip6gre", "ip6gretap", "erspan", "ip6erspan"]);
for (const k of GRE_KINDS) {
  (KIND_DATA as Record<string, readonly Field[]>)[k] = [
    ["remote", "remote", endpoint],
    ["local", "local", endpoint],
    ["collectMetadata", "external", onlyTrue],
  ];
}
(KIND_DATA as Record<string, readonly Field[]>).macvtap = KIND_DATA.macvlan;

const PORT_DATA: Readonly<Record<string, readonly Field[]>> = {
  bridge: [
    ["state", "state", (v) => BR_PORT_STATES[v as number] ?? v],
    ["priority", "priority"],
    ["cost", "cost"],
    ["mode", "hairpin", bool],
    ["guard", "guard", bool],
    ["protect", "root_block", bool],
    ["fastLeave", "fastleave", bool],
    ["learning", "learning", bool],
    ["unicastFlood", "flood", bool],
    ["designatedPort", "designated_port"],
    ["designatedCost", "designated_cost"],
    ["topologyChangeAck", "topology_change_ack"],
    ["configPending", "config_pending"],
    ["proxyarp", "proxy_arp", bool],
    ["proxyarpWifi", "proxy_arp_wifi", bool],
    ["multicastRouter", "multicast_router"],
    ["mcastFlood", "mcast_flood", bool],
    ["bcastFlood", "bcast_flood", bool],
    ["mcastToUcast", "mcast_to_unicast", bool],
    ["neighSuppress", "neigh_suppress", bool],
    ["vlanTunnel", "vlan_tunnel", bool],
    ["isolated", "isolated", bool],
    ["locked", "locked", bool],
  ],
  bond: [
    ["state", "state", (v) => (v === 0 ? "ACTIVE" : v === 1 ? "BACKUP" : v)],
    [
      "miiStatus",
      "mii_status",
      (v) => (v === 0 ? "UP" : v === 1 ? "GOING_DOWN" : v === 2 ? "DOWN" : v),
    ],
    ["linkFailureCount", "link_failure_count"],
    ["permHwaddr", "perm_hwaddr"],
    ["queueId", "queue_id"],
  ],
  vrf: [["table", "table"]],
};

function isMulticast(a: string): boolean {
  if (a.includes(":")) return /^ff/i.test(a);
  const first = Number(a.split(".")[0]);
  return first >= 224 && first <= 239;
}

function mapData(
  data: unknown,
  fields: readonly Field[] | undefined,
  names: LinkNames,
): Obj | undefined {
  if (fields === undefined || typeof data !== "object" || data === null) return undefined;
  if (data instanceof Uint8Array) return undefined;
  const d = data as Obj;
  const out: Obj = {};
  for (const [key, ipKey, f] of fields) {
    if (d[key] === undefined || out[ipKey] !== undefined) continue;
    const v = f ? f(d[key], names) : d[key];
    if (v !== undefined) out[ipKey] = v;
  }
  return out;
}

/**
 * A link-layer address as ip prints it: IP tunnels' (ipip, sit, gre, ip6gre...) are IP
 * addresses, the others colon-separated hex.
 */
function linkAddress(a: string | undefined, type: string | number): string | undefined {
  if (a === undefined) return undefined;
  const bytes = a.split(":").map((x) => parseInt(x, 16));
  if (["ipip", "sit", "gre"].includes(String(type)) && bytes.length === 4) return bytes.join(".");
  if (["tunnel6", "ip6gre"].includes(String(type)) && bytes.length === 16) {
    return fmtIpv6(new Uint8Array(bytes), 0);
  }
  return a;
}

/**
 * A link as `ip -j -d link show` prints it (for what nlts knows).
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * import { linkJson, namesOf } from "./route_json.ts";
 * using rt = RouteClient.open();
 * const links = rt.linksSync();
 * console.log(JSON.stringify(links.map((l) => linkJson(l, namesOf(links)))));
 * ```
 */
export function linkJson(l: Link, names: LinkNames): Obj {
  const a = l.attrs;
  const o: Obj = { ifindex: l.index };
  if (l.parent !== undefined) {
    const peer = l.parentNetnsid === undefined ? names.name(l.parent) : undefined;
    if (peer !== undefined) o.link = peer;
    else if (l.parentNetnsid !== undefined) o.link_index = l.parent;
  }
  o.ifname = l.name;
  const flags = [...l.flags];
  // ip's M-DOWN: the device it is stacked on is down
  if (l.parent !== undefined && l.parentNetnsid === undefined && names.up(l.parent) === false) {
    flags.push("M-DOWN");
  }
  o.flags = flags;
  put(o, "mtu", l.mtu);
  put(o, "qdisc", l.qdisc);
  if (l.master !== undefined) put(o, "master", names.name(l.master));
  o.operstate = l.operstate;
  if (a.linkmode !== undefined) o.linkmode = LINKMODES[a.linkmode] ?? a.linkmode;
  if (l.group !== undefined) o.group = l.group === 0 ? "default" : String(l.group);
  put(o, "txqlen", l.txqlen);
  o.link_type = l.linkType;
  put(o, "address", linkAddress(l.address, l.linkType));
  put(o, "broadcast", linkAddress(l.broadcast, l.linkType));
  put(o, "link_netnsid", l.parentNetnsid);
  put(o, "promiscuity", l.promiscuity);
  put(o, "allmulti", a.allmulti);
  put(o, "min_mtu", l.minMtu);
  put(o, "max_mtu", l.maxMtu);
  const info = l.linkinfo;
  if (info !== undefined) {
    const li: Obj = {};
    put(li, "info_kind", info.kind);
    let data = mapData(info.data, KIND_DATA[info.kind ?? ""], names);
    // ip prints a flow-based (external) GRE tunnel as that alone (ip/link_gre.c gre_print_opt)
    if (GRE_KINDS.has(info.kind ?? "") && data?.external === true) data = { external: true };
    if (data !== undefined && Object.keys(data).length) li.info_data = data;
    put(li, "info_slave_kind", info.slaveKind);
    const port = mapData(info.slaveData, PORT_DATA[info.slaveKind ?? ""], names);
    if (port !== undefined && Object.keys(port).length) li.info_slave_data = port;
    if (Object.keys(li).length) o.linkinfo = li;
  }
  const gen = a.afSpec?.inet6?.addrGenMode;
  if (gen !== undefined) o.inet6_addr_gen_mode = ADDR_GEN_MODES[gen] ?? gen;
  put(o, "num_tx_queues", l.numTxQueues);
  put(o, "num_rx_queues", l.numRxQueues);
  put(o, "gso_max_size", a.gsoMaxSize);
  put(o, "gso_max_segs", a.gsoMaxSegs);
  put(o, "tso_max_size", a.tsoMaxSize);
  put(o, "tso_max_segs", a.tsoMaxSegs);
  put(o, "gro_max_size", a.groMaxSize);
  put(o, "gso_ipv4_max_size", a.gsoIpv4MaxSize);
  put(o, "gro_ipv4_max_size", a.groIpv4MaxSize);
  put(o, "ifalias", l.alias);
  if (l.altNames?.length) o.altnames = l.altNames;
  return o;
}

/** IFA_F_* flags ip prints as booleans, by the rt-addr spec's names. */
const ADDR_FLAGS: readonly [string, string, number][] = [
  ["secondary", "secondary", 2],
  ["secondary", "temporary", 10],
  ["nodad", "nodad", 0],
  ["optimistic", "optimistic", 0],
  ["dadfailed", "dadfailed", 0],
  ["homeaddress", "home", 0],
  ["deprecated", "deprecated", 0],
  ["tentative", "tentative", 0],
  ["managetempaddr", "mngtmpaddr", 0],
  ["noprefixroute", "noprefixroute", 0],
  ["mcautojoin", "autojoin", 0],
  ["stablePrivacy", "stable-privacy", 0],
];

/**
 * One address as an entry of `ip -j addr show`'s `addr_info`.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * import { addressJson } from "./route_json.ts";
 * using rt = RouteClient.open();
 * console.log(rt.addressesSync().map(addressJson));
 * ```
 */
export function addressJson(a: Address): Obj {
  const o: Obj = { family: a.family, local: a.address };
  put(o, "address", a.peer);
  o.prefixlen = a.prefixLength;
  put(o, "broadcast", a.broadcast);
  o.scope = a.scope;
  if (!a.flags.includes("permanent")) o.dynamic = true;
  const af = a.family === "inet6" ? 10 : 2;
  for (const [flag, key, only] of ADDR_FLAGS) {
    if (only !== 0 && only !== af) continue;
    if (a.flags.includes(flag)) o[key] = true;
  }
  put(o, "label", a.label);
  put(o, "valid_life_time", a.validLifetime);
  put(o, "preferred_life_time", a.preferredLifetime);
  put(o, "metric", a.metric);
  return o;
}

/**
 * The links with their addresses, as `ip -j addr show` prints them (with `family`, as
 * `ip -j -4 addr show`: links with addresses of the family, without their link layer).
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * import { addressListJson } from "./route_json.ts";
 * using rt = RouteClient.open();
 * console.log(addressListJson(rt.linksSync(), rt.addressesSync()));
 * ```
 */
export function addressListJson(
  links: readonly Link[],
  addresses: readonly Address[],
  options: { family?: boolean } = {},
): Obj[] {
  const names = namesOf(links);
  // With a family (ip -4 / -6), ip leaves out the link layer and the links without addresses.
  const shown = options.family
    ? links.filter((l) => addresses.some((a) => a.index === l.index))
    : links;
  const linkLayer = ["link_type", "address", "broadcast", "link_netnsid"];
  return shown.map((l) => {
    const full = linkJson(l, names);
    const o: Obj = {};
    for (
      const k of [
        "ifindex",
        "link",
        "link_index",
        "ifname",
        "flags",
        "mtu",
        "qdisc",
        "master",
        "operstate",
        "group",
        "txqlen",
        "link_type",
        "address",
        "broadcast",
        "link_netnsid",
      ]
    ) if (!options.family || !linkLayer.includes(k)) put(o, k, full[k]);
    o.addr_info = addresses.filter((a) => a.index === l.index).map(addressJson);
    return o;
  });
}

const PREFS: Readonly<Record<number, string>> = { 0: "medium", 1: "high", 3: "low" };

/**
 * A route's flags as ip prints them: the next-hop flags with `notify` among them (before
 * `linkdown` and `unresolved`), then the route's offload state (`rt_offload`, `rt_trap`,
 * `rt_offload_failed`).
 */
function routeFlags(r: Route): string[] {
  const flags = [...r.flags];
  if (r.rtmFlags & RTM_F.NOTIFY) {
    const at = flags.findIndex((f) => f === "linkdown" || f === "unresolved" || f.startsWith("0x"));
    flags.splice(at < 0 ? flags.length : at, 0, "notify");
  }
  if (r.rtmFlags & RTM_F.OFFLOAD) flags.push("rt_offload");
  if (r.rtmFlags & RTM_F.TRAP) flags.push("rt_trap");
  if (r.rtmFlags & RTM_F.OFFLOAD_FAILED) flags.push("rt_offload_failed");
  return flags;
}

/**
 * A route as `ip -j route show` prints it; `allTables` as with `table all` (the table is then
 * named for routes outside `main`).
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * import { namesOf, routeJson } from "./route_json.ts";
 * using rt = RouteClient.open();
 * const names = namesOf(rt.linksSync());
 * console.log(rt.routesSync().map((r) => routeJson(r, names)));
 * ```
 */
export function routeJson(r: Route, names: LinkNames, options: { allTables?: boolean } = {}): Obj {
  const o: Obj = {};
  if (r.type !== "unicast") o.type = r.type;
  o.dst = r.dst;
  put(o, "from", r.src);
  if (r.tos) o.tos = r.tos;
  put(o, "gateway", r.gateway);
  if (r.oif !== undefined) put(o, "dev", names.name(r.oif));
  if (options.allTables && r.table !== RT_TABLE.MAIN) o.table = String(tableName(r.table));
  if (r.protocol !== "boot") o.protocol = String(r.protocol);
  if (r.scope !== "global") o.scope = String(r.scope);
  put(o, "prefsrc", r.prefsrc);
  put(o, "metric", r.metric);
  o.flags = routeFlags(r);
  if (r.metrics !== undefined) {
    const m: Obj = {};
    for (const [k, v] of Object.entries(r.metrics)) if (k !== "unknown") m[k] = v;
    o.metrics = [m];
  }
  if (r.pref !== undefined) o.pref = PREFS[r.pref] ?? r.pref;
  if (r.multipath !== undefined) {
    o.nexthops = r.multipath.map((h) => {
      const n: Obj = {};
      put(n, "gateway", h.gateway);
      if (h.ifindex) put(n, "dev", names.name(h.ifindex));
      n.weight = h.weight ?? 1;
      n.flags = h.flags ?? [];
      return n;
    });
  }
  return o;
}
