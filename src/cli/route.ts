/**
 * `nlts link`, `nlts addr` and `nlts route`: rtnetlink from the command line through
 * `@nlts/netlink/route`, with iproute2's words (`nlts link add vx0 type vxlan id 42 remote
 * 192.0.2.1 dstport 4789`, `nlts route add 10.0.0.0/8 via 10.1.1.1 table 100`) and its JSON names
 * (`--json` prints what `ip -j -d` prints, for everything both show).
 *
 * @module
 */

import { RouteClient } from "../route/client.ts";
import type { LinkChanges, NexthopSpec, RouteSpec } from "../route/client.ts";
import type { RouteFilter } from "../route/route.ts";
import type { NewLink } from "../route/kinds.ts";
import type { Link } from "../route/link.ts";
import type { Address, Family } from "../route/address.ts";
import type { Route } from "../route/route.ts";
import {
  type CliIO,
  type Command,
  type CommandGroup,
  EXIT,
  JSON_OPTION,
  NETNS_OPTION,
  netnsOf,
  type OptionValues,
  runGroup,
  toJson,
  UsageError,
  wholeNumber,
} from "./common.ts";
import { addressListJson, linkJson, type LinkNames, namesOf, routeJson } from "./route_json.ts";

// ---------------------------------------------------------------------------------------------
// Words

/** The words after a command as ip reads them: `key value` pairs and bare keywords. */
class Words {
  #w: string[];
  #i = 0;
  constructor(words: string[]) {
    this.#w = words;
  }
  get done(): boolean {
    return this.#i >= this.#w.length;
  }
  peek(): string | undefined {
    return this.#w[this.#i];
  }
  next(): string {
    return this.#w[this.#i++];
  }
  value(key: string): string {
    const v = this.#w[this.#i++];
    if (v === undefined) throw new UsageError(`"${key}" needs a value`);
    return v;
  }
  number(key: string, max = 0xffff_ffff): number {
    return wholeNumber(this.value(key), key, max);
  }
}

function unknownWord(word: string, known: string): UsageError {
  return new UsageError(`unknown word "${word}" (known here: ${known})`);
}

function open(values: OptionValues): RouteClient {
  return RouteClient.open({ netns: netnsOf(values) });
}

function family(values: OptionValues, positionals: string[]): Family | undefined {
  let f: Family | undefined;
  if (typeof values.family === "string") {
    if (values.family !== "inet" && values.family !== "inet6") {
      throw new UsageError(`--family ${values.family}: inet or inet6`);
    }
    f = values.family;
  }
  for (let i = positionals.length - 1; i >= 0; i--) {
    if (positionals[i] === "-4" || positionals[i] === "-6") {
      f = positionals[i] === "-4" ? "inet" : "inet6";
      positionals.splice(i, 1);
    }
  }
  return f;
}

// ---------------------------------------------------------------------------------------------
// Text output (the shape of ip's)

function linkText(l: Link, names: LinkNames): string {
  const j = linkJson(l, names);
  let s = `${l.index}: ${l.name}${
    j.link ? `@${j.link}` : l.parent !== undefined ? `@if${l.parent}` : ""
  }: <${(j.flags as string[]).join(",")}>`;
  if (l.mtu !== undefined) s += ` mtu ${l.mtu}`;
  if (l.qdisc) s += ` qdisc ${l.qdisc}`;
  if (j.master) s += ` master ${j.master}`;
  s += ` state ${l.operstate}`;
  if (j.group !== undefined) s += ` group ${j.group}`;
  if (l.txqlen !== undefined) s += ` qlen ${l.txqlen}`;
  s += `\n    link/${l.linkType}`;
  if (l.address) s += ` ${l.address}`;
  if (l.broadcast) s += ` brd ${l.broadcast}`;
  if (l.parentNetnsid !== undefined) s += ` link-netnsid ${l.parentNetnsid}`;
  s += "\n";
  if (l.kind) {
    s += `    ${l.kind}`;
    const data = (j.linkinfo as Record<string, unknown> | undefined)?.info_data;
    if (data && typeof data === "object") {
      for (const [k, v] of Object.entries(data)) {
        s += typeof v === "boolean"
          ? (v ? ` ${k}` : ` no${k}`)
          : ` ${k} ${typeof v === "object" ? JSON.stringify(v) : v}`;
      }
    }
    s += "\n";
  }
  return s;
}

