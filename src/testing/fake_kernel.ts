/**
 * {@link FakeKernel}: an in-memory netlink kernel for tests of typed code. It implements the
 * libc calls a socket makes (the `Libc` interface: socket, bind, sendmsg, recvmsg, poll, ...)
 * with queues in memory, so a {@link NetlinkSocket}, `GenlSocket`, `Controller` or
 * `OvsClient` opened with `{ transport: kernel }` runs its whole receive path for real (sequence
 * numbers, ACKs, NLMSG_DONE, errors with extended ack, multicast) with no FFI, no root and no
 * Linux: `deno test` without `--allow-ffi` is enough.
 *
 * It serves NETLINK_GENERIC itself: the controller (nlctrl `getfamily`, by name, by id and as a
 * dump) for every family you serve with {@link FakeKernel.serveFamily}, whose requests it decodes
 * with the family's schemas and whose replies it encodes from what your handlers return (or from
 * a fixed scripted value). Other protocols are served byte by byte with
 * {@link FakeKernel.handle}; NETLINK_USERSOCK sockets talk to each other.
 *
 * Replies are queued inside `sendmsg`, as the kernel does for generic netlink, so the
 * synchronous methods (`doSync`, `dumpSync`, `requestSync`) work. A handler may also answer
 * asynchronously (return a Promise): then use the asynchronous methods; a synchronous call
 * that would wait for it fails at once with EDEADLK (a blocked thread could never see it).
 *
 * @example
 * ```ts
 * import { GenlSocket, netdev } from "@nlts/netlink/genl";
 * import { FakeKernel } from "@nlts/netlink/testing";
 * const kernel = new FakeKernel();
 * kernel.serveFamily(netdev, {
 *   "dev-get": (req) => req.dump ? [{ ifindex: 1 }, { ifindex: 2 }] : { ifindex: req.attrs.ifindex },
 * });
 * using genl = GenlSocket.open({ transport: kernel });
 * console.log(genl.family(netdev).doSync("dev-get", { ifindex: 7 })?.ifindex); // 7
 * ```
 *
 * @module
 */

import type { Libc, RecvResult, SysResult, WaitResult } from "../ffi/types.ts";
import { AF, CLONE, EFD, MSG, POLL } from "../ffi/constants.ts";
import { ERRNO as E } from "../protocol/errno.ts";
import { CMSGHDR, cmsgLen, cmsgSpace, POLLFD } from "../ffi/structs.ts";
import type {
  EventSetOf,
  EventsOf,
  FamilySpec,
  FieldsOfSet,
  HeaderInitOf,
  HeaderOf,
  OpsOf,
  ReplySetOf,
  RequestSetOf,
} from "../genl/family.ts";
import { GENL_HDRLEN } from "../genl/header.ts";
import { CTRL_CMD, ctrlAttrs, GENL_ID_CTRL, GENL_OP_FLAG, nlctrl } from "../genl/nlctrl_schema.ts";
import { GenlCodec } from "../genl/_internal.ts";
import {
  NETLINK,
  NETLINK_SOCKOPT,
  NLM_F,
  NLM_F_ACK_FLAGS,
  NLMSG,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSGERR_ATTR,
  SO,
  SOL,
  SOL_NETLINK,
} from "../protocol/constants.ts";
import { type ExtAck, NetlinkError, SyscallError } from "../protocol/errors.ts";
import { MessageIterator } from "../protocol/reader.ts";
import type { DecodedAttrs, EncodableAttrs } from "../protocol/schema_types.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import type { NetlinkMessage } from "../socket/netlink_socket.ts";

/** Where a request came from, passed to every handler. */
export interface FakeContext {
  /** The port id of the socket that sent the request. */
  portid: number;
  /** The network namespace of that socket: "" for the initial one, else its name. */
  netns: string;
  /** The netlink protocol (`NETLINK.*`). */
  protocol: number;
}

/**
 * A byte-level handler for {@link FakeKernel.handle}: returns the encoded replies (each a
 * complete message, built with `replyTo`, `ackOf`, `errorOf`, `doneOf`), in order. A thrown
 * error (or a rejected promise) becomes an error reply to the request: a {@link NetlinkError}
 * keeps its errno and extended ack, anything else is EIO naming what was thrown.
 */
export type FakeRawHandler = (
  request: NetlinkMessage,
  context: FakeContext,
) => Uint8Array[] | Promise<Uint8Array[]>;

/** The request a family handler receives: decoded with the operation's request schema. */
export interface FakeGenlRequest<S extends FamilySpec, K extends keyof OpsOf<S>>
  extends FakeContext {
  /** The operation's name in the family description. */
  op: K;
  /** The genlmsghdr command. */
  cmd: number;
  /** The genlmsghdr version the client sent. */
  version: number;
  /** True for a dump (NLM_F_DUMP), false for a `do`. */
  dump: boolean;
  /** nlmsg_flags of the request. */
  flags: number;
  /** nlmsg_seq of the request. */
  seq: number;
  /** The decoded fixed header (an empty object for families without one). */
  header: HeaderOf<S>;
  /** The decoded attributes. */
  attrs: DecodedAttrs<FieldsOfSet<RequestSetOf<S, K>>>;
  /** The raw request message. */
  message: NetlinkMessage;
}

/** Attributes a handler may return for operation `K`: what the reply schema encodes. */
export type FakeReplyAttrs<S extends FamilySpec, K extends keyof OpsOf<S>> = EncodableAttrs<
  FieldsOfSet<ReplySetOf<S, K>>
>;

/**
 * One reply with its own fixed header, command or flags (see {@link genlReply}); a plain
 * attributes object is a reply with the request's header and command.
 */
export class FakeGenlReply<A = unknown, H = unknown> {
  /** The reply's attributes. */
  readonly attrs: A;
  /** The reply's fixed header (default: the request's). */
  readonly header: H | undefined;
  /** The reply's genlmsghdr command (default: the operation's `replyCmd`, or its `cmd`). */
  readonly cmd: number | undefined;
  /** Extra nlmsg_flags (e.g. NLM_F.DUMP_INTR to test interrupted dumps). */
  readonly flags: number;

  /** Use {@link genlReply}. */
  constructor(attrs: A, options: { header?: H; cmd?: number; flags?: number } = {}) {
    this.attrs = attrs;
    this.header = options.header;
    this.cmd = options.cmd;
    this.flags = options.flags ?? 0;
  }
}

/**
 * A reply with its own fixed header (OVS replies carry the datapath's ifindex), command or
 * extra flags, for family handlers.
 *
 * @example
 * ```ts
 * import { genlReply } from "@nlts/netlink/testing";
 * const r = genlReply({ name: "dp0" }, { header: { dpIfindex: 5 } });
 * console.log(r.header); // { dpIfindex: 5 }
 * ```
 */
export function genlReply<A, H = unknown>(
  attrs: A,
  options: { header?: H; cmd?: number; flags?: number } = {},
): FakeGenlReply<A, H> {
  return new FakeGenlReply(attrs, options);
}

/** One reply of operation `K`: attributes, or a {@link genlReply} with a header of its own. */
export type FakeReply<S extends FamilySpec, K extends keyof OpsOf<S>> =
  | FakeReplyAttrs<S, K>
  | FakeGenlReply<FakeReplyAttrs<S, K>, HeaderInitOf<S>>;

