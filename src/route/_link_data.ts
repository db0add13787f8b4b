/**
 * How a {@link NewLink} becomes IFLA_LINKINFO (internal): each kind's options mapped onto the
 * rt-link spec's kind-specific data.
 *
 * @module
 */

import { AF } from "./constants.ts";
import type {
  NewBond,
  NewBridge,
  NewGeneve,
  NewGre,
  NewLink,
  NewMacvlan,
  NewOtherLink,
  NewVeth,
  NewVlan,
  NewVrf,
  NewVxlan,
} from "./kinds.ts";
import type { LinkRef, NetnsRef } from "./link.ts";
import { familyOf } from "./multipath.ts";

type Obj = Record<string, unknown>;

function bit(v: boolean | undefined): number | undefined {
  return v === undefined ? undefined : v ? 1 : 0;
}

function put(o: Obj, key: string, v: unknown): void {
  if (v !== undefined) o[key] = v;
}

function v4or6(o: Obj, v4: string, v6: string, address: string | undefined): void {
  if (address === undefined) return;
  o[familyOf(address) === AF.INET6 ? v6 : v4] = address;
}

/**
 * The IFLA_LINKINFO and the attributes beside it (IFLA_LINK) of a new link: resolves the links
 * it names (`resolve` yields requests) and opens the namespaces (`netnsFd`).
 */
export function* linkData(
  spec: NewLink,
  // deno-lint-ignore no-explicit-any
  resolve: (ref: LinkRef, what: string) => Generator<any, number, any>,
  netnsFd: (ns: NetnsRef) => number,
  // deno-lint-ignore no-explicit-any
): Generator<any, { attrs: Obj }, any> {
  const attrs: Obj = {};
  const data: Obj = {};
  const s = spec as NewLink & Obj;
  switch (spec.kind) {
    case "veth": {
      const p = (spec as NewVeth).peer;
      if (p !== undefined) {
        const peer: Obj = {};
        put(peer, "ifname", p.name);
        put(peer, "mtu", p.mtu);
        put(peer, "address", p.address);
        if (p.netns !== undefined) peer.netNsFd = netnsFd(p.netns);
        data.peer = peer;
      }
      break;
    }
    case "vlan": {
      const v = spec as NewVlan;
      if (!Number.isInteger(v.id) || v.id < 0 || v.id > 4095) {
        throw new RangeError(`Cannot add vlan ${v.name}: id ${v.id} is not 0..4095`);
      }
      attrs.link = yield* resolve(v.link, "link");
      data.id = v.id;
      if (v.protocol !== undefined) data.protocol = v.protocol === "802.1ad" ? "8021ad" : "8021q";
      break;
    }
    case "vxlan": {
      const v = spec as NewVxlan;
      if (v.vni !== undefined) {
        if (!Number.isInteger(v.vni) || v.vni < 0 || v.vni > 0xffffff) {
          throw new RangeError(`Cannot add vxlan ${v.name}: vni ${v.vni} is not 0..16777215`);
        }
        data.id = v.vni;
      }
      v4or6(data, "group", "group6", v.remote ?? v.multicast);
      v4or6(data, "local", "local6", v.local);
      put(data, "port", v.port);
      if (v.dev !== undefined) data.link = yield* resolve(v.dev, "dev");
      put(data, "ttl", v.ttl);
      put(data, "tos", v.tos);
      put(data, "learning", bit(v.learning));
      put(data, "collectMetadata", bit(v.external));
      put(data, "udpCsum", bit(v.udpCsum));
      put(data, "ageing", v.ageing);
      if (v.gbp) data.gbp = true;
      break;
    }
    case "geneve": {
      const g = spec as NewGeneve;
      put(data, "id", g.vni);
      v4or6(data, "remote", "remote6", g.remote);
      put(data, "port", g.port);
      put(data, "ttl", g.ttl);
      put(data, "tos", g.tos);
      if (g.external) data.collectMetadata = true;
      put(data, "udpCsum", bit(g.udpCsum));
      break;
    }
    case "bridge": {
      const b = spec as NewBridge;
      put(data, "stpState", bit(b.stp));
      put(data, "vlanFiltering", bit(b.vlanFiltering));
      put(data, "forwardDelay", b.forwardDelay);
      put(data, "helloTime", b.helloTime);
      put(data, "maxAge", b.maxAge);
      put(data, "ageingTime", b.ageingTime);
      put(data, "priority", b.priority);
      break;
    }
    case "macvlan":
    case "macvtap": {
      const m = spec as NewMacvlan;
      attrs.link = yield* resolve(m.link, "link");
      put(data, "mode", m.mode);
      break;
    }
    case "bond": {
      const b = spec as NewBond;
      put(data, "mode", b.mode);
      put(data, "miimon", b.miimon);
      break;
    }
    case "vrf":
      data.table = (spec as NewVrf).table;
      break;
    case "gre":
    case "gretap":
    case "ip6gre":
    case "ip6gretap":
    case "erspan": {
      const g = spec as NewGre;
      put(data, "local", g.local);
      put(data, "remote", g.remote);
      if (g.key !== undefined) {
        data.ikey = g.key;
        data.okey = g.key;
        data.iflags = 0x2000; // GRE_KEY, network order as the kernel reads it
        data.oflags = 0x2000;
      }
      put(data, "ttl", g.ttl);
      if (g.dev !== undefined) data.link = yield* resolve(g.dev, "dev");
      if (g.external) data.collectMetadata = true;
      break;
    }
    default: {
      const o = spec as NewOtherLink;
      if (o.link !== undefined) attrs.link = yield* resolve(o.link, "link");
    }
  }
  if (s.data !== undefined) Object.assign(data, s.data);
  attrs.linkinfo = Object.keys(data).length > 0 ? { kind: spec.kind, data } : { kind: spec.kind };
  return { attrs };
}
