/**
 * Generic netlink families described once, in TypeScript, and used with full types:
 * {@link defineFamily} declares a family (name, version, fixed header, operations with their
 * request/reply attribute sets, multicast groups, notifications), and {@link GenlSocket} resolves
 * it through the controller and returns a {@link Family} client with `do`, `dump`, `batch` and
 * `subscribe`.
 *
 * @module
 */

import { NETLINK } from "../protocol/constants.ts";
import { ERRNO } from "../protocol/errno.ts";
import { DecodeError, type ExtAck, NetlinkError } from "../protocol/errors.ts";
import { MessageIterator } from "../protocol/reader.ts";
import { AttrTrace } from "../protocol/schema_trace.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import {
  type MessageHandler,
  type NetlinkMessage,
  NetlinkSocket,
  type NetlinkSocketOptions,
  type RequestOptions,
} from "../socket/netlink_socket.ts";
import { addTraceFormatter, nameTraceType } from "../socket/trace.ts";
import { type Subscription, subscriptionOf } from "./subscription.ts";
import { checkFamilySpec } from "./_validate.ts";
import {
  checkBoolean,
  checkFunction,
  checkInt,
  checkOptionalInt,
  checkOptions,
  checkString,
  checkTimeout,
  describeValue,
} from "../protocol/_validate.ts";
import { type FamilyDescription, GENL_ID_CTRL, nlctrl } from "./nlctrl_schema.ts";
import { GENL_HDRLEN } from "./header.ts";
import { describeFamily, GenlCodec, missingFamily, missingFamilyHint } from "./_internal.ts";
import type {
  AnySet,
  FamilySpec,
  GenlMessage,
  GenlNotification,
  GenlReceived,
  HeaderInitOf,
  HeaderOf,
  OperationSpec,
  OpsOf,
  ReplyOf,
  RequestOf,
} from "./spec.ts";

export * from "./spec.ts";

export type { Subscription } from "./subscription.ts";

/** The subscriptions made through each GenlSocket, closed with it. */
const subscriptionsOf = new WeakMap<GenlSocket, Set<Subscription<unknown>>>();

/** Options of {@link Family.do} and friends. */
export interface FamilyRequestOptions<S extends FamilySpec> {
  /** Fixed header values (families with a fixed header, e.g. OVS `{ dpIfindex }`). */
  header?: HeaderInitOf<S>;
  /** Extra nlmsg_flags (e.g. NLM_F_NEW.CREATE | NLM_F_NEW.EXCL). */
  flags?: number;
  /** Ask for an acknowledgement (default true for `do`). */
  ack?: boolean;
  /** Milliseconds to wait for a late reply (default 5000). */
  timeoutMs?: number;
  /** Unknown attributes in replies become DecodeErrors (default false: kept in `unknown`). */
  strict?: boolean;
  /** Dumps: restart up to N times on NLM_F_DUMP_INTR. */
  retryInterrupted?: number;
}

/**
 * What the controller reports about a family ({@link FamilyDescription}, decoded once from its
 * CTRL_CMD_GETFAMILY reply) as a {@link GenlSocket} caches it: the multicast groups by name.
 *
 * @example
 * ```ts
 * import { type FamilyInfo, GenlSocket } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const info: FamilyInfo = genl.resolve("nlctrl");
 * console.log(info.id, info.groups.get("notify")); // 16 16
 * ```
 */
export interface FamilyInfo extends Omit<FamilyDescription, "groups"> {
  /** Multicast groups by name -> id. */
  groups: Map<string, number>;
}

function familyInfo(d: FamilyDescription): FamilyInfo {
  return { ...d, groups: new Map(d.groups.map((g) => [g.name, g.id])) };
}

/**
 * Options of {@link Family.encode} and {@link Family.encodeTo}.
 *
 * @example
 * ```ts
 * import type { FamilyEncodeOptions } from "@nlts/netlink/genl";
 * import type { ovsFlow } from "@nlts/netlink/ovs";
 * const o: FamilyEncodeOptions<typeof ovsFlow> = { header: { dpIfindex: 7 }, flags: 0x4 };
 * ```
 */
export interface FamilyEncodeOptions<S extends FamilySpec> {
  /**
   * Fixed header values (families with a fixed header; zeros when absent), or the header's
   * bytes encoded once for many messages.
   */
  header?: HeaderInitOf<S> | Uint8Array;
  /** nlmsg_flags (the socket adds NLM_F_REQUEST, NLM_F_ACK or NLM_F_DUMP when it sends it). */
  flags?: number;
  /** nlmsg_seq (0, the default, lets the socket number it). */
  seq?: number;
}

/**
 * A message {@link Family.decode} reads: an owned message (as `NetlinkSocket.messages()` and
 * `request()` return them), a cursor into a receive buffer, or the bytes of one whole message.
 */