/**
 * What a family handler returns: one reply, an array of replies (a dump's, or a multipart
 * `do`), or nothing (only the acknowledgement). Throw a {@link NetlinkError} to fail the
 * request with its errno and extended ack.
 */
export type FakeResult<S extends FamilySpec, K extends keyof OpsOf<S>> =
  | FakeReply<S, K>
  | readonly FakeReply<S, K>[]
  | undefined
  | void;

/** A family operation's handler, or a fixed result ("scripted" reply) returned every time. */
export type FakeOpHandler<S extends FamilySpec, K extends keyof OpsOf<S>> =
  | ((request: FakeGenlRequest<S, K>) => FakeResult<S, K> | Promise<FakeResult<S, K>>)
  | FakeResult<S, K>
  | NetlinkError;

/** Handlers of {@link FakeKernel.serveFamily}, by operation name (missing: EOPNOTSUPP). */
export type FakeFamilyHandlers<S extends FamilySpec> = {
  [K in keyof OpsOf<S> & string]?: FakeOpHandler<S, K>;
};

/** Options of {@link FakeKernel.serveFamily}. */
export interface ServeFamilyOptions {
  /** The family id (default: the next free one from 0x20 up). */
  id?: number;
  /** Version the controller reports (default: the description's). */
  version?: number;
  /** Multicast group ids by name (default: the next free ones). */
  groups?: Record<string, number>;
}

/** A family the fake kernel serves, as the controller reports it. */
export interface FakeFamilyInfo {
  /** The family name. */
  name: string;
  /** The family id (nlmsg_type of its messages). */
  id: number;
  /** Multicast group ids by name. */
  groups: Map<string, number>;
}

/** Options of {@link FakeKernel}. */
export interface FakeKernelOptions {
  /** The process id `getpid()` reports and the first autobound socket's port id (default 4242). */
  pid?: number;
  /** Network namespaces that exist besides the initial one (names under /run/netns). */
  namespaces?: readonly string[];
}

/** A request the fake kernel received (see {@link FakeKernel.requests}). */
export interface FakeRequestRecord extends FakeContext {
  /** The message as sent. */
  message: NetlinkMessage;
  /** For generic netlink families served with serveFamily: the family name. */
  family?: string;
  /** ...the operation name (undefined when the command is unknown). */
  op?: string;
  /** ...the decoded fixed header. */
  header?: unknown;
  /** ...the decoded attributes. */
  attrs?: unknown;
}

interface Datagram {
  bytes: Uint8Array;
  /** Sender port id (0: the kernel). */
  portid: number;
  /** The multicast group it was sent to (0: unicast). */
  group: number;
}

interface FakeSocket {
  kind: "socket";
  protocol: number;
  netns: string;
  portid: number;
  bound: boolean;
  groups: Set<number>;
  queue: Datagram[];
  queued: number;
  overflow: boolean;
  peerPortid: number;
  peerGroups: number;
  options: Map<string, number>;
  pending: number;
}

interface FakeEventfd {
  kind: "eventfd";
  count: bigint;
}

interface FakeNsFd {
  kind: "netns";
  netns: string;
}

type FakeFd = FakeSocket | FakeEventfd | FakeNsFd;

