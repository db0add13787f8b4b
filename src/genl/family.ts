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
import { type ExtAck, NetlinkError } from "../protocol/errors.ts";
import type { MessageIterator } from "../protocol/reader.ts";
import type { AttrSet } from "../protocol/schema_attrs.ts";
import { AttrTrace } from "../protocol/schema_trace.ts";
import type {
  AttrFields,
  DecodedAttrs,
  DecodedStruct,
  EncodableAttrs,
  EncodableStruct,
  StructCodec,
  StructMembers,
} from "../protocol/schema_types.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import {
  type NetlinkMessage,
  NetlinkSocket,
  type NetlinkSocketOptions,
} from "../socket/netlink_socket.ts";
import { addTraceFormatter, nameTraceType } from "../socket/trace.ts";
import { type Subscription, subscriptionOf } from "./subscription.ts";
import { decodeGenlHeader, GENL_HDRLEN } from "./header.ts";
import { CTRL_CMD, ctrlAttrs, GENL_ID_CTRL } from "./nlctrl_schema.ts";
import { missingFamily, missingFamilyHint } from "./_internal.ts";

/** Any attribute set (the element type of family descriptions). */
// deno-lint-ignore no-explicit-any
export type AnySet = AttrSet<any>;
/** Any struct codec (a family's fixed header). */
// deno-lint-ignore no-explicit-any
export type AnyStruct = StructCodec<any>;

/** One operation (command) of a family. */
export interface OperationSpec {
  /** The command number (`CTRL_CMD_*`, `OVS_DP_CMD_*`, ...). */
  readonly cmd: number;
  /** Attribute set of the request; default: the family's `attrs`. */
  readonly request?: AnySet;
  /** Attribute set of the reply; default: the request's set. */
  readonly reply?: AnySet;
  /** Whether `do` is supported (default true). */
  readonly do?: boolean;
  /** Whether `dump` is supported (default false). */
  readonly dump?: boolean;
  /** Command number of the replies, when it differs (informational). */
  readonly replyCmd?: number;
}

/** A notification (multicast event) of a family. */
export interface EventSpec {
  /** Command number carried by the notification. */
  readonly cmd: number;
  /** Attribute set of its payload; default: the family's `attrs`. */
  readonly attrs?: AnySet;
}

/** The description of a generic netlink family. */
export interface FamilySpec {
  /** The family name registered with the controller, e.g. "ethtool". */
  readonly name: string;
  /** Version written in genlmsghdr. */
  readonly version: number;
  /** Fixed header after genlmsghdr (e.g. `struct ovs_header`), if the family has one. */
  readonly header?: AnyStruct;
  /** The family's main attribute set. */
  readonly attrs: AnySet;
  /** Operations by name (YNL spelling of the op works well: "linkinfo-get"). */
  readonly operations: { readonly [name: string]: OperationSpec };
  /** Notifications by name. */
  readonly events?: { readonly [name: string]: EventSpec };
  /** Multicast group names. */
  readonly mcastGroups?: readonly string[];
  /** Kernel module that provides the family (named in "family not found" errors). */
  readonly module?: string;
  /** Fixed family id (only nlctrl has one); others are looked up by name. */
  readonly fixedId?: number;
}

/**
 * Declares a family. Identity function that keeps the literal types, so that
 * `Family<typeof spec>` knows every operation's request and reply types.
 *
 * @example
 * ```ts
 * import { attrSet, defineFamily, t } from "@nlts/netlink/genl";
 * const attrs = attrSet("dev", { ifindex: [1, t.u32()], name: [2, t.string()] });
 * const netdev = defineFamily({
 *   name: "netdev",
 *   version: 1,
 *   attrs,
 *   operations: { "dev-get": { cmd: 1, do: true, dump: true } },
 *   mcastGroups: ["mgmt"],
 * });
 * ```
 */
export function defineFamily<const S extends FamilySpec>(spec: S): S {
  if (!spec.name || typeof spec.name !== "string") {
    throw new TypeError("Cannot define family: name must be a non-empty string");
  }
  for (const [op, o] of Object.entries(spec.operations)) {
    if (!Number.isInteger(o.cmd) || o.cmd < 0 || o.cmd > 255) {
      throw new RangeError(`Cannot define ${spec.name}.${op}: cmd ${o.cmd} is not 0..255`);
    }
  }
  return spec;
}

