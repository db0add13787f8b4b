/**
 * Neighbours (ARP and NDP entries, bridge FDB entries) as rtnetlink reports them
 * ({@link Neighbour}, from RTM_NEWNEIGH: `struct ndmsg` and the rt-neigh spec's attributes).
 *
 * @module
 */

import type { RawHeaderOf, RawReplyOf } from "../ynl/raw_family.ts";
import type { rtNeigh } from "../families/rt_neigh.ts";
import { type Family, familyName } from "./address.ts";

/**
 * The decoded attributes of an RTM_NEWNEIGH (the rt-neigh spec's `neighbour-attrs`).
 *
 * @example
 * ```ts
 * import type { NeighbourAttrs } from "@nlts/netlink/route";
 * const a: NeighbourAttrs = { dst: "10.0.0.2", lladdr: "02:00:00:00:00:02" };
 * ```
 */
export type NeighbourAttrs = RawReplyOf<typeof rtNeigh, "getneigh">;
/**
 * The decoded `struct ndmsg`.
 *
 * @example
 * ```ts
 * import type { NeighbourHeader } from "@nlts/netlink/route";
 * const h: Partial<NeighbourHeader> = { ndmFamily: 2, ndmIfindex: 2, ndmState: ["reachable"] };
 * ```
 */
export type NeighbourHeader = RawHeaderOf<typeof rtNeigh, "getneigh">;

/**
 * A neighbour entry, as `ip neigh show` describes it.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * for (const n of rt.neighboursSync()) console.log(n.address, n.lladdr, n.state);
 * ```
 */
export interface Neighbour {
  /** `inet`, `inet6`, or 7 (AF_BRIDGE) for bridge FDB entries. */
  family: Family;
  /** Index of the interface. */
  index: number;
  /** The neighbour's network address (NDA_DST). */
  address?: string;
  /** Its link-layer address (NDA_LLADDR). */
  lladdr?: string;
  /** NUD states by name: `reachable`, `stale`, `permanent`, `noarp`, `failed`... */
  state: string[];
  /** NTF_* flags by name: `router`, `proxy`, `extLearned`, `self`, `master`... */
  flags: string[];
  /** VLAN (bridge FDB entries). */
  vlan?: number;
  /** Master device index (bridge FDB entries). */
  master?: number;
  /** Probes sent. */
  probes?: number;
  /** Who added it (NDA_PROTOCOL). */
  protocol?: number;
  /** Every attribute the kernel sent, decoded by the rt-neigh spec. */
  attrs: NeighbourAttrs;
}

/**
 * A {@link Neighbour} from a decoded RTM_NEWNEIGH.
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtNeigh } from "@nlts/netlink/families/rt_neigh";
 * import { toNeighbour } from "@nlts/netlink/route";
 * using f = RawFamily.open(rtNeigh);
 * for (const m of f.dumpSync("getneigh")) console.log(toNeighbour(m.header, m.attrs).lladdr);
 * ```
 */
export function toNeighbour(h: NeighbourHeader, a: NeighbourAttrs): Neighbour {
  const n: Neighbour = {
    family: familyName(h.ndmFamily),
    index: h.ndmIfindex,
    state: (h.ndmState as readonly (string | number)[]).map(String),
    flags: (h.ndmFlags as readonly (string | number)[]).map(String),
    attrs: a,
  };
  if (a.dst !== undefined) n.address = a.dst;
  if (a.lladdr !== undefined) n.lladdr = a.lladdr;
  if (a.vlan !== undefined) n.vlan = a.vlan;
  if (a.master !== undefined) n.master = a.master;
  if (a.probes !== undefined) n.probes = a.probes;
  if (a.protocol !== undefined) n.protocol = a.protocol;
  return n;
}
