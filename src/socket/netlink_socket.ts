/**
 * {@link NetlinkSocket}: a netlink socket of any protocol, with synchronous request/dump
 * exchanges (the kernel answers inside `sendmsg`), batched requests, multicast groups and an
 * async iterator of notifications that waits without blocking the event loop.
 *
 * @module
 */

import { getLibc } from "../ffi/mod.ts";
import type { Libc } from "../ffi/types.ts";
import { CMSGHDR, decodeSockaddrNl, encodeSockaddrNl } from "../ffi/structs.ts";
import {
  NETLINK_SOCKOPT,
  netlinkProtocolName,
  NLM_F,
  NLM_F_GET,
  NLMSG,
  NLMSG_HDRLEN,
  SO,
  SOL,
} from "../protocol/constants.ts";
import {
  DumpInterruptedError,
  type ExtAck,
  NetlinkError,
  SyscallError,
} from "../protocol/errors.ts";
import { decodeDoneMessage, decodeErrorMessage } from "../protocol/message.ts";
import { MessageIterator } from "../protocol/reader.ts";
import { AF, CLONE, EFD, MSG, O, POLL, SOCK } from "../ffi/constants.ts";
import { ERRNO as E } from "../protocol/errno.ts";
import { trace, tracing } from "./trace.ts";

/** Options of {@link NetlinkSocket.open}. */
export interface NetlinkSocketOptions {
  /** Socket type: "raw" (default) or "dgram"; netlink treats both alike. */
  type?: "raw" | "dgram";
  /** Port id to bind; 0 (default) lets the kernel assign one. */
  portid?: number;
  /** Bitmask of multicast groups 1..32 to bind to (group N is bit N-1). */
  groups?: number;
  /**
   * Network namespace to open the socket in: a name under /run/netns (as `ip netns add NAME`
   * creates) or an absolute path such as /proc/PID/ns/net.
   */
  netns?: string;
  /**
   * Switch on NETLINK_EXT_ACK, NETLINK_CAP_ACK and NETLINK_GET_STRICT_CHK (default true):
   * error messages from the kernel, short acknowledgements, strict checking of dump requests.
   */
  strict?: boolean;
  /**
   * Accept unicast messages from user-space senders (portid != 0), e.g. for NETLINK_USERSOCK
   * peers. Default: true for NETLINK_USERSOCK, false otherwise (replies must come from the kernel).
   */
  userToUser?: boolean;
  /** Initial receive buffer in bytes (default 65536, at least 32768). Grown on demand. */
  receiveBufferSize?: number;
  /** SO_RCVBUF to request, in bytes (the kernel doubles it). */
  rcvbuf?: number;
  /**
   * How truncation is prevented. "peek" peeks at each datagram's size first, so no message is
   * ever cut (one extra syscall per datagram). "grow" reads straight into the buffer and, if a
   * datagram did not fit, grows the buffer and raises an EMSGSIZE SyscallError for that one
   * message. "auto" (default): "grow" for kernel peers, whose messages fit the 64 KiB buffer
   * (dump batches are at most 32 KiB), "peek" for user-to-user sockets, whose peers may send
   * datagrams of any size.
   */
  receiveMode?: "auto" | "peek" | "grow";
  /** Name used in error messages and traces, e.g. "nlctrl". */
  name?: string;
  /**
   * The libc calls the socket makes (default: the runtime's, `getLibc()`). Pass an in-memory
   * one, such as `FakeKernel` from `@nlts/netlink/testing`, to run code against a fake kernel
   * with no FFI, no root and no Linux. Sockets opened on behalf of this one (a
   * GenlSocket's side sockets, subscriptions) use the same transport.
   */
  transport?: Libc;
}

/**
 * A netlink message received from the kernel or a peer (an owned copy).
 */
export interface NetlinkMessage {
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags`. */
  flags: number;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`. */
  pid: number;
  /** The payload after the 16-byte header (owned copy). */
  payload: Uint8Array;
  /**
   * Port id of the sending socket (0 for the kernel), from the datagram's source address; set
   * on messages yielded by {@link NetlinkSocket.messages}.
   */
  sender?: number;
  /** Multicast group bitmask the datagram was delivered to (0 for unicast); set on messages(). */
  groups?: number;
  /**
   * The multicast group number the datagram was delivered to, 0 for unicast; set on
   * messages(). Exact for every group (from `NETLINK_PKTINFO`, which sockets turn on when they
   * join a group), where `groups` can only name groups 1-32.
   */
  group?: number;
}

