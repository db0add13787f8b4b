/**
 * {@link RouteClient}: the everyday rtnetlink jobs, one call each, synchronous (`...Sync`) or
 * asynchronous: links, addresses, routes, neighbours and rules, in the client's namespace or
 * across namespaces, and typed notifications ({@link RouteClient.subscribe}).
 *
 * @module
 */

import { NETLINK, NLM_F_NEW } from "../protocol/constants.ts";
import { ERRNO } from "../protocol/errno.ts";
import { type NetlinkError, SyscallError } from "../protocol/errors.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { type NetlinkMessage, NetlinkSocket } from "../socket/netlink_socket.ts";
import { closeNamespace, openNamespace } from "../socket/netns.ts";
import { RawFamily, type RawMessage } from "../ynl/raw_family.ts";
import { rtAddr } from "../families/rt_addr.ts";
import { rtLink } from "../families/rt_link.ts";
import { rtNeigh } from "../families/rt_neigh.ts";
import { rtNetns } from "../families/rt_netns.ts";
import { rtRoute } from "../families/rt_route.ts";
import { rtRule } from "../families/rt_rule.ts";
import {
  AF,
  type NameOrNumber,
  protocolId,
  RT_SCOPE,
  RT_TABLE,
  RTM_F,
  RTNH_F,
  RTNLGRP,
  scopeId,
  tableId,
} from "./constants.ts";
import {
  type Address,
  type AddressAttrs,
  type AddressHeader,
  type Family,
  familyNumber,
  parsePrefix,
  toAddress,
} from "./address.ts";
import {
  type Link,
  type LinkAttrs,
  type LinkHeader,
  type LinkRef,
  type NetnsRef,
  toLink,
} from "./link.ts";
import { addressBytes, encodeMultipath, familyOf, type Nexthop } from "./multipath.ts";
import {
  type Neighbour,
  type NeighbourAttrs,
  type NeighbourHeader,
  toNeighbour,
} from "./neighbour.ts";
import {
  type Route,
  type RouteAttrs,
  type RouteFilter,
  type RouteHeader,
  type RouteMetrics,
  toRoute,
} from "./route.ts";
import { type Rule, type RuleAttrs, type RuleHeader, toRule } from "./rule.ts";
import type { NewLink } from "./kinds.ts";
import { linkData } from "./_link_data.ts";
export type { RouteClientOptions } from "./_route_dump.ts";
import {
  checkIndex,
  checkName,
  dumpRoutes,
  dumpRoutesSync,
  finishRouteQuery,
  openRouteSocket,
  type RouteClientOptions,
  type RouteQuery,
  startRouteQuery,
  streamRoutes,
} from "./_route_dump.ts";

// ---------------------------------------------------------------------------------------------
// Options

/**
 * Changes {@link RouteClient.setLink} makes in one request.
 *
 * @example
 * ```ts
 * import type { LinkChanges } from "@nlts/netlink/route";
 * const c: LinkChanges = { up: true, mtu: 9000, master: "br0" };
 * ```
 */
export interface LinkChanges {
  /** Bring the link up (true) or down (false). */
  up?: boolean;
  /** New MTU. */
  mtu?: number;
  /** New link-layer address. */
  address?: string;
  /** New broadcast address. */
  broadcast?: string;
  /** Enslave to this master (bridge, bond, vrf); `null` releases it. */
  master?: LinkRef | null;
  /** New name. */
  name?: string;
  /** Move into this namespace. */
  netns?: NetnsRef;
  /** New alias (`""` clears it). */
  alias?: string;
  /** New transmit queue length. */
  txqlen?: number;
  /** New device group. */
  group?: number;
  /** Kind-specific changes (IFLA_INFO_DATA by the rt-link spec; needs the link's kind). */
  data?: Record<string, unknown>;
  /** Port changes (IFLA_INFO_SLAVE_DATA: a bridge port's `cost`, `learning`...). */
  portData?: Record<string, unknown>;
}

/**
 * Which links {@link RouteClient.links} returns (filtered by the kernel).
 *
 * @example
 * ```ts
 * import type { LinkFilter } from "@nlts/netlink/route";
 * const ports: LinkFilter = { master: "br0", kind: "veth" };
 * ```
 */
export interface LinkFilter {
  /** Only the ports of this master. */
  master?: LinkRef;
  /** Only links of this kind (`veth`, `bridge`...). */
  kind?: string;
  /** Links of the namespace with this id (IFLA_TARGET_NETNSID) rather than the client's. */
  nsid?: number;
}

/**
 * Options of {@link RouteClient.addAddress}.
 *
 * @example
 * ```ts
 * import type { AddressOptions } from "@nlts/netlink/route";
 * const o: AddressOptions = { broadcast: true, label: "eth0:1", flags: ["noprefixroute"] };
 * ```
 */
export interface AddressOptions {
  /** The peer of a point-to-point address. */
  peer?: string;
  /** IPv4 broadcast address, or true to derive it from the prefix (`brd +`). */
  broadcast?: string | true;
  /** Label (IPv4). */
  label?: string;
  /** Scope (default `global`). */
  scope?: NameOrNumber;
  /** IFA_F_* flags by the rt-addr spec's names: `noprefixroute`, `nodad`, `managetempaddr`... */
  flags?: string[];
  /** Seconds the address stays valid (default forever). */
  validLifetime?: number;
  /** Seconds the address stays preferred (default forever). */
  preferredLifetime?: number;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
}

/**
 * Which addresses {@link RouteClient.addresses} returns.
 *
 * @example
 * ```ts
 * import type { AddressFilter } from "@nlts/netlink/route";
 * const f: AddressFilter = { link: "lo", family: "inet6" };
 * ```
 */
export interface AddressFilter {
  /** Only the addresses of this link (filtered by the kernel). */
  link?: LinkRef;
  /** Only this family. */
  family?: Family;
}

/**
 * One path of a multipath route being added.
 *
 * @example
 * ```ts
 * import type { NexthopSpec } from "@nlts/netlink/route";
 * const hop: NexthopSpec = { gateway: "10.0.0.2", dev: "eth0", weight: 3 };
 * ```
 */
export interface NexthopSpec {
  /** Gateway. */
  gateway?: string;
  /** Output interface. */
  dev?: LinkRef;
  /** Weight 1..256 (default 1). */
  weight?: number;
  /** The gateway is on the link even if no prefix says so. */
  onlink?: boolean;
}

/**
 * A route to add, replace or delete (`ip route add` spellings in camelCase).
 *
 * @example
 * ```ts
 * import type { RouteSpec } from "@nlts/netlink/route";
 * const r: RouteSpec = { dst: "10.9.0.0/16", gateway: "10.0.0.2", table: 100, metrics: { mtu: 1400 } };
 * ```
 */
export interface RouteSpec {
  /** Destination: `10.0.0.0/24`, `10.0.0.1` (host), `2001:db8::/32`, `default`. */
  dst: string;
  /** Address family when `dst` is `default` (default: from the gateway, else inet). */
  family?: Family;
  /** Gateway. */
  gateway?: string;
  /** Output interface. */
  dev?: LinkRef;
  /** Table (default `main`). */
  table?: NameOrNumber;
  /** Metric (RTA_PRIORITY). */
  metric?: number;
  /** Protocol (default `boot`, as `ip route add`). */
  protocol?: NameOrNumber;
  /** Scope (default: `link` for a route without gateway, `host` for local ones, else global). */
  scope?: NameOrNumber;
  /** Type: `unicast` (default), `local`, `blackhole`, `unreachable`, `prohibit`, `throw`... */
  type?: string;
  /** Preferred source address (`src` in ip route). */
  prefsrc?: string;
  /** Source prefix (IPv6 source routing, `from` in ip route). */
  src?: string;
  /** TOS. */
  tos?: number;
  /** Metrics: mtu, advmss, hoplimit, initcwnd... */
  metrics?: RouteMetrics;
  /** The paths of a multipath route. */
  multipath?: NexthopSpec[];
  /** The gateway is on the link even if no prefix says so. */
  onlink?: boolean;
  /** IPv6 router preference: `low`, `medium`, `high`. */
  pref?: "low" | "medium" | "high";
  /** Lightweight tunnel encapsulation (RTA_ENCAP_TYPE and RTA_ENCAP's payload). */
  encap?: { type: number; data: Uint8Array };
}