/** The operations of family `S`. */
export type OpsOf<S extends FamilySpec> = S["operations"];
/** The request attribute set of operation `K`. */
export type RequestSetOf<S extends FamilySpec, K extends keyof OpsOf<S>> = OpsOf<S>[K] extends
  { readonly request: infer R extends AnySet } ? R : S["attrs"];
/** The reply attribute set of operation `K`. */
export type ReplySetOf<S extends FamilySpec, K extends keyof OpsOf<S>> = OpsOf<S>[K] extends
  { readonly reply: infer R extends AnySet } ? R : RequestSetOf<S, K>;
/** The codecs of an attribute set. */
export type FieldsOfSet<A> = A extends AttrSet<infer F extends AttrFields> ? F : never;

/** Attributes accepted by operation `K` of family `S`. */
export type RequestOf<S extends FamilySpec, K extends keyof OpsOf<S>> = EncodableAttrs<
  FieldsOfSet<RequestSetOf<S, K>>
>;
/** Decoded reply attributes of operation `K` of family `S`. */
export type ReplyOf<S extends FamilySpec, K extends keyof OpsOf<S>> = DecodedAttrs<
  FieldsOfSet<ReplySetOf<S, K>>
>;
/** Decoded fixed header of family `S` (an empty object when it has none). */
export type HeaderOf<S extends FamilySpec> = S["header"] extends StructCodec<
  infer M extends StructMembers
> ? DecodedStruct<M>
  : Record<string, never>;
/** Fixed header accepted by family `S`. */
export type HeaderInitOf<S extends FamilySpec> = S["header"] extends StructCodec<
  infer M extends StructMembers
> ? EncodableStruct<M>
  : Record<string, never>;

/** A decoded generic netlink message: genlmsghdr, fixed header, attributes. */
export interface GenlMessage<A, H = Record<string, never>> {
  /** genlmsghdr command. */
  cmd: number;
  /** genlmsghdr version. */
  version: number;
  /** The family's fixed header (empty object when it has none). */
  header: H;
  /** Decoded attributes. */
  attrs: A;
  /** nlmsg_flags of the message. */
  flags: number;
  /** nlmsg_seq (0 for most notifications). */
  seq: number;
  /** nlmsg_pid. */
  pid: number;
}

/** The events of family `S` (an empty record when it declares none). */
export type EventsOf<S extends FamilySpec> = S["events"] extends
  { readonly [name: string]: EventSpec } ? S["events"] : Record<never, EventSpec>;
/** The attribute set of event `E` of family `S`. */
export type EventSetOf<S extends FamilySpec, E extends keyof EventsOf<S>> = EventsOf<S>[E] extends
  { readonly attrs: infer A extends AnySet } ? A : S["attrs"];

/**
 * A decoded notification: a union over the family's events, each with its own attribute types
 * (`event` tells them apart); a command the description does not know arrives as `cmd-N` with
 * the family's main attribute set. `group` names the multicast group it came through.
 */
export type GenlNotification<S extends FamilySpec> =
  | {
    [E in keyof EventsOf<S> & string]:
      & GenlMessage<DecodedAttrs<FieldsOfSet<EventSetOf<S, E>>>, HeaderOf<S>>
      & { event: E; group?: string };
  }[keyof EventsOf<S> & string]
  | (
    & GenlMessage<DecodedAttrs<FieldsOfSet<S["attrs"]>>, HeaderOf<S>>
    & { event: `cmd-${number}`; group?: string }
  );

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

/** What the controller knows about a family: id, version, groups. */
export interface FamilyInfo {
  /** Family id (nlmsg_type of its messages). */
  id: number;
  /** Registered name. */
  name: string;
  /** Kernel's interface version. */
  version: number;
  /** Size of the fixed header. */
  hdrsize: number;
  /** Highest attribute number. */
  maxattr: number;
  /** Multicast groups by name -> id. */
  groups: Map<string, number>;
}

