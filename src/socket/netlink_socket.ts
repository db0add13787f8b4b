/**
 * {@link NetlinkSocket}: a netlink socket of any protocol, with synchronous request/dump
 * exchanges (the kernel answers inside `sendmsg`), batched requests, multicast groups and an
 * async iterator of notifications that waits without blocking the event loop.
 *
 * @module
 */

import { BatchItems } from "./_batch_items.ts";
import { getLibc } from "../ffi/mod.ts";
import type { Libc, RecvResult } from "../ffi/types.ts";
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
import {
  checkBoolean,
  checkBytes,
  checkFunction,
  checkInt,
  checkOneOf,
  checkOptionalInt,
  checkOptions,
  checkString,
  checkTimeout,
  describeValue,
} from "../protocol/_validate.ts";

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
   * creates), an absolute path such as /proc/PID/ns/net, or an open file descriptor of one
   * (left open).
   */
  netns?: string | number;
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
  /**
   * Initial receive buffer in bytes: an integer up to 2^30 (default 65536; values below 32768
   * are raised to it). Grown on demand.
   */
  receiveBufferSize?: number;
  /** SO_RCVBUF to request, in bytes (an integer 0..2^31-1; the kernel doubles it). */
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
  /**
   * For a socket with `NETLINK_LISTEN_ALL_NSID` on (`setOption("LISTEN_ALL_NSID", true)`): the
   * id (in the socket's namespace) of the network namespace a notification came from; absent
   * for notifications of the socket's own namespace. Set on messages().
   */
  nsid?: number;
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

/**
 * The namespace id of a NETLINK_LISTEN_ALL_NSID control message (an int) in `ctl[0, len)`;
 * undefined when there is none (the datagram came from the socket's own namespace).
 */
function listenAllNsid(v: DataView, len: number): number | undefined {
  const H = CMSGHDR.size;
  for (let o = 0; o + H <= len;) {
    const cl = Number(v.getBigUint64(o + CMSGHDR.len, true));
    if (cl < H || o + cl > len) break;
    if (
      v.getInt32(o + CMSGHDR.level, true) === SOL.NETLINK &&
      v.getInt32(o + CMSGHDR.type, true) === NETLINK_SOCKOPT.LISTEN_ALL_NSID && cl >= H + 4
    ) return v.getInt32(o + H, true);
    o += (cl + 7) & ~7;
  }
  return undefined;
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
  /**
   * Milliseconds to wait when the reply is not yet queued (default 5000; -1 = forever; at most
   * 2^31-1). For a dump that waits for its turn (see {@link NetlinkSocket}), also the longest
   * the socket may stay idle while the dump before it has not ended.
   */
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
   * Messages per sendmsg, 1..1024 (default 64). The kernel queues each reply during the send; a chunk
   * whose replies overflow the receive queue (SO_RCVBUF) fails with ENOBUFS, so raise SO_RCVBUF
   * before raising this.
   */
  chunk?: number;
}

/** The result of one message in {@link NetlinkSocket.batchSync}. */
export type BatchResult =
  | { ok: true; seq: number; replies: NetlinkMessage[] }
  | { ok: false; seq: number; error: NetlinkError };

/**
 * Options of {@link NetlinkSocket.sendBatchSync}.
 *
 * @example
 * ```ts
 * import type { SendBatchOptions } from "@nlts/netlink";
 * const o: SendBatchOptions = { ack: "last", operation: (i) => `flow ${i}` };
 * ```
 */
export interface SendBatchOptions {
  /**
   * "each" (default): every request asks for an acknowledgement. "last": only the last one
   * does; the kernel answers a failed request anyway, and it handles the requests in order, so
   * the answer to the last one ends the batch: N requests cost one acknowledgement, not N.
   */
  ack?: "each" | "last";
  /** Names the request at `index` in errors (default: `NAME batch[index]`). */
  operation?: (index: number) => string;
  /** Milliseconds to wait for the kernel's answers when they are not queued yet (default 5000). */
  timeoutMs?: number;
  /** Called with each reply (not acknowledgements and errors): its request's index, a cursor. */
  onReply?: (index: number, it: MessageIterator) => void;
  /** Called with the ext-ack of a failed request to fill in {@link ExtAck.attributePath}. */
  describeExtAck?: (index: number, ack: ExtAck) => void;
}

/**
 * A request of a batch that the kernel refused: its index in the batch and the error.
 *
 * @example
 * ```ts
 * import type { BatchFailure } from "@nlts/netlink";
 * const line = (f: BatchFailure) => `#${f.index}: ${f.error.code}`;
 * ```
 */
export interface BatchFailure {
  /** Position of the request in the batch (0-based). */
  index: number;
  /** The kernel's error. */
  error: NetlinkError;
}

/** Messages of one exchange read by another caller, kept for the exchange in arrival order. */
interface Deferred {
  /** The exchange's messages from one datagram (a copy). */
  data: Uint8Array;
  sender: number;
  groups: number;
  group: number;
  /** The datagram could not be framed: the exchange fails with this when it gets here. */
  error?: unknown;
}

interface Exchange {
  seq: number;
  /**
   * Who processes this exchange's messages: the exchange itself, or the batch it belongs to.
   * A message read by any other caller is copied into {@link Exchange.deferred} instead.
   */
  owner: object;
  /** The caller gave up; late replies are dropped silently until the exchange's end. */
  abandoned?: boolean;
  dump: boolean;
  ack: boolean;
  /** The request carried NLM_F_ECHO (its echo may come with a multicast group set). */
  echo?: boolean;
  operation: string;
  /** The owner has processed the exchange's last message (or gave up once it was read). */
  done: boolean;
  /** The exchange's last message (ACK, error, DONE) was read from the socket, by anyone. */
  ended: boolean;
  interrupted: boolean;
  /** The kernel's answer was an error. */
  error: NetlinkError | undefined;
  /** A reply did not decode, or `onMessage` threw: the exchange fails with this. */
  failure?: unknown;
  onMessage: MessageHandler;
  describeExtAck?: (ack: ExtAck) => void;
  /** Messages read by another caller, waiting for the owner. */
  deferred?: Deferred[];
  /** A dump whose consumer holds it (suspended at a `yield`): others read ahead for it. */
  suspended?: boolean;
  /** The receive queue overflowed while this request waited: its reply may have been lost. */
  overflowed?: boolean;
  /** The batch's exchanges still open; whether a message of the batch was deferred. */
  batch?: { open: number; deferred: boolean };
}

/**
 * The requests of one sendBatchSync, seqs `lo` .. `lo + n - 1`: an exchange is made for a
 * request only when a message with its seq is read (an error, an acknowledgement, a reply), so
 * the requests the kernel accepts without a word (all but the last with `ack: "last"`) cost no
 * object and no map entry.
 */
interface BatchRange {
  lo: number;
  n: number;
  /** Makes the exchange of request `i` (registered by the caller). */
  make: (i: number) => Exchange;
  /** The exchanges made so far, by request index, in the order their first message came. */
  made: Map<number, Exchange> | undefined;
  /** The receive queue overflowed while the batch was open. */
  overflowed: boolean;
}

/**
 * The exchanges in progress by seq. One request at a time is the common case: it sits in a
 * slot, and only a second one at the same time (a batch, a request made while a dump runs)
 * opens a Map. A Map set and delete per round trip cost ~40-80 ns under Deno (an ordered hash
 * table that appends and then rehashes as entries are deleted).
 */
class Exchanges {
  #seq = -1;
  #one: Exchange | undefined;
  #more: Map<number, Exchange> | undefined;
  /** Number of exchanges in progress. */
  size = 0;