/**
 * Options of {@link RouteClient.getRoute} (`ip route get`).
 *
 * @example
 * ```ts
 * import type { RouteLookup } from "@nlts/netlink/route";
 * const q: RouteLookup = { src: "10.0.0.1", oif: "eth0", fibmatch: true };
 * ```
 */
export interface RouteLookup {
  /** Source address. */
  src?: string;
  /** Output interface. */
  oif?: LinkRef;
  /** Input interface (the lookup of a packet received there). */
  iif?: LinkRef;
  /** Firewall mark. */
  mark?: number;
  /** Return the matching FIB entry rather than the resulting cached route (`fibmatch`). */
  fibmatch?: boolean;
}

/**
 * Options of {@link RouteClient.addNeighbour}.
 *
 * @example
 * ```ts
 * import type { NeighbourOptions } from "@nlts/netlink/route";
 * const n: NeighbourOptions = { lladdr: "02:00:00:00:00:02", state: ["permanent"] };
 * ```
 */
export interface NeighbourOptions {
  /** Link-layer address. */
  lladdr?: string;
  /** NUD states (default `["permanent"]`). */
  state?: string[];
  /** NTF_* flags: `router`, `proxy`, `self`, `master`, `extLearned`... */
  flags?: string[];
  /** VLAN (bridge FDB entries). */
  vlan?: number;
}

/**
 * Which neighbours {@link RouteClient.neighbours} returns (filtered by the kernel).
 *
 * @example
 * ```ts
 * import type { NeighbourFilter } from "@nlts/netlink/route";
 * const f: NeighbourFilter = { link: "eth0", family: "inet" };
 * ```
 */
export interface NeighbourFilter {
  /** Only the neighbours of this link. */
  link?: LinkRef;
  /** Only those of ports of this master. */
  master?: LinkRef;
  /** Only this family (`inet`, `inet6`, 7 for bridge FDB). */
  family?: Family;
}

/**
 * A routing policy rule to add or delete (`ip rule` spellings in camelCase).
 *
 * @example
 * ```ts
 * import type { RuleSpec } from "@nlts/netlink/route";
 * const r: RuleSpec = { priority: 100, src: "10.0.0.0/8", table: 100 };
 * ```
 */
export interface RuleSpec {
  /** `inet` (default) or `inet6`. */
  family?: Family;
  /** Priority. */
  priority?: number;
  /** Table to look up (default `main`). */
  table?: NameOrNumber;
  /** Action: `toTbl` (default when a table is given), `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`. */
  action?: string;
  /** Source prefix. */
  src?: string;
  /** Destination prefix. */
  dst?: string;
  /** Input interface name. */
  iifname?: string;
  /** Output interface name. */
  oifname?: string;
  /** Firewall mark. */
  fwmark?: number;
  /** Mask of the mark. */
  fwmask?: number;
  /** TOS. */
  tos?: number;
  /** Rule to jump to (action `goto`). */
  goto?: number;
  /** Protocol (who adds it). */
  protocol?: NameOrNumber;
  /** Ignore routes with prefixes this long or shorter. */
  suppressPrefixlen?: number;
}

/**
 * The rtnetlink spec families of a {@link RouteClient}, all on its one socket.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * console.log(rt.families.link.dumpSync("getlink").length);
 * ```
 */
export interface RouteFamilies {
  /** rt-link: links. */
  readonly link: RawFamily<typeof rtLink>;
  /** rt-addr: addresses. */
  readonly addr: RawFamily<typeof rtAddr>;
  /** rt-route: routes. */
  readonly route: RawFamily<typeof rtRoute>;
  /** rt-neigh: neighbours. */
  readonly neigh: RawFamily<typeof rtNeigh>;
  /** rt-rule: rules. */
  readonly rule: RawFamily<typeof rtRule>;
  /** rt-netns: namespace ids. */
  readonly netns: RawFamily<typeof rtNetns>;
}

/**
 * Event kinds of {@link RouteClient.subscribe}.
 *
 * @example
 * ```ts
 * import type { RouteEventKind } from "@nlts/netlink/route";
 * const kinds: RouteEventKind[] = ["link", "address", "route"];
 * ```
 */
export type RouteEventKind = "link" | "address" | "route" | "neighbour" | "rule" | "nsid";

/**
 * A notification of {@link RouteClient.subscribe}: what changed, and with `allNamespaces` the
 * id of the namespace it happened in (absent for the client's own).
 *
 * @example
 * ```ts
 * import type { RouteEvent } from "@nlts/netlink/route";
 * const line = (e: RouteEvent) =>
 *   e.kind === "link" ? `${e.action} link ${e.link.name}` : e.kind === "overflow" ? "resync!" : e.kind;
 * ```
 */
export type RouteEvent =
  | { kind: "link"; action: "new" | "del"; link: Link; nsid?: number }
  | { kind: "address"; action: "new" | "del"; address: Address; nsid?: number }
  | { kind: "route"; action: "new" | "del"; route: Route; nsid?: number }
  | { kind: "neighbour"; action: "new" | "del"; neighbour: Neighbour; nsid?: number }
  | { kind: "rule"; action: "new" | "del"; rule: Rule; nsid?: number }
  | { kind: "nsid"; action: "new" | "del"; id: number; nsid?: number }
  /** The receive queue overflowed (ENOBUFS): events were lost; dump again to resynchronise. */
  | { kind: "overflow" };

/**
 * Options of {@link RouteClient.subscribe}.
 *
 * @example
 * ```ts
 * import type { SubscribeOptions } from "@nlts/netlink/route";
 * const o: SubscribeOptions = { signal: AbortSignal.timeout(1000), allNamespaces: true };
 * ```
 */
export interface SubscribeOptions {
  /** Ends the iteration when aborted. */
  signal?: AbortSignal;
  /** Also report the namespaces with an id in this one (NETLINK_LISTEN_ALL_NSID). */
  allNamespaces?: boolean;
}

/**
 * The result of {@link RouteClient.addRoutesSync}.
 *
 * @example
 * ```ts
 * import type { RouteBatchResult } from "@nlts/netlink/route";
 * const failed = (r: RouteBatchResult) => r.errors.map((e) => `${e.index}: ${e.error.code}`);
 * ```
 */
export interface RouteBatchResult {
  /** How many routes the kernel took. */
  ok: number;
  /** The routes it refused: their position in the input and the error. */
  errors: { index: number; error: NetlinkError }[];
}

// ---------------------------------------------------------------------------------------------
// Plans: each operation is written once as a generator of requests, run either synchronously or
// asynchronously.

// deno-lint-ignore no-explicit-any
type AnyRaw = RawFamily<any>;
// deno-lint-ignore no-explicit-any
type AnyMessage = RawMessage<any, any>;

interface Req {
  family: AnyRaw;
  op: string;
  attrs?: object;
  header?: object;
  flags?: number;
  dump?: boolean;
}

type Plan<T> = Generator<Req, T, AnyMessage[]>;

const CREATE = NLM_F_NEW.CREATE | NLM_F_NEW.EXCL;
const REPLACE = NLM_F_NEW.CREATE | NLM_F_NEW.REPLACE;

const GROUPS: Readonly<Record<RouteEventKind, readonly number[]>> = {
  link: [RTNLGRP.LINK],
  address: [RTNLGRP.IPV4_IFADDR, RTNLGRP.IPV6_IFADDR],
  route: [RTNLGRP.IPV4_ROUTE, RTNLGRP.IPV6_ROUTE],
  neighbour: [RTNLGRP.NEIGH],
  rule: [RTNLGRP.IPV4_RULE, RTNLGRP.IPV6_RULE],
  nsid: [RTNLGRP.NSID],
};