/** A message to send: type, flags and payload; the socket fills length, seq and pid. */
export interface NetlinkMessageInit {
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags` (NLM_F_REQUEST is added by requests). */
  flags?: number;
  /** Payload after the header. */
  payload?: Uint8Array;
}

/** The group a multicast bitmask names when it has exactly one bit; 0 otherwise. */
function groupOfMask(groups: number): number {
  return groups !== 0 && (groups & (groups - 1)) === 0 ? 31 - Math.clz32(groups) + 1 : 0;
}

/**
 * The group of a NETLINK_PKTINFO control message (`struct nl_pktinfo`) in `ctl[0, len)`;
 * the bitmask's group when there is none.
 */
function pktinfoGroup(v: DataView, len: number, groups: number): number {
  const H = CMSGHDR.size;
  for (let o = 0; o + H <= len;) {
    const cl = Number(v.getBigUint64(o + CMSGHDR.len, true));
    if (cl < H || o + cl > len) break;
    if (
      v.getInt32(o + CMSGHDR.level, true) === SOL.NETLINK &&
      v.getInt32(o + CMSGHDR.type, true) === NETLINK_SOCKOPT.PKTINFO && cl >= H + 4
    ) return v.getUint32(o + H, true);
    o += (cl + 7) & ~7;
  }
  return groupOfMask(groups);
}

/** Options of {@link NetlinkSocket.request} and {@link NetlinkSocket.dump}. */
export interface RequestOptions {
  /** Operation name for errors, e.g. "nlctrl.getfamily". */
  operation?: string;
  /**
   * Ask for an acknowledgement (NLM_F_ACK). Default: true for requests; dumps never need it.
   * With an ACK, a request that has no reply still reports success or failure.
   */
  ack?: boolean;
  /** Milliseconds to wait when the reply is not yet queued (default 5000; -1 = forever). */
  timeoutMs?: number;
  /** For dumps: how many times to restart a dump that ended with NLM_F_DUMP_INTR (default 0). */
  retryInterrupted?: number;
  /** Called with the ext-ack of a failed request to fill in {@link ExtAck.attributePath}. */
  describeExtAck?: (ack: ExtAck) => void;
}

/** Called for each reply message with a view into the receive buffer (valid during the call). */
export type MessageHandler = (it: MessageIterator) => void;

/** Options of {@link NetlinkSocket.batchSync}. */
export interface BatchOptions extends Omit<RequestOptions, "retryInterrupted"> {
  /**
   * Messages per sendmsg (default 64). The kernel queues each reply during the send; a chunk
   * whose replies overflow the receive queue (SO_RCVBUF) fails with ENOBUFS, so raise SO_RCVBUF
   * before raising this.
   */
  chunk?: number;
}

/** The result of one message in {@link NetlinkSocket.batchSync}. */
export type BatchResult =
  | { ok: true; seq: number; replies: NetlinkMessage[] }
  | { ok: false; seq: number; error: NetlinkError };

interface Exchange {
  seq: number;
  /** The caller gave up; late replies are dropped silently until the exchange's end. */
  abandoned?: boolean;
  dump: boolean;
  ack: boolean;
  /** The request carried NLM_F_ECHO (its echo may come with a multicast group set). */
  echo?: boolean;
  operation: string;
  done: boolean;
  interrupted: boolean;
  error: NetlinkError | undefined;
  onMessage: MessageHandler;
  describeExtAck?: (ack: ExtAck) => void;
}

const MIN_RECV = 32768;

function netnsPath(netns: string): string {
  return netns.startsWith("/") ? netns : `/run/netns/${netns}`;
}

/**
 * A netlink socket. Open it with {@link NetlinkSocket.open}; close it with `close()` or `using`.
 *
 * Requests are synchronous underneath: `sendmsg`, then `recvmsg(MSG.DONTWAIT)` until the reply
 * and acknowledgement (or NLMSG_DONE) arrive. Only when nothing is queued yet does it wait, off
 * the main thread. Unicast messages that answer nothing we asked and multicast messages are kept
 * for {@link NetlinkSocket.messages}.
 *
 * @example
 * ```ts
 * import { NETLINK, NetlinkSocket, NLM_F } from "@nlts/netlink";
 * using sock = NetlinkSocket.open(NETLINK.GENERIC);
 * // CTRL_CMD_GETFAMILY (3), version 1, CTRL_ATTR_FAMILY_NAME (2) = "nlctrl"
 * const payload = new Uint8Array([3, 1, 0, 0, 11, 0, 2, 0, ...new TextEncoder().encode("nlctrl"), 0, 0]);
 * const [reply] = sock.requestSync({ type: 0x10, payload });
 * console.log(reply.type, reply.payload.length);
 * ```
 */
export class NetlinkSocket {
  /** The netlink protocol number (NETLINK.*). */
  readonly protocol: number;
  /** Name used in error messages. */
  readonly name: string;
  readonly #libc: Libc;
  #fd: number;
  #eventfd = -1;
  #portid = 0;
  #seq: number;
  #buf: Uint8Array;
  #peek: boolean;
  #userToUser: boolean;
  #pending: NetlinkMessage[] = [];
  #pendingLimit = 65536;
  #pendingLost = 0;
  #waiting = 0;
  #closed = false;
  #enobufs = false;
  readonly #addr = new Uint8Array(12);

  private constructor(libc: Libc, fd: number, protocol: number, options: NetlinkSocketOptions) {
    this.#libc = libc;
    this.#fd = fd;
    this.protocol = protocol;
    this.name = options.name ?? netlinkProtocolName(protocol) ?? `netlink protocol ${protocol}`;
    this.#seq = (Math.floor(Math.random() * 0x7fffffff) + 1) >>> 0;
    const size = Math.max(options.receiveBufferSize ?? 65536, MIN_RECV);
    this.#buf = new Uint8Array(size);
    this.#userToUser = options.userToUser ?? protocol === 2;
    const mode = options.receiveMode ?? "auto";
    this.#peek = mode === "peek" || (mode === "auto" && this.#userToUser);
  }

  /**
   * Opens and binds a netlink socket (`SOCK.NONBLOCK | SOCK.CLOEXEC`).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: "blue" });
   * console.log(route.portid);
   * ```
   */
  static open(protocol: number, options: NetlinkSocketOptions = {}): NetlinkSocket {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 31) {
      throw new RangeError(
        `Cannot open netlink socket: protocol ${protocol} must be an integer 0..31`,
      );
    }
    const transport = options.transport;
    if (transport !== undefined && (typeof transport !== "object" || transport === null)) {
      throw new TypeError(
        "Cannot open netlink socket: transport must be a Libc-shaped object (e.g. a FakeKernel)",
      );
    }
    const libc = transport ?? getLibc();
    const type = (options.type === "dgram" ? SOCK.DGRAM : SOCK.RAW) | SOCK.NONBLOCK | SOCK.CLOEXEC;
    const fd = options.netns
      ? openInNetns(libc, netnsPath(options.netns), protocol, type)
      : socketOrThrow(libc, protocol, type);
    const sock = new NetlinkSocket(libc, fd, protocol, options);
    try {
      sock.#bind(options.portid ?? 0, options.groups ?? 0);
      if (options.strict ?? true) {
        // Each of these may be missing on old kernels; failing to enable one is not fatal.
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.EXT_ACK, 1, false);
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.CAP_ACK, 1, false);
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.GET_STRICT_CHK, 1, false);
      }
      if (options.rcvbuf) sock.setSocketOption(SOL.SOCKET, SO.RCVBUF, options.rcvbuf);
    } catch (e) {
      sock.close();
      throw e;
    }
    return sock;
  }

  /**
   * The libc calls this socket makes: the runtime's, or the transport given to
   * {@link NetlinkSocket.open} (open sibling sockets with it to stay on the same fake kernel).
   */
  get transport(): Libc {
    return this.#libc;
  }

  /** The file descriptor (for advanced use; -1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  /** The port id the socket is bound to (assigned by the kernel unless given). */
  get portid(): number {
    return this.#portid;
  }

  /** True once {@link NetlinkSocket.close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Size of the receive buffer in bytes (grows when a datagram does not fit). */
  get receiveBufferSize(): number {
    return this.#buf.length;
  }

  #check(op: string): void {
    if (this.#closed) throw new TypeError(`Cannot ${op}: the ${this.name} socket is closed`);
  }

  #bind(portid: number, groups: number): void {
    const r = this.#libc.bind(this.#fd, encodeSockaddrNl(portid, groups));
    if (r.ret < 0) {
      throw new SyscallError(
        "bind",
        r.errno,
        r.errno === E.EADDRINUSE
          ? `port id ${portid} is taken by another socket`
          : r.errno === E.EPERM
          ? `binding to multicast groups 0x${groups.toString(16)} needs CAP_NET_ADMIN (run as root)`
          : r.errno === E.EINVAL
          ? `groups 0x${groups.toString(16)} are not valid for ${this.name}`
          : undefined,
      );
    }
    if (groups !== 0) this.#usePktinfo(true);
    const addr = new Uint8Array(12);
    const g = this.#libc.getsockname(this.#fd, addr);
    if (g.ret < 0) throw new SyscallError("getsockname", g.errno);
    this.#portid = decodeSockaddrNl(addr).pid;
  }

  /**
   * Sets the default destination (a peer's port id, or multicast groups); `send` without an
   * address then goes there, and only that peer's messages are received.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using a = NetlinkSocket.open(NETLINK.USERSOCK);
   * using b = NetlinkSocket.open(NETLINK.USERSOCK);
   * a.connect(b.portid);
   * a.send(new Uint8Array(16));
   * ```
   */
  connect(portid: number, groups = 0): void {
    this.#check("connect");
    const r = this.#libc.connect(this.#fd, encodeSockaddrNl(portid, groups));
    if (r.ret < 0) throw new SyscallError("connect", r.errno);
  }

  /**
   * Removes the default destination set by {@link NetlinkSocket.connect} (connect to AF.UNSPEC).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using a = NetlinkSocket.open(NETLINK.USERSOCK);
   * a.connect(0);
   * a.disconnect();
   * ```
   */
  disconnect(): void {
    this.#check("disconnect");
    const addr = new Uint8Array(12);
    new DataView(addr.buffer).setUint16(0, AF.UNSPEC, true);
    const r = this.#libc.connect(this.#fd, addr);
    if (r.ret < 0) throw new SyscallError("connect", r.errno, "disconnect (AF.UNSPEC)");
  }

  /**
   * Joins multicast group `group` (1-based, any number; not limited to 32 like bind groups).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * s.joinGroup(1); // RTNLGRP_LINK
   * ```
   */
  joinGroup(group: number): void {
    this.#check("join group");
    this.#groupOp(NETLINK_SOCKOPT.ADD_MEMBERSHIP, group, "join");
    this.#usePktinfo(true);
  }

  /**
   * NETLINK_PKTINFO on or off: with it, every datagram names the group it was sent to (any
   * group number; the source address only has a bitmask of groups 1-32). Turned on when the
   * socket joins a group, so that a notification of a group above 32 is never mistaken for a
   * reply to one of our requests.
   */
  #usePktinfo(on: boolean): void {
    if (on === (this.#ctl !== undefined)) return;
    const v = new Uint8Array(4);
    v[0] = on ? 1 : 0;
    const r = this.#libc.setsockopt(this.#fd, SOL.NETLINK, NETLINK_SOCKOPT.PKTINFO, v);
    if (r.ret < 0 && on) return; // a kernel without it: the bitmask is all we get
    this.#setCtl(on);
  }

  #setCtl(on: boolean): void {
    this.#ctl = on ? new Uint8Array(64) : undefined;
    this.#ctlView = on ? new DataView(this.#ctl!.buffer) : undefined;
  }

  /**
   * Leaves multicast group `group`.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * s.joinGroup(1);
   * s.leaveGroup(1);
   * ```
   */
  leaveGroup(group: number): void {
    this.#check("leave group");
    this.#groupOp(NETLINK_SOCKOPT.DROP_MEMBERSHIP, group, "leave");
  }

  #groupOp(opt: number, group: number, verb: string): void {
    if (!Number.isInteger(group) || group < 1 || group > 0xffffffff) {
      throw new RangeError(`Cannot ${verb} group ${group}: groups are integers >= 1`);
    }
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, group, true);
    const r = this.#libc.setsockopt(this.#fd, SOL.NETLINK, opt, v);
    if (r.ret < 0) {
      throw new SyscallError(
        "setsockopt",
        r.errno,
        r.errno === E.EINVAL
          ? `${this.name} has no multicast group ${group}`
          : r.errno === E.EPERM
          ? `joining group ${group} of ${this.name} needs CAP_NET_ADMIN (run as root)`
          : `${verb} group ${group}`,
      );
    }
  }

  /**
   * Lists the multicast groups this socket is a member of (NETLINK_LIST_MEMBERSHIPS).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE, { groups: 1 });
   * console.log(s.groups()); // [1]
   * ```
   */
  groups(): number[] {
    this.#check("list groups");
    let buf = new Uint8Array(16);
    for (;;) {
      const r = this.#libc.getsockopt(this.#fd, SOL.NETLINK, NETLINK_SOCKOPT.LIST_MEMBERSHIPS, buf);
      if (r.ret < 0) throw new SyscallError("getsockopt", r.errno, "NETLINK_LIST_MEMBERSHIPS");
      if (r.ret > buf.length) {
        buf = new Uint8Array(r.ret);
        continue;
      }
      const out: number[] = [];
      const v = new DataView(buf.buffer);
      for (let word = 0; word * 4 < r.ret; word++) {
        const bits = v.getUint32(word * 4, true);
        for (let b = 0; b < 32; b++) if (bits & (1 << b)) out.push(word * 32 + b + 1);
      }
      return out;
    }
  }

  #setIntOption(level: number, name: number, value: number, throwOnError: boolean): boolean {
    const v = new Uint8Array(4);
    new DataView(v.buffer).setInt32(0, value, true);
    const r = this.#libc.setsockopt(this.#fd, level, name, v);
    if (r.ret < 0 && throwOnError) {
      throw new SyscallError("setsockopt", r.errno, `level ${level} option ${name} = ${value}`);
    }
    return r.ret >= 0;
  }

  /**
   * Sets an integer socket option: a netlink one (`NETLINK_SOCKOPT.*` at SOL.NETLINK) given as
   * a name, or any option as `(level, name, value)` via {@link NetlinkSocket.setSocketOption}.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * s.setOption("NO_ENOBUFS", true);
   * ```
   */
  setOption(option: keyof typeof NETLINK_SOCKOPT, value: boolean | number): void {
    this.#check("set option");
    const name = NETLINK_SOCKOPT[option];
    if (name === undefined) {
      throw new TypeError(`Cannot set option ${option}: unknown netlink option`);
    }
    if (name === NETLINK_SOCKOPT.PKTINFO) {
      this.#setIntOption(SOL.NETLINK, name, value ? 1 : 0, true);
      this.#setCtl(Boolean(value));
      return;
    }
    this.#setIntOption(
      SOL.NETLINK,
      name,
      typeof value === "boolean" ? (value ? 1 : 0) : value,
      true,
    );
  }

  /**
   * Reads an integer netlink socket option.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.GENERIC);
   * console.log(s.getOption("EXT_ACK")); // 1
   * ```
   */
  getOption(option: keyof typeof NETLINK_SOCKOPT): number {
    this.#check("get option");
    const name = NETLINK_SOCKOPT[option];
    if (name === undefined) {
      throw new TypeError(`Cannot get option ${option}: unknown netlink option`);
    }
    return this.getSocketOption(SOL.NETLINK, name);
  }

  /**
   * Sets an integer socket option at any level, e.g. `(SOL.SOCKET, SO.RCVBUFFORCE, 1 << 20)`.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket, SO, SOL } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * s.setSocketOption(SOL.SOCKET, SO.RCVBUF, 1 << 20);
   * ```
   */
  setSocketOption(level: number, name: number, value: number): void {
    this.#check("set socket option");
    const v = new Uint8Array(4);
    new DataView(v.buffer).setInt32(0, value, true);
    const r = this.#libc.setsockopt(this.#fd, level, name, v);
    if (r.ret < 0) {
      throw new SyscallError(
        "setsockopt",
        r.errno,
        r.errno === E.EPERM
          ? `option ${name} at level ${level} needs CAP_NET_ADMIN (run as root)`
          : `option ${name} at level ${level} = ${value}`,
      );
    }
  }

  /**
   * Reads an integer socket option at any level, e.g. `(SOL.SOCKET, SO.RCVBUF)`.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket, SO, SOL } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * console.log(s.getSocketOption(SOL.SOCKET, SO.RCVBUF));
   * ```
   */
  getSocketOption(level: number, name: number): number {
    this.#check("get socket option");
    const v = new Uint8Array(4);
    const r = this.#libc.getsockopt(this.#fd, level, name, v);
    if (r.ret < 0) {
      throw new SyscallError("getsockopt", r.errno, `option ${name} at level ${level}`);
    }
    return new DataView(v.buffer).getInt32(0, true);
  }

  /** Next sequence number (never 0: 0 marks unsolicited messages). */
  nextSeq(): number {
    let s = (this.#seq + 1) >>> 0;
    if (s === 0) s = 1;
    this.#seq = s;
    return s;
  }

  /**
   * Sends raw bytes (one or more complete messages) to `portid`/`groups`, or to the connected
   * peer (or the kernel) when no address is given. Returns the number of bytes sent.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using a = NetlinkSocket.open(NETLINK.USERSOCK);
   * using b = NetlinkSocket.open(NETLINK.USERSOCK);
   * const msg = new Uint8Array(16);
   * new DataView(msg.buffer).setUint32(0, 16, true);
   * a.send(msg, { portid: b.portid });
   * ```
   */
  send(
    data: Uint8Array | readonly Uint8Array[],
    to?: { portid?: number; groups?: number },
  ): number {
    this.#check("send");
    const iov = data instanceof Uint8Array ? [data] : data;
    const addr = to ? encodeSockaddrNl(to.portid ?? 0, to.groups ?? 0) : null;
    if (tracing()) { for (const b of iov) trace("send", this.name, b, this.protocol); }
    for (;;) {
      const r = this.#libc.sendmsg(this.#fd, iov, addr, 0);
      if (r.ret >= 0) return r.ret;
      if (r.errno === E.EINTR) continue;
      if (r.errno === E.ECONNREFUSED && to?.groups && !to.portid) {
        // The kernel broadcasts first, then also unicasts to portid 0, which has no socket for
        // user protocols: the multicast went out, so this is success.
        let n = 0;
        for (const b of iov) n += b.length;
        return n;
      }
      throw new SyscallError(
        "sendmsg",
        r.errno,
        r.errno === E.EAGAIN
          ? "the peer's receive queue is full"
          : r.errno === E.ECONNREFUSED
          ? `no socket is bound to port id ${to?.portid ?? "(connected peer)"}`
          : undefined,
      );
    }
  }

  /**
   * Receives one datagram without waiting, or returns null when none is queued. The result is a
   * view into the socket's receive buffer, valid until the next receive. Messages already queued
   * for {@link NetlinkSocket.messages} are not returned here.
   *
   * @example
   * ```ts
   * import { MessageIterator, NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.USERSOCK);
   * const d = s.receive();
   * if (d) for (const it = new MessageIterator(d.data); it.next();) console.log(it.type);
   * ```
   */
  receive(): { data: Uint8Array; portid: number; groups: number; group: number } | null {
    this.#check("receive");
    const r = this.#recv();
    if (r < 0) return null;
    return {
      data: this.#buf.subarray(0, r),
      portid: this.#lastPortid,
      groups: this.#lastGroups,
      group: this.#lastGroup,
    };
  }

  #lastPortid = 0;
  #lastGroups = 0;
  /** The group of the last datagram (NETLINK_PKTINFO, or the bitmask's one bit); 0: unicast. */
  #lastGroup = 0;
  /** Control buffer for NETLINK_PKTINFO, while it is on. */
  #ctl: Uint8Array | undefined;
  #ctlView: DataView | undefined;
  #iter: MessageIterator | undefined;
  /** Exchanges in progress by seq; replies are routed to them whoever reads the datagram. */
  readonly #active = new Map<number, Exchange>();

  /** Reads one datagram into #buf; returns its length, or -1 when nothing is queued. */
  #recv(): number {
    const libc = this.#libc;
    for (;;) {
      let buf = this.#buf;
      if (this.#peek) {
        const p = libc.recvmsg(this.#fd, buf, MSG.DONTWAIT | MSG.PEEK | MSG.TRUNC);
        if (p.ret < 0) {
          if (p.errno === E.EINTR) continue;
          if (p.errno === E.EAGAIN) return -1;
          this.#recvError(p.errno);
        }
        if (p.ret > buf.length) {
          this.#buf = buf = new Uint8Array(Math.max(p.ret, buf.length * 2));
        }
        // Consume it: the whole datagram fits now.
      }
      const ctl = this.#ctl;
      const r = libc.recvmsg(this.#fd, buf, MSG.DONTWAIT | MSG.TRUNC, ctl);
      if (r.ret < 0) {
        if (r.errno === E.EINTR) continue;
        if (r.errno === E.EAGAIN) return -1;
        this.#recvError(r.errno);
      }
      this.#lastPortid = r.portid;
      this.#lastGroups = r.groups;
      this.#lastGroup = ctl !== undefined && r.controlLen > 0
        ? pktinfoGroup(this.#ctlView!, r.controlLen, r.groups)
        : groupOfMask(r.groups);
      if (r.ret > buf.length || (r.msgFlags & MSG.TRUNC) !== 0) {
        const size = r.ret;
        this.#buf = new Uint8Array(Math.max(size, buf.length * 2));
        throw new SyscallError(
          "recvmsg",
          E.EMSGSIZE,
          `a ${size}-byte datagram did not fit the ${buf.length}-byte receive buffer and was cut; the buffer is now ${this.#buf.length} bytes (use receiveMode "peek" to never lose one)`,
        );
      }
      if (tracing()) trace("recv", this.name, buf.subarray(0, r.ret), this.protocol);
      return r.ret;
    }
  }

  #recvError(errno: number): never {
    if (errno === E.ENOBUFS) {
      this.#enobufs = true;
      throw new SyscallError(
        "recvmsg",
        errno,
        "the socket's receive queue overflowed and notifications were lost; resynchronise (dump) and continue",
      );
    }
    throw new SyscallError("recvmsg", errno);
  }

  /**
   * Processes one received datagram: each message whose seq belongs to an active exchange
   * (a request, dump or batch in progress on this socket, whichever is reading) goes to it; anything else is kept for `messages()`. Returns how many
   * exchanges finished.
   */
  #process(len: number): number {
    const data = this.#buf;
    const unicast = this.#lastGroup === 0 && this.#lastGroups === 0 &&
      (this.#lastPortid === 0 || this.#userToUser);
    // The answer to an NLM_F_ECHO request of a family that reports through genl_notify() (OVS
    // flows) is the multicast skb unicast to us: its source address names the group.
    const echo = !unicast && this.#lastPortid === 0;
    let it = this.#iter;
    if (it === undefined || it.data !== data) it = this.#iter = new MessageIterator(data, 0, len);
    else it.reset(0, len);
    let finished = 0;
    while (it.next()) {
      let x = unicast ? this.#active.get(it.seq) : undefined;
      if (echo && it.pid === this.#portid) {
        const e = this.#active.get(it.seq);
        if (e?.echo) x = e;
      }
      if (x === undefined || x.done) {
        if (it.type !== NLMSG.NOOP) this.#keep(it);
        continue;
      }
      switch (it.type) {
        case NLMSG.NOOP:
          continue;
        case NLMSG.ERROR: {
          // An ACK (error 0) needs no decoding; only errors are decoded in full.
          if (it.length < 20 || it.view.getInt32(it.payloadOffset, true) !== 0) {
            const e = decodeErrorMessage(data, it.offset, it.length, it.flags);
            x.error = this.#kernelError(x, e.errno, e.extAck);
          }
          this.#end(x); // an ACK or an error ends the exchange
          finished++;
          continue;
        }
        case NLMSG.DONE: {
          if (it.flags & NLM_F.DUMP_INTR) x.interrupted = true;
          const d = decodeDoneMessage(data, it.offset, it.length, it.flags);
          if (d.errno !== 0) x.error = this.#kernelError(x, d.errno, d.extAck);
          this.#end(x);
          finished++;
          continue;
        }
        case NLMSG.OVERRUN:
          x.error = this.#kernelError(x, E.ENOBUFS, undefined);
          this.#end(x);
          finished++;
          continue;
      }
      if (it.flags & NLM_F.DUMP_INTR) x.interrupted = true;
      x.onMessage(it);
      // A plain reply (not part of a multipart series) ends a request without ACK.
      if (!x.dump && !x.ack && !(it.flags & NLM_F.MULTI)) {
        this.#end(x);
        finished++;
      }
    }
    return finished;
  }

  #end(x: Exchange): void {
    x.done = true;
    this.#active.delete(x.seq);
  }

  #kernelError(x: Exchange, errno: number, extAck: ExtAck | undefined): NetlinkError {
    if (extAck && x.describeExtAck) x.describeExtAck(extAck);
    return new NetlinkError(errno, { operation: x.operation, seq: x.seq, extAck });
  }

  #keep(it: MessageIterator): void {
    if (this.#pending.length >= this.#pendingLimit) {
      this.#pendingLost++;
      return;
    }
    this.#pending.push({
      type: it.type,
      flags: it.flags,
      seq: it.seq,
      pid: it.pid,
      payload: it.payload(),
      sender: this.#lastPortid,
      groups: this.#lastGroups,
      group: this.#lastGroup,
    });
  }

  #encode(msg: NetlinkMessageInit | Uint8Array, flags: number, seq: number): Uint8Array {
    let bytes: Uint8Array;
    if (msg instanceof Uint8Array) {
      if (msg.length < NLMSG_HDRLEN) {
        throw new RangeError(
          `Cannot send a message of ${msg.length} bytes: the header alone is 16`,
        );
      }
      bytes = msg;
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (v.getUint32(0, true) === 0) v.setUint32(0, bytes.length, true);
      v.setUint16(6, v.getUint16(6, true) | flags, true);
      v.setUint32(8, seq, true);
    } else {
      const payload = msg.payload ?? new Uint8Array(0);
      bytes = new Uint8Array(NLMSG_HDRLEN + ((payload.length + 3) & ~3));
      const v = new DataView(bytes.buffer);
      v.setUint32(0, NLMSG_HDRLEN + payload.length, true);
      v.setUint16(4, msg.type, true);
      v.setUint16(6, (msg.flags ?? 0) | flags, true);
      v.setUint32(8, seq, true);
      bytes.set(payload, NLMSG_HDRLEN);
    }
    return bytes;
  }

  /**
   * The low-level exchange every request and dump uses: sends `message` (the socket sets seq and
   * adds NLM_F_REQUEST, plus NLM_F_ACK or NLM_F_DUMP), then reads until the exchange ends and
   * calls `onMessage` with a cursor over each reply (a view into the receive buffer, valid only
   * during the call). Synchronous; when no reply is queued yet it blocks in poll() up to
   * `timeoutMs` (use the async methods to wait without blocking).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * let links = 0;
   * s.exchangeSync({ type: 18, payload: new Uint8Array(16) }, { dump: true }, () => links++);
   * console.log(links);
   * ```
   */
  exchangeSync(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions & { dump?: boolean },
    onMessage: MessageHandler,
  ): void {
    const x = this.#start(message, options, onMessage);
    const timeout = options.timeoutMs ?? 5000;
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    try {
      while (!x.done) {
        const n = this.#recv();
        if (n >= 0) {
          this.#process(n);
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw this.#timeout(x, timeout);
        this.#pollSync(left === Infinity ? -1 : Math.ceil(left));
      }
    } finally {
      if (!x.done) this.#abandon(x);
    }
    this.#finish(x);
  }

  /**
   * Like {@link NetlinkSocket.exchangeSync}, but waits for late replies off the main thread.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * let links = 0;
   * await s.exchange({ type: 18, payload: new Uint8Array(16) }, { dump: true }, () => links++);
   * ```
   */
  async exchange(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions & { dump?: boolean },
    onMessage: MessageHandler,
  ): Promise<void> {
    const x = this.#start(message, options, onMessage);
    const timeout = options.timeoutMs ?? 5000;
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    try {
      while (!x.done) {
        const n = this.#recv();
        if (n >= 0) {
          this.#process(n);
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw this.#timeout(x, timeout);
        await this.#wait(left === Infinity ? -1 : Math.ceil(left));
      }
    } finally {
      if (!x.done) this.#abandon(x);
    }
    this.#finish(x);
  }

  #start(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions & { dump?: boolean },
    onMessage: MessageHandler,
  ): Exchange {
    this.#check(options.dump ? "dump" : "request");
    const dump = options.dump ?? false;
    const ack = !dump && (options.ack ?? true);
    const seq = this.nextSeq();
    const flags = NLM_F.REQUEST | (dump ? NLM_F_GET.DUMP : 0) | (ack ? NLM_F.ACK : 0);
    const bytes = this.#encode(message, flags, seq);
    const x: Exchange = {
      seq,
      dump,
      ack,
      echo: ((bytes[6] | (bytes[7] << 8)) & NLM_F.ECHO) !== 0,
      operation: options.operation ?? `${this.name} message type ${bytes[4] | (bytes[5] << 8)}`,
      done: false,
      interrupted: false,
      error: undefined,
      onMessage,
      describeExtAck: options.describeExtAck,
    };
    this.#active.set(seq, x);
    try {
      this.send(bytes);
    } catch (e) {
      this.#end(x);
      throw e;
    }
    return x;
  }

  #finish(x: Exchange): void {
    if (x.error) throw x.error;
    if (x.interrupted && x.dump) throw new DumpInterruptedError(x.operation, []);
  }

  #timeout(x: Exchange, ms: number): SyscallError {
    return new SyscallError(
      "recvmsg",
      E.EAGAIN,
      `no reply to ${x.operation} within ${ms} ms`,
    );
  }

  #pollSync(timeoutMs: number): void {
    const fds = new Uint8Array(8);
    const v = new DataView(fds.buffer);
    v.setInt32(0, this.#fd, true);
    v.setInt16(4, POLL.IN, true);
    const r = this.#libc.poll(fds, 1, timeoutMs);
    if (r.ret < 0 && r.errno !== E.EINTR) throw new SyscallError("poll", r.errno);
  }

  #ensureEventfd(): number {
    if (this.#eventfd < 0) {
      const r = this.#libc.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
      if (r.ret < 0) throw new SyscallError("eventfd", r.errno);
      this.#eventfd = r.ret;
    }
    return this.#eventfd;
  }

  /** Waits until readable; rejects when the socket is closed meanwhile. */
  async #wait(timeoutMs: number): Promise<"readable" | "timeout"> {
    const efd = this.#ensureEventfd();
    this.#waiting++;
    let res: "readable" | "cancelled" | "timeout" | "error";
    try {
      res = await this.#libc.waitReadable(this.#fd, efd, timeoutMs);
    } finally {
      this.#waiting--;
    }
    if (this.#closed || res === "cancelled") {
      throw new TypeError(`Cannot receive: the ${this.name} socket was closed while waiting`);
    }
    if (res === "error") throw new SyscallError("poll", E.EINVAL, "waiting for the socket failed");
    return res;
  }

  /**
   * Sends a request and returns its replies (owned copies). With `ack` (the default) the kernel's
   * acknowledgement is awaited and consumed, so nothing is left behind for the next call. A
   * kernel error raises {@link NetlinkError}.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.GENERIC);
   * const payload = new Uint8Array([3, 1, 0, 0, 11, 0, 2, 0, ...new TextEncoder().encode("nlctrl"), 0, 0]);
   * const replies = await s.request({ type: 0x10, payload }, { operation: "nlctrl.getfamily" });
   * ```
   */
  async request(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions = {},
  ): Promise<NetlinkMessage[]> {
    const out: NetlinkMessage[] = [];
    await this.exchange(message, { ...options, dump: false }, (it) => out.push(ownMessage(it)));
    return out;
  }

  /**
   * Synchronous {@link NetlinkSocket.request} (blocks in poll() if the reply is late).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.GENERIC);
   * const payload = new Uint8Array([3, 1, 0, 0, 11, 0, 2, 0, ...new TextEncoder().encode("nlctrl"), 0, 0]);
   * const [reply] = s.requestSync({ type: 0x10, payload });
   * ```
   */
  requestSync(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions = {},
  ): NetlinkMessage[] {
    const out: NetlinkMessage[] = [];
    this.exchangeSync(message, { ...options, dump: false }, (it) => out.push(ownMessage(it)));
    return out;
  }

  /**
   * Dumps: sends `message` with NLM_F_DUMP and yields every reply until NLMSG_DONE (an error in
   * the DONE payload is raised). Reads one datagram at a time, so memory stays bounded. When
   * the kernel flags the dump NLM_F_DUMP_INTR, it is restarted up to `retryInterrupted` times,
   * then {@link DumpInterruptedError} is raised (with the messages of the last attempt).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * for await (const m of s.dump({ type: 18, payload: new Uint8Array(16) })) console.log(m.type);
   * ```
   */
  async *dump(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions = {},
  ): AsyncGenerator<NetlinkMessage, void, undefined> {
    for await (const batch of this.#dumpDatagrams(message, options, ownMessage, true)) {
      for (const m of batch) yield m;
    }
  }

  /**
   * Dumps like {@link NetlinkSocket.dump}, but hands every reply to `map` as a cursor into the
   * receive buffer (valid only during the call: copy what you keep) and yields, per datagram,
   * the array of what `map` returned (`undefined` is left out). The fast way to decode a large
   * dump asynchronously: no owned copy of each message, one await per datagram (about 32 KiB of
   * replies) instead of one per message. Memory stays bounded. After `retryInterrupted`
   * restarts, an interrupted dump raises {@link DumpInterruptedError} without messages (the
   * batches already yielded are the caller's).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * let links = 0;
   * for await (const types of s.dumpBatches({ type: 18, payload: new Uint8Array(16) }, {}, (it) => it.type)) {
   *   links += types.length;
   * }
   * console.log(links);
   * ```
   */
  dumpBatches<T>(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions,
    map: (it: MessageIterator) => T | undefined,
  ): AsyncGenerator<T[], void, undefined> {
    if (typeof map !== "function") throw new TypeError("Cannot dump: map must be a function");
    // Copied now: the generator's body (and its own copy) only runs at the first next().
    const request = message instanceof Uint8Array ? message.slice() : message;
    return this.#dumpDatagrams(request, options, map, false);
  }

  async *#dumpDatagrams<T>(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions,
    map: (it: MessageIterator) => T | undefined,
    keepSeen: boolean,
  ): AsyncGenerator<T[], void, undefined> {
    let retries = options.retryInterrupted ?? 0;
    const copy = message instanceof Uint8Array ? message.slice() : message;
    for (;;) {
      let batch: T[] = [];
      const seen: T[] = [];
      const x = this.#start(
        copy instanceof Uint8Array ? copy.slice() : copy,
        { ...options, dump: true },
        (it) => {
          const v = map(it);
          if (v !== undefined) batch.push(v);
        },
      );
      const timeout = options.timeoutMs ?? 5000;
      try {
        while (!x.done) {
          const n = this.#recv();
          if (n < 0) {
            if ((await this.#wait(timeout)) === "timeout") throw this.#timeout(x, timeout);
            continue;
          }
          this.#process(n);
          if (x.interrupted) {
            if (keepSeen) seen.push(...batch);
            batch.length = 0;
          } else if (batch.length > 0) {
            // Deliver what arrived before an error in the same datagram, then raise it.
            const out = batch;
            batch = [];
            yield out;
          }
          if (x.error) throw x.error;
        }
      } finally {
        if (!x.done) this.#abandon(x);
      }
      if (x.error) throw x.error;
      if (!x.interrupted) return;
      if (retries-- > 0) continue;
      throw new DumpInterruptedError(x.operation, seen as unknown as NetlinkMessage[]);
    }
  }

  /**
   * Forgets an exchange that ends early (an error, a timeout, a consumer that stopped iterating a
   * dump): its remaining replies are read and dropped now if queued, and any arriving later are
   * recognised by seq and dropped too (the exchange stays registered, done, until its end).
   */
  #abandon(x: Exchange): void {
    x.onMessage = () => {};
    x.error = undefined;
    try {
      for (let i = 0; i < 100000 && !x.done; i++) {
        const n = this.#recv();
        if (n < 0) break;
        this.#process(n);
      }
    } catch {
      // closing or broken socket: nothing left to drain
    }
    if (!x.done) {
      // Keep routing its late replies to a sink until the end message arrives.
      x.abandoned = true;
    }
  }

  /**
   * Synchronous dump into an array of owned messages.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * console.log(s.dumpSync({ type: 18, payload: new Uint8Array(16) }).length);
   * ```
   */
  dumpSync(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions = {},
  ): NetlinkMessage[] {
    let retries = options.retryInterrupted ?? 0;
    for (;;) {
      const out: NetlinkMessage[] = [];
      try {
        this.exchangeSync(
          message instanceof Uint8Array ? message.slice() : message,
          { ...options, dump: true },
          (it) => out.push(ownMessage(it)),
        );
        return out;
      } catch (e) {
        if (!(e instanceof DumpInterruptedError)) throw e;
        if (retries-- > 0) continue;
        throw new DumpInterruptedError(e.operation, out);
      }
    }
  }

  /**
   * Sends many requests in one `sendmsg` and matches the replies by seq. Each message gets
   * NLM_F_REQUEST | NLM_F_ACK; results come back in order, failures as values (not thrown).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.GENERIC);
   * const get = (name: string) => {
   *   const n = new TextEncoder().encode(name);
   *   const p = new Uint8Array(4 + ((4 + n.length + 1 + 3) & ~3));
   *   p.set([3, 1, 0, 0, 4 + n.length + 1, 0, 2, 0]);
   *   p.set(n, 8);
   *   return { type: 0x10, payload: p };
   * };
   * const results = s.batchSync([get("nlctrl"), get("no-such-family")]);
   * console.log(results.map((r) => r.ok)); // [true, false]
   * ```
   */
  batchSync(
    messages: readonly (NetlinkMessageInit | Uint8Array)[],
    options: BatchOptions = {},
  ): BatchResult[] {
    this.#check("batch");
    if (messages.length === 0) return [];
    const exchanges: Exchange[] = [];
    const replies: NetlinkMessage[][] = [];
    const parts: Uint8Array[] = [];
    const ack = options.ack ?? true;
    for (let i = 0; i < messages.length; i++) {
      const seq = this.nextSeq();
      const list: NetlinkMessage[] = [];
      replies.push(list);
      parts.push(this.#encode(messages[i], NLM_F.REQUEST | (ack ? NLM_F.ACK : 0), seq));
      exchanges.push({
        seq,
        dump: false,
        ack,
        operation: options.operation ?? `${this.name} batch[${i}]`,
        done: false,
        interrupted: false,
        error: undefined,
        onMessage: (it) => list.push(ownMessage(it)),
        describeExtAck: options.describeExtAck,
      });
    }
    for (const x of exchanges) this.#active.set(x.seq, x);
    try {
      const timeout = options.timeoutMs ?? 5000;
      let open = exchanges.length;
      // Send `chunk` messages per sendmsg and read the replies queued by then before sending more:
      // the kernel answers inside sendmsg, and replies that do not fit the receive queue are lost.
      const chunk = options.chunk ?? 64;
      let sent = 0;
      while (sent < parts.length) {
        const end = Math.min(parts.length, sent + chunk);
        this.send(parts.slice(sent, end));
        sent = end;
        for (let n = this.#recv(); n >= 0; n = this.#recv()) open -= this.#process(n);
      }
      const deadline = Date.now() + timeout;
      while (open > 0) {
        const n = this.#recv();
        if (n >= 0) {
          open -= this.#process(n);
          continue;
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new SyscallError("recvmsg", E.EAGAIN, `no reply to a batch within ${timeout} ms`);
        }
        this.#pollSync(left);
      }
    } finally {
      for (const x of exchanges) if (!x.done) this.#abandon(x);
    }
    return exchanges.map((x, i): BatchResult =>
      x.error
        ? { ok: false, seq: x.seq, error: x.error }
        : { ok: true, seq: x.seq, replies: replies[i] }
    );
  }

  /**
   * Async iterator of messages nobody asked for: multicast notifications, and unicast messages
   * that answer no pending request (e.g. from a NETLINK_USERSOCK peer). Waits off the main
   * thread without blocking the event loop. Ends when `signal` aborts or the socket closes.
   * A receive-queue overflow (ENOBUFS: notifications were lost) is raised as a
   * {@link SyscallError} with code "ENOBUFS"; the socket stays usable, so the consumer can
   * resynchronise (dump) and iterate again.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE, { groups: 1 }); // RTMGRP_LINK
   * const ac = new AbortController();
   * setTimeout(() => ac.abort(), 1000);
   * for await (const m of s.messages({ signal: ac.signal })) console.log("link event", m.type);
   * ```
   */
  async *messages(
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<NetlinkMessage, void, undefined> {
    const { signal } = options;
    const onAbort = () => this.#cancelWaits();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted || this.#closed) return;
        while (this.#pending.length > 0) {
          const m = this.#pending.shift()!;
          yield m;
          if (signal?.aborted || this.#closed) return;
        }
        if (this.#pendingLost > 0) {
          const lost = this.#pendingLost;
          this.#pendingLost = 0;
          throw new SyscallError(
            "recvmsg",
            E.ENOBUFS,
            `${lost} notifications were dropped because nobody read them; resynchronise (dump) and continue`,
          );
        }
        let n: number;
        try {
          n = this.#recv();
        } catch (e) {
          if (this.#closed) return;
          throw e;
        }
        if (n >= 0) {
          this.#process(n);
          continue;
        }
        try {
          await this.#wait(-1);
        } catch (e) {
          if (this.#closed || signal?.aborted) return;
          throw e;
        }
        if (signal?.aborted) return;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Wakes every pending wait (they resolve as cancelled). */
  #cancelWaits(): void {
    if (this.#eventfd >= 0 && this.#waiting > 0) {
      const one = new Uint8Array(8);
      one[0] = 1;
      this.#libc.write(this.#eventfd, one);
    }
  }

  /** True when a receive-queue overflow (ENOBUFS) was reported since the socket opened. */
  get overflowed(): boolean {
    return this.#enobufs;
  }

  /**
   * Closes the socket; pending waits reject, iterators end. Safe to call twice.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * const s = NetlinkSocket.open(NETLINK.GENERIC);
   * s.close();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelWaits();
    this.#libc.close(this.#fd);
    this.#fd = -1;
    if (this.#eventfd >= 0) {
      const efd = this.#eventfd;
      this.#eventfd = -1;
      // A waiter may still be polling the eventfd: close it once waits have observed the cancel.
      if (this.#waiting > 0) setTimeout(() => this.#libc.close(efd), 100);
      else this.#libc.close(efd);
    }
  }

  /** Same as {@link NetlinkSocket.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function ownMessage(it: MessageIterator): NetlinkMessage {
  return { type: it.type, flags: it.flags, seq: it.seq, pid: it.pid, payload: it.payload() };
}

function socketOrThrow(libc: Libc, protocol: number, type: number): number {
  const r = libc.socket(AF.NETLINK, type, protocol);
  if (r.ret >= 0) return r.ret;
  const name = netlinkProtocolName(protocol);
  throw new SyscallError(
    "socket",
    r.errno,
    r.errno === E.EPROTONOSUPPORT
      ? `this kernel has no netlink protocol ${protocol}${name ? ` (NETLINK_${name})` : ""}`
      : r.errno === E.EPERM || r.errno === E.EACCES
      ? `opening NETLINK_${name ?? protocol} needs more privileges (CAP_NET_ADMIN)`
      : undefined,
  );
}

function openInNetns(libc: Libc, path: string, protocol: number, type: number): number {
  const self = libc.open("/proc/thread-self/ns/net", O.RDONLY | O.CLOEXEC);
  if (self.ret < 0) throw new SyscallError("open", self.errno, "/proc/thread-self/ns/net");
  try {
    const target = libc.open(path, O.RDONLY | O.CLOEXEC);
    if (target.ret < 0) {
      throw new SyscallError(
        "open",
        target.errno,
        target.errno === E.ENOENT ? `network namespace ${path} does not exist` : path,
      );
    }
    try {
      const s = libc.setns(target.ret, CLONE.NEWNET);
      if (s.ret < 0) {
        throw new SyscallError(
          "setns",
          s.errno,
          s.errno === E.EPERM ? `entering ${path} needs CAP_SYS_ADMIN (run as root)` : path,
        );
      }
      let fd = -1;
      let failure: unknown;
      try {
        fd = socketOrThrow(libc, protocol, type);
      } catch (e) {
        failure = e;
      }
      const back = libc.setns(self.ret, CLONE.NEWNET);
      if (back.ret < 0) {
        // Continuing in the wrong namespace would be far worse than failing loudly.
        if (fd >= 0) libc.close(fd);
        throw new SyscallError("setns", back.errno, "cannot return to the original namespace");
      }
      if (failure !== undefined) throw failure;
      return fd;
    } finally {
      libc.close(target.ret);
    }
  } finally {
    libc.close(self.ret);
  }
}