export type GenlInput = NetlinkMessage | MessageIterator | Uint8Array;

/** What a family's requests of one operation need, looked up once (see Family's #entry). */
interface OpEntry {
  /** The operation's name. */
  readonly name: string;
  readonly spec: OperationSpec;
  /** The set its requests are encoded with. */
  readonly request: AnySet;
  /** The set its replies are decoded with. */
  readonly reply: AnySet;
  /** `family.op`, naming it in errors. */
  readonly operation: string;
}

/** The shared request writer of a GenlSocket (its private field, for its families). */
let writerOf: (genl: GenlSocket) => NetlinkWriter;

/** Options of {@link GenlSocket.open}. */
export type GenlSocketOptions = Omit<NetlinkSocketOptions, "type" | "userToUser">;

/**
 * A NETLINK_GENERIC socket with a per-socket cache of family ids and groups. Get typed clients
 * with {@link GenlSocket.family}.
 *
 * @example
 * ```ts
 * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const ctrl = genl.family(nlctrl);
 * const fam = await ctrl.do("getfamily", { familyName: "ethtool" });
 * console.log(fam?.familyId);
 * ```
 */
export class GenlSocket {
  /** The underlying netlink socket. */
  readonly socket: NetlinkSocket;
  readonly #options: GenlSocketOptions;
  readonly #cache = new Map<string, FamilyInfo>();
  readonly #writer = new NetlinkWriter(4096);
  #notify: NetlinkSocket | undefined;
  #ctrl: Family<typeof nlctrl> | undefined;

  static {
    // The families of this socket write their requests into its one writer.
    writerOf = (g) => g.#writer;
  }

  private constructor(socket: NetlinkSocket, options: GenlSocketOptions) {
    this.socket = socket;
    this.#options = options;
  }

  /**
   * Opens a NETLINK_GENERIC socket (optionally in a network namespace).
   *
   * @example
   * ```ts
   * import { GenlSocket } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open({ netns: "blue" });
   * ```
   */
  static open(options: GenlSocketOptions = {}): GenlSocket {
    checkOptions(options, "open netlink socket");
    return new GenlSocket(
      NetlinkSocket.open(NETLINK.GENERIC, { name: "genl", ...options }),
      options,
    );
  }

  /** The network namespace the socket was opened in (undefined: the caller's). */
  get netns(): string | number | undefined {
    return this.#options.netns;
  }

  /**
   * Looks a family up by name through the controller (CTRL_CMD_GETFAMILY), cached per socket.
   * The cache follows the controller's "notify" announcements (a family removed or added, e.g.
   * a module reload) and is refreshed when a request with a cached id fails with ENOENT.
   * A missing family raises a {@link NetlinkError} (ENOENT) whose message names the module to load.
   *
   * @example
   * ```ts
   * import { GenlSocket } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * console.log(genl.resolve("nlctrl").id); // 16
   * ```
   */
  resolve(name: string, module?: string): FamilyInfo {
    checkString(name, "resolve family", "the family name", true);
    if (name === undefined) throw new TypeError("Cannot resolve family: give its name");
    checkString(module, "resolve family", "module");
    this.#applyNotifications();
    const hit = this.#cache.get(name);
    if (hit) return hit;
    let reply;
    try {
      this.#ctrl ??= this.family(nlctrl);
      reply = this.#ctrl.doSync("getfamily", { familyName: name }, { ack: false });
    } catch (e) {
      throw missingFamily(e, name, module);
    }
    if (!reply) {
      throw new NetlinkError(ERRNO.ENOENT, {
        operation: `resolve family ${name}`,
        hint: missingFamilyHint(name, module),
      });
    }
    const info = familyInfo(describeFamily(reply));
    this.#cache.set(name, info);
    this.#watch();
    return info;
  }

  /** Forgets cached family ids (the next use looks them up again). */
  refresh(name?: string): void {
    checkString(name, "refresh family", "the family name");
    if (name === undefined) this.#cache.clear();
    else this.#cache.delete(name);
  }

  /** Joins nlctrl's "notify" group on a side socket to follow family removals/additions. */
  #watch(): void {
    if (this.#notify) return;
    try {
      const s = NetlinkSocket.open(NETLINK.GENERIC, {
        name: "nlctrl-notify",
        netns: this.#options.netns,
        transport: this.socket.transport,
        strict: false,
      });
      s.joinGroup(GENL_ID_CTRL); // nlctrl's "notify" group id equals its family id
      this.#notify = s;
    } catch {
      // Not fatal: the ENOENT refresh still keeps the cache right.
    }
  }

