/**
 * Interface addresses as rtnetlink reports them ({@link Address}, from RTM_NEWADDR: `struct
 * ifaddrmsg` and the rt-addr spec's attributes), and prefixes in text (`10.0.0.1/24`).
 *
 * @module
 */

import type { RawHeaderOf, RawReplyOf } from "../ynl/raw_family.ts";
import type { rtAddr } from "../families/rt_addr.ts";
import { AF, scopeName } from "./constants.ts";
import { familyOf } from "./multipath.ts";

/**
 * The decoded attributes of an RTM_NEWADDR (the rt-addr spec's `addr-attrs`).
 *
 * @example
 * ```ts
 * import type { AddressAttrs } from "@nlts/netlink/route";
 * const a: AddressAttrs = { local: "10.0.0.1", address: "10.0.0.1", label: "eth0" };
 * ```
 */
export type AddressAttrs = RawReplyOf<typeof rtAddr, "getaddr">;
/**
 * The decoded `struct ifaddrmsg`.
 *
 * @example
 * ```ts
 * import type { AddressHeader } from "@nlts/netlink/route";
 * const h: Partial<AddressHeader> = { ifaFamily: 2, ifaPrefixlen: 24, ifaIndex: 2 };
 * ```
 */
export type AddressHeader = RawHeaderOf<typeof rtAddr, "getaddr">;

/**
 * `inet` (IPv4), `inet6` (IPv6), or the number of another address family.
 *
 * @example
 * ```ts
 * import type { Family } from "@nlts/netlink/route";
 * const families: Family[] = ["inet", "inet6", 28];
 * ```
 */
export type Family = "inet" | "inet6" | number;

/** iproute2's name of an address family. */
export function familyName(af: number): Family {
  return af === AF.INET ? "inet" : af === AF.INET6 ? "inet6" : af;
}

/** The AF_* number of a family name or number (`undefined` stays undefined). */
export function familyNumber(f: Family | undefined): number | undefined {
  if (f === undefined) return undefined;
  if (f === "inet") return AF.INET;
  if (f === "inet6") return AF.INET6;
  if (typeof f === "number" && Number.isInteger(f) && f >= 0 && f <= 255) return f;
  throw new TypeError(`Cannot use address family ${String(f)}: expected "inet", "inet6" or 0..255`);
}

/**
 * An interface address, as `ip address show` describes it.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * for (const a of rt.addressesSync({ link: "lo" })) console.log(`${a.address}/${a.prefixLength}`, a.scope);
 * ```
 */
export interface Address {
  /** `inet` or `inet6`. */
  family: Family;
  /** Index of the interface. */
  index: number;
  /** The address (IFA_LOCAL, or IFA_ADDRESS where there is no IFA_LOCAL). */
  address: string;
  /** Prefix length. */
  prefixLength: number;
  /** The peer of a point-to-point address (IFA_ADDRESS when it differs from IFA_LOCAL). */
  peer?: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** Label (IPv4: `eth0`, `eth0:1`). */
  label?: string;
  /** Scope: `global`, `link`, `host`, `site` (a number for others). */
  scope: string | number;
  /** IFA_F_* flags by the rt-addr spec's names: `permanent`, `noprefixroute`, `nodad`... */
  flags: string[];
  /** Seconds the address stays valid (0xffffffff: forever). */
  validLifetime?: number;
  /** Seconds the address stays preferred (0xffffffff: forever). */
  preferredLifetime?: number;
  /** Metric of its prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  /** Who added it (IFA_PROTO). */
  proto?: number;
  /** Every attribute the kernel sent, decoded by the rt-addr spec. */
  attrs: AddressAttrs;
}

/**
 * An {@link Address} from a decoded RTM_NEWADDR.
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtAddr } from "@nlts/netlink/families/rt_addr";
 * import { toAddress } from "@nlts/netlink/route";
 * using f = RawFamily.open(rtAddr);
 * for (const m of f.dumpSync("getaddr")) console.log(toAddress(m.header, m.attrs).address);
 * ```
 */
export function toAddress(h: AddressHeader, a: AddressAttrs): Address {
  const local = a.local ?? a.address ?? "";
  const flags = new Set<string>();
  for (const f of h.ifaFlags as readonly (string | number)[]) flags.add(String(f));
  for (const f of (a.flags ?? []) as readonly (string | number)[]) flags.add(String(f));
  const out: Address = {
    family: familyName(h.ifaFamily),
    index: h.ifaIndex,
    address: local,
    prefixLength: h.ifaPrefixlen,
    scope: scopeName(h.ifaScope),
    flags: [...flags],
    attrs: a,
  };
  if (a.local !== undefined && a.address !== undefined && a.address !== a.local) {
    out.peer = a.address;
  }
  if (a.broadcast !== undefined) out.broadcast = a.broadcast;
  if (a.label !== undefined) out.label = a.label;
  if (a.cacheinfo !== undefined) {
    out.validLifetime = a.cacheinfo.ifaValid;
    out.preferredLifetime = a.cacheinfo.ifaPrefered;
  }
  if (a.rtPriority !== undefined) out.metric = a.rtPriority;
  if (a.proto !== undefined) out.proto = a.proto;
  return out;
}

/**
 * A prefix in text: `10.0.0.1/24`, `2001:db8::1/64`, `10.0.0.1` (a host: /32 or /128) or
 * `default` (`0.0.0.0/0`; `::/0` when `family` is `inet6`).
 *
 * @example
 * ```ts
 * import { parsePrefix } from "@nlts/netlink/route";
 * console.log(parsePrefix("10.1.0.0/16")); // { family: 2, address: "10.1.0.0", length: 16 }
 * ```
 */
export function parsePrefix(
  text: string,
  family?: number,
): { family: number; address: string; length: number } {
  if (typeof text !== "string" || text === "") {
    throw new TypeError(`Cannot use prefix ${String(text)}: expected "ADDRESS[/LENGTH]"`);
  }
  if (text === "default" || text === "all" || text === "any") {
    const f = family ?? AF.INET;
    return { family: f, address: f === AF.INET6 ? "::" : "0.0.0.0", length: 0 };
  }
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const f = familyOf(address);
  if (family !== undefined && family !== f) {
    throw new TypeError(
      `Cannot use prefix ${text}: not an ${family === AF.INET6 ? "IPv6" : "IPv4"} prefix`,
    );
  }
  const max = f === AF.INET6 ? 128 : 32;
  let length = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l) || Number(l) > max) {
      throw new RangeError(`Cannot use prefix ${text}: the length must be 0..${max}`);
    }
    length = Number(l);
  }
  return { family: f, address, length };
}