function addressText(a: Address): string {
  let s = `    ${a.family} ${a.address}${a.peer ? ` peer ${a.peer}` : ""}/${a.prefixLength}`;
  if (a.broadcast) s += ` brd ${a.broadcast}`;
  s += ` scope ${a.scope}`;
  for (const f of a.flags) if (f !== "permanent") s += ` ${f}`;
  if (a.label) s += ` ${a.label}`;
  const life = (
    v: number | undefined,
  ) => (v === undefined || v === 0xffffffff ? "forever" : `${v}sec`);
  s += `\n       valid_lft ${life(a.validLifetime)} preferred_lft ${life(a.preferredLifetime)}\n`;
  return s;
}

function routeText(r: Route, names: LinkNames, allTables: boolean): string {
  const j = routeJson(r, names, { allTables });
  const parts: string[] = [];
  if (j.type) parts.push(String(j.type));
  parts.push(r.dst);
  if (j.from) parts.push(`from ${j.from}`);
  if (j.gateway) parts.push(`via ${j.gateway}`);
  if (j.dev) parts.push(`dev ${j.dev}`);
  if (j.table) parts.push(`table ${j.table}`);
  if (j.protocol) parts.push(`proto ${j.protocol}`);
  if (j.scope) parts.push(`scope ${j.scope}`);
  if (j.prefsrc) parts.push(`src ${j.prefsrc}`);
  if (j.metric !== undefined) parts.push(`metric ${j.metric}`);
  parts.push(...r.flags);
  for (const [k, v] of Object.entries(r.metrics ?? {})) {
    if (k !== "unknown") parts.push(`${k} ${v}`);
  }
  if (j.pref) parts.push(`pref ${j.pref}`);
  let s = parts.join(" ") + "\n";
  for (const n of (j.nexthops ?? []) as Record<string, unknown>[]) {
    s += `\tnexthop${n.gateway ? ` via ${n.gateway}` : ""}${
      n.dev ? ` dev ${n.dev}` : ""
    } weight ${n.weight}${(n.flags as string[]).map((f) => ` ${f}`).join("")}\n`;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// nlts link

const KIND_WORDS = "mtu, address, master, netns, up, alias, txqueuelen, and per kind: " +
  "veth peer name NAME [netns NS]; vlan link DEV id N [protocol 802.1Q|802.1ad]; vxlan id N " +
  "remote|group|local ADDR dstport N dev DEV ttl N [no]learning external; geneve id N remote " +
  "ADDR dstport N ttl N external; bridge stp_state 0|1 forward_delay N vlan_filtering 0|1; " +
  "macvlan|macvtap link DEV mode M; bond mode N miimon N; vrf table N; gre|gretap remote " +
  "local key ttl external";

/** The NewLink of `nlts link add NAME [type KIND] [words...]`. */
export function parseNewLink(args: string[]): NewLink {
  const w = new Words(args);
  const spec: Record<string, unknown> = {};
  if (w.peek() === "name") w.next();
  const name = w.next();
  if (name === undefined) throw new UsageError("link add needs a name");
  spec.name = name;
  const peer: Record<string, unknown> = {};
  while (!w.done) {
    const k = w.next();
    switch (k) {
      case "type":
        spec.kind = w.value(k);
        break;
      case "mtu":
        spec.mtu = w.number(k);
        break;
      case "address":
        spec.address = w.value(k);
        break;
      case "master":
        spec.master = w.value(k);
        break;
      case "netns":
        spec.netns = w.value(k);
        break;
      case "up":
        spec.up = true;
        break;
      case "alias":
        spec.alias = w.value(k);
        break;
      case "txqueuelen":
      case "txqlen":
        spec.txqlen = w.number(k);
        break;
      case "link":
        spec.link = w.value(k);
        break;
      case "dev":
        spec.dev = w.value(k);
        break;
      case "peer": {
        // veth: peer [name] NAME [netns NS] [mtu N] [address MAC]
        if (w.peek() === "name") w.next();
        peer.name = w.value("peer name");
        while (!w.done && ["netns", "mtu", "address"].includes(w.peek()!)) {
          const pk = w.next();
          peer[pk] = pk === "mtu" ? w.number(pk) : w.value(pk);
        }
        spec.peer = peer;
        break;
      }
      case "id":
        spec[spec.kind === "vxlan" || spec.kind === "geneve" ? "vni" : "id"] = w.number(k);
        break;
      case "vni":
        spec.vni = w.number(k);
        break;
      case "protocol":
        spec.protocol = w.value(k);
        break;
      case "remote":
      case "local":
      case "group":
        spec[k === "group" ? "multicast" : k] = w.value(k);
        break;
      case "dstport":
        spec.port = w.number(k, 0xffff);
        break;
      case "ttl":
      case "tos":
        spec[k] = w.number(k, 255);
        break;
      case "learning":
      case "nolearning":
        spec.learning = k === "learning";
        break;
      case "external":
        spec.external = true;
        break;
      case "key":
        spec.key = w.number(k);
        break;
      case "stp_state":
        spec.stp = w.number(k, 1) === 1;
        break;
      case "vlan_filtering":
        spec.vlanFiltering = w.number(k, 1) === 1;
        break;
      case "forward_delay":
        spec.forwardDelay = w.number(k);
        break;
      case "mode": {
        const v = w.value(k);
        spec.mode = spec.kind === "bond" && /^\d+$/.test(v) ? Number(v) : v;
        break;
      }
      case "miimon":
        spec.miimon = w.number(k);
        break;
      case "table":
        spec.table = w.number(k);
        break;
      default:
        throw unknownWord(k, KIND_WORDS);
    }
  }
  if (typeof spec.kind !== "string") throw new UsageError(`link add ${name}: say its "type KIND"`);
  return spec as unknown as NewLink;
}

/** The LinkChanges of `nlts link set DEV words...`. */
export function parseLinkChanges(args: string[]): LinkChanges {
  const w = new Words(args);
  const c: LinkChanges = {};
  while (!w.done) {
    const k = w.next();
    switch (k) {
      case "up":
      case "down":
        c.up = k === "up";
        break;
      case "mtu":
        c.mtu = w.number(k);
        break;
      case "address":
        c.address = w.value(k);
        break;
      case "master":
        c.master = w.value(k);
        break;
      case "nomaster":
        c.master = null;
        break;
      case "name":
        c.name = w.value(k);
        break;
      case "netns":
        c.netns = w.value(k);
        break;
      case "alias":
        c.alias = w.value(k);
        break;
      case "txqueuelen":
      case "txqlen":
        c.txqlen = w.number(k);
        break;
      case "group":
        c.group = w.number(k);
        break;
      default:
        throw unknownWord(
          k,
          "up, down, mtu, address, master, nomaster, name, netns, alias, txqueuelen, group",
        );
    }
  }
  if (Object.keys(c).length === 0) throw new UsageError("link set: say what to change");
  return c;
}

function linkRef(s: string): string | number {
  return /^\d+$/.test(s) ? Number(s) : s;
}

const LINK: CommandGroup = {
  name: "link",
  options: { json: JSON_OPTION, netns: NETNS_OPTION },
  common: ["json", "netns"],
  sections: [{
    title: "Links (iproute2's words; DEV is a name or an index):",
    commands: [
      {
        name: "show",
        args: "[DEV] [--json]",
        help: "links with their kind and kind data (--json: the names of ip -j -d link)",
        run: async ({ values, positionals, io }) => {
          using rt = open(values);
          const all = await rt.links();
          const names = namesOf(all);
          const links = positionals[0] === undefined
            ? all
            : [await rt.link(linkRef(positionals[0]))];
          io.out(
            values.json
              ? toJson(links.map((l) => linkJson(l, names)))
              : links.map((l) => linkText(l, names)).join(""),
          );
          return EXIT.OK;
        },
      },
      {
        name: "add",
        args: "NAME type KIND [WORD...]",
        help: "make a link: veth, vlan, vxlan, geneve, bridge, dummy, macvlan, bond, vrf,\n" +
          "gre, gretap... (words as ip link add: peer name P, id N, dstport N...)",
        run: async ({ values, positionals, io }) => {
          const spec = parseNewLink(positionals);
          using rt = open(values);
          const l = await rt.addLink(spec);
          if (values.json) io.out(toJson(linkJson(l, namesOf(await rt.links()))));
          return EXIT.OK;
        },
      },
      {
        name: "set",
        args: "DEV WORD...",
        help: "up|down, mtu N, address MAC, master DEV|nomaster, name NEW, netns NS, alias A",
        run: async ({ values, positionals, io }) => {
          const [dev, ...rest] = positionals;
          const changes = parseLinkChanges(rest);
          using rt = open(values);
          await rt.setLink(linkRef(dev), changes);
          void io;
          return EXIT.OK;
        },
      },
      {
        name: "del",
        args: "DEV",
        help: "delete a link",
        run: async ({ values, positionals }) => {
          using rt = open(values);
          await rt.delLink(linkRef(positionals[0]));
          return EXIT.OK;
        },
      },
    ],
  }],
};

// ---------------------------------------------------------------------------------------------
// nlts addr

function parseAddressWords(args: string[]): {
  prefix: string;
  dev: string;
  options: Record<string, unknown>;
} {
  const w = new Words(args);
  const prefix = w.next();
  if (prefix === undefined) throw new UsageError("give the address as PREFIX (10.0.0.1/24)");
  let dev: string | undefined;
  const o: Record<string, unknown> = {};
  const flags: string[] = [];
  while (!w.done) {
    const k = w.next();
    switch (k) {
      case "dev":
        dev = w.value(k);
        break;
      case "broadcast":
      case "brd": {
        const v = w.value(k);
        o.broadcast = v === "+" ? true : v;
        break;
      }
      case "label":
        o.label = w.value(k);
        break;
      case "scope":
        o.scope = w.value(k);
        break;
      case "peer":
        o.peer = w.value(k);
        break;
      case "metric":
        o.metric = w.number(k);
        break;
      case "valid_lft":
      case "preferred_lft": {
        const v = w.value(k);
        o[k === "valid_lft" ? "validLifetime" : "preferredLifetime"] = v === "forever"
          ? 0xffffffff
          : wholeNumber(v, k);
        break;
      }
      case "noprefixroute":
      case "nodad":
      case "home":
      case "mngtmpaddr":
        flags.push(k === "home" ? "homeaddress" : k === "mngtmpaddr" ? "managetempaddr" : k);
        break;
      default:
        throw unknownWord(
          k,
          "dev, broadcast/brd (+), label, scope, peer, metric, valid_lft, preferred_lft, noprefixroute, nodad",
        );
    }
  }
  if (dev === undefined) throw new UsageError(`say which link: "dev DEV"`);
  if (flags.length) o.flags = flags;
  return { prefix, dev, options: o };
}

const ADDR: CommandGroup = {
  name: "addr",
  options: {
    json: JSON_OPTION,
    netns: NETNS_OPTION,
    family: { type: "string", value: "inet|inet6", help: "one family only (or -4, -6)" },
  },
  common: ["json", "netns"],
  sections: [{
    title: "Addresses (iproute2's words):",
    commands: [
      {
        name: "show",
        args: "[WORD...] [--family F] [--json]",
        help: "links and their addresses; words: [dev] DEV, -4, -6\n" +
          "(--json: the names of ip -j addr)",
        options: ["family"],
        run: async ({ values, positionals, io }) => {
          const f = family(values, positionals);
          let dev: string | undefined;
          if (positionals[0] === "dev") dev = positionals[1];
          else if (positionals[0] !== undefined) dev = positionals[0];
          using rt = open(values);
          const links = await rt.links();
          const shown = dev === undefined
            ? links
            : links.filter((l) => l.name === dev || String(l.index) === dev);
          if (dev !== undefined && shown.length === 0) await rt.link(linkRef(dev)); // ENODEV
          const addrs = await rt.addresses({
            ...(f ? { family: f } : {}),
            ...(dev !== undefined ? { link: shown[0].index } : {}),
          });
          if (values.json) {
            io.out(toJson(addressListJson(shown, addrs, { family: f !== undefined })));
          } else {
            const names = namesOf(links);
            io.out(
              shown.map((l) =>
                linkText(l, names).split("\n").slice(0, 2).join("\n") + "\n" +
                addrs.filter((a) => a.index === l.index).map(addressText).join("")
              ).join(""),
            );
          }
          return EXIT.OK;
        },
      },
      {
        name: "add",
        args: "PREFIX dev DEV [WORD...]",
        help: "add an address: brd +|ADDR, label L, scope S, peer P, metric N, nodad...",
        run: async ({ values, positionals }) => {
          const a = parseAddressWords(positionals);
          using rt = open(values);
          await rt.addAddress(linkRef(a.dev), a.prefix, a.options);
          return EXIT.OK;
        },
      },
      {
        name: "replace",
        args: "PREFIX dev DEV [WORD...]",
        help: "add an address or change the one there",
        run: async ({ values, positionals }) => {
          const a = parseAddressWords(positionals);
          using rt = open(values);
          await rt.replaceAddress(linkRef(a.dev), a.prefix, a.options);
          return EXIT.OK;
        },
      },
      {
        name: "del",
        args: "PREFIX dev DEV",
        help: "remove an address",
        run: async ({ values, positionals }) => {
          const a = parseAddressWords(positionals);
          using rt = open(values);
          await rt.delAddress(linkRef(a.dev), a.prefix);
          return EXIT.OK;
        },
      },
    ],
  }],
};

// ---------------------------------------------------------------------------------------------
// nlts route

const ROUTE_TYPES = [
  "unicast",
  "local",
  "broadcast",
  "multicast",
  "blackhole",
  "unreachable",
  "prohibit",
  "throw",
  "nat",
  "anycast",
];

/** The RouteSpec of `nlts route add|del [TYPE] PREFIX words...`. */
export function parseRouteWords(args: string[]): RouteSpec {
  const w = new Words(args);
  const r: Record<string, unknown> = {};
  if (ROUTE_TYPES.includes(w.peek() ?? "")) r.type = w.next();
  const dst = w.next();
  if (dst === undefined) throw new UsageError("give the destination (PREFIX or default)");
  r.dst = dst;
  const hops: NexthopSpec[] = [];
  const metrics: Record<string, number> = {};
  while (!w.done) {
    const k = w.next();
    switch (k) {
      case "via":
        r.gateway = w.value(k);
        break;
      case "dev":
        r.dev = linkRef(w.value(k));
        break;
      case "table":
        r.table = /^\d+$/.test(w.peek() ?? "") ? w.number(k) : w.value(k);
        break;
      case "metric":
      case "priority":
      case "preference":
        r.metric = w.number(k);
        break;
      case "proto":
      case "protocol":
        r.protocol = w.value(k);
        break;
      case "scope":
        r.scope = w.value(k);
        break;
      case "src":
        r.prefsrc = w.value(k);
        break;
      case "from":
        r.src = w.value(k);
        break;
      case "tos":
        r.tos = w.number(k, 255);
        break;
      case "onlink":
        r.onlink = true;
        break;
      case "pref":
        r.pref = w.value(k);
        break;
      case "mtu":
      case "advmss":
      case "hoplimit":
      case "initcwnd":
      case "initrwnd":
      case "window":
        metrics[k] = w.number(k);
        break;
      case "nexthop": {
        const hop: NexthopSpec = {};
        while (!w.done && ["via", "dev", "weight", "onlink"].includes(w.peek()!)) {
          const hk = w.next();
          if (hk === "via") hop.gateway = w.value(hk);
          else if (hk === "dev") hop.dev = linkRef(w.value(hk));
          else if (hk === "weight") hop.weight = w.number(hk, 256);
          else hop.onlink = true;
        }
        hops.push(hop);
        break;
      }
      default:
        throw unknownWord(
          k,
          "via, dev, table, metric, proto, scope, src, from, tos, onlink, pref, mtu, advmss, hoplimit, initcwnd, nexthop via GW dev DEV weight N",
        );
    }
  }
  if (hops.length) r.multipath = hops;
  if (Object.keys(metrics).length) r.metrics = metrics;
  return r as unknown as RouteSpec;
}

function routeFilter(positionals: string[], f: Family | undefined): RouteFilter {
  const w = new Words(positionals);
  const filter: RouteFilter = f ? { family: f } : {};
  while (!w.done) {
    const k = w.next();
    if (k === "table") {
      const v = w.value(k);
      filter.table = /^\d+$/.test(v) ? Number(v) : v;
    } else if (k === "dev") filter.dev = linkRef(w.value(k));
    else if (k === "proto" || k === "protocol") filter.protocol = w.value(k);
    else if (k === "type") filter.type = w.value(k);
    else throw unknownWord(k, "table T|all, dev DEV, proto P, type T");
  }
  return filter;
}

const ROUTE: CommandGroup = {
  name: "route",
  options: {
    json: JSON_OPTION,
    netns: NETNS_OPTION,
    family: { type: "string", value: "inet|inet6", help: "one family only (or -4, -6)" },
  },
  common: ["json", "netns"],
  sections: [{
    title: "Routes (iproute2's words):",
    commands: [
      {
        name: "show",
        args: "[WORD...] [--family F] [--json]",
        help: "routes of a table; words: table T|all (main by default), dev DEV,\n" +
          "proto P, type T, -4, -6 (--json: the names of ip -j route)",
        options: ["family"],
        run: async ({ values, positionals, io }) => {
          const f = family(values, positionals) ?? "inet";
          const filter = routeFilter(positionals, f);
          using rt = open(values);
          const names = namesOf(await rt.links());
          const all = filter.table === "all";
          const routes = await rt.routes(filter);
          io.out(
            values.json
              ? toJson(routes.map((r) => routeJson(r, names, { allTables: all })))
              : routes.map((r) => routeText(r, names, all)).join(""),
          );
          return EXIT.OK;
        },
      },
      {
        name: "get",
        args: "ADDRESS [WORD...]",
        help: "the route a packet to ADDRESS takes; words: from A, oif DEV, iif DEV,\n" +
          "mark N, fibmatch",
        run: async ({ values, positionals, io }) => {
          const w = new Words(positionals.slice(1));
          const o: Record<string, unknown> = {};
          while (!w.done) {
            const k = w.next();
            if (k === "from") o.src = w.value(k);
            else if (k === "oif" || k === "iif") o[k] = linkRef(w.value(k));
            else if (k === "mark") o.mark = w.number(k);
            else if (k === "fibmatch") o.fibmatch = true;
            else throw unknownWord(k, "from, oif, iif, mark, fibmatch");
          }
          using rt = open(values);
          const r = await rt.getRoute(positionals[0], o);
          const names = namesOf(await rt.links());
          io.out(values.json ? toJson([routeJson(r, names)]) : routeText(r, names, false));
          return EXIT.OK;
        },
      },
      {
        name: "add",
        args: "[TYPE] PREFIX [WORD...]",
        help: "add a route: via GW, dev DEV, table T, metric N, proto P, scope S, src A,\n" +
          "mtu N, onlink, nexthop via GW dev DEV weight N (repeat for multipath)",
        run: async ({ values, positionals }) => {
          const spec = parseRouteWords(positionals);
          using rt = open(values);
          await rt.addRoute(spec);
          return EXIT.OK;
        },
      },
      {
        name: "replace",
        args: "[TYPE] PREFIX [WORD...]",
        help: "add a route or replace the table's route to PREFIX",
        run: async ({ values, positionals }) => {
          const spec = parseRouteWords(positionals);
          using rt = open(values);
          await rt.replaceRoute(spec);
          return EXIT.OK;
        },
      },
      {
        name: "del",
        args: "[TYPE] PREFIX [WORD...]",
        help: "delete the first route matching what is given",
        run: async ({ values, positionals }) => {
          const spec = parseRouteWords(positionals);
          using rt = open(values);
          await rt.delRoute(spec);
          return EXIT.OK;
        },
      },
    ],
  }],
};

/**
 * The `nlts link` command group.
 *
 * @example
 * ```ts
 * import { linkCommand } from "./route.ts";
 * await linkCommand(["show", "--json"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const linkCommand: Command = (args: string[], io: CliIO) => runGroup(LINK, args, io);

/**
 * The `nlts addr` command group.
 *
 * @example
 * ```ts
 * import { addrCommand } from "./route.ts";
 * await addrCommand(["show", "dev", "lo"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const addrCommand: Command = (args: string[], io: CliIO) => runGroup(ADDR, args, io);

/**
 * The `nlts route` command group.
 *
 * @example
 * ```ts
 * import { routeCommand } from "./route.ts";
 * await routeCommand(["show", "table", "all", "--json"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const routeCommand: Command = (args: string[], io: CliIO) => runGroup(ROUTE, args, io);