  #applyNotifications(): void {
    const s = this.#notify;
    if (!s) return;
    for (let d = s.receive(); d; d = s.receive()) {
      // Any family (un)registration invalidates the names it concerns; simplest correct
      // behaviour: drop the whole cache (lookups are cheap).
      this.#cache.clear();
    }
  }

  /**
   * A typed client for the family `spec` (its id is resolved now, and cached).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * for await (const f of ctrl.dump("getfamily")) console.log(f.familyName);
   * ```
   */
  family<const S extends FamilySpec>(spec: S): Family<S> {
    checkFamilySpec(spec, "use family");
    return new Family(this, spec);
  }

  /**
   * Closes the socket, the side socket that follows the controller, and every subscription
   * made through it ({@link Family.subscribe}; each has a socket of its own, closed too: their
   * iterations end).
   *
   * @example
   * ```ts
   * import { GenlSocket } from "@nlts/netlink/genl";
   * const genl = GenlSocket.open();
   * genl.close();
   * ```
   */
  close(): void {
    const subs = subscriptionsOf.get(this);
    subscriptionsOf.delete(this);
    for (const sub of subs ?? []) sub.close();
    this.#notify?.close();
    this.#notify = undefined;
    this.socket.close();
  }

  /** Same as {@link GenlSocket.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * A typed client of one generic netlink family on a {@link GenlSocket}. Requests, dumps and
 * notifications are encoded and decoded through the family's schemas.
 *
 * @example
 * ```ts
 * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const ctrl = genl.family(nlctrl);
 * const reply = ctrl.doSync("getfamily", { familyName: "nlctrl" });
 * console.log(reply?.ops?.length);
 * ```
 */
export class Family<S extends FamilySpec> {
  /** The family's description. */
  readonly spec: S;
  readonly #genl: GenlSocket;
  readonly #codec: GenlCodec;
  #info: FamilyInfo;

  /** Use {@link GenlSocket.family}. */
  constructor(genl: GenlSocket, spec: S) {
    if (!(genl instanceof GenlSocket)) {
      throw new TypeError(`Cannot use family: expected a GenlSocket, not ${describeValue(genl)}`);
    }
    checkFamilySpec(spec, "use family");
    this.spec = spec;
    this.#genl = genl;
    this.#codec = GenlCodec.of(spec);
    this.#info = spec.fixedId !== undefined
      ? {
        id: spec.fixedId,
        name: spec.name,
        version: spec.version,
        hdrsize: 0,
        maxattr: 0,
        ops: [],
        groups: new Map(),
      }
      : genl.resolve(spec.name, spec.module);
    registerTrace(spec, this.#info.id);
  }

  /** The family id, version and multicast groups as the kernel reported them. */
  get info(): FamilyInfo {
    return this.#info;
  }

  /** The family id. */
  get id(): number {
    return this.#info.id;
  }

  #op(op: string): OperationSpec {
    return this.#codec.op(op);
  }

  /** What each operation's requests need, looked up once per operation (see OpEntry). */
  readonly #ops = new Map<string, OpEntry>();