  get(seq: number): Exchange | undefined {
    if (seq === this.#seq) return this.#one;
    return this.#more === undefined ? undefined : this.#more.get(seq);
  }

  set(seq: number, x: Exchange): void {
    if (this.#one === undefined) {
      this.#one = x;
      this.#seq = seq;
    } else (this.#more ??= new Map()).set(seq, x);
    this.size++;
  }

  delete(seq: number): void {
    if (seq === this.#seq) {
      this.#one = undefined;
      this.#seq = -1;
      this.size--;
    } else if (this.#more !== undefined && this.#more.delete(seq)) this.size--;
  }

  /** The exchanges in progress (a copy). */
  values(): Exchange[] {
    const all = this.#one === undefined ? [] : [this.#one];
    if (this.#more !== undefined) { for (const x of this.#more.values()) all.push(x); }
    return all;
  }
}

/** How a wait for the socket ended. */
type WaitEnd = "readable" | "woken" | "timeout" | "closed" | "error";

const MIN_RECV = 32768;
/** What a reused one-piece iovec array holds between requests. */
const EMPTY = new Uint8Array(0);
const MAX_RECV = 2 ** 30;
/**
 * A messages() reader stops reading while this many datagrams wait for exchanges whose
 * consumers are busy (a suspended dump), so that it does not pull a whole dump into memory.
 */
const DEFERRED_BACKLOG = 8;
const RECEIVE_MODES = ["auto", "peek", "grow"] as const;
/** The calls of a transport (`Libc`) a socket makes. */
const LIBC_CALLS = [
  "socket",
  "bind",
  "connect",
  "getsockname",
  "setsockopt",
  "getsockopt",
  "sendmsg",
  "recvmsg",
  "poll",
  "close",
  "eventfd",
  "read",
  "write",
  "open",
  "setns",
  "waitReadable",
] as const;
const SOCKET_TYPES = ["raw", "dgram"] as const;

function netnsPath(netns: string): string {
  return netns.startsWith("/") ? netns : `/run/netns/${netns}`;
}

/** Validates every option of {@link NetlinkSocket.open} before anything is allocated. */
function checkOpenOptions(options: unknown): NetlinkSocketOptions {
  const verb = "open netlink socket";
  const o = checkOptions<NetlinkSocketOptions>(options, verb);
  checkOneOf(o.type, verb, "type", SOCKET_TYPES, "raw");
  checkOptionalInt(o.portid, verb, "portid", 0, 0xffffffff, 0);
  checkOptionalInt(o.groups, verb, "groups", 0, 0xffffffff, 0);
  if (typeof o.netns === "number") {
    checkInt(o.netns, verb, "netns (a file descriptor)", 0, 0x7fffffff);
  } else checkString(o.netns, verb, "netns", true);
  checkBoolean(o.strict, verb, "strict", true);
  checkBoolean(o.userToUser, verb, "userToUser", false);
  checkOptionalInt(o.receiveBufferSize, verb, "receiveBufferSize", 0, MAX_RECV, 0);
  checkOptionalInt(o.rcvbuf, verb, "rcvbuf", 0, 0x7fffffff, 0);
  checkOneOf(o.receiveMode, verb, "receiveMode", RECEIVE_MODES, "auto");
  checkString(o.name, verb, "name");
  const t = o.transport as unknown as Record<string, unknown> | undefined;
  if (
    t !== undefined &&
    (typeof t !== "object" || t === null || LIBC_CALLS.some((f) => typeof t[f] !== "function"))
  ) {
    throw new TypeError(
      `Cannot ${verb}: transport must be a Libc-shaped object (e.g. a FakeKernel) with ${
        LIBC_CALLS.join(", ")
      }, not ${describeValue(t)}`,
    );
  }
  return o;
}

/**
 * A netlink socket. Open it with {@link NetlinkSocket.open}; close it with `close()` or `using`.
 *
 * Requests are synchronous underneath: `sendmsg`, then `recvmsg(MSG.DONTWAIT)` until the reply
 * and acknowledgement (or NLMSG_DONE) arrive. Only when nothing is queued yet does it wait, off
 * the main thread. Unicast messages that answer nothing we asked and multicast messages are kept
 * for {@link NetlinkSocket.messages}.
 *
 * Sharing one socket between callers (concurrent async calls, a request made inside a dump's
 * loop, a synchronous call while an async one waits) never loses a message:
 *
 * - Replies are matched to their request by sequence number, whoever reads them. A reply read
 *   by another caller is copied and handed to its own caller, in arrival order.
 * - Requests (`request`, `exchange`, `batchSync` and the `*Sync` forms) go out at once, also
 *   while a dump runs: the kernel answers them between the dump's datagrams.
 * - Dumps run one at a time per socket. That is the kernel's rule (it refuses a second dump on
 *   a socket whose dump has not ended with EBUSY), so a dump started while another one runs
 *   **waits for its turn**, in the order the dumps were started (a synchronous dump takes the
 *   next turn at once). While it waits, and the running dump's consumer is busy (e.g. it is the
 *   one waiting for the new dump: a dump inside another dump's loop), it reads the running
 *   dump's remaining replies ahead into that dump's queue, so that this cannot deadlock; those
 *   replies are then held in memory until their consumer takes them. Sockets of user-to-user
 *   peers (`userToUser`) are not bound by the kernel's rule and run their dumps side by side.
 * - A dump yields every reply up to its NLMSG_DONE or raises an error: never a partial result.
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
  /** Receive buffers by nesting depth: a handler that makes a request reads into the next. */
  readonly #bufs: Uint8Array[];
  readonly #iters: (MessageIterator | undefined)[] = [];
  #depth = 0;
  /** The buffer the last #recv read into. */
  #rx: Uint8Array;
  #peek: boolean;
  #userToUser: boolean;
  /** Messages for messages(), and framing errors of datagrams that belong to nobody. */
  #pending: (NetlinkMessage | { error: unknown })[] = [];
  #pendingLimit = 65536;
  /** Messages dropped because #pending was full, since the last overflow report. */
  #pendingLost = 0;
  #closed = false;
  #enobufs = false;
  /** Receive-queue overflows (and #pending drops) seen so far. */
  #overflows = 0;
  /** An overflow happened while no messages() reader was running: the next one is told. */
  #unreported = false;
  /** messages() iterators running. */
  #readers = 0;
  /** The dump whose last message has not been read yet (kernel sockets run one at a time). */
  #dumpRunning: Exchange | undefined;
  /** Dumps waiting for their turn, in order. */
  readonly #dumpQueue: object[] = [];
  /** Datagrams held for exchanges whose consumers are busy. */
  #deferredCount = 0;
  /** Async waits in progress; each is resolved with how it ended. */
  readonly #waiters = new Set<(end: WaitEnd) => void>();
  /** A poll() off the main thread is in progress (one per socket, shared by every wait). */
  #polling = false;
  #stopScheduled = false;

  private constructor(
    libc: Libc,
    fd: number,
    protocol: number,
    options: NetlinkSocketOptions,
    buf: Uint8Array,
  ) {
    this.#libc = libc;
    this.#fd = fd;
    this.protocol = protocol;
    this.name = options.name ?? netlinkProtocolName(protocol) ?? `netlink protocol ${protocol}`;
    this.#seq = (Math.floor(Math.random() * 0x7fffffff) + 1) >>> 0;
    this.#bufs = [buf];
    this.#rx = buf;
    this.#userToUser = options.userToUser ?? protocol === 2;
    const mode = options.receiveMode ?? "auto";
    this.#peek = mode === "peek" || (mode === "auto" && this.#userToUser);
  }

  /**
   * Opens and binds a netlink socket (`SOCK.NONBLOCK | SOCK.CLOEXEC`). Every option is checked
   * before the socket is created (`TypeError`/`RangeError`), and a socket whose setup fails
   * later (bind, setsockopt) is closed before the error is raised: a failed open leaves no fd
   * behind.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: "blue" });
   * console.log(route.portid);
   * ```
   */
  static open(protocol: number, options: NetlinkSocketOptions = {}): NetlinkSocket {
    checkInt(protocol, "open netlink socket", "protocol", 0, 31);
    const o = checkOpenOptions(options);
    const buf = new Uint8Array(Math.max(o.receiveBufferSize ?? 65536, MIN_RECV));
    const libc = o.transport ?? getLibc();
    const type = (o.type === "dgram" ? SOCK.DGRAM : SOCK.RAW) | SOCK.NONBLOCK | SOCK.CLOEXEC;
    const fd = typeof o.netns === "number"
      ? openInNetns(libc, o.netns, protocol, type)
      : o.netns
      ? openInNetns(libc, netnsPath(o.netns), protocol, type)
      : socketOrThrow(libc, protocol, type);
    let sock: NetlinkSocket;
    try {
      sock = new NetlinkSocket(libc, fd, protocol, o, buf);
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    try {
      sock.#bind(o.portid ?? 0, o.groups ?? 0);
      if (o.strict ?? true) {
        // Each of these may be missing on old kernels; failing to enable one is not fatal.
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.EXT_ACK, 1, false);
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.CAP_ACK, 1, false);
        sock.#setIntOption(SOL.NETLINK, NETLINK_SOCKOPT.GET_STRICT_CHK, 1, false);
      }
      if (o.rcvbuf) sock.setSocketOption(SOL.SOCKET, SO.RCVBUF, o.rcvbuf);
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
    return this.#bufs[0].length;
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
    checkInt(portid, "connect", "portid", 0, 0xffffffff);
    checkInt(groups, "connect", "groups", 0, 0xffffffff);
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
    if (on === this.#pktinfo) return;
    const v = new Uint8Array(4);
    v[0] = on ? 1 : 0;
    const r = this.#libc.setsockopt(this.#fd, SOL.NETLINK, NETLINK_SOCKOPT.PKTINFO, v);
    if (r.ret < 0 && on) return; // a kernel without it: the bitmask is all we get
    this.#pktinfo = on;
    this.#setCtl(on || this.#listenAll);
  }

  #setCtl(on: boolean): void {
    if (on === (this.#ctl !== undefined)) return;
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
    if (typeof group !== "number") checkInt(group, `${verb} group`, "group", 1, 0xffffffff);
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
    const name = Object.hasOwn(NETLINK_SOCKOPT, option) ? NETLINK_SOCKOPT[option] : undefined;
    if (name === undefined) {
      throw new TypeError(
        `Cannot set option: unknown netlink option ${describeValue(option)} (known: ${
          Object.keys(NETLINK_SOCKOPT).join(", ")
        })`,
      );
    }
    if (typeof value !== "boolean") {
      checkInt(value, "set option", `the value of ${option}`, -0x80000000, 0x7fffffff);
    }
    if (name === NETLINK_SOCKOPT.PKTINFO) {
      this.#setIntOption(SOL.NETLINK, name, value ? 1 : 0, true);
      this.#pktinfo = Boolean(value);
      this.#setCtl(this.#pktinfo || this.#listenAll);
      return;
    }
    if (name === NETLINK_SOCKOPT.LISTEN_ALL_NSID) {
      // Each notification of another namespace then carries its nsid in a control message.
      this.#setIntOption(SOL.NETLINK, name, value ? 1 : 0, true);
      this.#listenAll = Boolean(value);
      this.#setCtl(this.#pktinfo || this.#listenAll);
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
    const name = Object.hasOwn(NETLINK_SOCKOPT, option) ? NETLINK_SOCKOPT[option] : undefined;
    if (name === undefined) {
      throw new TypeError(
        `Cannot get option: unknown netlink option ${describeValue(option)} (known: ${
          Object.keys(NETLINK_SOCKOPT).join(", ")
        })`,
      );
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
    checkInt(level, "set socket option", "level", 0, 0x7fffffff);
    checkInt(name, "set socket option", "name", 0, 0x7fffffff);
    checkInt(value, "set socket option", "value", -0x80000000, 0x7fffffff);
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
    checkInt(level, "get socket option", "level", 0, 0x7fffffff);
    checkInt(name, "get socket option", "name", 0, 0x7fffffff);
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
   * peer (or the kernel) when no address is given. Returns the number of bytes sent. The bytes
   * go out as they are (see {@link NetlinkSocket.request} for checked, framed requests).
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
    if (!Array.isArray(iov) || iov.length === 0 || iov.length > 1024) {
      throw new TypeError(
        `Cannot send: data must be a Uint8Array or an array of 1..1024 Uint8Arrays, not ${
          describeValue(data)
        }${Array.isArray(iov) ? ` of ${iov.length}` : ""}`,
      );
    }
    for (const b of iov) checkBytes(b, "send", "each piece of data");
    if (to !== undefined) {
      checkOptions(to, "send", "the destination");
      checkOptionalInt(to.portid, "send", "portid", 0, 0xffffffff, 0);
      checkOptionalInt(to.groups, "send", "groups", 0, 0xffffffff, 0);
    }
    const addr = to ? encodeSockaddrNl(to.portid ?? 0, to.groups ?? 0) : null;
    return this.#sendmsg(iov, addr, to);
  }

  /** One datagram of `iov` to the kernel, for a request of this socket's (already checked). */
  #sendRequest(bytes: Uint8Array): void {
    // One array for every request (no [bytes] per round trip), emptied after the call.
    const iov = this.#iov1;
    iov[0] = bytes;
    try {
      this.#sendmsg(iov, null, undefined);
    } finally {
      iov[0] = EMPTY;
    }
  }
  readonly #iov1: Uint8Array[] = [EMPTY];

  /** sendmsg() of checked arguments: retried on EINTR, errors raised as SyscallError. */
  #sendmsg(
    iov: readonly Uint8Array[],
    addr: Uint8Array | null,
    to: { portid?: number; groups?: number } | undefined,
  ): number {
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
   * for {@link NetlinkSocket.messages} are not returned here, nor are replies to requests and
   * dumps in progress on this socket (they are kept for their callers). A receive-queue overflow
   * is raised as a {@link SyscallError} "ENOBUFS" (and told to messages() readers too).
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
    for (;;) {
      const r = this.#recv(true);
      if (r < 0) return null;
      const data = this.#rx;
      if ((this.#active.size > 0 || this.#ranges.length !== 0) && this.#forExchange(data, r)) {
        this.#process(data, r, null, this.#lastPortid, this.#lastGroups, this.#lastGroup);
        continue;
      }
      return {
        data: data.subarray(0, r),
        portid: this.#lastPortid,
        groups: this.#lastGroups,
        group: this.#lastGroup,
      };
    }
  }

  /** Whether the datagram in `data[0, len)` starts with a reply to an exchange in progress. */
  #forExchange(data: Uint8Array, len: number): boolean {
    if (len < NLMSG_HDRLEN) return false;
    const unicast = this.#lastGroup === 0 && this.#lastGroups === 0 &&
      (this.#lastPortid === 0 || this.#userToUser);
    const seq = data[8] | (data[9] << 8) | (data[10] << 16) | (data[11] << 24);
    const x = this.#active.get(seq >>> 0) ??
      (unicast && this.#ranges.length !== 0 ? this.#fromRange(seq >>> 0) : undefined);
    return x !== undefined && (unicast || (x.echo === true && this.#lastPortid === 0));
  }

  #lastPortid = 0;
  #lastGroups = 0;
  /** The group of the last datagram (NETLINK_PKTINFO, or the bitmask's one bit); 0: unicast. */
  #lastGroup = 0;
  /**
   * The NETLINK_LISTEN_ALL_NSID id of the last datagram (undefined: the socket's own namespace,
   * or the option is off). Only kept messages use it, and those are always processed right
   * after their datagram is read.
   */
  #lastNsid: number | undefined;
  /** NETLINK_PKTINFO is on. */
  #pktinfo = false;
  /** NETLINK_LISTEN_ALL_NSID is on. */
  #listenAll = false;
  /** Control buffer for NETLINK_PKTINFO and NETLINK_LISTEN_ALL_NSID, while one is on. */
  #ctl: Uint8Array | undefined;
  #ctlView: DataView | undefined;
  /** Exchanges in progress by seq; replies are routed to them whoever reads the datagram. */
  readonly #active = new Exchanges();
  /** The sendBatchSync calls in progress (nested ones too), see BatchRange. */
  readonly #ranges: BatchRange[] = [];

  /**
   * The exchange of `seq` made from a batch in progress, or undefined (no batch sent it, or
   * its exchange was made and has ended: a stray).
   */
  #fromRange(seq: number, only?: BatchRange): Exchange | undefined {
    for (const r of only ? [only] : this.#ranges) {
      const i = seq - r.lo;
      if (i < 0 || i >= r.n) continue;
      const made = r.made ??= new Map();
      if (made.has(i)) return undefined;
      const x = r.make(i);
      if (r.overflowed) x.overflowed = true;
      made.set(i, x);
      this.#active.set(seq, x);
      return x;
    }
    return undefined;
  }

  /**
   * Reads one datagram into the receive buffer of the current depth (then #rx); returns its
   * length, or -1 when nothing is queued. A receive-queue overflow (ENOBUFS) is noted for every
   * consumer (see #overflow) and reading goes on; with `throwOverflow` it is raised instead.
   */
  #recv(throwOverflow = false): number {
    const libc = this.#libc;
    const depth = this.#depth;
    const held = this.#held;
    if (held !== undefined) {
      // The second datagram of the last recvmmsg. A small one (an ACK, NLMSG_DONE) is copied
      // into this depth's buffer, which then stays the same (the message cursor and decode
      // context over it are reused, not made anew per datagram); a large one lends its buffer.
      this.#held = undefined;
      const r = this.#heldResult;
      const buf = this.#bufs[depth];
      if (buf !== undefined && r.ret <= 4096 && r.ret <= buf.length && !(r.msgFlags & MSG.TRUNC)) {
        // An ACK or NLMSG_DONE (tens of bytes) byte by byte: no view made (subarray() costs
        // ~0.1-0.2 us under Bun, per round trip).
        const n = r.ret;
        if (n <= 128) { for (let i = 0; i < n; i++) buf[i] = held[i]; }
        else buf.set(held.subarray(0, n));
        this.#spare = held;
        return this.#accept(buf, r, undefined, depth);
      }
      this.#spare = this.#bufs[depth];
      this.#bufs[depth] = held;
      return this.#accept(held, r, undefined, depth);
    }
    for (;;) {
      let buf = this.#bufs[depth] ??= new Uint8Array(this.#bufs[0].length);
      if (!this.#peek && this.#ctl === undefined && libc.recvmmsg !== undefined) {
        // Two datagrams per system call when two are queued (a reply and its ACK, a dump's
        // next datagram, which the kernel fills while this call reads the first).
        let spare = this.#spare;
        if (spare === undefined || spare.length !== buf.length) {
          spare = this.#spare = new Uint8Array(buf.length);
        }
        const pair = this.#pair;
        pair[0] = buf;
        pair[1] = spare;
        const m = libc.recvmmsg(this.#fd, pair, MSG.DONTWAIT | MSG.TRUNC);
        if (m.ret < 0) {
          if (this.#recvFailed(m.errno, throwOverflow)) return -1;
          continue;
        }
        if (m.ret > 1) {
          const r = m.results[1];
          this.#held = spare;
          this.#spare = undefined;
          const h = this.#heldResult;
          h.ret = r.ret;
          h.msgFlags = r.msgFlags;
          h.portid = r.portid;
          h.groups = r.groups;
          // Whoever waits must come and read it: the kernel's queue may now be empty.
          this.#kick();
        }
        return this.#accept(buf, m.results[0], undefined, depth);
      }
      if (this.#peek) {
        const p = libc.recvmsg(this.#fd, buf, MSG.DONTWAIT | MSG.PEEK | MSG.TRUNC);
        if (p.ret < 0) {
          if (this.#recvFailed(p.errno, throwOverflow)) return -1;
          continue;
        }
        if (p.ret > buf.length) {
          this.#bufs[depth] = buf = new Uint8Array(Math.max(p.ret, buf.length * 2));
        }
        // Consume it: the whole datagram fits now.
      }
      const ctl = this.#ctl;
      const r = libc.recvmsg(this.#fd, buf, MSG.DONTWAIT | MSG.TRUNC, ctl);
      if (r.ret < 0) {
        if (this.#recvFailed(r.errno, throwOverflow)) return -1;
        continue;
      }
      return this.#accept(buf, r, ctl, depth);
    }
  }

  /**
   * What #recv does after a failed read: false to read again (EINTR; ENOBUFS, a receive-queue
   * overflow noted for every consumer, see #overflow), true when nothing is queued (EAGAIN).
   * Raises the overflow with `throwOverflow`, and any other errno as SyscallError("recvmsg").
   */
  #recvFailed(errno: number, throwOverflow: boolean): boolean {
    if (errno === E.EAGAIN) return true;
    if (errno === E.EINTR) return false;
    if (errno === E.ENOBUFS) {
      this.#overflow();
      if (throwOverflow) throw this.#overflowError();
      return false;
    }
    throw new SyscallError("recvmsg", errno);
  }

  /** The second datagram of the last recvmmsg, not yet read (see #recv), and its result. */
  #held: Uint8Array | undefined;
  readonly #heldResult: RecvResult = {
    ret: 0,
    errno: 0,
    msgFlags: 0,
    portid: 0,
    groups: 0,
    controlLen: 0,
  };
  /** The buffer recvmmsg reads a second datagram into. */
  #spare: Uint8Array | undefined;
  readonly #pair: Uint8Array[] = [];

  /**
   * Takes the datagram `r` describes, read into `buf` (this depth's buffer): notes its sender
   * and group, checks it was not cut, and makes it #rx. Returns its length.
   */
  #accept(
    buf: Uint8Array,
    r: RecvResult,
    ctl: Uint8Array | undefined,
    depth: number,
  ): number {
    this.#lastPortid = r.portid;
    this.#lastGroups = r.groups;
    this.#lastGroup = ctl !== undefined && r.controlLen > 0
      ? pktinfoGroup(this.#ctlView!, r.controlLen, r.groups)
      : groupOfMask(r.groups);
    this.#lastNsid = this.#listenAll && r.controlLen > 0
      ? listenAllNsid(this.#ctlView!, r.controlLen)
      : undefined;
    if (r.ret > buf.length || (r.msgFlags & MSG.TRUNC) !== 0) {
      const size = r.ret;
      this.#bufs[depth] = new Uint8Array(Math.max(size, buf.length * 2));
      throw new SyscallError(
        "recvmsg",
        E.EMSGSIZE,
        `a ${size}-byte datagram did not fit the ${buf.length}-byte receive buffer and was cut; the buffer is now ${
          this.#bufs[depth].length
        } bytes (use receiveMode "peek" to never lose one)`,
      );
    }
    if (tracing()) trace("recv", this.name, buf.subarray(0, r.ret), this.protocol);
    this.#rx = buf;
    return r.ret;
  }

  /**
   * The kernel dropped datagrams because the receive queue was full (ENOBUFS). Every messages()
   * reader is told (each once, see messages()), and requests waiting for a reply are marked: a
   * reply that is not queued once the queue runs dry was lost. Dumps lose nothing (the kernel
   * only fills a dump's next datagram when there is room).
   */
  #overflow(): void {
    this.#enobufs = true;
    this.#overflows++;
    if (this.#readers === 0) this.#unreported = true;
    for (const x of this.#active.values()) if (!x.dump && !x.ended) x.overflowed = true;
    for (const r of this.#ranges) r.overflowed = true;
    this.#kick();
  }

  #overflowError(): SyscallError {
    const dropped = this.#pendingLost;
    this.#pendingLost = 0;
    return new SyscallError(
      "recvmsg",
      E.ENOBUFS,
      dropped > 0
        ? `${dropped} notifications were dropped because nobody read them; resynchronise (dump) and continue`
        : "the socket's receive queue overflowed and notifications were lost; resynchronise (dump) and continue",
    );
  }

  /** The request's reply did not come and the receive queue overflowed meanwhile: it was lost. */
  #lostReply(x: { operation: string }): SyscallError {
    return new SyscallError(
      "recvmsg",
      E.ENOBUFS,
      `the socket's receive queue overflowed while ${x.operation} waited, and its reply was lost (raise SO_RCVBUF or read notifications faster)`,
    );
  }

  /**
   * Processes one datagram `data[0, len)` on behalf of `reader` (an exchange's owner, a dump
   * waiting for its turn, or null for messages()/receive()). Each message goes to the exchange
   * its seq belongs to: handled now when `reader` owns it, otherwise copied into the
   * exchange's deferred queue (the owner handles it later, in order). Messages of no exchange
   * are kept for messages().
   */
  #process(
    data: Uint8Array,
    len: number,
    reader: object | null,
    sender: number,
    groups: number,
    group: number,
  ): void {
    const unicast = group === 0 && groups === 0 && (sender === 0 || this.#userToUser);
    // The answer to an NLM_F_ECHO request of a family that reports through genl_notify() (OVS
    // flows) is the multicast skb unicast to us: its source address names the group.
    const echo = !unicast && sender === 0;
    const depth = this.#depth++;
    let it = this.#iters[depth];
    if (it === undefined || it.data !== data) {
      it = this.#iters[depth] = new MessageIterator(data, 0, len);
    } else it.reset(0, len);
    let defer: Map<Exchange, number[]> | undefined;
    let first: Exchange | null | undefined = null;
    try {
      for (;;) {
        let more: boolean;
        try {
          more = it.next();
        } catch (e) {
          this.#unframed(e, first ?? undefined, reader, sender, groups, group);
          break;
        }
        if (!more) break;
        let x = unicast ? this.#active.get(it.seq) : undefined;
        if (x === undefined && unicast && this.#ranges.length !== 0) x = this.#fromRange(it.seq);
        if (echo && it.pid === this.#portid) {
          const e = this.#active.get(it.seq);
          if (e?.echo) x = e;
        }
        if (first === null) first = x;
        if (x === undefined) {
          if (it.type !== NLMSG.NOOP) this.#keep(it, sender, groups, group);
          continue;
        }
        if (x.abandoned) {
          if (this.#isLast(x, it)) {
            this.#ended(x);
            this.#end(x);
          }
          continue;
        }
        if (x.owner !== reader) {
          const ranges = (defer ??= new Map()).get(x);
          const end = Math.min(len, it.offset + ((it.length + 3) & ~3));
          if (ranges === undefined) defer.set(x, [it.offset, end]);
          else if (ranges[ranges.length - 1] === it.offset) ranges[ranges.length - 1] = end;
          else ranges.push(it.offset, end);
          if (this.#isLast(x, it)) this.#ended(x);
          continue;
        }
        this.#handle(x, it);
      }
    } finally {
      this.#depth--;
    }
    if (defer !== undefined) {
      for (const [x, ranges] of defer) {
        let size = 0;
        for (let i = 0; i < ranges.length; i += 2) size += ranges[i + 1] - ranges[i];
        const copy = new Uint8Array(size);
        for (let i = 0, o = 0; i < ranges.length; i += 2) {
          copy.set(data.subarray(ranges[i], ranges[i + 1]), o);
          o += ranges[i + 1] - ranges[i];
        }
        (x.deferred ??= []).push({ data: copy, sender, groups, group });
        if (x.batch) x.batch.deferred = true;
        this.#deferredCount++;
      }
      this.#kick();
    }
  }

  /**
   * A datagram whose headers do not parse: the exchange its first message belonged to fails
   * with the DecodeError (when it gets there, if another caller read it); a datagram of nobody
   * raises it from messages().
   */
  #unframed(
    e: unknown,
    x: Exchange | undefined,
    reader: object | null,
    sender: number,
    groups: number,
    group: number,
  ): void {
    if (x === undefined || x.abandoned || x.done) {
      this.#pending.push({ error: e });
      this.#kick();
      return;
    }
    if (x.owner === reader) {
      x.failure ??= e;
      return;
    }
    (x.deferred ??= []).push({ data: new Uint8Array(0), sender, groups, group, error: e });
    if (x.batch) x.batch.deferred = true;
    this.#deferredCount++;
    this.#kick();
  }

  /** Whether `it` is the last message of exchange `x`. */
  #isLast(x: Exchange, it: MessageIterator): boolean {
    const t = it.type;
    if (t === NLMSG.ERROR || t === NLMSG.DONE || t === NLMSG.OVERRUN) return true;
    return t !== NLMSG.NOOP && !x.dump && !x.ack && !(it.flags & NLM_F.MULTI);
  }

  /** Handles a message of `x` on behalf of its owner. */
  #handle(x: Exchange, it: MessageIterator): void {
    switch (it.type) {
      case NLMSG.NOOP:
        return;
      case NLMSG.ERROR: {
        // An ACK (error 0) needs no decoding; only errors are decoded in full.
        if (it.length < 20 || it.view.getInt32(it.payloadOffset, true) !== 0) {
          try {
            const e = decodeErrorMessage(it.data, it.offset, it.length, it.flags);
            x.error = this.#kernelError(x, e.errno, e.extAck);
          } catch (e) {
            x.failure ??= e;
          }
        }
        this.#ended(x);
        this.#end(x); // an ACK or an error ends the exchange
        return;
      }
      case NLMSG.DONE: {
        if (it.flags & NLM_F.DUMP_INTR) x.interrupted = true;
        // A dump's usual end (its 4-byte status 0, nothing after it) needs no decoding.
        if (it.length !== 20 || it.view.getInt32(it.payloadOffset, true) !== 0) {
          try {
            const d = decodeDoneMessage(it.data, it.offset, it.length, it.flags);
            if (d.errno !== 0) x.error = this.#kernelError(x, d.errno, d.extAck);
          } catch (e) {
            x.failure ??= e;
          }
        }
        this.#ended(x);
        this.#end(x);
        return;
      }
      case NLMSG.OVERRUN:
        x.error = this.#kernelError(x, E.ENOBUFS, undefined);
        this.#ended(x);
        this.#end(x);
        return;
    }
    if (it.flags & NLM_F.DUMP_INTR) x.interrupted = true;
    if (x.failure === undefined) {
      try {
        x.onMessage(it);
      } catch (e) {
        // The caller's handler (a decoder) failed: the exchange fails with it, and what is
        // left of its replies is dropped.
        x.failure = e;
      }
    }
    // A plain reply (not part of a multipart series) ends a request without ACK.
    if (!x.dump && !x.ack && !(it.flags & NLM_F.MULTI)) {
      this.#ended(x);
      this.#end(x);
    }
  }

  /** The exchange's last message was read: the kernel is done with it (a dump's turn ends). */
  #ended(x: Exchange): void {
    x.ended = true;
    if (this.#dumpRunning === x) {
      this.#dumpRunning = undefined;
      this.#kick();
    }
  }

  #end(x: Exchange): void {
    if (x.done) return;
    x.done = true;
    this.#active.delete(x.seq);
    if (x.batch) x.batch.open--;
    if (x.deferred !== undefined) {
      // Nothing comes after an exchange's last message; drop strays with its seq.
      this.#deferredCount -= x.deferred.length;
      x.deferred = undefined;
    }
  }

  /** Hands the owner of `x` the oldest datagram kept for it. */
  #takeDeferred(x: Exchange): void {
    const q = x.deferred!;
    const d = q.shift()!;
    if (q.length === 0) x.deferred = undefined;
    if (this.#deferredCount-- === DEFERRED_BACKLOG) this.#kick();
    if (d.error !== undefined) {
      x.failure ??= d.error;
      return;
    }
    this.#process(d.data, d.data.length, x.owner, d.sender, d.groups, d.group);
  }

  #kernelError(x: Exchange, errno: number, extAck: ExtAck | undefined): NetlinkError {
    if (extAck && x.describeExtAck) x.describeExtAck(extAck);
    return new NetlinkError(errno, { operation: x.operation, seq: x.seq, extAck });
  }

  #keep(it: MessageIterator, sender: number, groups: number, group: number): void {
    if (this.#pending.length >= this.#pendingLimit) {
      if (this.#pendingLost++ === 0) this.#overflow();
      return;
    }
    this.#pending.push({
      type: it.type,
      flags: it.flags,
      seq: it.seq,
      pid: it.pid,
      payload: it.payload(),
      sender,
      groups,
      group,
      ...(this.#lastNsid !== undefined ? { nsid: this.#lastNsid } : {}),
    });
    if (this.#readers > 0) this.#kick();
  }

  /** Checks a message to send, so that nothing malformed reaches the kernel. */
  #checkMessage(msg: NetlinkMessageInit | Uint8Array, verb: string): void {
    if (msg instanceof Uint8Array) {
      if (msg.length < NLMSG_HDRLEN) {
        throw new RangeError(
          `Cannot ${verb}: a message of ${msg.length} bytes is shorter than its 16-byte header`,
        );
      }
      const len = (msg[0] | (msg[1] << 8) | (msg[2] << 16) | (msg[3] << 24)) >>> 0;
      if (len !== 0 && (len < NLMSG_HDRLEN || len > msg.length || msg.length - len > 3)) {
        throw new RangeError(
          `Cannot ${verb}: nlmsg_len ${len} does not match the ${msg.length}-byte message (0 lets the socket fill it in)`,
        );
      }
      return;
    }
    checkOptions(msg, verb, "the message");
    checkInt(msg.type, verb, "message type", 0, 0xffff);
    checkOptionalInt(msg.flags, verb, "message flags", 0, 0xffff, 0);
    checkBytes(msg.payload, verb, "payload", true);
    if (msg.payload !== undefined && msg.payload.length > 0xffffffff - NLMSG_HDRLEN - 3) {
      throw new RangeError(`Cannot ${verb}: a payload of ${msg.payload.length} bytes is too long`);
    }
  }

  /** Checks request options; returns the timeout. */
  #checkRequestOptions(options: RequestOptions & { dump?: boolean }, verb: string): number {
    checkString(options.operation, verb, "operation");
    checkBoolean(options.ack, verb, "ack", true);
    checkBoolean(options.dump, verb, "dump", false);
    checkOptionalInt(options.retryInterrupted, verb, "retryInterrupted", 0, 0x7fffffff, 0);
    checkFunction(options.describeExtAck, verb, "describeExtAck", true);
    return checkTimeout(options.timeoutMs, verb, 5000);
  }

  #encode(msg: NetlinkMessageInit | Uint8Array, flags: number, seq: number): Uint8Array {
    let bytes: Uint8Array;
    if (msg instanceof Uint8Array) {
      // Byte by byte: no DataView per request.
      bytes = msg;
      if ((bytes[0] | bytes[1] | bytes[2] | bytes[3]) === 0) {
        const n = bytes.length;
        bytes[0] = n & 0xff;
        bytes[1] = (n >>> 8) & 0xff;
        bytes[2] = (n >>> 16) & 0xff;
        bytes[3] = n >>> 24;
      }
      bytes[6] |= flags & 0xff;
      bytes[7] |= flags >>> 8;
      bytes[8] = seq & 0xff;
      bytes[9] = (seq >>> 8) & 0xff;
      bytes[10] = (seq >>> 16) & 0xff;
      bytes[11] = seq >>> 24;
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
   * `timeoutMs` (use the async methods to wait without blocking). A dump waits for the dump
   * running on this socket, if any, to end first (see {@link NetlinkSocket}). An exception
   * thrown by `onMessage` ends the exchange with that exception.
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
    const o = checkOptions<RequestOptions & { dump?: boolean }>(options, "request");
    const verb = o.dump ? "dump" : "request";
    this.#check(verb);
    const timeout = this.#checkRequestOptions(o, verb);
    this.#checkMessage(message, verb);
    checkFunction(onMessage, verb, "onMessage");
    if (o.dump) this.#dumpTurnSync(timeout, o.operation);
    const x = this.#start(message, o, onMessage);
    this.#runSync(x, timeout);
    this.#finish(x);
  }

  /**
   * Like {@link NetlinkSocket.exchangeSync}, but waits for late replies (and for its turn, when
   * it is a dump) off the main thread.
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
    const o = checkOptions<RequestOptions & { dump?: boolean }>(options, "request");
    const verb = o.dump ? "dump" : "request";
    this.#check(verb);
    const timeout = this.#checkRequestOptions(o, verb);
    this.#checkMessage(message, verb);
    checkFunction(onMessage, verb, "onMessage");
    let x: Exchange;
    if (o.dump) {
      // The request may be a view into a buffer the caller reuses while this one waits.
      const copy = message instanceof Uint8Array ? message.slice() : message;
      x = await this.#startDump(copy, o, onMessage, timeout);
    } else {
      x = this.#start(message, o, onMessage);
    }
    await this.#run(x, timeout);
    this.#finish(x);
  }

  /** Sends the request of a new exchange (arguments already checked). */
  #start(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions & { dump?: boolean },
    onMessage: MessageHandler,
    owner?: object,
  ): Exchange {
    this.#check(options.dump ? "dump" : "request");
    const dump = options.dump ?? false;
    const ack = !dump && (options.ack ?? true);
    const seq = this.nextSeq();
    const flags = NLM_F.REQUEST | (dump ? NLM_F_GET.DUMP : 0) | (ack ? NLM_F.ACK : 0);
    const bytes = this.#encode(message, flags, seq);
    const x: Exchange = {
      seq,
      owner: owner as object,
      dump,
      ack,
      echo: ((bytes[6] | (bytes[7] << 8)) & NLM_F.ECHO) !== 0,
      operation: options.operation ?? `${this.name} message type ${bytes[4] | (bytes[5] << 8)}`,
      done: false,
      ended: false,
      interrupted: false,
      error: undefined,
      onMessage,
      describeExtAck: options.describeExtAck,
    };
    if (owner === undefined) x.owner = x;
    this.#active.set(seq, x);
    if (dump && !this.#userToUser) this.#dumpRunning = x;
    try {
      this.#sendRequest(bytes);
    } catch (e) {
      this.#ended(x);
      this.#end(x);
      throw e;
    }
    return x;
  }

  /**
   * Waits (synchronously) until no dump runs on the socket, reading the running dump's
   * replies ahead into its queue. Sockets of user-to-user peers do not wait.
   */
  #dumpTurnSync(timeout: number, operation: string | undefined): void {
    if (this.#userToUser || this.#dumpRunning === undefined) return;
    const token = {};
    while (this.#dumpRunning !== undefined) {
      const n = this.#recv();
      if (n >= 0) {
        this.#process(this.#rx, n, token, this.#lastPortid, this.#lastGroups, this.#lastGroup);
      } else if (!this.#pollSync(timeout)) {
        throw this.#noTurn(operation, timeout);
      }
    }
  }

  /**
   * Starts a dump once it is its turn: after the dump running on the socket (if any) and the
   * dumps queued before it. While it waits and the running dump's consumer is busy, it reads
   * the running dump's replies ahead into that dump's queue (see {@link NetlinkSocket}).
   */
  async #startDump(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions,
    onMessage: MessageHandler,
    timeout: number,
  ): Promise<Exchange> {
    const dumpOptions = { ...options, dump: true };
    if (this.#userToUser || (this.#dumpRunning === undefined && this.#dumpQueue.length === 0)) {
      return this.#start(message, dumpOptions, onMessage);
    }
    const token = {};
    this.#dumpQueue.push(token);
    try {
      for (;;) {
        this.#check("dump");
        const running = this.#dumpRunning;
        if (running === undefined && this.#dumpQueue[0] === token) {
          // Claimed in the same step as the check: no other dump can slip in between.
          return this.#start(message, dumpOptions, onMessage);
        }
        if (running !== undefined && (running.suspended || running.abandoned)) {
          const n = this.#recv();
          if (n >= 0) {
            this.#process(this.#rx, n, token, this.#lastPortid, this.#lastGroups, this.#lastGroup);
            continue;
          }
        }
        if ((await this.#wait(timeout)) === "timeout") {
          throw this.#noTurn(options.operation, timeout);
        }
      }
    } finally {
      this.#dumpQueue.splice(this.#dumpQueue.indexOf(token), 1);
      this.#kick(); // the next dump in line may go now
    }
  }

  #noTurn(operation: string | undefined, timeout: number): SyscallError {
    return new SyscallError(
      "recvmsg",
      E.EAGAIN,
      `${
        operation ?? `${this.name} dump`
      } waited ${timeout} ms for its turn, and the dump running before it on this socket neither progressed nor ended`,
    );
  }

  /** Reads until exchange `x` ends, blocking in poll() when nothing is queued. */
  #runSync(x: Exchange, timeout: number): void {
    // The clock is read only when a reply is late (the timeout counts the waiting), not per
    // round trip.
    let deadline = -1;
    try {
      while (!x.done) {
        if (x.deferred !== undefined) this.#takeDeferred(x);
        else {
          const n = this.#recv();
          if (n >= 0) {
            this.#process(
              this.#rx,
              n,
              x.owner,
              this.#lastPortid,
              this.#lastGroups,
              this.#lastGroup,
            );
          } else {
            if (x.overflowed && !this.#userToUser) throw this.#lostReply(x);
            if (deadline < 0) deadline = timeout < 0 ? Infinity : Date.now() + timeout;
            const left = deadline - Date.now();
            if (left <= 0) throw this.#timeout(x, timeout);
            this.#pollSync(left === Infinity ? -1 : Math.ceil(left));
            continue;
          }
        }
        if (x.failure !== undefined) throw x.failure;
      }
    } finally {
      if (!x.done) this.#abandon(x);
    }
  }

  /** Reads until exchange `x` ends, waiting off the main thread when nothing is queued. */
  async #run(x: Exchange, timeout: number): Promise<void> {
    // The clock is read only when a reply is late (the timeout counts the waiting), not per
    // round trip.
    let deadline = -1;
    try {
      while (!x.done) {
        if (x.deferred !== undefined) this.#takeDeferred(x);
        else {
          const n = this.#recv();
          if (n >= 0) {
            this.#process(
              this.#rx,
              n,
              x.owner,
              this.#lastPortid,
              this.#lastGroups,
              this.#lastGroup,
            );
          } else {
            if (x.overflowed && !this.#userToUser) throw this.#lostReply(x);
            if (deadline < 0) deadline = timeout < 0 ? Infinity : Date.now() + timeout;
            const left = deadline - Date.now();
            if (left <= 0) throw this.#timeout(x, timeout);
            await this.#wait(left === Infinity ? -1 : Math.ceil(left));
            continue;
          }
        }
        if (x.failure !== undefined) throw x.failure;
      }
    } finally {
      if (!x.done) this.#abandon(x);
    }
  }

  #finish(x: Exchange): void {
    if (x.failure !== undefined) throw x.failure;
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

  /** Blocks in poll() until the socket is readable or `timeoutMs` passes; true if readable. */
  #pollSync(timeoutMs: number): boolean {
    if (this.#held !== undefined) return true; // read ahead (see #recv): readable now
    const fds = new Uint8Array(8);
    const v = new DataView(fds.buffer);
    v.setInt32(0, this.#fd, true);
    v.setInt16(4, POLL.IN, true);
    const r = this.#libc.poll(fds, 1, timeoutMs);
    if (r.ret < 0 && r.errno !== E.EINTR) throw new SyscallError("poll", r.errno);
    return r.ret !== 0;
  }

  #ensureEventfd(): number {
    if (this.#eventfd < 0) {
      const r = this.#libc.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
      if (r.ret < 0) throw new SyscallError("eventfd", r.errno);
      this.#eventfd = r.ret;
    }
    return this.#eventfd;
  }

  /**
   * Waits until the socket is readable, another caller hands this one something (#kick), or
   * `timeoutMs` passes (-1: forever). All waits share one poll() off the main thread, stopped
   * (through the eventfd) once nobody waits. Rejects when the socket is closed meanwhile.
   * `kickOnly` waits for a #kick alone (a reader holding back, see messages()).
   */
  #wait(timeoutMs: number, kickOnly = false): Promise<"readable" | "woken" | "timeout"> {
    if (this.#closed) return Promise.reject(this.#closedWhileWaiting());
    // A datagram read ahead (see #recv) is not in the kernel's queue: no poll would see it.
    if (!kickOnly && this.#held !== undefined) return Promise.resolve("woken");
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const end = (how: WaitEnd) => {
        if (timer !== undefined) clearTimeout(timer);
        this.#waiters.delete(end);
        if (how === "closed") reject(this.#closedWhileWaiting());
        else if (how === "error") {
          reject(new SyscallError("poll", E.EINVAL, "waiting for the socket failed"));
        } else resolve(how);
        if (this.#waiters.size === 0) this.#stopPollSoon();
      };
      this.#waiters.add(end);
      if (timeoutMs >= 0) timer = setTimeout(() => end("timeout"), timeoutMs);
      if (kickOnly) return;
      try {
        this.#startPoll();
      } catch (e) {
        if (timer !== undefined) clearTimeout(timer);
        this.#waiters.delete(end);
        reject(e);
      }
    });
  }

  #closedWhileWaiting(): TypeError {
    return new TypeError(`Cannot receive: the ${this.name} socket was closed while waiting`);
  }

  #startPoll(): void {
    if (this.#polling) return;
    const efd = this.#ensureEventfd();
    this.#polling = true;
    this.#libc.waitReadable(this.#fd, efd, -1).then(
      (res) => this.#pollEnded(res),
      () => this.#pollEnded("error"),
    );
  }

  #pollEnded(res: "readable" | "cancelled" | "timeout" | "error"): void {
    this.#polling = false;
    if (this.#closed) {
      // close() left the eventfd open for this poll, which now no longer uses it.
      if (this.#eventfd >= 0) this.#libc.close(this.#eventfd);
      this.#eventfd = -1;
      this.#wake("closed");
      return;
    }
    if (res === "cancelled") {
      // Stopped because nobody waited: reset the eventfd; re-arm for waits that came since.
      this.#libc.read(this.#eventfd, new Uint8Array(8));
      if (this.#waiters.size > 0) this.#startPoll();
      return;
    }
    this.#wake(res === "error" ? "error" : "readable");
  }

  /** Stops the shared poll once no wait needs it (checked after the current turn of events). */
  #stopPollSoon(): void {
    if (this.#stopScheduled || !this.#polling) return;
    this.#stopScheduled = true;
    setTimeout(() => {
      this.#stopScheduled = false;
      if (this.#polling && this.#waiters.size === 0 && !this.#closed) this.#signalEventfd();
    }, 0);
  }

  #signalEventfd(): void {
    const one = new Uint8Array(8);
    one[0] = 1;
    this.#libc.write(this.#eventfd, one);
  }

  #wake(how: WaitEnd): void {
    for (const end of [...this.#waiters]) end(how);
  }

  /** Wakes every wait: something changed that a waiting caller must look at. */
  #kick(): void {
    if (this.#waiters.size > 0) this.#wake("woken");
  }

  /**
   * Sends a request and returns its replies (owned copies). With `ack` (the default) the kernel's
   * acknowledgement is awaited and consumed, so nothing is left behind for the next call. A
   * kernel error raises {@link NetlinkError}. Arguments are checked before anything is sent:
   * `type` and `flags` are integers 0..65535, a raw message's `nlmsg_len` matches its bytes (or
   * is 0), `timeoutMs` is -1 or 0..2^31-1 (`TypeError`/`RangeError` otherwise).
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
    checkOptions(options, "request");
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
    checkOptions(options, "request");
    const out: NetlinkMessage[] = [];
    this.exchangeSync(message, { ...options, dump: false }, (it) => out.push(ownMessage(it)));
    return out;
  }

  /**
   * Dumps: sends `message` with NLM_F_DUMP and yields every reply until NLMSG_DONE (an error in
   * the DONE payload is raised). Reads one datagram at a time, so memory stays bounded. When
   * the kernel flags the dump NLM_F_DUMP_INTR, it is restarted up to `retryInterrupted` times,
   * then {@link DumpInterruptedError} is raised (with the messages of the last attempt).
   * Arguments are checked, and `message` copied, when `dump` is called. One dump runs at a time
   * per socket: a dump started while another runs waits for its turn (see
   * {@link NetlinkSocket}); requests made inside the loop go out at once.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * using s = NetlinkSocket.open(NETLINK.ROUTE);
   * for await (const m of s.dump({ type: 18, payload: new Uint8Array(16) })) console.log(m.type);
   * ```
   */
  dump(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions = {},
  ): AsyncGenerator<NetlinkMessage, void, undefined> {
    const batches = this.#dumpBatches(message, options, ownMessage, true);
    return new BatchItems(() => batches);
  }

  /**
   * Dumps like {@link NetlinkSocket.dump}, but hands every reply to `map` as a cursor into the
   * receive buffer (valid only during the call: copy what you keep) and yields, per datagram,
   * the array of what `map` returned (`undefined` is left out). The fast way to decode a large
   * dump asynchronously: no owned copy of each message, one await per datagram (about 32 KiB of
   * replies) instead of one per message. Memory stays bounded. After `retryInterrupted`
   * restarts, an interrupted dump raises {@link DumpInterruptedError} without messages (the
   * batches already yielded are the caller's). An exception thrown by `map` ends the dump with
   * that exception.
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
    return this.#dumpBatches(message, options, map, false);
  }

  /** Checks the arguments and copies the request now; the dump itself starts at next(). */
  #dumpBatches<T>(
    message: NetlinkMessageInit | Uint8Array,
    options: RequestOptions,
    map: (it: MessageIterator) => T | undefined,
    keepSeen: boolean,
  ): AsyncGenerator<T[], void, undefined> {
    this.#check("dump");
    const o = checkOptions<RequestOptions>(options, "dump");
    const timeout = this.#checkRequestOptions(o, "dump");
    this.#checkMessage(message, "dump");
    checkFunction(map, "dump", "map");
    // Copied now: the generator's body only runs at the first next(), and the caller may reuse
    // its buffer (a shared writer) meanwhile.
    const request = message instanceof Uint8Array
      ? message.slice()
      : { ...message, payload: message.payload?.slice() };
    return this.#dumpDatagrams(request, { ...o }, map, keepSeen, timeout);
  }

  async *#dumpDatagrams<T>(
    request: NetlinkMessageInit | Uint8Array,
    options: RequestOptions,
    map: (it: MessageIterator) => T | undefined,
    keepSeen: boolean,
    timeout: number,
  ): AsyncGenerator<T[], void, undefined> {
    let retries = options.retryInterrupted ?? 0;
    for (;;) {
      let batch: T[] = [];
      const seen: T[] = [];
      const x = await this.#startDump(
        request instanceof Uint8Array ? request.slice() : request,
        options,
        (it) => {
          const v = map(it);
          if (v !== undefined) batch.push(v);
        },
        timeout,
      );
      try {
        while (!x.done) {
          if (x.deferred !== undefined) this.#takeDeferred(x);
          else {
            const n = this.#recv();
            if (n < 0) {
              if ((await this.#wait(timeout)) === "timeout") throw this.#timeout(x, timeout);
              continue;
            }
            this.#process(
              this.#rx,
              n,
              x.owner,
              this.#lastPortid,
              this.#lastGroups,
              this.#lastGroup,
            );
          }
          if (x.failure !== undefined) throw x.failure;
          if (x.interrupted) {
            if (keepSeen) seen.push(...batch);
            batch.length = 0;
          } else if (batch.length > 0) {
            // Deliver what arrived before an error in the same datagram, then raise it.
            const out = batch;
            batch = [];
            x.suspended = true;
            try {
              yield out;
            } finally {
              x.suspended = false;
            }
          }
          if (x.error) throw x.error;
        }
      } finally {
        if (!x.done) this.#abandon(x);
      }
      if (x.failure !== undefined) throw x.failure;
      if (x.error) throw x.error;
      if (!x.interrupted) return;
      if (retries-- > 0) continue;
      throw new DumpInterruptedError(x.operation, seen as unknown as NetlinkMessage[]);
    }
  }

  /**
   * Forgets an exchange that ends early (an error, a timeout, a consumer that stopped iterating a
   * dump): what was kept for it is dropped, and its remaining replies are recognised by seq and
   * dropped as they arrive (the exchange stays registered until its last message is read; a
   * dump keeps its turn until then, and the next dump reads the rest of it away first).
   */
  #abandon(x: Exchange): void {
    x.onMessage = () => {};
    if (x.deferred !== undefined) {
      this.#deferredCount -= x.deferred.length;
      x.deferred = undefined;
      this.#kick();
    }
    if (x.ended) this.#end(x);
    else x.abandoned = true;
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
    checkOptions(options, "dump");
    let retries = checkOptionalInt(
      options.retryInterrupted,
      "dump",
      "retryInterrupted",
      0,
      0x7fffffff,
      0,
    );
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
   * Sends the requests framed back to back in `data` (e.g. by `Family.encodeTo`) in one
   * `sendmsg`: the socket writes each message's seq and adds NLM_F_REQUEST (and NLM_F_ACK as
   * `ack` says) into `data`. The kernel handles them inside the call, in order; this reads its
   * answers (waiting in poll() up to `timeoutMs` if they are late) until the last request is
   * answered, hands replies to `onReply`, and returns the refused requests by index (nothing
   * is thrown for them). The send buffer (SO_SNDBUF) must hold `data`, the receive queue the
   * answers.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * import { NetlinkWriter } from "@nlts/netlink";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * const w = new NetlinkWriter();
   * for (const name of ["nlctrl", "no-such-family"]) ctrl.encodeTo(w, "getfamily", { familyName: name });
   * const failed = genl.socket.sendBatchSync(w.bytes());
   * console.log(failed.map((f) => [f.index, f.error.code])); // [[1, "ENOENT"]]
   * ```
   */
  sendBatchSync(data: Uint8Array, options: SendBatchOptions = {}): BatchFailure[] {
    this.#check("batch");
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`Cannot batch: data must be a Uint8Array, not ${describeValue(data)}`);
    }
    const o = checkOptions<SendBatchOptions>(options, "batch");
    const ackMode = o.ack === undefined ? "each" : o.ack;
    if (ackMode !== "each" && ackMode !== "last") {
      throw new TypeError(
        `Cannot batch: ack must be "each" or "last", not ${describeValue(ackMode)}`,
      );
    }
    checkFunction(o.operation, "batch", "operation", true);
    checkFunction(o.onReply, "batch", "onReply", true);
    checkFunction(o.describeExtAck, "batch", "describeExtAck", true);
    const timeout = checkTimeout(o.timeoutMs, "batch", 5000);
    // Frame: every message whole, then seqs, NLM_F_REQUEST and the ACK flags written in place.
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const offsets: number[] = [];
    for (let off = 0; off < data.length;) {
      const len = off + NLMSG_HDRLEN <= data.length ? v.getUint32(off, true) : 0;
      if (len < NLMSG_HDRLEN || off + len > data.length) {
        throw new RangeError(
          `Cannot send batch: message ${offsets.length} at byte ${off} has length ${len}, outside the ${data.length} bytes`,
        );
      }
      offsets.push(off);
      off += (len + 3) & ~3;
    }
    if (offsets.length === 0) return [];
    const n = offsets.length;
    // Consecutive seqs (restarting at 1 rather than wrapping inside the batch), so that a
    // reply's request is its seq minus the first.
    if (this.#seq + n > 0xffffffff) this.#seq = 0;
    const lo = this.#seq + 1;
    this.#seq += n;
    for (let i = 0; i < n; i++) {
      const off = offsets[i];
      const ack = ackMode === "each" || i === n - 1;
      v.setUint32(off + 8, lo + i, true);
      v.setUint16(
        off + 6,
        v.getUint16(off + 6, true) | NLM_F.REQUEST | (ack ? NLM_F.ACK : 0),
        true,
      );
    }
    const owner = {};
    const batch = { open: ackMode === "each" ? n : 1, deferred: false };
    const operation = (i: number) => o.operation?.(i) ?? `${this.name} batch[${i}]`;
    const onReply = o.onReply, describe = o.describeExtAck;
    const range: BatchRange = {
      lo,
      n,
      made: undefined,
      overflowed: false,
      make: (i) => {
        const ack = ackMode === "each" || i === n - 1;
        return {
          seq: lo + i,
          owner,
          // With one acknowledgement, only the last request's answer ends the batch.
          batch: ack ? batch : undefined,
          dump: false,
          ack,
          operation: operation(i),
          done: false,
          ended: false,
          interrupted: false,
          error: undefined,
          onMessage: onReply ? (it) => onReply(i, it) : () => {},
          describeExtAck: describe && ((a) => describe(i, a)),
        };
      },
    };
    this.#ranges.push(range);
    try {
      this.send(data);
      this.#readBatchSync(owner, batch, timeout, () => range.made?.values() ?? [], () => {
        if (!range.overflowed) return undefined;
        // The first request still open (its answer may be what was lost) names the failure.
        let i = 0;
        while (i < n - 1 && range.made?.get(i)?.done) i++;
        return { operation: operation(i) };
      });
    } finally {
      this.#ranges.splice(this.#ranges.indexOf(range), 1);
      // The requests the kernel did not answer (no acknowledgement asked) succeeded; when the
      // batch was not answered, every request still open is given up (its late replies are
      // dropped).
      const answered = batch.open === 0;
      if (!answered) { for (let i = 0; i < n; i++) this.#fromRange(lo + i, range); }
      for (const x of range.made?.values() ?? []) {
        if (x.done) continue;
        if (answered) this.#end(x);
        else this.#abandon(x);
      }
    }
    const failures: BatchFailure[] = [];
    if (range.made === undefined) return failures;
    for (const [i, x] of [...range.made].sort((a, b) => a[0] - b[0])) {
      if (x.failure !== undefined) throw x.failure;
      if (x.error) failures.push({ index: i, error: x.error });
    }
    return failures;
  }

  /**
   * Reads until every exchange of `batch` ended, blocking in poll() when nothing is queued.
   * `made` lists the batch's exchanges (so far), `lost` names the request whose answer may
   * have been lost when the receive queue overflowed (undefined: none).
   */
  #readBatchSync(
    owner: object,
    batch: { open: number; deferred: boolean },
    timeout: number,
    made: () => Iterable<Exchange>,
    lost: () => { operation: string } | undefined,
  ): void {
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    while (batch.open > 0) {
      if (batch.deferred) {
        // Only a nested reader could have taken replies of ours; hand them over in order.
        batch.deferred = false;
        for (const x of made()) while (x.deferred !== undefined) this.#takeDeferred(x);
        continue;
      }
      const n = this.#recv();
      if (n >= 0) {
        this.#process(this.#rx, n, owner, this.#lastPortid, this.#lastGroups, this.#lastGroup);
        continue;
      }
      const x = this.#userToUser ? undefined : lost();
      if (x !== undefined) throw this.#lostReply(x);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new SyscallError("recvmsg", E.EAGAIN, `no reply to a batch within ${timeout} ms`);
      }
      this.#pollSync(left === Infinity ? -1 : Math.ceil(left));
    }
  }

  /**
   * Sends many requests in one `sendmsg` and matches the replies by seq. Each message gets
   * NLM_F_REQUEST | NLM_F_ACK; results come back in order, failures as values (not thrown).
   * Every message is checked before the first is sent.
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
    if (!Array.isArray(messages)) {
      throw new TypeError(
        `Cannot batch: messages must be an array, not ${describeValue(messages)}`,
      );
    }
    const o = checkOptions<BatchOptions>(options, "batch");
    const timeout = this.#checkRequestOptions(o, "batch");
    const chunk = checkOptionalInt(o.chunk, "batch", "chunk", 1, 1024, 64);
    for (let i = 0; i < messages.length; i++) this.#checkMessage(messages[i], `batch[${i}]`);
    if (messages.length === 0) return [];
    const exchanges: Exchange[] = [];
    const replies: NetlinkMessage[][] = [];
    const parts: Uint8Array[] = [];
    const ack = o.ack ?? true;
    const owner = {};
    const batch = { open: messages.length, deferred: false };
    for (let i = 0; i < messages.length; i++) {
      const seq = this.nextSeq();
      const list: NetlinkMessage[] = [];
      replies.push(list);
      parts.push(this.#encode(messages[i], NLM_F.REQUEST | (ack ? NLM_F.ACK : 0), seq));
      exchanges.push({
        seq,
        owner,
        batch,
        dump: false,
        ack,
        operation: o.operation ?? `${this.name} batch[${i}]`,
        done: false,
        ended: false,
        interrupted: false,
        error: undefined,
        onMessage: (it) => list.push(ownMessage(it)),
        describeExtAck: o.describeExtAck,
      });
    }
    for (const x of exchanges) this.#active.set(x.seq, x);
    try {
      // Send `chunk` messages per sendmsg and read the replies queued by then before sending more:
      // the kernel answers inside sendmsg, and replies that do not fit the receive queue are lost.
      let sent = 0;
      while (sent < parts.length) {
        const end = Math.min(parts.length, sent + chunk);
        this.send(parts.slice(sent, end));
        sent = end;
        for (let n = this.#recv(); n >= 0; n = this.#recv()) {
          this.#process(this.#rx, n, owner, this.#lastPortid, this.#lastGroups, this.#lastGroup);
        }
      }
      this.#readBatchSync(
        owner,
        batch,
        timeout,
        () => exchanges,
        () => exchanges.find((x) => !x.done && x.overflowed),
      );
    } finally {
      for (const x of exchanges) if (!x.done) this.#abandon(x);
    }
    for (const x of exchanges) if (x.failure !== undefined) throw x.failure;
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
   *
   * Lost notifications are never silent: when the kernel dropped some because the socket's
   * receive queue overflowed (ENOBUFS, whichever caller saw it), or when more than 65,536
   * unread messages piled up, every messages() iterator of the socket ends with a
   * {@link SyscallError} "ENOBUFS", once, after the messages received before it (an overflow
   * while no iterator runs is told to the next one that starts). The socket stays usable:
   * resynchronise (dump) and call messages() again.
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
  messages(
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<NetlinkMessage, void, undefined> {
    const { signal } = checkOptions<{ signal?: AbortSignal }>(options, "read messages");
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `Cannot read messages: signal must be an AbortSignal, not ${describeValue(signal)}`,
      );
    }
    return this.#messages(signal);
  }

  async *#messages(
    signal: AbortSignal | undefined,
  ): AsyncGenerator<NetlinkMessage, void, undefined> {
    let seen = this.#unreported ? this.#overflows - 1 : this.#overflows;
    this.#unreported = false;
    this.#readers++;
    const onAbort = () => this.#kick();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted || this.#closed) return;
        const m = this.#pending.shift();
        if (m !== undefined) {
          if ("error" in m) throw m.error;
          yield m;
          continue;
        }
        // Hold back while datagrams wait for busy consumers (a dump suspended in its loop):
        // reading on would pull the rest of that dump into memory.
        const backlog = this.#deferredCount >= DEFERRED_BACKLOG;
        if (!backlog) {
          let n: number;
          try {
            n = this.#recv();
          } catch (e) {
            if (this.#closed) return;
            throw e;
          }
          if (n >= 0) {
            this.#process(this.#rx, n, null, this.#lastPortid, this.#lastGroups, this.#lastGroup);
            continue;
          }
        }
        // Told once the messages queued before the loss were yielded: they came before it.
        if (this.#overflows !== seen) {
          seen = this.#overflows;
          throw this.#overflowError();
        }
        try {
          await this.#wait(-1, backlog);
        } catch (e) {
          if (this.#closed || signal?.aborted) return;
          throw e;
        }
      }
    } finally {
      this.#readers--;
      signal?.removeEventListener("abort", onAbort);
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
    // Wake the shared poll before the fd goes away (closing an fd does not wake a poll()
    // blocked on it in another thread); the eventfd is closed when that poll has returned.
    if (this.#polling) this.#signalEventfd();
    this.#libc.close(this.#fd);
    this.#fd = -1;
    this.#held = undefined;
    if (!this.#polling && this.#eventfd >= 0) {
      this.#libc.close(this.#eventfd);
      this.#eventfd = -1;
    }
    this.#wake("closed");
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

/** A socket made in namespace `ns` (a path to open, or an open fd of one, left open). */
function openInNetns(libc: Libc, ns: string | number, protocol: number, type: number): number {
  const path = typeof ns === "number" ? `namespace fd ${ns}` : ns;
  const self = libc.open("/proc/thread-self/ns/net", O.RDONLY | O.CLOEXEC);
  if (self.ret < 0) throw new SyscallError("open", self.errno, "/proc/thread-self/ns/net");
  try {
    const target = typeof ns === "number"
      ? { ret: ns, errno: 0 }
      : libc.open(ns, O.RDONLY | O.CLOEXEC);
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
      if (typeof ns !== "number") libc.close(target.ret);
    }
  } finally {
    libc.close(self.ret);
  }
}