function decodeInfo(a: DecodedAttrs<FieldsOfSet<typeof ctrlAttrs>>): FamilyInfo {
  const groups = new Map<string, number>();
  for (const g of a.mcastGroups ?? []) {
    if (g.name !== undefined && g.id !== undefined) groups.set(g.name, g.id);
  }
  return {
    id: a.familyId ?? 0,
    name: a.familyName ?? "",
    version: a.version ?? 0,
    hdrsize: a.hdrsize ?? 0,
    maxattr: a.maxattr ?? 0,
    groups,
  };
}

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
    return new GenlSocket(
      NetlinkSocket.open(NETLINK.GENERIC, { name: "genl", ...options }),
      options,
    );
  }

  /** The network namespace the socket was opened in (undefined: the caller's). */
  get netns(): string | undefined {
    return this.#options.netns;
  }

  /** The shared writer for requests (reset per request). @internal */
  get writer(): NetlinkWriter {
    return this.#writer;
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
    this.#applyNotifications();
    const hit = this.#cache.get(name);
    if (hit) return hit;
    const w = this.#writer.reset();
    const m = w.beginMessage(GENL_ID_CTRL, 0);
    w.putU8(CTRL_CMD.GETFAMILY).putU8(2).putU16(0);
    ctrlAttrs.encode(w, { familyName: name });
    w.endMessage(m);
    let info: FamilyInfo | undefined;
    try {
      this.socket.exchangeSync(
        w.copy(),
        { operation: "nlctrl.getfamily", ack: false },
        (it) => {
          info = decodeInfo(
            ctrlAttrs.decode(it.data, it.payloadOffset + GENL_HDRLEN, it.messageEnd),
          );
        },
      );
    } catch (e) {
      throw missingFamily(e, name, module);
    }
    if (!info) {
      throw new NetlinkError(ERRNO.ENOENT, {
        operation: `resolve family ${name}`,
        hint: missingFamilyHint(name, module),
      });
    }
    this.#cache.set(name, info);
    this.#watch();
    return info;
  }

  /** Forgets cached family ids (the next use looks them up again). */
  refresh(name?: string): void {
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
  #info: FamilyInfo;

  /** Use {@link GenlSocket.family}. */
  constructor(genl: GenlSocket, spec: S) {
    this.spec = spec;
    this.#genl = genl;
    this.#info = spec.fixedId !== undefined
      ? {
        id: spec.fixedId,
        name: spec.name,
        version: spec.version,
        hdrsize: 0,
        maxattr: 0,
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
    const o = this.spec.operations[op];
    if (!o) {
      throw new TypeError(
        `Cannot use ${this.spec.name}.${op}: no such operation (known: ${
          Object.keys(this.spec.operations).join(", ")
        })`,
      );
    }
    return o;
  }

  /** Builds the request; returns the bytes (a copy) and a function naming ext-ack offsets. */
  #build(
    op: string,
    o: OperationSpec,
    attrs: unknown,
    options: FamilyRequestOptions<S> | undefined,
  ): { bytes: Uint8Array; describe: (ack: ExtAck) => void } {
    const set = o.request ?? this.spec.attrs;
    const write = (w: NetlinkWriter, trace?: AttrTrace) => {
      const m = w.beginMessage(this.#info.id, options?.flags ?? 0);
      w.putU8(o.cmd).putU8(this.spec.version).putU16(0);
      if (this.spec.header) {
        // Without header values the fixed header is all zeros (e.g. dp_ifindex 0: "any").
        // deno-lint-ignore no-explicit-any
        if (options?.header) this.spec.header.encodeTo(w, options.header as any);
        else w.reserve(this.spec.header.size);
        w.align();
      }
      // deno-lint-ignore no-explicit-any
      if (attrs !== undefined) set.encode(w, attrs as any, trace ? { trace } : undefined);
      w.endMessage(m);
      return m;
    };
    const w = this.#genl.writer.reset();
    write(w);
    // A view into the socket's shared writer: it is sent (or copied) before the next request.
    const bytes = w.bytes();
    const describe = (ack: ExtAck) => {
      // Re-encode with a trace only now, so successful requests pay nothing for it.
      const tw = new NetlinkWriter();
      const trace = new AttrTrace({ origin: 0 });
      write(tw, trace);
      if (ack.offset !== undefined) {
        const p = trace.pathAt(ack.offset);
        if (p !== undefined) ack.attributePath = p;
      }
      if (ack.missingType !== undefined) {
        const n = trace.missingName(ack.missingType, ack.missingNest);
        if (n !== undefined) ack.missingName = n;
      }
    };
    void op;
    return { bytes, describe };
  }

  #decodeMessage(
    it: MessageIterator,
    set: AnySet,
    strict: boolean,
  ): GenlMessage<unknown, unknown> {
    const g = decodeGenlHeader(it.data, it.payloadOffset);
    let off = it.payloadOffset + GENL_HDRLEN;
    let header: unknown = {};
    if (this.spec.header) {
      header = this.spec.header.decodeAt(it.data.subarray(0, it.messageEnd), off);
      off += (this.spec.header.size + 3) & ~3;
    }
    const attrs = set.decode(it.data, Math.min(off, it.messageEnd), it.messageEnd, {
      strict,
      path: set.name,
    });
    return {
      cmd: g.cmd,
      version: g.version,
      header,
      attrs,
      flags: it.flags,
      seq: it.seq,
      pid: it.pid,
    };
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
      const o = this.#op(op);
      const { bytes, describe } = this.#build(op, o, attrs, options);
      const set = o.reply ?? o.request ?? this.spec.attrs;
      const out: GenlMessage<unknown, unknown>[] = [];
      await this.#genl.socket.exchange(bytes, {
        operation: `${this.spec.name}.${op}`,
        ack: options?.ack ?? true,
        timeoutMs: options?.timeoutMs,
        describeExtAck: describe,
      }, (it) => out.push(this.#decodeMessage(it, set, options?.strict ?? false)));
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
    return this.#withRetrySync(() => {
      const o = this.#op(op);
      const { bytes, describe } = this.#build(op, o, attrs, options);
      const set = o.reply ?? o.request ?? this.spec.attrs;
      const out: GenlMessage<unknown, unknown>[] = [];
      this.#genl.socket.exchangeSync(bytes, {
        operation: `${this.spec.name}.${op}`,
        ack: options?.ack ?? true,
        timeoutMs: options?.timeoutMs,
        describeExtAck: describe,
      }, (it) => out.push(this.#decodeMessage(it, set, options?.strict ?? false)));
      return out as GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[];
    });
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
    const o = this.#op(op);
    const { bytes, describe } = this.#build(op, o, attrs, options);
    const set = o.reply ?? o.request ?? this.spec.attrs;
    const strict = options?.strict ?? false;
    // Decode each datagram's messages while they are in the receive buffer.
    for await (
      const batch of this.#genl.socket.dumpBatches(bytes, {
        operation: `${this.spec.name}.${op}`,
        timeoutMs: options?.timeoutMs,
        retryInterrupted: options?.retryInterrupted,
        describeExtAck: describe,
      }, (it) => this.#decodeMessage(it, set, strict) as GenlMessage<ReplyOf<S, K>, HeaderOf<S>>)
    ) {
      for (let i = 0; i < batch.length; i++) yield batch[i];
    }
  }

  #decodeOwned(m: NetlinkMessage, set: AnySet, strict: boolean): GenlMessage<unknown, unknown> {
    const p = m.payload;
    const g = decodeGenlHeader(p, 0);
    let off = GENL_HDRLEN;
    let header: unknown = {};
    if (this.spec.header) {
      header = this.spec.header.decodeAt(p, off);
      off += (this.spec.header.size + 3) & ~3;
    }
    const attrs = set.decode(p, Math.min(off, p.length), p.length, { strict, path: set.name });
    return {
      cmd: g.cmd,
      version: g.version,
      header,
      attrs,
      flags: m.flags,
      seq: m.seq,
      pid: m.pid,
    };
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
    for await (const m of this.dumpMessages(op, attrs, options)) yield m.attrs;
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
      const o = this.#op(op);
      const { bytes, describe } = this.#build(op, o, attrs, options);
      const set = o.reply ?? o.request ?? this.spec.attrs;
      const strict = options?.strict ?? false;
      const out: GenlMessage<ReplyOf<S, K>, HeaderOf<S>>[] = [];
      const sink = options?.onMessage;
      let retries = options?.retryInterrupted ?? 0;
      // Our own copy: a request made from onMessage reuses the socket's shared writer.
      const request = bytes.slice();
      for (;;) {
        out.length = 0;
        try {
          this.#genl.socket.exchangeSync(request.slice(), {
            dump: true,
            operation: `${this.spec.name}.${op}`,
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
    const o = this.#op(op);
    const set = o.reply ?? o.request ?? this.spec.attrs;
    const msgs = requests.map((a) => this.#build(op, o, a, options).bytes.slice());
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
    options: { signal?: AbortSignal; strict?: boolean; netns?: string } = {},
  ): Subscription<GenlNotification<S>> {
    const names = groups ?? [...this.#info.groups.keys()];
    const ids: number[] = [];
    for (const g of names) {
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
    const byCmd = new Map<number, [string, AnySet]>();
    for (const [name, e] of Object.entries(this.spec.events ?? {})) {
      byCmd.set(e.cmd, [name, e.attrs ?? this.spec.attrs]);
    }
    const familyId = this.#info.id;
    const strict = options.strict ?? false;
    const groupNames = new Map([...this.#info.groups].map(([name, id]) => [id, name]));
    const decode = (m: NetlinkMessage) => {
      const cmd = m.payload[0];
      const [event, set] = byCmd.get(cmd) ?? [`cmd-${cmd}`, this.spec.attrs];
      const n = { ...this.#decodeOwned(m, set, strict), event } as GenlNotification<S>;
      const group = groupNames.get(m.group ?? 0);
      if (group !== undefined) n.group = group;
      return n;
    };
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

const traced = new Set<string>();

/**
 * Lets NLTS_DEBUG traces name the family's commands and attributes (done automatically for
 * every family a {@link GenlSocket} resolves).
 *
 * @example
 * ```ts
 * import { nlctrl, registerTrace } from "@nlts/netlink/genl";
 * registerTrace(nlctrl, 0x10);
 * ```
 */
export function registerTrace(spec: FamilySpec, id: number): void {
  const key = `${spec.name}:${id}`;
  if (traced.has(key)) return;
  traced.add(key);
  // Requests are named by their cmd; replies and notifications by the events first (a family
  // may number kernel-to-user messages apart, as ethtool does), then by the op's reply cmd.
  const sent = new Map<number, [string, AnySet]>();
  const received = new Map<number, [string, AnySet]>();
  for (const [name, e] of Object.entries(spec.events ?? {})) {
    received.set(e.cmd, [name, e.attrs ?? spec.attrs]);
  }
  for (const [name, o] of Object.entries(spec.operations)) {
    if (!sent.has(o.cmd)) sent.set(o.cmd, [name, o.request ?? spec.attrs]);
    const rc = o.replyCmd ?? o.cmd;
    if (!received.has(rc)) received.set(rc, [name, o.reply ?? o.request ?? spec.attrs]);
  }
  addTraceFormatter((_sock, type, _flags, payload, direction) => {
    if (type !== id || payload.length < GENL_HDRLEN) return undefined;
    const cmd = payload[0];
    const [name, set] = (direction === "send" ? sent : received).get(cmd) ??
      [`cmd-${cmd}`, spec.attrs];
    let off = GENL_HDRLEN;
    let header = "";
    if (spec.header) {
      header = ` ${JSON.stringify(spec.header.decodeAt(payload, off), jsonBigint)}`;
      off += (spec.header.size + 3) & ~3;
    }
    const attrs = set.decode(payload, Math.min(off, payload.length), payload.length);
    return `${spec.name}.${name} v${payload[1]}${header} ${JSON.stringify(attrs, jsonBigint)}`;
  }, { protocol: NETLINK.GENERIC });
  nameTraceType(NETLINK.GENERIC, id, spec.name);
}

function jsonBigint(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, "0")).join("");
  return v;
}