  /** Operation `op`'s entry, or a TypeError naming the known operations. */
  #entry(op: string): OpEntry {
    const e = this.#ops.get(op);
    if (e !== undefined) return e;
    const o = this.#op(op);
    const entry: OpEntry = {
      name: op,
      spec: o,
      request: o.request ?? this.spec.attrs,
      reply: o.reply ?? o.request ?? this.spec.attrs,
      operation: `${this.spec.name}.${op}`,
    };
    this.#ops.set(op, entry);
    return entry;
  }

  /**
   * Frames a request for operation `op`: nlmsghdr (type: the family id; flags and seq from
   * `options`, else 0 for the socket to fill), genlmsghdr (the op's cmd, the family's version),
   * the fixed header (zeros when `options.header` is absent) and the attributes encoded with the
   * op's request set. Returns an owned copy. TypeError/RangeError for values the schema refuses.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * const replies = genl.socket.requestSync(ctrl.encode("getfamily", { familyName: "nlctrl" }), { ack: false });
   * console.log(ctrl.decode(replies[0], { op: "getfamily" }).attrs.familyId); // 16
   * ```
   */
  encode<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyEncodeOptions<S>,
  ): Uint8Array {
    const w = writerOf(this.#genl).reset();
    this.encodeTo(w, op, attrs, options);
    return w.copy();
  }

  /**
   * Appends a request for operation `op` to `w` (see {@link Family.encode}) and returns where
   * the message starts: many requests can share one buffer (one `sendmsg`). `attrs` may also be
   * a function that writes the attributes itself (e.g. bytes encoded once for many messages).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * import { NetlinkWriter } from "@nlts/netlink/protocol";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * const w = new NetlinkWriter();
   * for (const name of ["nlctrl", "ethtool"]) ctrl.encodeTo(w, "getfamily", { familyName: name });
   * console.log(w.length > 0); // true
   * ```
   */
  encodeTo<K extends keyof OpsOf<S> & string>(
    w: NetlinkWriter,
    op: K,
    attrs?: RequestOf<S, K> | ((w: NetlinkWriter) => void),
    options?: FamilyEncodeOptions<S>,
  ): number {
    const o = this.#op(op);
    // The common case tested inline, without building a message (encodeTo frames bulk batches).
    if (!(w instanceof NetlinkWriter) || !encodeArgsOk(attrs, options)) {
      this.#checkEncode(op, w, attrs, options);
    }
    return this.#codec.encodeTo(
      w,
      this.#info.id,
      o.cmd,
      o.request ?? this.spec.attrs,
      attrs,
      options,
    );
  }

  /**
   * Decodes a message of this family: genlmsghdr, the fixed header and the attributes, with the
   * reply set of `options.op` when given; otherwise with the set the message's cmd names
   * (an event, else an operation's reply), whose name is then in `event` (`cmd-N` when the
   * description has no such command). Malformed bytes raise DecodeError; unknown attributes are
   * kept in `unknown` (or raise with `strict`).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * for (const m of genl.socket.dumpSync(ctrl.encode("getfamily"))) {
   *   const f = ctrl.decode(m);
   *   console.log(f.event, f.attrs.familyName); // "getfamily" "nlctrl" ...
   * }
   * ```
   */
  decode<K extends keyof OpsOf<S> & string>(
    message: GenlInput,
    options: { op: K; strict?: boolean },
  ): GenlMessage<ReplyOf<S, K>, HeaderOf<S>>;
  /**
   * Decodes a message as a notification: with the attribute set of the event its cmd names
   * (`event`; `cmd-N` and the family's main set when the description has no such event), and
   * the name of the multicast group it came through (`group`) when the message carries one.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const ctrl = genl.family(nlctrl);
   * // The controller describes each family with a CTRL_CMD_NEWFAMILY message, also as an event.
   * const [m] = genl.socket.dumpSync(ctrl.encode("getfamily"));
   * console.log(ctrl.decode(m).event); // "newfamily"
   * ```
   */
  decode(message: GenlInput, options?: { strict?: boolean }): GenlReceived<S>;
  decode(
    message: GenlInput,
    options: { op?: string; strict?: boolean } = {},
  ): GenlMessage<unknown, unknown> | GenlReceived<S> {
    const verb = `decode ${this.spec.name} message`;
    if (
      !(message instanceof Uint8Array || message instanceof MessageIterator ||
        (message as NetlinkMessage | null)?.payload instanceof Uint8Array)
    ) {
      throw new TypeError(
        `Cannot ${verb}: message must be a Uint8Array, a MessageIterator or a received message, not ${
          describeValue(message)
        }`,
      );
    }
    checkOptions(options, verb);
    const strict = checkBoolean(options.strict, verb, "strict", false);
    if (options.op !== undefined) {
      const o = this.#op(options.op);
      return this.#decodeAny(message, o.reply ?? o.request ?? this.spec.attrs, strict);
    }
    const m = this.#decodeAny(message, undefined, strict);
    const n = m as GenlReceived<S>;
    n.event = this.#codec.received(m.cmd)[0] as GenlReceived<S>["event"];
    const g = message instanceof Uint8Array || message instanceof MessageIterator
      ? undefined
      : message.group;
    if (g) this.#nameGroup(n, g);
    return n;
  }

  /** Checks the arguments of {@link Family.encodeTo} (once per message, not per attribute). */
  #checkEncode(op: string, w: unknown, attrs: unknown, options: unknown): void {
    const verb = `encode ${this.spec.name}.${op}`;
    if (!(w instanceof NetlinkWriter)) {
      throw new TypeError(
        `Cannot ${verb}: the writer must be a NetlinkWriter, not ${describeValue(w)}`,
      );
    }
    if (typeof attrs !== "function") checkOptions(attrs, verb, "the attributes");
    if (options === undefined) return;
    const o = checkOptions<FamilyEncodeOptions<S>>(options, verb);
    if (!(o.header instanceof Uint8Array)) checkOptions(o.header, verb, "header");
    checkOptionalInt(o.flags, verb, "flags", 0, 0xffff, 0);
    checkOptionalInt(o.seq, verb, "seq", 0, 0xffffffff, 0);
  }

  /** Checks a request's attributes and options before anything is encoded or sent. */
  #checkRequest(op: string, attrs: unknown, options: unknown): void {
    const verb = `use ${this.spec.name}.${op}`;
    checkOptions(attrs, verb, "the attributes");
    const o = checkOptions<FamilyRequestOptions<S>>(options, verb);
    checkOptions(o.header, verb, "header");
    checkOptionalInt(o.flags, verb, "flags", 0, 0xffff, 0);
    checkBoolean(o.ack, verb, "ack", true);
    checkBoolean(o.strict, verb, "strict", false);
    checkTimeout(o.timeoutMs, verb, 5000);
    checkOptionalInt(o.retryInterrupted, verb, "retryInterrupted", 0, 0x7fffffff, 0);
  }

  /** A notification from a multicast group: decoded as the event its cmd names (or `cmd-N`). */
  #decodeEvent(m: NetlinkMessage, strict: boolean): GenlNotification<S> {
    const [event, set] = this.#codec.event(m.payload.length ? m.payload[0] : -1);
    const n = this.#decodeOwned(m, set, strict) as GenlNotification<S>;
    n.event = event as GenlNotification<S>["event"];
    if (m.group) this.#nameGroup(n, m.group);
    return n;
  }

  #nameGroup(n: { group?: string }, g: number): void {
    for (const [name, id] of this.#info.groups) if (id === g) n.group = name;
  }

  /**
   * Encodes the request into the socket's shared writer and returns the bytes (a view: sent,
   * or copied, before the next request).
   */
  #build(
    e: OpEntry,
    attrs: unknown,
    options: FamilyRequestOptions<S> | undefined,
  ): Uint8Array {
    this.#checkRequest(e.name, attrs, options);
    const w = writerOf(this.#genl).reset();
    this.#codec.encodeTo(
      w,
      this.#info.id,
      e.spec.cmd,
      e.request,
      attrs,
      options === undefined ? undefined : { header: options.header, flags: options.flags },
    );
    return w.bytes();
  }

  /**
   * A function naming the attribute an extended ack points at: it encodes the request again
   * with a trace, only when the kernel refused it (successful requests pay nothing for it).
   */
  #describer(
    e: OpEntry,
    attrs: unknown,
    options: FamilyRequestOptions<S> | undefined,
  ): (ack: ExtAck) => void {
    return (ack) => {
      const trace = new AttrTrace({ origin: 0 });
      this.#codec.encodeTo(new NetlinkWriter(), this.#info.id, e.spec.cmd, e.request, attrs, {
        header: options?.header,
        flags: options?.flags,
        trace,
      });
      trace.describe(ack);
    };
  }

  #decodeMessage(
    it: MessageIterator,
    set: AnySet | undefined,
    strict: boolean,
  ): GenlMessage<unknown, unknown> {
    return this.#codec.decode(
      it.data,
      it.payloadOffset,
      it.messageEnd,
      set,
      strict,
      it.flags,
      it.seq,
      it.pid,
    );
  }

  #decodeOwned(
    m: NetlinkMessage,
    set: AnySet | undefined,
    strict: boolean,
  ): GenlMessage<unknown, unknown> {
    return this.#codec.decode(m.payload, 0, m.payload.length, set, strict, m.flags, m.seq, m.pid);
  }

  #decodeAny(
    message: GenlInput,
    set: AnySet | undefined,
    strict: boolean,
  ): GenlMessage<unknown, unknown> {
    return message instanceof Uint8Array
      ? this.#decodeBytes(message, set, strict)
      : message instanceof MessageIterator
      ? this.#decodeMessage(message, set, strict)
      : this.#decodeOwned(message, set, strict);
  }

  #decodeBytes(
    b: Uint8Array,
    set: AnySet | undefined,
    strict: boolean,
  ): GenlMessage<unknown, unknown> {
    const it = new MessageIterator(b);
    if (!it.next()) {
      throw new DecodeError(`a netlink message needs 16 bytes, got ${b.length}`, 0, "nlmsghdr");
    }
    return this.#decodeMessage(it, set, strict);
  }

  async #withRetry<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!this.#stale(e)) throw e;
      return await fn();
    }
  }

  #withRetrySync<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (!this.#stale(e)) throw e;
      return fn();
    }
  }

  /** After ENOENT for a cached id, re-resolves; true when the id changed (worth a retry). */
  #stale(e: unknown): boolean {
    if (!(e instanceof NetlinkError) || e.code !== "ENOENT" || this.spec.fixedId !== undefined) {
      return false;
    }
    this.#genl.refresh(this.spec.name);
    let fresh: FamilyInfo;
    try {
      fresh = this.#genl.resolve(this.spec.name, this.spec.module);
    } catch {
      return false;
    }
    const changed = fresh.id !== this.#info.id;
    this.#info = fresh;
    return changed;
  }

  /**
   * Runs operation `op` as a `do` request and returns the decoded replies as full messages
   * (genlmsghdr, fixed header, attributes). Kernel errors raise {@link NetlinkError} with the
   * extended ack's attribute path (`.header.dev-name`).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const [m] = await genl.family(nlctrl).request("getfamily", { familyName: "nlctrl" });
   * console.log(m.cmd, m.attrs.familyId);
   * ```
   */
  request<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): Promise<GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[]> {
    return this.#withRetry(async () => {
      const e = this.#entry(op);
      const bytes = this.#build(e, attrs, options);
      const out: GenlMessage<unknown, unknown>[] = [];
      await this.#genl.socket.exchange(
        bytes,
        this.#exchangeOptions(e, attrs, options),
        this.#collector(e, options, out),
      );
      return out as GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[];
    });
  }

  /**
   * Synchronous {@link Family.request}.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const [m] = genl.family(nlctrl).requestSync("getfamily", { familyName: "nlctrl" });
   * ```
   */
  requestSync<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[] {
    // The retry inline (no closure per request), as #withRetrySync does it.
    try {
      return this.#requestSync(op, attrs, options);
    } catch (e) {
      if (!this.#stale(e)) throw e;
      return this.#requestSync(op, attrs, options);
    }
  }

  #requestSync<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs: RequestOf<S, K> | undefined,
    options: FamilyRequestOptions<S> | undefined,
  ): GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[] {
    const e = this.#entry(op);
    const bytes = this.#build(e, attrs, options);
    const out: GenlMessage<unknown, unknown>[] = [];
    this.#genl.socket.exchangeSync(
      bytes,
      this.#exchangeOptions(e, attrs, options),
      this.#collector(e, options, out),
    );
    return out as GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[];
  }

  /** The exchange options of request and requestSync. */
  #exchangeOptions(
    e: OpEntry,
    attrs: unknown,
    options: FamilyRequestOptions<S> | undefined,
  ): RequestOptions {
    return {
      operation: e.operation,
      ack: options?.ack ?? true,
      timeoutMs: options?.timeoutMs,
      describeExtAck: this.#describer(e, attrs, options),
    };
  }

  /** The handler of request and requestSync: each reply decoded into `out`. */
  #collector(
    e: OpEntry,
    options: FamilyRequestOptions<S> | undefined,
    out: GenlMessage<unknown, unknown>[],
  ): MessageHandler {
    const set = e.reply;
    const strict = options?.strict ?? false;
    return (it) => {
      out.push(this.#decodeMessage(it, set, strict));
    };
  }

  /**
   * Runs operation `op` as a `do` request; returns the first reply's attributes (undefined when
   * the operation replies with nothing but an ACK).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const f = await genl.family(nlctrl).do("getfamily", { familyName: "ethtool" });
   * console.log(f?.familyId, f?.mcastGroups);
   * ```
   */
  async do<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): Promise<ReplyOf<S, K> | undefined> {
    return (await this.request(op, attrs, options))[0]?.attrs;
  }

  /**
   * Synchronous {@link Family.do}.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * console.log(genl.family(nlctrl).doSync("getfamily", { familyName: "nlctrl" })?.familyId);
   * ```
   */
  doSync<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): ReplyOf<S, K> | undefined {
    return this.requestSync(op, attrs, options)[0]?.attrs;
  }

  /**
   * Dumps operation `op`, yielding full decoded messages one datagram at a time (constant
   * memory). Ends at NLMSG_DONE; an error carried there is raised.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * for await (const m of genl.family(nlctrl).dumpMessages("getfamily")) console.log(m.attrs.familyName);
   * ```
   */
  async *dumpMessages<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): AsyncGenerator<GenlMessage<ReplyOf<S, K>, HeaderOf<S>>, void, undefined> {
    for await (const batch of this.#batches(op, attrs, options)) {
      for (let i = 0; i < batch.length; i++) yield batch[i];
    }
  }

  /** The decoded messages of a dump, one array per datagram (one await per datagram). */
  #batches<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs: RequestOf<S, K> | undefined,
    options: FamilyRequestOptions<S> | undefined,
  ): AsyncIterable<GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[]> {
    const e = this.#entry(op);
    const bytes = this.#build(e, attrs, options);
    const set = e.reply;
    const strict = options?.strict ?? false;
    // Decode each datagram's messages while they are in the receive buffer.
    return this.#genl.socket.dumpBatches(bytes, {
      operation: e.operation,
      timeoutMs: options?.timeoutMs,
      retryInterrupted: options?.retryInterrupted,
      describeExtAck: this.#describer(e, attrs, options),
    }, (it) => this.#decodeMessage(it, set, strict) as GenlMessage<ReplyOf<S, K>, HeaderOf<S>>);
  }

  /**
   * Dumps operation `op`, yielding decoded attributes.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * for await (const f of genl.family(nlctrl).dump("getfamily")) console.log(f.familyName);
   * ```
   */
  async *dump<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S>,
  ): AsyncGenerator<ReplyOf<S, K>, void, undefined> {
    // Straight from the datagrams: not through dumpMessages (an await per message more).
    for await (const batch of this.#batches(op, attrs, options)) {
      for (let i = 0; i < batch.length; i++) yield batch[i].attrs;
    }
  }

  /**
   * Synchronous dump into an array of full messages; `onMessage`, when given, receives each
   * decoded message instead (nothing is collected: constant memory for huge dumps).
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * console.log(genl.family(nlctrl).dumpSync("getfamily").length);
   * ```
   */
  dumpSync<K extends keyof OpsOf<S> & string>(
    op: K,
    attrs?: RequestOf<S, K>,
    options?: FamilyRequestOptions<S> & {
      onMessage?: (m: GenlMessage<ReplyOf<S, K>, HeaderOf<S>>) => void;
    },
  ): GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[] {
    return this.#withRetrySync(() => {
      const e = this.#entry(op);
      const bytes = this.#build(e, attrs, options);
      const set = e.reply;
      const strict = options?.strict ?? false;
      const out: GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[] = [];
      const sink = options?.onMessage;
      checkFunction(sink, `use ${e.operation}`, "onMessage", true);
      const describe = this.#describer(e, attrs, options);
      let retries = options?.retryInterrupted ?? 0;
      // Our own copy when onMessage may make a request (that reuses the socket's shared
      // writer); the socket only sets seq and flags in it, so a retry sends it again.
      const request = sink ? bytes.slice() : bytes;
      for (;;) {
        out.length = 0;
        try {
          this.#genl.socket.exchangeSync(request, {
            dump: true,
            operation: e.operation,
            timeoutMs: options?.timeoutMs,
            describeExtAck: describe,
          }, (it) => {
            const m = this.#decodeMessage(it, set, strict) as GenlMessage<
              ReplyOf<S, K>,
              HeaderOf<S>
            >;
            if (sink) sink(m);
            else out.push(m);
          });
          return out;
        } catch (e) {
          if ((e as Error).name === "DumpInterruptedError" && retries-- > 0) continue;
          throw e;
        }
      }
    });
  }

  /**
   * Sends many `do` requests of operation `op` in batches (many messages per sendmsg) and
   * returns, per request, its first reply's attributes or its error.
   *
   * @example
   * ```ts
   * import { GenlSocket, nlctrl } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const r = genl.family(nlctrl).batchSync("getfamily", [{ familyName: "nlctrl" }, { familyName: "nope" }]);
   * console.log(r.map((x) => x instanceof Error ? x.code : x?.familyId)); // [16, "ENOENT"]
   * ```
   */
  batchSync<K extends keyof OpsOf<S> & string>(
    op: K,
    requests: readonly RequestOf<S, K>[],
    options?: FamilyRequestOptions<S> & { chunk?: number },
  ): (ReplyOf<S, K> | undefined | NetlinkError)[] {
    const e = this.#entry(op);
    const set = e.reply;
    if (!Array.isArray(requests)) {
      throw new TypeError(
        `Cannot use ${this.spec.name}.${op}: requests must be an array of attribute objects, not ${
          describeValue(requests)
        }`,
      );
    }
    checkOptionalInt(options?.chunk, `use ${this.spec.name}.${op}`, "chunk", 1, 1024, 64);
    const msgs = requests.map((a) => this.#build(e, a, options).slice());
    const results = this.#genl.socket.batchSync(msgs, {
      operation: `${this.spec.name}.${op}`,
      ack: options?.ack ?? true,
      timeoutMs: options?.timeoutMs,
      chunk: options?.chunk,
    });
    const strict = options?.strict ?? false;
    return results.map((r) => {
      if (r.ok === false) return r.error; // (not `!r.ok`: that does not narrow without strictNullChecks)
      const m = r.replies[0];
      return m ? this.#decodeOwned(m, set, strict).attrs as ReplyOf<S, K> : undefined;
    });
  }

  /**
   * Subscribes to multicast groups of the family (all its groups when none are named) on a
   * dedicated socket and yields decoded notifications until `signal` aborts, the subscription
   * is closed, or the GenlSocket is closed ({@link GenlSocket.close} closes its subscriptions).
   * Overruns (the kernel dropped notifications: ENOBUFS) are raised as SyscallError "ENOBUFS"
   * and the subscription stays open: iterate it again to go on (see {@link Subscription}).
   *
   * @example
   * ```ts
   * import { GenlSocket, netdev } from "@nlts/netlink/genl";
   * using genl = GenlSocket.open();
   * const ac = new AbortController();
   * setTimeout(() => ac.abort(), 1000); // stop listening after a second
   * for await (const n of genl.family(netdev).subscribe(["mgmt"], { signal: ac.signal })) {
   *   console.log(n.event, n.attrs.ifindex);
   * }
   * ```
   */
  subscribe(
    groups?: readonly string[],
    options: { signal?: AbortSignal; strict?: boolean; netns?: string | number } = {},
  ): Subscription<GenlNotification<S>> {
    const verb = `subscribe to ${this.spec.name}`;
    if (groups !== undefined && !Array.isArray(groups)) {
      throw new TypeError(
        `Cannot ${verb}: groups must be an array of group names, not ${describeValue(groups)}`,
      );
    }
    checkOptions(options, verb);
    const { signal } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new TypeError(
        `Cannot ${verb}: signal must be an AbortSignal, not ${describeValue(signal)}`,
      );
    }
    checkBoolean(options.strict, verb, "strict", false);
    if (typeof options.netns === "number") {
      checkInt(options.netns, verb, "netns (a file descriptor)", 0, 0x7fffffff);
    } else checkString(options.netns, verb, "netns", true);
    const names = groups ?? [...this.#info.groups.keys()];
    const ids: number[] = [];
    for (const g of names) {
      checkString(g, verb, "a group name", true);
      const id = this.#info.groups.get(g);
      if (id === undefined) {
        throw new TypeError(
          `Cannot subscribe to ${this.spec.name} group "${g}": the kernel's groups are ${
            [...this.#info.groups.keys()].join(", ") || "(none)"
          }`,
        );
      }
      ids.push(id);
    }
    // Open and join now, so that events right after this call are already queued for us.
    const sock = NetlinkSocket.open(NETLINK.GENERIC, {
      name: `${this.spec.name}-events`,
      netns: options.netns ?? this.#genl.netns,
      transport: this.#genl.socket.transport,
    });
    try {
      for (const id of ids) sock.joinGroup(id);
    } catch (e) {
      sock.close();
      throw e;
    }
    const familyId = this.#info.id;
    const strict = options.strict ?? false;
    const decode = (m: NetlinkMessage) => this.#decodeEvent(m, strict);
    let subs = subscriptionsOf.get(this.#genl);
    if (subs === undefined) subscriptionsOf.set(this.#genl, subs = new Set());
    const sub: Subscription<GenlNotification<S>> = subscriptionOf(
      () => sock.messages({ signal: options.signal }),
      (m: NetlinkMessage) => m.type === familyId ? decode(m) : undefined,
      () => {
        sock.close();
        subscriptionsOf.get(this.#genl)?.delete(sub);
      },
    );
    subs.add(sub);
    return sub;
  }
}

/** Whether `attrs` and `options` of {@link Family.encodeTo} are well formed (no message built). */
function encodeArgsOk(attrs: unknown, options: unknown): boolean {
  if (
    attrs !== undefined && typeof attrs !== "function" &&
    (typeof attrs !== "object" || attrs === null || Array.isArray(attrs))
  ) return false;
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null || Array.isArray(options)) return false;
  const { flags, seq, header } = options as { flags?: unknown; seq?: unknown; header?: unknown };
  return (flags === undefined ||
    (typeof flags === "number" && flags >>> 0 === flags && flags <= 0xffff)) &&
    (seq === undefined || (typeof seq === "number" && seq >>> 0 === seq)) &&
    (header === undefined ||
      (typeof header === "object" && header !== null && !Array.isArray(header)));
}

/** The family each traced id names now (ids are reused: fake kernels, a reloaded module). */
const traced = new Map<number, FamilySpec>();

/**
 * Lets NLTS_DEBUG traces name the family's commands and attributes (done automatically for
 * every family a {@link GenlSocket} resolves). The family registered last for an id names it.
 *
 * @example
 * ```ts
 * import { nlctrl, registerTrace } from "@nlts/netlink/genl";
 * registerTrace(nlctrl, 0x10);
 * ```
 */
export function registerTrace(spec: FamilySpec, id: number): void {
  checkFamilySpec(spec, "trace family");
  checkInt(id, "trace family", "the family id", 0, 0xffff);
  const known = traced.has(id);
  traced.set(id, spec);
  nameTraceType(NETLINK.GENERIC, id, spec.name);
  if (known) return;
  addTraceFormatter((_sock, type, _flags, payload, direction) => {
    if (type !== id || payload.length < GENL_HDRLEN) return undefined;
    const spec = traced.get(id)!;
    const codec = GenlCodec.of(spec);
    // Requests are named by their cmd; replies and notifications by the events first (a family
    // may number kernel-to-user messages apart, as ethtool does), then by the op's reply cmd.
    const [name, set] = direction === "send" ? codec.sent(payload[0]) : codec.received(payload[0]);
    const m = codec.decode(payload, 0, payload.length, set);
    const header = spec.header ? ` ${JSON.stringify(m.header, jsonBigint)}` : "";
    return `${spec.name}.${name} v${m.version}${header} ${JSON.stringify(m.attrs, jsonBigint)}`;
  }, { protocol: NETLINK.GENERIC });
}

function jsonBigint(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, "0")).join("");
  return v;
}