function checkU32(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
    throw new RangeError(`Cannot use ${what} ${String(v)}: expected an integer 0..4294967295`);
  }
  return v;
}

const PREF = { medium: 0, high: 1, low: 3 } as const;

/**
 * A client of rtnetlink (NETLINK_ROUTE): links, addresses, routes, neighbours and rules of one
 * network namespace, through the kernel's YNL specs (rt-link, rt-addr, rt-route, rt-neigh,
 * rt-rule). Every operation has a synchronous form (`linksSync`) and an asynchronous one
 * (`links`) that waits off the main thread when the kernel is slow to answer. Kernel refusals
 * raise {@link NetlinkError} (`EEXIST`, `ENODEV`, `EPERM`...) with the extended ack's message
 * and attribute path.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open({ netns: "blue" });
 * rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1" }, up: true });
 * rt.addAddressSync("ve0", "10.0.0.1/24");
 * rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2" });
 * for (const r of rt.routesSync()) console.log(r.dst, r.gateway ?? "");
 * ```
 */
export class RouteClient {
  /** The NETLINK_ROUTE socket every request goes through. */
  readonly socket: NetlinkSocket;
  /**
   * The spec families on {@link RouteClient.socket}, for what the typed calls do not cover
   * (`rt.families.link.requestSync("setlink", ...)`).
   */
  readonly families: RouteFamilies;
  readonly #options: RouteClientOptions;
  readonly #rtLink: RawFamily<typeof rtLink>;
  readonly #rtAddr: RawFamily<typeof rtAddr>;
  readonly #rtRoute: RawFamily<typeof rtRoute>;
  readonly #rtNeigh: RawFamily<typeof rtNeigh>;
  readonly #rtRule: RawFamily<typeof rtRule>;
  readonly #rtNetns: RawFamily<typeof rtNetns>;

  private constructor(socket: NetlinkSocket, options: RouteClientOptions) {
    this.socket = socket;
    this.#options = options;
    this.#rtLink = RawFamily.over(socket, rtLink);
    this.#rtAddr = RawFamily.over(socket, rtAddr);
    this.#rtRoute = RawFamily.over(socket, rtRoute);
    this.#rtNeigh = RawFamily.over(socket, rtNeigh);
    this.#rtRule = RawFamily.over(socket, rtRule);
    this.#rtNetns = RawFamily.over(socket, rtNetns);
    this.families = {
      link: this.#rtLink,
      addr: this.#rtAddr,
      route: this.#rtRoute,
      neigh: this.#rtNeigh,
      rule: this.#rtRule,
      netns: this.#rtNetns,
    };
  }

  /**
   * Opens a NETLINK_ROUTE socket (in `netns` if given).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * console.log(rt.linksSync().map((l) => l.name));
   * ```
   */
  static open(options: RouteClientOptions = {}): RouteClient {
    const socket = openRouteSocket(options);
    return new RouteClient(socket, options);
  }

  // -------------------------------------------------------------------------------------------
  // Running plans