interface Waiter {
  fd: number;
  cancelFd: number;
  resolve: (r: WaitResult) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface ServedFamily {
  spec: FamilySpec;
  id: number;
  version: number;
  groups: Map<string, number>;
  handlers: Record<string, unknown>;
}

const DEFAULT_RCVBUF = 212992;
/** Dump replies are packed into datagrams of about this size, as the kernel's NLMSG_GOODSIZE. */
const DUMP_DATAGRAM = 32768;
const FIRST_FD = 1000;
const FIRST_FAMILY_ID = 0x20;
const FIRST_GROUP = 0x20;

/** The errno and extended ack a handler's exception becomes. */
function errorReplyOf(e: unknown, what: string): { errno: number; extAck?: ExtAck } {
  if (e instanceof NetlinkError) return { errno: e.errno, extAck: e.extAck };
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { errno: E.EIO, extAck: { message: `${what} threw ${text}` } };
}

function writeExtAck(w: NetlinkWriter, ack: ExtAck): void {
  if (ack.message !== undefined) w.attrString(NLMSGERR_ATTR.MSG, ack.message);
  if (ack.offset !== undefined) w.attrU32(NLMSGERR_ATTR.OFFS, ack.offset);
  if (ack.cookie !== undefined) w.attrBinary(NLMSGERR_ATTR.COOKIE, ack.cookie);
  if (ack.missingType !== undefined) w.attrU32(NLMSGERR_ATTR.MISS_TYPE, ack.missingType);
  if (ack.missingNest !== undefined) w.attrU32(NLMSGERR_ATTR.MISS_NEST, ack.missingNest);
}

function ownedMessage(it: MessageIterator): NetlinkMessage {
  return { type: it.type, flags: it.flags, seq: it.seq, pid: it.pid, payload: it.payload() };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

/**
 * An in-memory netlink kernel: pass it as the `transport` of `NetlinkSocket.open`,
 * `GenlSocket.open`, `Controller.open`, `OvsClient.open` or `FlowTable.open`. See the module
 * documentation for what it does; `tests/testing/fake_kernel_example_test.ts` is a complete
 * example test.
 *
 * @example
 * ```ts
 * import { Controller } from "@nlts/netlink/genl";
 * import { FakeKernel } from "@nlts/netlink/testing";
 * import { ovsDatapath, OvsClient } from "@nlts/netlink/ovs";
 * const kernel = new FakeKernel();
 * kernel.serveFamily(ovsDatapath, { get: [{ name: "dp0" }] });
 * using ctrl = Controller.open({ transport: kernel });
 * console.log((await ctrl.getFamily("ovs_datapath")).id); // 32
 * ```
 */
export class FakeKernel implements Libc {
  /** Always "fake": this is not a runtime's libc. */
  readonly runtime: "fake" = "fake";
  /** Every request the kernel side received, in order (user-to-user traffic is not recorded). */
  readonly requests: FakeRequestRecord[] = [];
  readonly #pid: number;
  readonly #fds = new Map<number, FakeFd>();
  #nextFd = FIRST_FD;
  #rover = 0xfffff000;
  #netns = "";
  readonly #namespaces = new Set<string>([""]);
  readonly #families = new Map<string, ServedFamily>();
  readonly #byId = new Map<number, ServedFamily>();
  readonly #raw = new Map<number, FakeRawHandler>();
  readonly #waiters = new Set<Waiter>();
  #nextFamilyId = FIRST_FAMILY_ID;
  #nextGroup = FIRST_GROUP;

  /** Creates an empty kernel that serves nlctrl (and nothing else until told). */
  constructor(options: FakeKernelOptions = {}) {
    const pid = options.pid ?? 4242;
    if (!Number.isInteger(pid) || pid < 1 || pid > 0x3fffffff) {
      throw new RangeError(`Cannot create FakeKernel: pid ${pid} is not a positive integer`);
    }
    this.#pid = pid;
    for (const n of options.namespaces ?? []) this.addNamespace(n);
  }

  // -------------------------------------------------------------------------------------------
  // Serving

  /**
   * Serves generic netlink family `spec`: the controller reports it (id, version, header size,
   * ops with their do/dump capabilities, multicast groups), and each request of operation `op`
   * goes to `handlers[op]`, decoded with the operation's request schema. A handler returns the
   * reply attributes (an array for several replies), nothing for a bare ACK, or throws a
   * {@link NetlinkError}; a non-function value is returned every time. Serving a family again
   * replaces its handlers. Returns the family id and group ids.
   *
   * @example
   * ```ts
   * import { netdev } from "@nlts/netlink/genl";
   * import { FakeKernel } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * const info = kernel.serveFamily(netdev, { "dev-get": [{ ifindex: 1 }] });
   * console.log(info.id, info.groups.get("mgmt")); // 32 32
   * ```
   */
  serveFamily<const S extends FamilySpec>(
    spec: S,
    handlers: NoInfer<FakeFamilyHandlers<S>>,
    options: ServeFamilyOptions = {},
  ): FakeFamilyInfo {
    if (typeof spec !== "object" || spec === null || typeof spec.name !== "string") {
      throw new TypeError("Cannot serve family: expected a family description (defineFamily)");
    }
    if (typeof handlers !== "object" || handlers === null) {
      throw new TypeError(`Cannot serve ${spec.name}: handlers must be an object by operation`);
    }
    for (const op of Object.keys(handlers)) {
      if (!(op in spec.operations)) {
        throw new TypeError(
          `Cannot serve ${spec.name}.${op}: no such operation (known: ${
            Object.keys(spec.operations).join(", ")
          })`,
        );
      }
    }
    if (spec.name === "nlctrl") {
      throw new TypeError("Cannot serve nlctrl: the fake kernel serves the controller itself");
    }
    const old = this.#families.get(spec.name);
    const id = options.id ?? old?.id ?? this.#allocFamilyId();
    if (!Number.isInteger(id) || id < NLMSG_MIN_TYPE || id > 0xffff || id === GENL_ID_CTRL) {
      throw new RangeError(`Cannot serve ${spec.name}: family id ${id} is not 17..65535`);
    }
    const clash = this.#byId.get(id);
    if (clash && clash.spec.name !== spec.name) {
      throw new RangeError(`Cannot serve ${spec.name}: family id ${id} is ${clash.spec.name}'s`);
    }
    const groups = new Map<string, number>();
    for (const g of spec.mcastGroups ?? []) {
      const gid = options.groups?.[g] ?? old?.groups.get(g) ?? this.#nextGroup++;
      groups.set(g, gid);
    }
    const f: ServedFamily = {
      spec,
      id,
      version: options.version ?? spec.version,
      groups,
      handlers: { ...handlers } as Record<string, unknown>,
    };
    this.#families.set(spec.name, f);
    if (old) this.#byId.delete(old.id);
    this.#byId.set(id, f);
    if (!old) this.#ctrlNotify(CTRL_CMD.NEWFAMILY, f);
    return { name: spec.name, id, groups: new Map(groups) };
  }

  /**
   * Stops serving family `name` (as when its module is unloaded): the controller announces it
   * on nlctrl's "notify" group, and its requests fail with ENOENT.
   *
   * @example
   * ```ts
   * import { netdev } from "@nlts/netlink/genl";
   * import { FakeKernel } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * kernel.serveFamily(netdev, {});
   * kernel.removeFamily("netdev");
   * ```
   */
  removeFamily(name: string): void {
    const f = this.#families.get(name);
    if (!f) throw new TypeError(`Cannot remove family ${name}: it is not served`);
    this.#families.delete(name);
    this.#byId.delete(f.id);
    this.#ctrlNotify(CTRL_CMD.DELFAMILY, f);
  }

  /**
   * Serves netlink protocol `protocol` (NETLINK_ROUTE, ...) byte by byte: every message a
   * socket sends to the kernel goes to `handler`, whose replies are queued for the sender. For
   * NETLINK_GENERIC the handler gets the messages of family ids no served family has.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * import { ackOf, FakeKernel } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * kernel.handle(NETLINK.ROUTE, (req) => [ackOf(req)]);
   * using route = NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel });
   * console.log(route.requestSync({ type: 16 }).length); // 0: only the ACK
   * ```
   */
  handle(protocol: number, handler: FakeRawHandler): void {
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 31) {
      throw new RangeError(`Cannot handle netlink protocol ${protocol}: expected 0..31`);
    }
    if (protocol === NETLINK.USERSOCK) {
      throw new TypeError("Cannot handle NETLINK_USERSOCK: its sockets talk to each other");
    }
    if (typeof handler !== "function") {
      throw new TypeError(`Cannot handle netlink protocol ${protocol}: handler must be a function`);
    }
    this.#raw.set(protocol, handler);
  }

  /**
   * Sends a notification of family `spec` (served with {@link FakeKernel.serveFamily}) to the
   * sockets that joined `group` (default: the family's first group): event `event` with its
   * attributes, and the fixed header for families that have one.
   *
   * @example
   * ```ts
   * import { GenlSocket, netdev } from "@nlts/netlink/genl";
   * import { FakeKernel } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * kernel.serveFamily(netdev, {});
   * using genl = GenlSocket.open({ transport: kernel });
   * using sub = genl.family(netdev).subscribe(["mgmt"]);
   * kernel.notify(netdev, "dev-add-ntf", { ifindex: 3 });
   * const { value } = await sub.next();
   * console.log(value?.event); // "dev-add-ntf"
   * ```
   */
  notify<const S extends FamilySpec, E extends keyof EventsOf<S> & string>(
    spec: S,
    event: E,
    attrs: EncodableAttrs<FieldsOfSet<EventSetOf<S, E>>>,
    options: { group?: string; header?: HeaderInitOf<S>; netns?: string } = {},
  ): number {
    const f = this.#families.get(spec?.name);
    if (!f) throw new TypeError(`Cannot notify: family ${spec?.name} is not served`);
    const e = (f.spec.events ?? {})[event];
    if (!e) {
      throw new TypeError(
        `Cannot notify ${f.spec.name} event ${event}: no such event (known: ${
          Object.keys(f.spec.events ?? {}).join(", ") || "none"
        })`,
      );
    }
    const groupName = options.group ?? f.spec.mcastGroups?.[0];
    const group = groupName === undefined ? undefined : f.groups.get(groupName);
    if (group === undefined) {
      throw new TypeError(
        `Cannot notify ${f.spec.name} event ${event}: no group ${groupName ?? "(none declared)"}`,
      );
    }
    const w = new NetlinkWriter();
    GenlCodec.of(f.spec).encodeTo(w, f.id, e.cmd, e.attrs ?? f.spec.attrs, attrs, {
      header: options.header,
      version: f.version,
    });
    return this.#broadcast(NETLINK.GENERIC, options.netns ?? "", group, w.copy(), 0);
  }

  /**
   * Sends raw messages from the kernel to the sockets of `protocol` that joined `group`.
   * Returns how many sockets got them (those whose receive queue is full are marked for
   * ENOBUFS instead, unless they set NETLINK_NO_ENOBUFS).
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * import { ackOf, FakeKernel, replyTo } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * kernel.handle(NETLINK.ROUTE, (req) => [ackOf(req)]);
   * using s = NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel, groups: 1 });
   * const ntf = { type: 16, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(16) };
   * console.log(kernel.multicast(NETLINK.ROUTE, 1, replyTo(ntf, 16, new Uint8Array(16)))); // 1
   * ```
   */
  multicast(
    protocol: number,
    group: number,
    messages: Uint8Array | readonly Uint8Array[],
    options: { netns?: string } = {},
  ): number {
    if (!Number.isInteger(group) || group < 1) {
      throw new RangeError(`Cannot multicast to group ${group}: groups are integers >= 1`);
    }
    const bytes = messages instanceof Uint8Array ? messages : concat(messages);
    return this.#broadcast(protocol, options.netns ?? "", group, bytes.slice(), 0);
  }

  /**
   * Makes network namespace `name` exist (as `ip netns add NAME` would): sockets can then be
   * opened in it with `{ netns: name }`, and handlers see it in `request.netns`.
   *
   * @example
   * ```ts
   * import { FakeKernel } from "@nlts/netlink/testing";
   * const kernel = new FakeKernel();
   * kernel.addNamespace("blue");
   * ```
   */
  addNamespace(name: string): void {
    if (typeof name !== "string" || name === "" || name.includes("/") || name.includes("\0")) {
      throw new TypeError(`Cannot add namespace ${String(name)}: expected a plain name`);
    }
    this.#namespaces.add(name);
  }

  /** The families served, by name. */
  get families(): FakeFamilyInfo[] {
    return [...this.#families.values()].map((f) => ({
      name: f.spec.name,
      id: f.id,
      groups: new Map(f.groups),
    }));
  }

  /** How many sockets are open (to check that code under test closes what it opens). */
  get openSockets(): number {
    let n = 0;
    for (const f of this.#fds.values()) if (f.kind === "socket") n++;
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Libc

  /** `socket(AF_NETLINK, type, protocol)`: a protocol the kernel serves, or USERSOCK. */
  socket(domain: number, type: number, protocol: number): SysResult {
    if (domain !== AF.NETLINK) return fail(E.EAFNOSUPPORT);
    if ((type & 0xf) !== 3 && (type & 0xf) !== 2) return fail(E.ESOCKTNOSUPPORT);
    if (
      protocol !== NETLINK.GENERIC && protocol !== NETLINK.USERSOCK && !this.#raw.has(protocol)
    ) return fail(E.EPROTONOSUPPORT);
    const fd = this.#nextFd++;
    this.#fds.set(fd, {
      kind: "socket",
      protocol,
      netns: this.#netns,
      portid: 0,
      bound: false,
      groups: new Set(),
      queue: [],
      queued: 0,
      overflow: false,
      peerPortid: 0,
      peerGroups: 0,
      options: new Map([["rcvbuf", DEFAULT_RCVBUF], ["sndbuf", DEFAULT_RCVBUF]]),
      pending: 0,
    });
    return ok(fd);
  }

  /** `bind()`: port id 0 autobinds (the first socket gets the pid, as in Linux). */
  bind(fd: number, addr: Uint8Array): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    if (addr.byteLength < 12) return fail(E.EINVAL);
    const v = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
    if (v.getUint16(0, true) !== AF.NETLINK) return fail(E.EINVAL);
    const portid = v.getUint32(4, true);
    const groups = v.getUint32(8, true);
    if (s.bound && portid !== 0 && portid !== s.portid) return fail(E.EINVAL);
    if (!s.bound) {
      const r = this.#assignPortid(s, portid);
      if (r !== 0) return fail(r);
    }
    for (let b = 0; b < 32; b++) if (groups & (1 << b)) s.groups.add(b + 1);
    return ok(0);
  }

  /** `connect()`: the default destination; AF_UNSPEC disconnects. */
  connect(fd: number, addr: Uint8Array): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    const v = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
    if (addr.byteLength >= 2 && v.getUint16(0, true) === AF.UNSPEC) {
      s.peerPortid = 0;
      s.peerGroups = 0;
      return ok(0);
    }
    if (addr.byteLength < 12 || v.getUint16(0, true) !== AF.NETLINK) return fail(E.EINVAL);
    if (!s.bound) this.#assignPortid(s, 0);
    s.peerPortid = v.getUint32(4, true);
    s.peerGroups = v.getUint32(8, true);
    return ok(0);
  }

  /** `getsockname()`: the bound port id and groups 1-32. */
  getsockname(fd: number, addr: Uint8Array): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    if (addr.byteLength < 12) return fail(E.EINVAL);
    const v = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
    v.setUint16(0, AF.NETLINK, true);
    v.setUint16(2, 0, true);
    v.setUint32(4, s.portid, true);
    let mask = 0;
    for (const g of s.groups) if (g <= 32) mask |= 1 << (g - 1);
    v.setUint32(8, mask >>> 0, true);
    return ok(0);
  }

  /** `setsockopt()`: netlink options, group membership, SO_RCVBUF/SO_SNDBUF. */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    if (value.byteLength < 4) return fail(E.EINVAL);
    const val = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
    if (level === SOL_NETLINK) {
      switch (name) {
        case NETLINK_SOCKOPT.ADD_MEMBERSHIP:
        case NETLINK_SOCKOPT.DROP_MEMBERSHIP: {
          const group = val >>> 0;
          if (group === 0) return fail(E.EINVAL);
          if (name === NETLINK_SOCKOPT.DROP_MEMBERSHIP) {
            s.groups.delete(group);
            return ok(0);
          }
          if (s.protocol === NETLINK.GENERIC && !this.#genlGroupExists(group)) {
            return fail(E.EINVAL);
          }
          if (!s.bound) this.#assignPortid(s, 0);
          s.groups.add(group);
          return ok(0);
        }
        case NETLINK_SOCKOPT.PKTINFO:
        case NETLINK_SOCKOPT.BROADCAST_ERROR:
        case NETLINK_SOCKOPT.NO_ENOBUFS:
        case NETLINK_SOCKOPT.LISTEN_ALL_NSID:
        case NETLINK_SOCKOPT.CAP_ACK:
        case NETLINK_SOCKOPT.EXT_ACK:
        case NETLINK_SOCKOPT.GET_STRICT_CHK:
          s.options.set(`nl${name}`, val ? 1 : 0);
          return ok(0);
      }
      return fail(E.ENOPROTOOPT);
    }
    if (level === SOL.SOCKET) {
      switch (name) {
        case SO.RCVBUF:
        case SO.RCVBUFFORCE:
          s.options.set("rcvbuf", Math.max(2304, 2 * Math.max(0, val)));
          return ok(0);
        case SO.SNDBUF:
        case SO.SNDBUFFORCE:
          s.options.set("sndbuf", Math.max(4608, 2 * Math.max(0, val)));
          return ok(0);
      }
      return ok(0);
    }
    return fail(E.ENOPROTOOPT);
  }

  /** `getsockopt()`: what setsockopt set, NETLINK_LIST_MEMBERSHIPS, SO_RCVBUF/SO_SNDBUF. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
    if (level === SOL_NETLINK && name === NETLINK_SOCKOPT.LIST_MEMBERSHIPS) {
      let max = 0;
      for (const g of s.groups) max = Math.max(max, g);
      const need = Math.ceil(max / 32) * 4;
      for (let w = 0; w * 4 + 4 <= Math.min(need, value.byteLength); w++) {
        let bits = 0;
        for (let b = 0; b < 32; b++) if (s.groups.has(w * 32 + b + 1)) bits |= 1 << b;
        v.setUint32(w * 4, bits >>> 0, true);
      }
      return ok(need);
    }
    if (value.byteLength < 4) return fail(E.EINVAL);
    let out: number | undefined;
    if (level === SOL_NETLINK) out = s.options.get(`nl${name}`) ?? 0;
    else if (level === SOL.SOCKET && name === SO.RCVBUF) out = s.options.get("rcvbuf");
    else if (level === SOL.SOCKET && name === SO.SNDBUF) out = s.options.get("sndbuf");
    if (out === undefined) return fail(E.ENOPROTOOPT);
    v.setInt32(0, out, true);
    return ok(4);
  }

  /** `sendmsg()`: to the kernel (served at once), to a peer's queue, or to a group. */
  sendmsg(
    fd: number,
    iov: readonly Uint8Array[],
    addr: Uint8Array | null,
    flags: number,
  ): SysResult {
    return this.#send(fd, iov.length === 1 ? iov[0] : concat(iov), addr, flags);
  }

  /** `sendto()`: same as {@link FakeKernel.sendmsg} with one piece. */
  sendto(fd: number, buf: Uint8Array, addr: Uint8Array | null, flags: number): SysResult {
    return this.#send(fd, buf, addr, flags);
  }

  /** `recvmsg()`: the next queued datagram, with MSG_PEEK/MSG_TRUNC and NETLINK_PKTINFO. */
  recvmsg(fd: number, buf: Uint8Array, flags: number, control?: Uint8Array): RecvResult {
    const s = this.#socket(fd);
    if (!s) return { ...fail(E.EBADF), msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
    if (s.overflow) {
      s.overflow = false;
      return { ...fail(E.ENOBUFS), msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
    }
    const d = s.queue[0];
    if (d === undefined) {
      return { ...fail(E.EAGAIN), msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
    }
    if (!(flags & MSG.PEEK)) {
      s.queue.shift();
      s.queued -= d.bytes.length;
    }
    const n = Math.min(buf.byteLength, d.bytes.length);
    buf.set(d.bytes.subarray(0, n));
    let msgFlags = d.bytes.length > buf.byteLength ? MSG.TRUNC : 0;
    let controlLen = 0;
    if (control !== undefined && s.options.get(`nl${NETLINK_SOCKOPT.PKTINFO}`)) {
      if (control.byteLength >= cmsgSpace(4)) {
        const cv = new DataView(control.buffer, control.byteOffset, control.byteLength);
        cv.setBigUint64(CMSGHDR.len, BigInt(cmsgLen(4)), true);
        cv.setInt32(CMSGHDR.level, SOL_NETLINK, true);
        cv.setInt32(CMSGHDR.type, NETLINK_SOCKOPT.PKTINFO, true);
        cv.setUint32(CMSGHDR.size, d.group, true);
        controlLen = cmsgSpace(4);
      } else msgFlags |= MSG.CTRUNC;
    }
    return {
      ret: flags & MSG.TRUNC ? d.bytes.length : n,
      errno: 0,
      msgFlags,
      portid: d.portid,
      groups: d.group >= 1 && d.group <= 32 ? (1 << (d.group - 1)) >>> 0 : 0,
      controlLen,
    };
  }

  /**
   * `poll()`: reports the fds that are readable now. Nothing can become readable while the
   * thread is blocked in a synchronous call, so a wait with nothing ready fails at once with a
   * {@link SyscallError} EDEADLK (a timeout of 0 returns 0, as poll does).
   */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): SysResult {
    if (!Number.isInteger(nfds) || nfds < 0 || nfds * POLLFD.size > fds.byteLength) {
      throw new RangeError(`Cannot poll: ${nfds} pollfds do not fit ${fds.byteLength} bytes`);
    }
    const v = new DataView(fds.buffer, fds.byteOffset, fds.byteLength);
    let ready = 0;
    let pending = 0;
    for (let i = 0; i < nfds; i++) {
      const o = i * POLLFD.size;
      const fd = v.getInt32(o + POLLFD.fd, true);
      const r = fd < 0 ? 0 : this.#readable(fd);
      v.setInt16(o + POLLFD.revents, r, true);
      if (r !== 0) ready++;
      const f = this.#fds.get(fd);
      if (f?.kind === "socket") pending += f.pending;
    }
    if (ready > 0 || timeoutMs === 0) return ok(ready);
    throw new SyscallError(
      "poll",
      E.EDEADLK,
      pending > 0
        ? "a fake kernel handler is still answering asynchronously, and a synchronous call blocks the thread it needs: use the asynchronous methods (do, dump, request) or return the replies synchronously"
        : "nothing is queued on the fake kernel socket, and nothing can arrive while a synchronous call blocks the thread (the handler sent no reply: ask for an ACK, or check the handler)",
    );
  }

  /** `close()`. */
  close(fd: number): SysResult {
    const f = this.#fds.get(fd);
    if (!f) return fail(E.EBADF);
    this.#fds.delete(fd);
    this.#wake();
    return ok(0);
  }

  /** `eventfd()`. */
  eventfd(initval: number, flags: number): SysResult {
    if (flags & ~(EFD.NONBLOCK | EFD.CLOEXEC | 1)) return fail(E.EINVAL);
    const fd = this.#nextFd++;
    this.#fds.set(fd, { kind: "eventfd", count: BigInt(initval >>> 0) });
    return ok(fd);
  }

  /** `read()` of an eventfd (8 bytes: the counter, which is reset). */
  read(fd: number, buf: Uint8Array): SysResult {
    const f = this.#fds.get(fd);
    if (!f) return fail(E.EBADF);
    if (f.kind !== "eventfd" || buf.byteLength < 8) return fail(E.EINVAL);
    if (f.count === 0n) return fail(E.EAGAIN);
    new DataView(buf.buffer, buf.byteOffset, 8).setBigUint64(0, f.count, true);
    f.count = 0n;
    return ok(8);
  }

  /** `write()` of an eventfd (8 bytes added to the counter; wakes waits on it). */
  write(fd: number, buf: Uint8Array): SysResult {
    const f = this.#fds.get(fd);
    if (!f) return fail(E.EBADF);
    if (f.kind !== "eventfd" || buf.byteLength < 8) return fail(E.EINVAL);
    f.count += new DataView(buf.buffer, buf.byteOffset, 8).getBigUint64(0, true);
    this.#wake();
    return ok(8);
  }

  /** `open()` of a network namespace: the current one, or /run/netns/NAME if it exists. */
  open(path: string, _flags: number): SysResult {
    if (path.includes("\0")) throw new TypeError("Cannot open: the path contains a NUL character");
    let ns: string | undefined;
    if (path === "/proc/thread-self/ns/net" || path === "/proc/self/ns/net") ns = this.#netns;
    else if (path.startsWith("/run/netns/")) {
      const name = path.slice("/run/netns/".length);
      if (this.#namespaces.has(name) && name !== "") ns = name;
    }
    if (ns === undefined) return fail(E.ENOENT);
    const fd = this.#nextFd++;
    this.#fds.set(fd, { kind: "netns", netns: ns });
    return ok(fd);
  }

  /** `setns()`: enters the namespace an fd from {@link FakeKernel.open} refers to. */
  setns(fd: number, nstype: number): SysResult {
    const f = this.#fds.get(fd);
    if (!f) return fail(E.EBADF);
    if (f.kind !== "netns" || (nstype !== 0 && nstype !== CLONE.NEWNET)) return fail(E.EINVAL);
    this.#netns = f.netns;
    return ok(0);
  }

  /** The fake process id. */
  getpid(): number {
    return this.#pid;
  }

  /** `clock_gettime()`: CLOCK_REALTIME (0) from Date.now(), others from performance.now(). */
  clockGettime(clockId: number, ts: Uint8Array): SysResult {
    if (ts.byteLength < 16) throw new RangeError("Cannot clock_gettime: ts needs 16 bytes");
    const ms = clockId === 0 ? Date.now() : performance.now();
    const v = new DataView(ts.buffer, ts.byteOffset, 16);
    const sec = Math.floor(ms / 1000);
    v.setBigInt64(0, BigInt(sec), true);
    v.setBigInt64(8, BigInt(Math.floor((ms - sec * 1000) * 1e6)), true);
    return ok(0);
  }

  /** Resolves when `fd` has a datagram, `cancelFd` is written, or the timeout passes. */
  waitReadable(fd: number, cancelFd: number, timeoutMs: number): Promise<WaitResult> {
    const now = this.#waitOutcome(fd, cancelFd);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const w: Waiter = { fd, cancelFd, resolve, timer: undefined };
      if (timeoutMs >= 0) {
        w.timer = setTimeout(() => {
          this.#waiters.delete(w);
          resolve("timeout");
        }, timeoutMs);
      }
      this.#waiters.add(w);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  #socket(fd: number): FakeSocket | undefined {
    const f = this.#fds.get(fd);
    return f?.kind === "socket" ? f : undefined;
  }

  #readable(fd: number): number {
    const f = this.#fds.get(fd);
    if (!f) return POLL.NVAL;
    if (f.kind === "eventfd") return f.count > 0n ? POLL.IN : 0;
    if (f.kind === "socket") return f.queue.length > 0 || f.overflow ? POLL.IN : 0;
    return 0;
  }

  #waitOutcome(fd: number, cancelFd: number): WaitResult | undefined {
    const r = this.#readable(fd);
    if (r & POLL.NVAL) return "error";
    if (cancelFd >= 0 && this.#readable(cancelFd) & POLL.IN) return "cancelled";
    if (r & POLL.IN) return "readable";
    return undefined;
  }

  #wake(): void {
    for (const w of this.#waiters) {
      const r = this.#waitOutcome(w.fd, w.cancelFd);
      if (r === undefined) continue;
      this.#waiters.delete(w);
      if (w.timer !== undefined) clearTimeout(w.timer);
      w.resolve(r);
    }
  }

  #assignPortid(s: FakeSocket, portid: number): number {
    const taken = (p: number) => {
      for (const f of this.#fds.values()) {
        if (
          f.kind === "socket" && f !== s && f.bound && f.portid === p &&
          f.protocol === s.protocol && f.netns === s.netns
        ) return true;
      }
      return false;
    };
    if (portid !== 0) {
      if (taken(portid)) return E.EADDRINUSE;
    } else {
      portid = this.#pid;
      while (taken(portid)) portid = this.#rover--;
    }
    s.portid = portid;
    s.bound = true;
    return 0;
  }

  #findSocket(protocol: number, netns: string, portid: number): FakeSocket | undefined {
    for (const f of this.#fds.values()) {
      if (
        f.kind === "socket" && f.bound && f.portid === portid && f.protocol === protocol &&
        f.netns === netns
      ) return f;
    }
    return undefined;
  }

  /** Queues a datagram; false when the receive queue is full (the datagram is dropped). */
  #deliver(s: FakeSocket, d: Datagram, force: boolean): boolean {
    if (!force && s.queued + d.bytes.length > (s.options.get("rcvbuf") ?? DEFAULT_RCVBUF)) {
      if (!s.options.get(`nl${NETLINK_SOCKOPT.NO_ENOBUFS}`)) s.overflow = true;
      this.#wake();
      return false;
    }
    s.queue.push(d);
    s.queued += d.bytes.length;
    this.#wake();
    return true;
  }

  #broadcast(protocol: number, netns: string, group: number, bytes: Uint8Array, from: number) {
    let n = 0;
    for (const f of this.#fds.values()) {
      if (
        f.kind === "socket" && f.protocol === protocol && f.netns === netns &&
        f.groups.has(group) && !(from !== 0 && f.portid === from)
      ) {
        if (this.#deliver(f, { bytes, portid: from, group }, false)) n++;
      }
    }
    return n;
  }

  #send(fd: number, data: Uint8Array, addr: Uint8Array | null, _flags: number): SysResult {
    const s = this.#socket(fd);
    if (!s) return fail(E.EBADF);
    let portid = s.peerPortid;
    let groups = s.peerGroups;
    if (addr !== null) {
      if (addr.byteLength < 12) return fail(E.EINVAL);
      const v = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
      if (v.getUint16(0, true) !== AF.NETLINK) return fail(E.EINVAL);
      portid = v.getUint32(4, true);
      groups = v.getUint32(8, true);
    }
    if (data.byteLength > (s.options.get("sndbuf") ?? DEFAULT_RCVBUF)) return fail(E.EMSGSIZE);
    if (!s.bound) this.#assignPortid(s, 0);
    const bytes = data.slice();
    if (groups !== 0) {
      for (let b = 0; b < 32; b++) {
        if (groups & (1 << b)) this.#broadcast(s.protocol, s.netns, b + 1, bytes, s.portid);
      }
      // Linux then also unicasts to portid (0: the kernel, which user protocols do not have).
      if (portid === 0 && s.protocol === NETLINK.USERSOCK) return fail(E.ECONNREFUSED);
    }
    if (portid !== 0) {
      const peer = this.#findSocket(s.protocol, s.netns, portid);
      if (!peer || (peer.peerPortid !== 0 && peer.peerPortid !== s.portid)) {
        return fail(E.ECONNREFUSED);
      }
      if (!this.#deliver(peer, { bytes, portid: s.portid, group: 0 }, false)) {
        return fail(E.EAGAIN);
      }
      return ok(data.byteLength);
    }
    if (groups !== 0) return ok(data.byteLength);
    if (s.protocol === NETLINK.USERSOCK) return fail(E.ECONNREFUSED);
    this.#serve(s, bytes);
    return ok(data.byteLength);
  }

  /** The kernel side: each message of a datagram sent to port 0. */
  #serve(s: FakeSocket, bytes: Uint8Array): void {
    const it = new MessageIterator(bytes);
    const ctx: FakeContext = { portid: s.portid, netns: s.netns, protocol: s.protocol };
    for (;;) {
      try {
        if (!it.next()) break;
      } catch {
        break; // a malformed header ends processing, silently, as in netlink_rcv_skb()
      }
      const req = ownedMessage(it);
      const record: FakeRequestRecord = { ...ctx, message: req };
      this.requests.push(record);
      if (!(req.flags & NLM_F.REQUEST) || req.type < NLMSG_MIN_TYPE) {
        if (req.flags & NLM_F.ACK) this.#reply(s, [this.#ack(s, req, 0)]);
        continue;
      }
      if (s.protocol === NETLINK.GENERIC) {
        if (req.type === GENL_ID_CTRL) {
          record.family = "nlctrl";
          this.#controller(s, req, record);
          continue;
        }
        const f = this.#byId.get(req.type);
        if (f) {
          this.#family(s, f, req, record, ctx);
          continue;
        }
        if (!this.#raw.has(NETLINK.GENERIC)) {
          this.#reply(s, [this.#ack(s, req, E.ENOENT)]);
          continue;
        }
      }
      this.#rawRequest(s, req, ctx);
    }
  }

  #rawRequest(s: FakeSocket, req: NetlinkMessage, ctx: FakeContext): void {
    const handler = this.#raw.get(s.protocol)!;
    const what = `the fake kernel's protocol ${s.protocol} handler`;
    let out: Uint8Array[] | Promise<Uint8Array[]>;
    try {
      out = handler(req, ctx);
    } catch (e) {
      const { errno, extAck } = errorReplyOf(e, what);
      this.#reply(s, [this.#ack(s, req, errno, extAck)]);
      return;
    }
    this.#settle(s, req, out, (r) => {
      if (!Array.isArray(r) || !r.every((b) => b instanceof Uint8Array)) {
        throw new TypeError(`${what} must return an array of encoded messages`);
      }
      return r.map((b) => [b]);
    }, what);
  }

  /**
   * Queues a handler's result: at once when it is a value, when it settles when it is a
   * promise. `encode` turns the result into datagrams (arrays of messages); if it throws, or the
   * promise rejects, the request gets an error reply instead.
   */
  #settle<T>(
    s: FakeSocket,
    req: NetlinkMessage,
    result: T | Promise<T>,
    encode: (r: T) => Uint8Array[][],
    what: string,
  ): void {
    const finish = (r: T) => {
      let datagrams: Uint8Array[][];
      try {
        datagrams = encode(r);
      } catch (e) {
        const { errno, extAck } = errorReplyOf(e, what);
        datagrams = [[this.#ack(s, req, errno, extAck)]];
      }
      for (const d of datagrams) this.#reply(s, d);
    };
    if (!isThenable(result)) {
      finish(result as T);
      return;
    }
    s.pending++;
    Promise.resolve(result).then(finish, (e) => {
      const { errno, extAck } = errorReplyOf(e, what);
      this.#reply(s, [this.#ack(s, req, errno, extAck)]);
    }).finally(() => {
      s.pending--;
    });
  }

  /** Queues one datagram of messages to socket `s` (unless it was closed meanwhile). */
  #reply(s: FakeSocket, messages: Uint8Array[]): void {
    if (messages.length === 0) return;
    let open = false;
    for (const f of this.#fds.values()) if (f === s) open = true;
    if (!open) return;
    this.#deliver(s, { bytes: concat(messages), portid: 0, group: 0 }, true);
  }

  /** NLMSG_ERROR answering `req`: capped and with TLVs as the socket's options ask. */
  #ack(s: FakeSocket, req: NetlinkMessage, errno: number, extAck?: ExtAck): Uint8Array {
    const capped = errno === 0 || s.options.get(`nl${NETLINK_SOCKOPT.CAP_ACK}`) === 1;
    const tlvs = extAck !== undefined && s.options.get(`nl${NETLINK_SOCKOPT.EXT_ACK}`) === 1;
    const w = new NetlinkWriter();
    const flags = (capped ? NLM_F_ACK_FLAGS.CAPPED : 0) | (tlvs ? NLM_F_ACK_FLAGS.ACK_TLVS : 0);
    const m = w.beginMessage(NLMSG.ERROR, flags, req.seq, s.portid);
    w.putS32(-errno);
    w.putU32(NLMSG_HDRLEN + req.payload.length).putU16(req.type).putU16(req.flags);
    w.putU32(req.seq).putU32(req.pid);
    if (!capped) {
      w.putBytes(req.payload);
      w.align();
    }
    if (tlvs) writeExtAck(w, extAck!);
    w.endMessage(m);
    return w.copy();
  }

  #done(s: FakeSocket, req: NetlinkMessage, flags = 0): Uint8Array {
    const w = new NetlinkWriter();
    const m = w.beginMessage(NLMSG.DONE, NLM_F.MULTI | flags, req.seq, s.portid);
    w.putS32(0);
    w.endMessage(m);
    return w.copy();
  }

  #isDump(req: NetlinkMessage): boolean {
    return (req.flags & 0x300) === 0x300;
  }

  /** Packs messages into dump datagrams of about 32 KiB, then NLMSG_DONE on its own. */
  #dumpDatagrams(s: FakeSocket, req: NetlinkMessage, messages: Uint8Array[]): Uint8Array[][] {
    const out: Uint8Array[][] = [];
    let cur: Uint8Array[] = [];
    let size = 0;
    let intr = 0;
    for (const m of messages) {
      intr |= (m[6] | (m[7] << 8)) & NLM_F.DUMP_INTR;
      if (size > 0 && size + m.length > DUMP_DATAGRAM) {
        out.push(cur);
        cur = [];
        size = 0;
      }
      cur.push(m);
      size += (m.length + 3) & ~3;
    }
    if (cur.length > 0) out.push(cur);
    out.push([this.#done(s, req, intr)]);
    return out;
  }

  #controller(s: FakeSocket, req: NetlinkMessage, record: FakeRequestRecord): void {
    const p = req.payload;
    if (p.length < GENL_HDRLEN) {
      this.#reply(s, [this.#ack(s, req, E.EINVAL, { message: "missing genetlink header" })]);
      return;
    }
    const cmd = p[0];
    let attrs: ReturnType<typeof ctrlAttrs.decode>;
    try {
      attrs = GenlCodec.of(nlctrl).decode(p, 0, p.length, ctrlAttrs).attrs as typeof attrs;
    } catch (e) {
      this.#reply(s, [this.#ack(s, req, E.EINVAL, { message: (e as Error).message })]);
      return;
    }
    record.header = {};
    record.attrs = attrs;
    if (cmd !== CTRL_CMD.GETFAMILY) {
      record.op = cmd === CTRL_CMD.GETPOLICY ? "getpolicy" : undefined;
      this.#reply(s, [
        this.#ack(s, req, E.EOPNOTSUPP, {
          message: `the fake kernel's controller answers getfamily only (cmd ${cmd})`,
        }),
      ]);
      return;
    }
    record.op = "getfamily";
    const all = [...this.#families.values()];
    if (this.#isDump(req)) {
      const msgs = [this.#familyMessage(s, req, undefined, NLM_F.MULTI)];
      for (const f of all) msgs.push(this.#familyMessage(s, req, f, NLM_F.MULTI));
      for (const d of this.#dumpDatagrams(s, req, msgs)) this.#reply(s, d);
      return;
    }
    let found: ServedFamily | undefined | null = null;
    if (attrs.familyId !== undefined) {
      found = attrs.familyId === GENL_ID_CTRL ? undefined : this.#byId.get(attrs.familyId);
      if (found === undefined && attrs.familyId !== GENL_ID_CTRL) found = null;
    } else if (attrs.familyName !== undefined) {
      found = attrs.familyName === "nlctrl" ? undefined : this.#families.get(attrs.familyName);
      if (found === undefined && attrs.familyName !== "nlctrl") found = null;
    } else {
      this.#reply(s, [this.#ack(s, req, E.EINVAL)]);
      return;
    }
    if (found === null) {
      this.#reply(s, [this.#ack(s, req, E.ENOENT)]);
      return;
    }
    const out = [this.#familyMessage(s, req, found, 0)];
    this.#reply(s, out);
    if (req.flags & NLM_F.ACK) this.#reply(s, [this.#ack(s, req, 0)]);
  }

  /** A CTRL_CMD_NEWFAMILY message describing `f` (undefined: nlctrl itself). */
  #familyMessage(
    s: FakeSocket | undefined,
    req: NetlinkMessage | undefined,
    f: ServedFamily | undefined,
    flags: number,
    cmd: number = CTRL_CMD.NEWFAMILY,
  ): Uint8Array {
    let attrs;
    if (f === undefined) {
      attrs = {
        familyName: "nlctrl",
        familyId: GENL_ID_CTRL,
        version: 2,
        hdrsize: 0,
        maxattr: 10,
        ops: [
          { id: CTRL_CMD.GETFAMILY, flags: GENL_OP_FLAG.CMD_CAP_DO | GENL_OP_FLAG.CMD_CAP_DUMP },
          { id: CTRL_CMD.GETPOLICY, flags: GENL_OP_FLAG.CMD_CAP_DUMP },
        ],
        mcastGroups: [{ name: "notify", id: GENL_ID_CTRL }],
      };
    } else {
      let maxattr = 0;
      for (const a of f.spec.attrs.fields) maxattr = Math.max(maxattr, a.type);
      const ops: { id: number; flags: number }[] = [];
      const seen = new Set<number>();
      for (const o of Object.values(f.spec.operations)) {
        if (seen.has(o.cmd)) continue;
        seen.add(o.cmd);
        ops.push({
          id: o.cmd,
          flags: ((o.do ?? true) ? GENL_OP_FLAG.CMD_CAP_DO : 0) |
            (o.dump ? GENL_OP_FLAG.CMD_CAP_DUMP : 0),
        });
      }
      attrs = {
        familyName: f.spec.name,
        familyId: f.id,
        version: f.version,
        hdrsize: f.spec.header?.size ?? 0,
        maxattr,
        ops,
        ...(f.groups.size > 0
          ? { mcastGroups: [...f.groups].map(([name, id]) => ({ name, id })) }
          : {}),
      };
    }
    const w = new NetlinkWriter();
    GenlCodec.of(nlctrl).encodeTo(w, GENL_ID_CTRL, cmd, ctrlAttrs, attrs, {
      flags,
      seq: req?.seq ?? 0,
      pid: s?.portid ?? 0,
    });
    return w.copy();
  }

  #ctrlNotify(cmd: number, f: ServedFamily): void {
    const bytes = this.#familyMessage(undefined, undefined, f, 0, cmd);
    for (const ns of this.#namespaces) this.#broadcast(NETLINK.GENERIC, ns, GENL_ID_CTRL, bytes, 0);
  }

  #genlGroupExists(group: number): boolean {
    if (group === GENL_ID_CTRL) return true;
    for (const f of this.#families.values()) {
      for (const id of f.groups.values()) if (id === group) return true;
    }
    return false;
  }

  #allocFamilyId(): number {
    while (this.#byId.has(this.#nextFamilyId)) this.#nextFamilyId++;
    return this.#nextFamilyId++;
  }

  #family(
    s: FakeSocket,
    f: ServedFamily,
    req: NetlinkMessage,
    record: FakeRequestRecord,
    ctx: FakeContext,
  ): void {
    const spec = f.spec;
    record.family = spec.name;
    const p = req.payload;
    if (p.length < GENL_HDRLEN) {
      this.#reply(s, [this.#ack(s, req, E.EINVAL, { message: "missing genetlink header" })]);
      return;
    }
    const cmd = p[0];
    const dump = this.#isDump(req);
    const entry =
      Object.entries(spec.operations).find(([, o]) =>
        o.cmd === cmd && (dump ? o.dump === true : (o.do ?? true))
      ) ?? Object.entries(spec.operations).find(([, o]) => o.cmd === cmd);
    if (!entry) {
      this.#reply(s, [this.#ack(s, req, E.EOPNOTSUPP)]);
      return;
    }
    const [op, o] = entry;
    record.op = op;
    if (dump ? !o.dump : o.do === false) {
      this.#reply(s, [this.#ack(s, req, E.EOPNOTSUPP)]);
      return;
    }
    let header: unknown, attrs: unknown;
    try {
      ({ header, attrs } = GenlCodec.of(spec).decode(p, 0, p.length, o.request ?? spec.attrs));
    } catch (e) {
      this.#reply(s, [this.#ack(s, req, E.EINVAL, { message: (e as Error).message })]);
      return;
    }
    record.header = header;
    record.attrs = attrs;
    const what = `the fake kernel's ${spec.name}.${op} handler`;
    const h = f.handlers[op];
    if (h === undefined) {
      this.#reply(s, [
        this.#ack(s, req, E.EOPNOTSUPP, {
          message: `the fake kernel has no handler for ${spec.name}.${op}`,
        }),
      ]);
      return;
    }
    let result: unknown;
    try {
      if (h instanceof Error) throw h;
      result = typeof h === "function"
        ? (h as (r: unknown) => unknown)({
          ...ctx,
          op,
          cmd,
          version: p[1],
          dump,
          flags: req.flags,
          seq: req.seq,
          header,
          attrs,
          message: req,
        })
        : h;
    } catch (e) {
      const { errno, extAck } = errorReplyOf(e, what);
      this.#reply(s, [this.#ack(s, req, errno, extAck)]);
      return;
    }
    const replySet = o.reply ?? o.request ?? spec.attrs;
    const replyCmd = o.replyCmd ?? o.cmd;
    this.#settle(s, req, result, (r) => {
      if (r instanceof Error) throw r;
      const items = r === undefined ? [] : Array.isArray(r) ? r : [r];
      const msgs = items.map((item) => {
        const x = item instanceof FakeGenlReply
          ? item
          : new FakeGenlReply(item, { header: spec.header ? header : undefined });
        const w = new NetlinkWriter();
        GenlCodec.of(spec).encodeTo(w, f.id, x.cmd ?? replyCmd, replySet, x.attrs, {
          header: x.header ?? (spec.header ? header : undefined),
          flags: (dump || items.length > 1 ? NLM_F.MULTI : 0) | x.flags,
          seq: req.seq,
          pid: s.portid,
          version: f.version,
        });
        return w.copy();
      });
      if (dump) return this.#dumpDatagrams(s, req, msgs);
      const out = msgs.map((m) => [m]);
      // A multipart answer to a `do` ends with NLMSG_DONE, which ends the exchange.
      if (items.length > 1) out.push([this.#done(s, req)]);
      else if (req.flags & NLM_F.ACK) out.push([this.#ack(s, req, 0)]);
      return out;
    }, what);
  }
}

function ok(ret: number): SysResult {
  return { ret, errno: 0 };
}

function fail(errno: number): SysResult {
  return { ret: -1, errno };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
