/**
 * Netlink protocol numbers, message types, header flags, socket options and extended-ack
 * attribute types, spelled as in `<linux/netlink.h>`.
 *
 * Flags whose bits mean different things per request kind are split into separate objects:
 * {@link NLM_F} (every message), {@link NLM_F_GET}, {@link NLM_F_NEW}, {@link NLM_F_DELETE}
 * and {@link NLM_F_ACK_FLAGS}.
 *
 * @module
 */

/**
 * Netlink protocol (family) numbers: the third argument of `socket(AF_NETLINK, type, protocol)`.
 *
 * @example
 * ```ts
 * import { NETLINK } from "@nlts/netlink/protocol";
 * console.log(NETLINK.GENERIC); // 16
 * ```
 */
export const NETLINK: {
  readonly ROUTE: 0;
  readonly UNUSED: 1;
  readonly USERSOCK: 2;
  readonly FIREWALL: 3;
  readonly SOCK_DIAG: 4;
  readonly INET_DIAG: 4;
  readonly NFLOG: 5;
  readonly XFRM: 6;
  readonly SELINUX: 7;
  readonly ISCSI: 8;
  readonly AUDIT: 9;
  readonly FIB_LOOKUP: 10;
  readonly CONNECTOR: 11;
  readonly NETFILTER: 12;
  readonly IP6_FW: 13;
  readonly DNRTMSG: 14;
  readonly KOBJECT_UEVENT: 15;
  readonly GENERIC: 16;
  readonly SCSITRANSPORT: 18;
  readonly ECRYPTFS: 19;
  readonly RDMA: 20;
  readonly CRYPTO: 21;
  readonly SMC: 22;
} = {
  ROUTE: 0,
  UNUSED: 1,
  USERSOCK: 2,
  FIREWALL: 3,
  SOCK_DIAG: 4,
  INET_DIAG: 4,
  NFLOG: 5,
  XFRM: 6,
  SELINUX: 7,
  ISCSI: 8,
  AUDIT: 9,
  FIB_LOOKUP: 10,
  CONNECTOR: 11,
  NETFILTER: 12,
  IP6_FW: 13,
  DNRTMSG: 14,
  KOBJECT_UEVENT: 15,
  GENERIC: 16,
  SCSITRANSPORT: 18,
  ECRYPTFS: 19,
  RDMA: 20,
  CRYPTO: 21,
  SMC: 22,
} as const;

/**
 * Returns the kernel name of a netlink protocol number (`"GENERIC"` for 16), or `undefined`.
 *
 * @example
 * ```ts
 * import { netlinkProtocolName } from "@nlts/netlink/protocol";
 * console.log(netlinkProtocolName(0)); // "ROUTE"
 * ```
 */
export function netlinkProtocolName(protocol: number): string | undefined {
  if (
    typeof protocol !== "number" || !Number.isInteger(protocol) || protocol < 0 || protocol > 31
  ) {
    const Err = typeof protocol === "number" ? RangeError : TypeError;
    throw new Err(
      `Cannot name netlink protocol: protocol must be an integer 0..31, not ${
        typeof protocol === "number" ? protocol : typeof protocol
      }`,
    );
  }
  if (protocol === 4) return "SOCK_DIAG";
  for (const [name, value] of Object.entries(NETLINK)) if (value === protocol) return name;
  return undefined;
}

/**
 * Control message types (`nlmsg_type` below {@link NLMSG_MIN_TYPE}).
 *
 * @example
 * ```ts
 * import { NLMSG } from "@nlts/netlink/protocol";
 * console.log(NLMSG.DONE); // 3
 * ```
 */
export const NLMSG: {
  readonly NOOP: 1;
  readonly ERROR: 2;
  readonly DONE: 3;
  readonly OVERRUN: 4;
} = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

/**
 * The first message type that is not a control message.
 *
 * @example
 * ```ts
 * import { NLMSG_MIN_TYPE } from "@nlts/netlink/protocol";
 * console.log(NLMSG_MIN_TYPE); // 16
 * ```
 */
export const NLMSG_MIN_TYPE = 0x10 as const;

/**
 * Header flags valid on every message.
 *
 * @example
 * ```ts
 * import { NLM_F } from "@nlts/netlink/protocol";
 * const flags = NLM_F.REQUEST | NLM_F.ACK;
 * ```
 */