  // (`r.done === true` and the casts narrow without strictNullChecks too, as JSR users compile.)
  #runSync<T>(plan: Plan<T>): T {
    let r = plan.next();
    for (;;) {
      if (r.done === true) return r.value as T;
      let res: AnyMessage[];
      try {
        res = this.#execSync(r.value as Req);
      } catch (e) {
        r = plan.throw(e);
        continue;
      }
      r = plan.next(res);
    }
  }

  async #run<T>(plan: Plan<T>): Promise<T> {
    let r = plan.next();
    for (;;) {
      if (r.done === true) return r.value as T;
      let res: AnyMessage[];
      try {
        res = await this.#exec(r.value as Req);
      } catch (e) {
        r = plan.throw(e);
        continue;
      }
      r = plan.next(res);
    }
  }

  #execSync(q: Req): AnyMessage[] {
    const o = { header: q.header, flags: q.flags };
    return q.dump ? q.family.dumpSync(q.op, q.attrs, o) : q.family.requestSync(q.op, q.attrs, o);
  }

  async #exec(q: Req): Promise<AnyMessage[]> {
    const o = { header: q.header, flags: q.flags };
    if (!q.dump) return await q.family.request(q.op, q.attrs, o);
    const out: AnyMessage[] = [];
    for await (const m of q.family.dump(q.op, q.attrs, o)) out.push(m);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Links

  /** The index of a link given by name or index. */
  *#index(ref: LinkRef, what = "link"): Plan<number> {
    if (typeof ref === "number") return checkIndex(ref, what);
    checkName(ref, what);
    const [m] = yield {
      family: this.#rtLink,
      op: "getlink",
      attrs: { ifname: ref, extMask: ["skipStats"] },
    };
    return (m.header as LinkHeader).ifiIndex;
  }

  /** Header and attributes addressing a link by index or name. */
  #address(ref: LinkRef): { header: Partial<LinkHeader>; attrs: Record<string, unknown> } {
    if (typeof ref === "number") {
      return { header: { ifiIndex: checkIndex(ref, "link") }, attrs: {} };
    }
    return { header: {}, attrs: { ifname: checkName(ref, "link") } };
  }

  *#links(filter: LinkFilter = {}): Plan<Link[]> {
    const attrs: Record<string, unknown> = {};
    if (filter.master !== undefined) attrs.master = yield* this.#index(filter.master, "master");
    if (filter.kind !== undefined) attrs.linkinfo = { kind: filter.kind };
    if (filter.nsid !== undefined) attrs.targetNetnsid = filter.nsid;
    const ms = yield { family: this.#rtLink, op: "getlink", attrs, dump: true };
    return ms.map((m) => toLink(m.header as LinkHeader, m.attrs as LinkAttrs));
  }

  /**
   * Every link (with `filter`: those the kernel's strict dump filter keeps).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * for (const l of rt.linksSync({ kind: "veth" })) console.log(l.index, l.name, l.operstate);
   * ```
   */
  linksSync(filter?: LinkFilter): Link[] {
    return this.#runSync(this.#links(filter));
  }

  /**
   * Asynchronous {@link RouteClient.linksSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * console.log((await rt.links({ master: "br0" })).map((l) => l.name));
   * ```
   */
  links(filter?: LinkFilter): Promise<Link[]> {
    return this.#run(this.#links(filter));
  }

  *#link(ref: LinkRef, options: { nsid?: number } = {}): Plan<Link> {
    const a = this.#address(ref);
    if (options.nsid !== undefined) a.attrs.targetNetnsid = options.nsid;
    const [m] = yield { family: this.#rtLink, op: "getlink", header: a.header, attrs: a.attrs };
    return toLink(m.header as LinkHeader, m.attrs as LinkAttrs);
  }

  /**
   * One link by name or index, with its counters; a missing one raises NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * const lo = rt.linkSync("lo");
   * console.log(lo.index, lo.mtu, lo.stats?.rxBytes);
   * ```
   */
  linkSync(ref: LinkRef, options?: { nsid?: number }): Link {
    return this.#runSync(this.#link(ref, options));
  }

  /**
   * Asynchronous {@link RouteClient.linkSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log((await rt.link(1)).name); // "lo"
   * ```
   */
  link(ref: LinkRef, options?: { nsid?: number }): Promise<Link> {
    return this.#run(this.#link(ref, options));
  }

  /** Opens (when given by name or path) the namespace `ns`; `done` closes what was opened. */
  #netnsFd(ns: NetnsRef): { fd: number; done: () => void } {
    if (typeof ns === "number") {
      if (!Number.isInteger(ns) || ns < 0) {
        throw new RangeError(`Cannot use namespace fd ${ns}: not a file descriptor`);
      }
      return { fd: ns, done: () => {} };
    }
    const libc = this.socket.transport;
    const fd = openNamespace(ns, libc);
    return { fd, done: () => closeNamespace(fd, libc) };
  }

  *#addLink(spec: NewLink): Plan<Link> {
    if (typeof spec !== "object" || spec === null || typeof spec.kind !== "string") {
      throw new TypeError(
        "Cannot add link: give { kind, name, ... } (kind: veth, bridge, vxlan...)",
      );
    }
    const name = checkName(spec.name, "link name");
    const opened: (() => void)[] = [];
    try {
      const resolve = (ref: LinkRef, what: string) => this.#index(ref, what);
      const nsFd = (ns: NetnsRef) => {
        const o = this.#netnsFd(ns);
        opened.push(o.done);
        return o.fd;
      };
      const built = yield* linkData(spec, resolve, nsFd);
      const attrs: Record<string, unknown> = { ifname: name, ...built.attrs };
      if (spec.mtu !== undefined) attrs.mtu = checkU32(spec.mtu, "mtu");
      if (spec.address !== undefined) attrs.address = spec.address;
      if (spec.txqlen !== undefined) attrs.txqlen = checkU32(spec.txqlen, "txqlen");
      if (spec.group !== undefined) attrs.group = checkU32(spec.group, "group");
      if (spec.alias !== undefined) attrs.ifalias = spec.alias;
      if (spec.numTxQueues !== undefined) {
        attrs.numTxQueues = checkU32(spec.numTxQueues, "numTxQueues");
      }
      if (spec.numRxQueues !== undefined) {
        attrs.numRxQueues = checkU32(spec.numRxQueues, "numRxQueues");
      }
      if (spec.master !== undefined) attrs.master = yield* this.#index(spec.master, "master");
      if (spec.netns !== undefined) attrs.netNsFd = nsFd(spec.netns);
      const header = spec.up ? { ifiFlags: ["up"], ifiChange: 1 } : {};
      yield { family: this.#rtLink, op: "newlink", header, attrs, flags: CREATE };
    } finally {
      for (const d of opened) d();
    }
    if (spec.netns === undefined) {
      const [m] = yield { family: this.#rtLink, op: "getlink", attrs: { ifname: name } };
      return toLink(m.header as LinkHeader, m.attrs as LinkAttrs);
    }
    // It lives in another namespace now: read it there.
    const other = RouteClient.open({ netns: spec.netns, transport: this.#options.transport });
    try {
      const [m] = yield { family: other.#rtLink, op: "getlink", attrs: { ifname: name } };
      return toLink(m.header as LinkHeader, m.attrs as LinkAttrs);
    } finally {
      other.close();
    }
  }

  /**
   * Creates a link (veth pair, vlan, bridge, vxlan, geneve, dummy, macvlan, bond, vrf, gre...)
   * and returns it as the kernel reports it. An existing name raises NetlinkError EEXIST; a
   * kind the kernel lacks, EOPNOTSUPP naming the module to load.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1", netns: "blue" } });
   * rt.addLinkSync({ kind: "vxlan", name: "vx0", vni: 42, remote: "192.0.2.1", port: 4789 });
   * rt.addLinkSync({ kind: "vlan", name: "ve0.10", link: "ve0", id: 10, up: true });
   * ```
   */
  addLinkSync(spec: NewLink): Link {
    return this.#runSync(this.#addLink(spec));
  }

  /**
   * Asynchronous {@link RouteClient.addLinkSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * const br = await rt.addLink({ kind: "bridge", name: "br0", up: true });
   * console.log(br.index);
   * ```
   */
  addLink(spec: NewLink): Promise<Link> {
    return this.#run(this.#addLink(spec));
  }

  *#setLink(ref: LinkRef, c: LinkChanges): Plan<void> {
    if (typeof c !== "object" || c === null) {
      throw new TypeError(
        "Cannot set link: give the changes as an object ({ up, mtu, master... })",
      );
    }
    const opened: (() => void)[] = [];
    try {
      let a = this.#address(ref);
      if (c.name !== undefined && typeof ref === "string") {
        a = this.#address(yield* this.#index(ref));
      }
      const header: Record<string, unknown> = { ...a.header };
      const attrs: Record<string, unknown> = { ...a.attrs };
      if (c.up !== undefined) {
        header.ifiFlags = c.up ? ["up"] : [];
        header.ifiChange = 1;
      }
      if (c.mtu !== undefined) attrs.mtu = checkU32(c.mtu, "mtu");
      if (c.address !== undefined) attrs.address = c.address;
      if (c.broadcast !== undefined) attrs.broadcast = c.broadcast;
      if (c.master !== undefined) {
        attrs.master = c.master === null ? 0 : yield* this.#index(c.master, "master");
      }
      if (c.name !== undefined) attrs.ifname = checkName(c.name, "new name");
      if (c.alias !== undefined) attrs.ifalias = c.alias;
      if (c.txqlen !== undefined) attrs.txqlen = checkU32(c.txqlen, "txqlen");
      if (c.group !== undefined) attrs.group = checkU32(c.group, "group");
      if (c.netns !== undefined) {
        const o = this.#netnsFd(c.netns);
        opened.push(o.done);
        attrs.netNsFd = o.fd;
      }
      if (c.data !== undefined || c.portData !== undefined) {
        // Kind-specific changes go through RTM_NEWLINK (changelink), which needs the kinds.
        const [m] = yield {
          family: this.#rtLink,
          op: "getlink",
          header: a.header,
          attrs: { ...a.attrs, extMask: ["skipStats"] },
        };
        const info = (m.attrs as LinkAttrs).linkinfo;
        const linkinfo: Record<string, unknown> = {};
        if (c.data !== undefined) {
          if (info?.kind === undefined) {
            throw new TypeError(`Cannot set link ${ref}: it has no kind, so no kind-specific data`);
          }
          linkinfo.kind = info.kind;
          linkinfo.data = c.data;
        }
        if (c.portData !== undefined) {
          if (info?.slaveKind === undefined) {
            throw new TypeError(`Cannot set link ${ref}: it is nobody's port`);
          }
          linkinfo.slaveKind = info.slaveKind;
          linkinfo.slaveData = c.portData;
        }
        attrs.linkinfo = linkinfo;
        yield { family: this.#rtLink, op: "newlink", header, attrs };
        return;
      }
      yield { family: this.#rtLink, op: "setlink", header, attrs };
    } finally {
      for (const d of opened) d();
    }
  }

  /**
   * Changes a link in one request: up/down, MTU, address, master, name, namespace, alias...
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.setLinkSync("ve0", { up: true, mtu: 9000, master: "br0" });
   * rt.setLinkSync("ve1", { netns: "blue" });
   * ```
   */
  setLinkSync(ref: LinkRef, changes: LinkChanges): void {
    this.#runSync(this.#setLink(ref, changes));
  }

  /**
   * Asynchronous {@link RouteClient.setLinkSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.setLink("ve0", { up: false });
   * ```
   */
  setLink(ref: LinkRef, changes: LinkChanges): Promise<void> {
    return this.#run(this.#setLink(ref, changes));
  }

  *#delLink(ref: LinkRef, options: { nsid?: number } = {}): Plan<void> {
    const a = this.#address(ref);
    if (options.nsid !== undefined) a.attrs.targetNetnsid = options.nsid;
    yield { family: this.#rtLink, op: "dellink", header: a.header, attrs: a.attrs };
  }

  /**
   * Deletes a link (both ends of a veth pair go). A missing one raises NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.delLinkSync("ve0");
   * ```
   */
  delLinkSync(ref: LinkRef, options?: { nsid?: number }): void {
    this.#runSync(this.#delLink(ref, options));
  }

  /**
   * Asynchronous {@link RouteClient.delLinkSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.delLink("vx0");
   * ```
   */
  delLink(ref: LinkRef, options?: { nsid?: number }): Promise<void> {
    return this.#run(this.#delLink(ref, options));
  }

  // -------------------------------------------------------------------------------------------
  // Addresses

  *#addresses(filter: AddressFilter = {}): Plan<Address[]> {
    const header: Record<string, unknown> = { ifaFamily: familyNumber(filter.family) ?? 0 };
    if (filter.link !== undefined) header.ifaIndex = yield* this.#index(filter.link);
    const ms = yield { family: this.#rtAddr, op: "getaddr", header, dump: true };
    return ms.map((m) => toAddress(m.header as AddressHeader, m.attrs as AddressAttrs));
  }

  /**
   * Every address (of one link, one family).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * for (const a of rt.addressesSync({ family: "inet" })) console.log(a.index, `${a.address}/${a.prefixLength}`);
   * ```
   */
  addressesSync(filter?: AddressFilter): Address[] {
    return this.#runSync(this.#addresses(filter));
  }

  /**
   * Asynchronous {@link RouteClient.addressesSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log(await rt.addresses({ link: "lo" }));
   * ```
   */
  addresses(filter?: AddressFilter): Promise<Address[]> {
    return this.#run(this.#addresses(filter));
  }

  *#changeAddress(
    op: "newaddr" | "deladdr",
    ref: LinkRef,
    prefix: string,
    o: AddressOptions,
    flags: number,
  ): Plan<void> {
    const index = yield* this.#index(ref);
    const p = parsePrefix(prefix);
    const all = new Set(o.flags ?? []);
    const header: Record<string, unknown> = {
      ifaFamily: p.family,
      ifaPrefixlen: p.length,
      ifaIndex: index,
      ifaScope: scopeId(o.scope ?? "global"),
    };
    const attrs: Record<string, unknown> = { local: p.address, address: o.peer ?? p.address };
    if (op === "newaddr") {
      if (all.size > 0) attrs.flags = [...all];
      if (o.label !== undefined) attrs.label = o.label;
      if (o.broadcast !== undefined) {
        attrs.broadcast = o.broadcast === true ? broadcastOf(p.address, p.length) : o.broadcast;
      }
      if (o.validLifetime !== undefined || o.preferredLifetime !== undefined) {
        const valid = o.validLifetime ?? 0xffffffff;
        attrs.cacheinfo = {
          ifaValid: checkU32(valid, "validLifetime"),
          ifaPrefered: checkU32(o.preferredLifetime ?? valid, "preferredLifetime"),
          cstamp: 0,
          tstamp: 0,
        };
      }
      if (o.metric !== undefined) attrs.rtPriority = checkU32(o.metric, "metric");
    }
    yield { family: this.#rtAddr, op, header, attrs, flags };
  }

  /**
   * Adds an address (`10.0.0.1/24`, `2001:db8::1/64`) to a link. An existing one raises
   * NetlinkError EEXIST.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.addAddressSync("ve0", "10.0.0.1/24", { broadcast: true });
   * rt.addAddressSync("ve0", "2001:db8::1/64", { flags: ["nodad"] });
   * ```
   */
  addAddressSync(link: LinkRef, prefix: string, options: AddressOptions = {}): void {
    this.#runSync(this.#changeAddress("newaddr", link, prefix, options, CREATE));
  }

  /**
   * Asynchronous {@link RouteClient.addAddressSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.addAddress("ve0", "10.0.0.1/24");
   * ```
   */
  addAddress(link: LinkRef, prefix: string, options: AddressOptions = {}): Promise<void> {
    return this.#run(this.#changeAddress("newaddr", link, prefix, options, CREATE));
  }

  /**
   * Adds an address, or changes it (lifetimes, flags, label) if the link has it already.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.replaceAddressSync("ve0", "10.0.0.1/24", { validLifetime: 300 });
   * ```
   */
  replaceAddressSync(link: LinkRef, prefix: string, options: AddressOptions = {}): void {
    this.#runSync(this.#changeAddress("newaddr", link, prefix, options, REPLACE));
  }

  /**
   * Asynchronous {@link RouteClient.replaceAddressSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.replaceAddress("ve0", "10.0.0.1/24", { label: "ve0:a" });
   * ```
   */
  replaceAddress(link: LinkRef, prefix: string, options: AddressOptions = {}): Promise<void> {
    return this.#run(this.#changeAddress("newaddr", link, prefix, options, REPLACE));
  }

  /**
   * Removes an address from a link (EADDRNOTAVAIL when it has none such).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.delAddressSync("ve0", "10.0.0.1/24");
   * ```
   */
  delAddressSync(link: LinkRef, prefix: string): void {
    this.#runSync(this.#changeAddress("deladdr", link, prefix, {}, 0));
  }

  /**
   * Asynchronous {@link RouteClient.delAddressSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.delAddress("ve0", "2001:db8::1/64");
   * ```
   */
  delAddress(link: LinkRef, prefix: string): Promise<void> {
    return this.#run(this.#changeAddress("deladdr", link, prefix, {}, 0));
  }

  // -------------------------------------------------------------------------------------------
  // Routes

  /** The dump request of `filter`: header and the strict-check attributes. */
  *#routeDump(filter: RouteFilter): Plan<RouteQuery> {
    const q = startRouteQuery(filter);
    if (filter.dev !== undefined) q.attrs.oif = yield* this.#index(filter.dev, "dev");
    return finishRouteQuery(filter, q);
  }

  /**
   * The routes of a table (default `main`, as `ip route show`; `table: "all"` for every table),
   * filtered by the kernel. A table nothing was ever added to is empty. (A script that only
   * lists routes can use {@link RouteReader} from `@nlts/netlink/route/routes`, which loads
   * less.)
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * for (const r of rt.routesSync({ family: "inet6", table: "all" })) console.log(r.table, r.dst);
   * ```
   */
  routesSync(filter?: RouteFilter): Route[] {
    return dumpRoutesSync(this.socket, this.#runSync(this.#routeDump(filter ?? {})));
  }

  /**
   * Asynchronous {@link RouteClient.routesSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log((await rt.routes({ table: 100 })).length);
   * ```
   */
  async routes(filter?: RouteFilter): Promise<Route[]> {
    return await dumpRoutes(this.socket, await this.#run(this.#routeDump(filter ?? {})));
  }

  /**
   * Streams the routes of a dump: yields them as the kernel sends them, one datagram's worth
   * at a time, so memory stays bounded however large the table.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * let n = 0;
   * for await (const r of rt.routeStream({ table: "all" })) if (r.type === "unicast") n++;
   * console.log(n);
   * ```
   */
  async *routeStream(filter: RouteFilter = {}): AsyncGenerator<Route, void, undefined> {
    yield* streamRoutes(this.socket, await this.#run(this.#routeDump(filter)));
  }

  /** Header and attributes of a route request. */
  *#routeMessage(
    spec: RouteSpec,
    del: boolean,
  ): Plan<{ header: Record<string, unknown>; attrs: Record<string, unknown> }> {
    if (typeof spec !== "object" || spec === null) {
      throw new TypeError("Cannot use route: give { dst, gateway?, dev?, ... }");
    }
    const hint = familyNumber(spec.family) ??
      (spec.gateway !== undefined ? familyOf(spec.gateway) : undefined) ??
      (spec.multipath?.[0]?.gateway !== undefined
        ? familyOf(spec.multipath[0].gateway)
        : undefined);
    const p = parsePrefix(spec.dst, spec.dst === "default" ? hint : undefined);
    const family = p.family;
    const table = tableId(spec.table ?? "main");
    const type = spec.type ?? (del ? undefined : "unicast");
    const gatewayed = spec.gateway !== undefined || spec.multipath !== undefined;
    const scope = spec.scope !== undefined
      ? scopeId(spec.scope)
      : del
      ? RT_SCOPE.NOWHERE
      : type === "local" || type === "nat"
      ? RT_SCOPE.HOST
      : type === "broadcast" || type === "multicast" || type === "anycast"
      ? RT_SCOPE.LINK
      : (type === "unicast" || type === undefined) && !gatewayed
      ? RT_SCOPE.LINK
      : RT_SCOPE.UNIVERSE;
    const header: Record<string, unknown> = {
      rtmFamily: family,
      rtmDstLen: p.length,
      rtmTos: spec.tos ?? 0,
      rtmTable: table < 256 ? table : RT_TABLE.UNSPEC,
      rtmProtocol: spec.protocol !== undefined ? protocolId(spec.protocol) : del ? 0 : 3,
      rtmScope: scope,
      rtmFlags: spec.onlink ? RTNH_F.ONLINK : 0,
    };
    if (type !== undefined) header.rtmType = type;
    const attrs: Record<string, unknown> = { table };
    if (p.length > 0) attrs.dst = p.address;
    if (spec.src !== undefined) {
      const s = parsePrefix(spec.src, family);
      header.rtmSrcLen = s.length;
      attrs.src = s.address;
    }
    if (spec.gateway !== undefined) {
      addressBytes(spec.gateway, family, "gateway");
      attrs.gateway = spec.gateway;
    }
    if (spec.dev !== undefined) attrs.oif = yield* this.#index(spec.dev, "dev");
    if (spec.metric !== undefined) attrs.priority = checkU32(spec.metric, "metric");
    if (spec.prefsrc !== undefined) attrs.prefsrc = spec.prefsrc;
    if (spec.metrics !== undefined) attrs.metrics = spec.metrics;
    if (spec.pref !== undefined) {
      const v = PREF[spec.pref];
      if (v === undefined) {
        throw new TypeError(`Cannot use pref "${spec.pref}": low, medium or high`);
      }
      attrs.pref = v;
    }
    if (spec.encap !== undefined) {
      attrs.encapType = spec.encap.type;
      attrs.encap = spec.encap.data;
    }
    if (spec.multipath !== undefined) {
      const hops: Nexthop[] = [];
      for (const h of spec.multipath) {
        const hop: Nexthop = {
          ifindex: h.dev === undefined ? 0 : yield* this.#index(h.dev, "dev"),
        };
        if (h.gateway !== undefined) hop.gateway = h.gateway;
        if (h.weight !== undefined) hop.weight = h.weight;
        if (h.onlink) hop.flags = ["onlink"];
        hops.push(hop);
      }
      attrs.multipath = encodeMultipath(hops, family);
    }
    return { header, attrs };
  }

  *#changeRoute(op: "newroute" | "delroute", spec: RouteSpec, flags: number): Plan<void> {
    const { header, attrs } = yield* this.#routeMessage(spec, op === "delroute");
    yield { family: this.#rtRoute, op, header, attrs, flags };
  }

  /**
   * Adds a route (EEXIST when the table has it already).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2", metric: 100 });
   * rt.addRouteSync({ dst: "default", table: 100, multipath: [
   *   { gateway: "10.0.0.2", dev: "ve0" }, { gateway: "10.0.1.2", dev: "ve2", weight: 2 },
   * ] });
   * ```
   */
  addRouteSync(spec: RouteSpec): void {
    this.#runSync(this.#changeRoute("newroute", spec, CREATE));
  }

  /**
   * Asynchronous {@link RouteClient.addRouteSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.addRoute({ dst: "192.0.2.0/24", type: "blackhole" });
   * ```
   */
  addRoute(spec: RouteSpec): Promise<void> {
    return this.#run(this.#changeRoute("newroute", spec, CREATE));
  }

  /**
   * Adds a route, or replaces the table's route to the same destination (and metric).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.replaceRouteSync({ dst: "default", gateway: "10.0.0.3" });
   * ```
   */
  replaceRouteSync(spec: RouteSpec): void {
    this.#runSync(this.#changeRoute("newroute", spec, REPLACE));
  }

  /**
   * Asynchronous {@link RouteClient.replaceRouteSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.replaceRoute({ dst: "default", gateway: "10.0.0.3" });
   * ```
   */
  replaceRoute(spec: RouteSpec): Promise<void> {
    return this.#run(this.#changeRoute("newroute", spec, REPLACE));
  }

  /**
   * Deletes a route: the first of the table matching what `spec` gives (ESRCH when none).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.delRouteSync({ dst: "10.9.0.0/16" });
   * ```
   */
  delRouteSync(spec: RouteSpec): void {
    this.#runSync(this.#changeRoute("delroute", spec, 0));
  }

  /**
   * Asynchronous {@link RouteClient.delRouteSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.delRoute({ dst: "default", table: 100 });
   * ```
   */
  delRoute(spec: RouteSpec): Promise<void> {
    return this.#run(this.#changeRoute("delroute", spec, 0));
  }

  /**
   * Adds (or with `replace`, replaces) many routes: all encoded first, then sent `chunk`
   * (default 256) per sendmsg with one acknowledgement per chunk (the kernel answers refused
   * routes anyway). Refusals come back as values, not thrown.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * const specs = Array.from({ length: 1000 }, (_, i) => ({ dst: `10.${i >> 8}.${i & 255}.0/24`, dev: "ve0" }));
   * const r = rt.addRoutesSync(specs);
   * console.log(r.ok, r.errors.length);
   * ```
   */
  addRoutesSync(
    specs: readonly RouteSpec[],
    options: { replace?: boolean; chunk?: number } = {},
  ): RouteBatchResult {
    const chunk = options.chunk ?? 256;
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > 1024) {
      throw new RangeError(`Cannot add routes: chunk must be an integer 1..1024, not ${chunk}`);
    }
    const names = new Map<string, number>();
    const flags = options.replace ? REPLACE : CREATE;
    // Every request encoded (and checked) before the first is sent.
    const w = new NetlinkWriter();
    const starts: number[] = [];
    for (const spec of specs) {
      const { header, attrs } = this.#runSync(this.#routeMessageCached(spec, names));
      starts.push(this.#rtRoute.encodeTo(w, "newroute", attrs as never, {
        header: header as never,
        flags,
      }));
    }
    // `chunk` requests per sendmsg, only the last asking for an acknowledgement: the kernel
    // answers the refused ones anyway, and a chunk's answers fit the receive queue.
    const bytes = w.bytes();
    const errors: { index: number; error: NetlinkError }[] = [];
    for (let i = 0; i < starts.length; i += chunk) {
      const end = i + chunk < starts.length ? starts[i + chunk] : bytes.length;
      const failed = this.socket.sendBatchSync(bytes.subarray(starts[i], end), {
        ack: "last",
        operation: () => "rt-route.newroute",
      });
      for (const f of failed) errors.push({ index: i + f.index, error: f.error });
    }
    return { ok: specs.length - errors.length, errors };
  }

  /** #routeMessage with link names resolved once per batch. */
  *#routeMessageCached(
    spec: RouteSpec,
    names: Map<string, number>,
  ): Plan<{ header: Record<string, unknown>; attrs: Record<string, unknown> }> {
    const resolved = { ...spec };
    if (typeof spec.dev === "string") {
      let i = names.get(spec.dev);
      if (i === undefined) names.set(spec.dev, i = yield* this.#index(spec.dev, "dev"));
      resolved.dev = i;
    }
    return yield* this.#routeMessage(resolved, false);
  }

  *#getRoute(dst: string, o: RouteLookup): Plan<Route> {
    const p = parsePrefix(dst);
    const header: Record<string, unknown> = {
      rtmFamily: p.family,
      rtmDstLen: p.family === AF.INET6 ? 128 : 32,
      rtmFlags: o.fibmatch ? RTM_F.FIB_MATCH : 0,
    };
    const attrs: Record<string, unknown> = { dst: p.address };
    if (o.src !== undefined) {
      attrs.src = o.src;
      header.rtmSrcLen = p.family === AF.INET6 ? 128 : 32;
    }
    if (o.oif !== undefined) attrs.oif = yield* this.#index(o.oif, "oif");
    if (o.iif !== undefined) attrs.iif = yield* this.#index(o.iif, "iif");
    if (o.mark !== undefined) attrs.mark = checkU32(o.mark, "mark");
    const [m] = yield { family: this.#rtRoute, op: "getroute", header, attrs };
    return toRoute(m.header as RouteHeader, m.attrs as RouteAttrs);
  }

  /**
   * The route a packet to `dst` takes (`ip route get`); ENETUNREACH when there is none.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * const r = rt.getRouteSync("127.0.0.1");
   * console.log(r.type, r.oif); // "local" 1
   * ```
   */
  getRouteSync(dst: string, options: RouteLookup = {}): Route {
    return this.#runSync(this.#getRoute(dst, options));
  }

  /**
   * Asynchronous {@link RouteClient.getRouteSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log((await rt.getRoute("::1")).oif);
   * ```
   */
  getRoute(dst: string, options: RouteLookup = {}): Promise<Route> {
    return this.#run(this.#getRoute(dst, options));
  }

  // -------------------------------------------------------------------------------------------
  // Neighbours

  *#neighbours(filter: NeighbourFilter = {}): Plan<Neighbour[]> {
    const header: Record<string, unknown> = { ndmFamily: familyNumber(filter.family) ?? 0 };
    const attrs: Record<string, unknown> = {};
    if (filter.link !== undefined) attrs.ifindex = yield* this.#index(filter.link);
    if (filter.master !== undefined) attrs.master = yield* this.#index(filter.master, "master");
    const ms = yield { family: this.#rtNeigh, op: "getneigh", header, attrs, dump: true };
    return ms.map((m) => toNeighbour(m.header as NeighbourHeader, m.attrs as NeighbourAttrs));
  }

  /**
   * Every neighbour entry (ARP, NDP; bridge FDB with family 7), filtered by the kernel.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * for (const n of rt.neighboursSync({ link: "ve0" })) console.log(n.address, n.lladdr, n.state);
   * ```
   */
  neighboursSync(filter?: NeighbourFilter): Neighbour[] {
    return this.#runSync(this.#neighbours(filter));
  }

  /**
   * Asynchronous {@link RouteClient.neighboursSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log((await rt.neighbours({ family: "inet6" })).length);
   * ```
   */
  neighbours(filter?: NeighbourFilter): Promise<Neighbour[]> {
    return this.#run(this.#neighbours(filter));
  }

  *#changeNeighbour(
    op: "newneigh" | "delneigh",
    link: LinkRef,
    address: string,
    o: NeighbourOptions,
    flags: number,
  ): Plan<void> {
    const index = yield* this.#index(link);
    const family = familyOf(address);
    addressBytes(address, family, "neighbour address");
    const header: Record<string, unknown> = {
      ndmFamily: family,
      ndmIfindex: index,
      ndmState: op === "newneigh" ? (o.state ?? ["permanent"]) : [],
      ndmFlags: o.flags ?? [],
    };
    const attrs: Record<string, unknown> = { dst: address };
    if (op === "newneigh" && o.lladdr !== undefined) attrs.lladdr = o.lladdr;
    if (o.vlan !== undefined) attrs.vlan = o.vlan;
    yield { family: this.#rtNeigh, op, header, attrs, flags };
  }

  /**
   * Adds a neighbour entry (default state `permanent`).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.addNeighbourSync("ve0", "10.0.0.2", { lladdr: "02:00:00:00:00:02" });
   * ```
   */
  addNeighbourSync(link: LinkRef, address: string, options: NeighbourOptions = {}): void {
    this.#runSync(this.#changeNeighbour("newneigh", link, address, options, CREATE));
  }

  /**
   * Asynchronous {@link RouteClient.addNeighbourSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.addNeighbour("ve0", "2001:db8::2", { lladdr: "02:00:00:00:00:02", flags: ["router"] });
   * ```
   */
  addNeighbour(link: LinkRef, address: string, options: NeighbourOptions = {}): Promise<void> {
    return this.#run(this.#changeNeighbour("newneigh", link, address, options, CREATE));
  }

  /**
   * Adds a neighbour entry or changes the existing one.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.replaceNeighbourSync("ve0", "10.0.0.2", { lladdr: "02:00:00:00:00:03", state: ["reachable"] });
   * ```
   */
  replaceNeighbourSync(link: LinkRef, address: string, options: NeighbourOptions = {}): void {
    this.#runSync(this.#changeNeighbour("newneigh", link, address, options, REPLACE));
  }

  /**
   * Asynchronous {@link RouteClient.replaceNeighbourSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.replaceNeighbour("ve0", "10.0.0.2", { lladdr: "02:00:00:00:00:03" });
   * ```
   */
  replaceNeighbour(link: LinkRef, address: string, options: NeighbourOptions = {}): Promise<void> {
    return this.#run(this.#changeNeighbour("newneigh", link, address, options, REPLACE));
  }

  /**
   * Deletes a neighbour entry (ENOENT when there is none).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.delNeighbourSync("ve0", "10.0.0.2");
   * ```
   */
  delNeighbourSync(link: LinkRef, address: string): void {
    this.#runSync(this.#changeNeighbour("delneigh", link, address, {}, 0));
  }

  /**
   * Asynchronous {@link RouteClient.delNeighbourSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.delNeighbour("ve0", "10.0.0.2");
   * ```
   */
  delNeighbour(link: LinkRef, address: string): Promise<void> {
    return this.#run(this.#changeNeighbour("delneigh", link, address, {}, 0));
  }

  // -------------------------------------------------------------------------------------------
  // Rules

  *#rules(filter: { family?: Family } = {}): Plan<Rule[]> {
    const header = { family: familyNumber(filter.family) ?? 0 };
    const ms = yield { family: this.#rtRule, op: "getrule", header, dump: true };
    return ms.map((m) => toRule(m.header as RuleHeader, m.attrs as RuleAttrs));
  }

  /**
   * Every routing policy rule (of one family).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * for (const r of rt.rulesSync({ family: "inet" })) console.log(r.priority, r.table);
   * ```
   */
  rulesSync(filter?: { family?: Family }): Rule[] {
    return this.#runSync(this.#rules(filter));
  }

  /**
   * Asynchronous {@link RouteClient.rulesSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open();
   * console.log((await rt.rules()).length);
   * ```
   */
  rules(filter?: { family?: Family }): Promise<Rule[]> {
    return this.#run(this.#rules(filter));
  }

  #ruleMessage(
    spec: RuleSpec,
    del: boolean,
  ): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
    if (typeof spec !== "object" || spec === null) {
      throw new TypeError("Cannot use rule: give { priority?, table?, src?, ... }");
    }
    const src = spec.src === undefined ? undefined : parsePrefix(spec.src);
    const dst = spec.dst === undefined ? undefined : parsePrefix(spec.dst);
    const family = familyNumber(spec.family) ?? src?.family ?? dst?.family ?? AF.INET;
    const table = spec.table === undefined
      ? (del ? undefined : RT_TABLE.MAIN)
      : tableId(spec.table);
    const header: Record<string, unknown> = {
      family,
      dstLen: dst?.length ?? 0,
      srcLen: src?.length ?? 0,
      tos: spec.tos ?? 0,
      table: table === undefined ? 0 : table < 256 ? table : RT_TABLE.UNSPEC,
      action: spec.action ??
        (spec.goto !== undefined ? "goto" : del && table === undefined ? "unspec" : "toTbl"),
    };
    const attrs: Record<string, unknown> = {};
    if (table !== undefined) attrs.table = table;
    if (spec.priority !== undefined) attrs.priority = checkU32(spec.priority, "priority");
    if (src !== undefined) attrs.src = src.address;
    if (dst !== undefined) attrs.dst = dst.address;
    if (spec.iifname !== undefined) attrs.iifname = spec.iifname;
    if (spec.oifname !== undefined) attrs.oifname = spec.oifname;
    if (spec.fwmark !== undefined) attrs.fwmark = checkU32(spec.fwmark, "fwmark");
    if (spec.fwmask !== undefined) attrs.fwmask = checkU32(spec.fwmask, "fwmask");
    if (spec.goto !== undefined) attrs.goto = checkU32(spec.goto, "goto");
    if (spec.protocol !== undefined) attrs.protocol = protocolId(spec.protocol);
    if (spec.suppressPrefixlen !== undefined) attrs.suppressPrefixlen = spec.suppressPrefixlen;
    return { header, attrs };
  }

  *#changeRule(op: "newrule" | "delrule", spec: RuleSpec, flags: number): Plan<void> {
    const { header, attrs } = this.#ruleMessage(spec, op === "delrule");
    yield { family: this.#rtRule, op, header, attrs, flags };
  }

  /**
   * Adds a routing policy rule (`ip rule add`).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.addRuleSync({ priority: 100, src: "10.0.0.0/8", table: 100 });
   * ```
   */
  addRuleSync(spec: RuleSpec): void {
    this.#runSync(this.#changeRule("newrule", spec, CREATE));
  }

  /**
   * Asynchronous {@link RouteClient.addRuleSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.addRule({ priority: 200, fwmark: 7, table: 7 });
   * ```
   */
  addRule(spec: RuleSpec): Promise<void> {
    return this.#run(this.#changeRule("newrule", spec, CREATE));
  }

  /**
   * Deletes the first rule matching what `spec` gives (ENOENT when none).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * rt.delRuleSync({ priority: 100 });
   * ```
   */
  delRuleSync(spec: RuleSpec): void {
    this.#runSync(this.#changeRule("delrule", spec, 0));
  }

  /**
   * Asynchronous {@link RouteClient.delRuleSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * await rt.delRule({ priority: 200 });
   * ```
   */
  delRule(spec: RuleSpec): Promise<void> {
    return this.#run(this.#changeRule("delrule", spec, 0));
  }

  // -------------------------------------------------------------------------------------------
  // Namespace ids

  *#nsid(netns: NetnsRef, assign: boolean): Plan<number> {
    const ns = this.#netnsFd(netns);
    try {
      const [m] = yield { family: this.#rtNetns, op: "getnsid", attrs: { fd: ns.fd } };
      const id = (m.attrs as { nsid?: number }).nsid ?? -1;
      if (id >= 0 || !assign) return id;
      yield { family: this.#rtNetns, op: "newnsid", attrs: { nsid: -1, fd: ns.fd } };
      const [again] = yield { family: this.#rtNetns, op: "getnsid", attrs: { fd: ns.fd } };
      return (again.attrs as { nsid?: number }).nsid ?? -1;
    } finally {
      ns.done();
    }
  }

  /**
   * The id this client's namespace knows namespace `netns` by (IFLA_LINK_NETNSID, event
   * `nsid`s, `nsid` filters): the one it has, or a new one the kernel picks (`ip netns set NAME
   * auto`); with `assign: false`, -1 when it has none.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * const id = rt.nsidSync("blue");
   * console.log(rt.linksSync({ nsid: id }).map((l) => l.name)); // blue's links
   * ```
   */
  nsidSync(netns: NetnsRef, options: { assign?: boolean } = {}): number {
    return this.#runSync(this.#nsid(netns, options.assign ?? true));
  }

  /**
   * Asynchronous {@link RouteClient.nsidSync}.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * console.log(await rt.nsid("blue", { assign: false }));
   * ```
   */
  nsid(netns: NetnsRef, options: { assign?: boolean } = {}): Promise<number> {
    return this.#run(this.#nsid(netns, options.assign ?? true));
  }

  // -------------------------------------------------------------------------------------------
  // Notifications

  /** A notification as a {@link RouteEvent} (undefined for message types it does not know). */
  #event(m: NetlinkMessage): RouteEvent | undefined {
    const action = (m.type & 3) === 0 ? "new" : "del";
    const nsid = m.nsid === undefined ? {} : { nsid: m.nsid };
    switch (m.type) {
      case 16:
      case 17: {
        const d = this.#rtLink.decode("getlink", m);
        return { kind: "link", action, link: toLink(d.header, d.attrs), ...nsid };
      }
      case 20:
      case 21: {
        const d = this.#rtAddr.decode("getaddr", m);
        return { kind: "address", action, address: toAddress(d.header, d.attrs), ...nsid };
      }
      case 24:
      case 25: {
        const d = this.#rtRoute.decode("getroute", m);
        return { kind: "route", action, route: toRoute(d.header, d.attrs), ...nsid };
      }
      case 28:
      case 29: {
        const d = this.#rtNeigh.decode("getneigh", m);
        return { kind: "neighbour", action, neighbour: toNeighbour(d.header, d.attrs), ...nsid };
      }
      case 32:
      case 33: {
        const d = this.#rtRule.decode("getrule", m);
        return { kind: "rule", action, rule: toRule(d.header, d.attrs), ...nsid };
      }
      case 88:
      case 89: {
        // struct rtgenmsg (4 bytes with padding), then NETNSA_NSID (type 1, s32)
        const p = m.payload;
        const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
        let id = -1;
        for (let o = 4; o + 4 <= p.length;) {
          const len = v.getUint16(o, true);
          if (len < 4) break;
          if ((v.getUint16(o + 2, true) & 0x3fff) === 1 && len >= 8) id = v.getInt32(o + 4, true);
          o += (len + 3) & ~3;
        }
        return { kind: "nsid", action: m.type === 88 ? "new" : "del", id, ...nsid };
      }
    }
    return undefined;
  }

  /**
   * Follows changes: links, addresses, routes, neighbours, rules and namespace ids, as typed
   * events, on a socket of its own (in the client's namespace). When the kernel had to drop
   * notifications (the receive queue overflowed: ENOBUFS) an `{ kind: "overflow" }` event says
   * so and the iteration goes on: dump again to resynchronise. With `allNamespaces`, changes in
   * every namespace with an id here are reported too, with that id (`nsid`).
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * using rt = RouteClient.open({ netns: "blue" });
   * const ac = new AbortController();
   * for await (const e of rt.subscribe(["link", "address"], { signal: ac.signal })) {
   *   if (e.kind === "link") console.log(e.action, e.link.name, e.link.operstate);
   *   if (e.kind === "overflow") console.log("events were lost: dump again");
   * }
   * ```
   */
  async *subscribe(
    kinds: readonly RouteEventKind[],
    options: SubscribeOptions = {},
  ): AsyncGenerator<RouteEvent, void, undefined> {
    if (!Array.isArray(kinds) || kinds.length === 0) {
      throw new TypeError(
        `Cannot subscribe: name the events (${Object.keys(GROUPS).join(", ")})`,
      );
    }
    const groups = new Set<number>();
    for (const k of kinds) {
      const g = Object.hasOwn(GROUPS, k) ? GROUPS[k as RouteEventKind] : undefined;
      if (g === undefined) {
        throw new TypeError(
          `Cannot subscribe to "${k}": the events are ${Object.keys(GROUPS).join(", ")}`,
        );
      }
      for (const n of g) groups.add(n);
    }
    const o = this.#options;
    const sock = NetlinkSocket.open(NETLINK.ROUTE, {
      name: "rtnetlink-events",
      ...(o.netns !== undefined ? { netns: o.netns } : {}),
      ...(o.transport !== undefined ? { transport: o.transport } : {}),
      rcvbuf: o.rcvbuf ?? 1 << 20,
    });
    try {
      for (const g of groups) sock.joinGroup(g);
      if (options.allNamespaces) sock.setOption("LISTEN_ALL_NSID", true);
      for (;;) {
        try {
          for await (const m of sock.messages({ signal: options.signal })) {
            const e = this.#event(m);
            if (e !== undefined) yield e;
          }
          return;
        } catch (e) {
          if (e instanceof SyscallError && e.errno === ERRNO.ENOBUFS) {
            yield { kind: "overflow" };
            continue;
          }
          throw e;
        }
      }
    } finally {
      sock.close();
    }
  }

  /**
   * Closes the socket.
   *
   * @example
   * ```ts
   * import { RouteClient } from "@nlts/netlink/route";
   * const rt = RouteClient.open();
   * rt.close();
   * ```
   */
  close(): void {
    this.socket.close();
  }

  /** Same as {@link RouteClient.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** The IPv4 broadcast address of `address/length` (all host bits set). */
function broadcastOf(address: string, length: number): string {
  const b = addressBytes(address, AF.INET, "address");
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    b[i] |= 0xff >> keep;
  }
  return b.join(".");
}
