/**
 * Tunnel ports the way ovs-vswitchd makes them (lib/dpif-netlink-rtnl.c): the tunnel device is
 * created through rtnetlink in flow-based ("external", collect-metadata) mode, up, MTU 65000,
 * VXLAN without learning and with zero IPv6 UDP checksums accepted, on the port's UDP port;
 * an existing device of that name is checked and replaced when it does not match; the datapath
 * then gets it as an ordinary netdev port. Removing such a port removes its device.
 *
 * @module
 */

import { NetlinkError } from "../protocol/errors.ts";
import { ERRNO } from "../protocol/errno.ts";
import type { RouteClient } from "../route/client.ts";
import type { Link } from "../route/link.ts";

/**
 * Tunnel port types made through rtnetlink: the kernel's vport types (`gre`, `vxlan`,
 * `geneve`) and those only rtnetlink can make (`ip6gre`, `erspan`, `ip6erspan`).
 *
 * @example
 * ```ts
 * import type { TunnelType } from "@nlts/netlink/ovs";
 * const t: TunnelType = "geneve";
 * ```
 */
export type TunnelType = "vxlan" | "geneve" | "gre" | "ip6gre" | "erspan" | "ip6erspan";

/** The link kind of each tunnel type (OVS's "gre" is Ethernet over GRE: gretap). */
export const TUNNEL_KINDS: Readonly<Record<TunnelType, string>> = {
  vxlan: "vxlan",
  geneve: "geneve",
  gre: "gretap",
  ip6gre: "ip6gretap",
  erspan: "erspan",
  ip6erspan: "ip6erspan",
};

/** Default UDP ports (IANA), as ovs-dpctl uses them. */
export const TUNNEL_PORTS: Readonly<Partial<Record<TunnelType, number>>> = {
  vxlan: 4789,
  geneve: 6081,
};

/**
 * The configuration a tunnel device is made with and checked against.
 *
 * @example
 * ```ts
 * import type { TunnelConfig } from "@nlts/netlink/ovs";
 * const vx: TunnelConfig = { type: "vxlan", dstPort: 4789, gbp: true };
 * ```
 */
export interface TunnelConfig {
  /** Tunnel type. */
  type: TunnelType;
  /** UDP destination port (vxlan, geneve). */
  dstPort?: number;
  /** VXLAN Group Based Policy extension. */
  gbp?: boolean;
  /** VXLAN Generic Protocol Extension. */
  gpe?: boolean;
  /** `legacy_l3`: a gre port carries IP packets (kind gre, not gretap). */
  packetType?: "legacy_l2" | "legacy_l3";
}

/** The link kind of tunnel `c`. */
export function tunnelKind(c: TunnelConfig): string {
  return c.type === "gre" && c.packetType === "legacy_l3" ? "gre" : TUNNEL_KINDS[c.type];
}

/** Tunnels get the largest MTU every kind accepts (lib/dpif-netlink-rtnl.c MAX_MTU). */
const MAX_MTU = 65000;

/**
 * Whether `t` is a type made through rtnetlink.
 *
 * @example
 * ```ts
 * import { isTunnelType } from "@nlts/netlink/ovs";
 * console.log(isTunnelType("geneve"), isTunnelType("internal")); // true false
 * ```
 */
export function isTunnelType(t: unknown): t is TunnelType {
  return typeof t === "string" && Object.hasOwn(TUNNEL_KINDS, t);
}

function kindData(c: TunnelConfig): Record<string, unknown> {
  switch (c.type) {
    case "vxlan": {
      const d: Record<string, unknown> = {
        learning: 0,
        collectMetadata: 1,
        udpZeroCsum6Rx: 1,
        port: c.dstPort ?? TUNNEL_PORTS.vxlan,
      };
      if (c.gbp) d.gbp = true;
      if (c.gpe) d.gpe = true;
      return d;
    }
    case "geneve":
      return {
        collectMetadata: true,
        udpZeroCsum6Rx: 1,
        port: c.dstPort ?? TUNNEL_PORTS.geneve,
      };
    default:
      return { collectMetadata: true };
  }
}

/**
 * Why the device `l` is not the tunnel `c` describes (undefined: it is): the checks of
 * dpif_netlink_rtnl_verify().
 */
export function tunnelMismatch(l: Link, c: TunnelConfig): string | undefined {
  const kind = tunnelKind(c);
  if (l.kind !== kind) return `it is ${l.kind ?? "a device without a kind"}, not ${kind}`;
  const d = (l.linkinfo?.data ?? {}) as Record<string, unknown>;
  const want = kindData(c);
  for (const [k, v] of Object.entries(want)) {
    const have = d[k];
    const same = v === true ? have === true || have === 1 : have === v;
    if (!same) return `its ${k} is ${have === undefined ? "unset" : String(have)}, not ${v}`;
  }
  return undefined;
}

/**
 * Makes the tunnel device `name` as ovs-vswitchd does: created up with MTU 65000 in
 * flow-based mode; when a device of that name exists it is kept if it matches, else deleted
 * and made again; the result is checked. Returns the device.
 */
export async function createTunnelDevice(
  rt: RouteClient,
  name: string,
  c: TunnelConfig,
): Promise<Link> {
  const kind = tunnelKind(c);
  const make = async () => {
    await rt.addLink({ kind, name, up: true, mtu: MAX_MTU, data: kindData(c) });
    if (c.type === "gre" || c.type === "ip6gre") {
      // GRE drivers ignore IFLA_MTU in RTM_NEWLINK (Red Hat bug 1488484): set it again, and a
      // smaller one where the device cannot take 65000.
      try {
        await rt.setLink(name, { mtu: MAX_MTU });
      } catch {
        await rt.setLink(name, { mtu: 1450 }).catch(() => {});
      }
    }
  };
  try {
    await make();
  } catch (e) {
    if (!(e instanceof NetlinkError && e.errno === ERRNO.EEXIST)) throw e;
    let existing: Link;
    try {
      existing = await rt.link(name);
    } catch {
      throw e; // EEXIST for another reason (a flow-based device on that UDP port already)
    }
    if (tunnelMismatch(existing, c) === undefined) return existing;
    await rt.delLink(name);
    await make();
  }
  const made = await rt.link(name);
  const why = tunnelMismatch(made, c);
  if (why !== undefined) {
    await rt.delLink(name).catch(() => {});
    throw new NetlinkError(ERRNO.EINVAL, {
      operation: `rt-link.newlink ${kind} ${name}`,
      hint: `The kernel made a ${kind} device that is not what Open vSwitch needs: ${why}`,
    });
  }
  return made;
}

/**
 * Whether `l` is a tunnel device in flow-based mode (what {@link createTunnelDevice} makes),
 * which goes when its port is removed.
 */
export function isTunnelDevice(l: Link): boolean {
  if (l.kind === undefined || ![...Object.values(TUNNEL_KINDS), "gre"].includes(l.kind)) {
    return false;
  }
  const d = (l.linkinfo?.data ?? {}) as Record<string, unknown>;
  return d.collectMetadata === true || d.collectMetadata === 1;
}