export const NLM_F: {
  readonly REQUEST: 0x01;
  readonly MULTI: 0x02;
  readonly ACK: 0x04;
  readonly ECHO: 0x08;
  readonly DUMP_INTR: 0x10;
  readonly DUMP_FILTERED: 0x20;
} = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
} as const;

/**
 * Header flags of GET requests.
 *
 * @example
 * ```ts
 * import { NLM_F, NLM_F_GET } from "@nlts/netlink/protocol";
 * const flags = NLM_F.REQUEST | NLM_F_GET.DUMP;
 * ```
 */
export const NLM_F_GET: {
  readonly ROOT: 0x100;
  readonly MATCH: 0x200;
  readonly ATOMIC: 0x400;
  readonly DUMP: 0x300;
} = { ROOT: 0x100, MATCH: 0x200, ATOMIC: 0x400, DUMP: 0x300 } as const;

/**
 * Header flags of NEW requests.
 *
 * @example
 * ```ts
 * import { NLM_F_NEW } from "@nlts/netlink/protocol";
 * const flags = NLM_F_NEW.CREATE | NLM_F_NEW.EXCL;
 * ```
 */
export const NLM_F_NEW: {
  readonly REPLACE: 0x100;
  readonly EXCL: 0x200;
  readonly CREATE: 0x400;
  readonly APPEND: 0x800;
} = { REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800 } as const;

/**
 * Header flags of DELETE requests.
 *
 * @example
 * ```ts
 * import { NLM_F_DELETE } from "@nlts/netlink/protocol";
 * console.log(NLM_F_DELETE.BULK); // 0x200
 * ```
 */
export const NLM_F_DELETE: { readonly NONREC: 0x100; readonly BULK: 0x200 } = {
  NONREC: 0x100,
  BULK: 0x200,
} as const;

/**
 * Header flags of NLMSG_ERROR acknowledgements.
 *
 * @example
 * ```ts
 * import { NLM_F_ACK_FLAGS } from "@nlts/netlink/protocol";
 * console.log(NLM_F_ACK_FLAGS.ACK_TLVS); // 0x200
 * ```
 */
export const NLM_F_ACK_FLAGS: { readonly CAPPED: 0x100; readonly ACK_TLVS: 0x200 } = {
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

/**
 * Socket options at level `SOL.NETLINK` (`NETLINK_*` socket options).
 *
 * @example
 * ```ts
 * import { NETLINK_SOCKOPT } from "@nlts/netlink/protocol";
 * console.log(NETLINK_SOCKOPT.EXT_ACK); // 11
 * ```
 */
export const NETLINK_SOCKOPT: {
  readonly ADD_MEMBERSHIP: 1;
  readonly DROP_MEMBERSHIP: 2;
  readonly PKTINFO: 3;
  readonly BROADCAST_ERROR: 4;
  readonly NO_ENOBUFS: 5;
  readonly RX_RING: 6;
  readonly TX_RING: 7;
  readonly LISTEN_ALL_NSID: 8;
  readonly LIST_MEMBERSHIPS: 9;
  readonly CAP_ACK: 10;
  readonly EXT_ACK: 11;
  readonly GET_STRICT_CHK: 12;
} = {
  ADD_MEMBERSHIP: 1,
  DROP_MEMBERSHIP: 2,
  PKTINFO: 3,
  BROADCAST_ERROR: 4,
  NO_ENOBUFS: 5,
  RX_RING: 6,
  TX_RING: 7,
  LISTEN_ALL_NSID: 8,
  LIST_MEMBERSHIPS: 9,
  CAP_ACK: 10,
  EXT_ACK: 11,
  GET_STRICT_CHK: 12,
} as const;

/**
 * Socket option levels (`SOL_*`), the `level` argument of `Libc.setsockopt`.
 *
 * @example
 * ```ts
 * import { SOL } from "@nlts/netlink/protocol";
 * console.log(SOL.NETLINK); // 270
 * ```
 */
export const SOL: { readonly SOCKET: 1; readonly NETLINK: 270 } = {
  SOCKET: 1,
  NETLINK: 270,
} as const;

/**
 * `SOL_SOCKET` option names (`SO_*`) from `<asm-generic/socket.h>`.
 *
 * @example
 * ```ts
 * import { SO, SOL } from "@nlts/netlink/protocol";
 * console.log(SOL.SOCKET, SO.RCVBUF); // 1 8
 * ```
 */
export const SO: {
  readonly TYPE: 3;
  readonly ERROR: 4;
  readonly SNDBUF: 7;
  readonly RCVBUF: 8;
  readonly PASSCRED: 16;
  readonly SNDBUFFORCE: 32;
  readonly RCVBUFFORCE: 33;
  readonly PROTOCOL: 38;
  readonly DOMAIN: 39;
} = {
  TYPE: 3,
  ERROR: 4,
  SNDBUF: 7,
  RCVBUF: 8,
  PASSCRED: 16,
  SNDBUFFORCE: 32,
  RCVBUFFORCE: 33,
  PROTOCOL: 38,
  DOMAIN: 39,
} as const;

/**
 * Socket option level of netlink options (`SOL_NETLINK`): the same number as `SOL.NETLINK`.
 *
 * @deprecated Use {@link SOL}`.NETLINK`.
 *
 * @example
 * ```ts
 * import { SOL, SOL_NETLINK } from "@nlts/netlink/protocol";
 * console.log(SOL_NETLINK === SOL.NETLINK); // true
 * ```
 */
export const SOL_NETLINK: 270 = SOL.NETLINK;

/**
 * Extended-ack TLV types carried after an NLMSG_ERROR payload (`NLMSGERR_ATTR_*`).
 *
 * @example
 * ```ts
 * import { NLMSGERR_ATTR } from "@nlts/netlink/protocol";
 * console.log(NLMSGERR_ATTR.MSG); // 1
 * ```
 */
export const NLMSGERR_ATTR: {
  readonly UNUSED: 0;
  readonly MSG: 1;
  readonly OFFS: 2;
  readonly COOKIE: 3;
  readonly POLICY: 4;
  readonly MISS_TYPE: 5;
  readonly MISS_NEST: 6;
} = { UNUSED: 0, MSG: 1, OFFS: 2, COOKIE: 3, POLICY: 4, MISS_TYPE: 5, MISS_NEST: 6 } as const;

/**
 * Attribute header flag bits and mask (`NLA_F_NESTED`, `NLA_F_NET_BYTEORDER`, `NLA_TYPE_MASK`).
 *
 * @example
 * ```ts
 * import { NLA_F } from "@nlts/netlink/protocol";
 * const type = 5 | NLA_F.NESTED;
 * ```
 */
export const NLA_F: {
  readonly NESTED: 0x8000;
  readonly NET_BYTEORDER: 0x4000;
  readonly TYPE_MASK: 0x3fff;
} = { NESTED: 0x8000, NET_BYTEORDER: 0x4000, TYPE_MASK: 0x3fff } as const;

/**
 * The flag bits of an attribute's type field (`NLA_F_NESTED | NLA_F_NET_BYTEORDER`): what
 * `nla_type & ~NLA_TYPE_MASK` keeps.
 *
 * @example
 * ```ts
 * import { NLA_FLAG_BITS } from "@nlts/netlink/protocol";
 * console.log(NLA_FLAG_BITS.toString(16)); // "c000"
 * ```
 */
export const NLA_FLAG_BITS: number = NLA_F.NESTED | NLA_F.NET_BYTEORDER;

/**
 * Length of `struct nlmsghdr` (16 bytes).
 *
 * @example
 * ```ts
 * import { NLMSG_HDRLEN } from "@nlts/netlink/protocol";
 * console.log(NLMSG_HDRLEN); // 16
 * ```
 */
export const NLMSG_HDRLEN = 16 as const;

/**
 * Length of `struct nlattr` (4 bytes).
 *
 * @example
 * ```ts
 * import { NLA_HDRLEN } from "@nlts/netlink/protocol";
 * console.log(NLA_HDRLEN); // 4
 * ```
 */
export const NLA_HDRLEN = 4 as const;

/**
 * Rounds a length up to netlink's 4-byte alignment (`NLMSG_ALIGN`, `NLA_ALIGN`).
 *
 * @example
 * ```ts
 * import { align4 } from "@nlts/netlink/protocol";
 * console.log(align4(5)); // 8
 * ```
 */
export function align4(n: number): number {
  if (typeof n !== "number" || (n >>> 0) !== n || n > 0x7ffffffc) {
    const Err = typeof n === "number" ? RangeError : TypeError;
    throw new Err(
      `Cannot align length: it must be an integer 0..2147483644, not ${
        typeof n === "number" ? n : typeof n
      }`,
    );
  }
  return (n + 3) & ~3;
}
