/**
 * Classic ("raw") netlink families described like generic netlink ones: a protocol number
 * (NETLINK_ROUTE, NETLINK_NETFILTER...), message types per operation and direction, a fixed
 * header per operation (`struct ifinfomsg`, `struct rtmsg`...) and numbered multicast groups.
 * {@link defineRawFamily} declares one (YNL `netlink-raw` specs generate them); a
 * {@link RawFamily} client runs its operations over a {@link NetlinkSocket}.
 *
 * @module
 */

import type { ExtAck } from "../protocol/errors.ts";
import type { MessageIterator } from "../protocol/reader.ts";
import { AttrTrace } from "../protocol/schema_trace.ts";
import type {
  DecodedAttrs,
  DecodedStruct,
  EncodableAttrs,
  EncodableStruct,
  StructCodec,
  StructMembers,
} from "../protocol/schema_types.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import {
  checkBoolean,
  checkOptionalInt,
  checkOptions,
  checkString,
  checkTimeout,
  describeValue,
} from "../protocol/_validate.ts";
import { checkRawFamilySpec } from "./_validate.ts";
import { writeRawRequest } from "./_raw_request.ts";
import {
  type NetlinkMessage,
  NetlinkSocket,
  type NetlinkSocketOptions,
} from "../socket/netlink_socket.ts";

import type { AnySet, AnyStruct, FieldsOfSet } from "../genl/family.ts";

/** One operation of a raw family. */
export interface RawOperationSpec {
  /** Message type of requests (`RTM_GETLINK`). */
  readonly cmd: number;
  /** Message type of replies (`RTM_NEWLINK`); default: `cmd`. */
  readonly replyCmd?: number;
  /** Fixed header after `nlmsghdr` (`struct ifinfomsg`); default: the family's. */
  readonly header?: AnyStruct;
  /** Attribute set of requests; default: the family's `attrs`. */
  readonly request?: AnySet;
  /** Attribute set of replies; default: the request's set. */
  readonly reply?: AnySet;
  /** Whether `do` is supported (default true). */
  readonly do?: boolean;
  /** Whether `dump` is supported (default false). */
  readonly dump?: boolean;
}

/** A notification of a raw family. */
export interface RawEventSpec {
  /** Message type. */
  readonly cmd: number;
  /** Attribute set; default: the family's `attrs`. */
  readonly attrs?: AnySet;
  /** Fixed header; default: the family's. */
  readonly header?: AnyStruct;
}

/** The description of a raw netlink family. */
export interface RawFamilySpec {
  /** Name used in errors and traces ("rt-link"). */
  readonly name: string;
  /** The netlink protocol number (NETLINK_ROUTE = 0). */
  readonly protocol: number;
  /** Fixed header of every message, when the family has one for all. */
  readonly header?: AnyStruct;
  /** The family's main attribute set. */
  readonly attrs: AnySet;
  /** Operations by name. */
  readonly operations: { readonly [name: string]: RawOperationSpec };
  /** Notifications by name. */
  readonly events?: { readonly [name: string]: RawEventSpec };
  /** Multicast groups: name -> group number. */
  readonly mcastGroups?: { readonly [name: string]: number };
}

/**
 * Declares a raw family (identity function keeping the literal types).
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * import { defineRawFamily } from "@nlts/netlink/ynl";
 * const ifinfomsg = t.struct("ifinfomsg", {
 *   family: t.u8(), pad: t.pad(1), type: t.u16(), index: t.s32(), flags: t.u32(), change: t.u32(),
 * });
 * const link = attrSet("link-attrs", { ifname: [3, t.string()], mtu: [4, t.u32()] });
 * const rtLink = defineRawFamily({
 *   name: "rt-link", protocol: 0, attrs: link,
 *   operations: { getlink: { cmd: 18, replyCmd: 16, header: ifinfomsg, do: true, dump: true } },
 * });
 * ```
 */
export function defineRawFamily<const S extends RawFamilySpec>(spec: S): S {
  checkRawFamilySpec(spec, "define raw family");
  return spec;
}

/** The operations of raw family `S`. */
export type RawOpsOf<S extends RawFamilySpec> = S["operations"];
/** The request set of operation `K`. */
export type RawRequestSetOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> =
  RawOpsOf<S>[K] extends { readonly request: infer R extends AnySet } ? R : S["attrs"];
/** The reply set of operation `K`. */
export type RawReplySetOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> =
  RawOpsOf<S>[K] extends { readonly reply: infer R extends AnySet } ? R : RawRequestSetOf<S, K>;
/** The fixed header struct of operation `K`. */
export type RawHeaderStructOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> =
  RawOpsOf<S>[K] extends { readonly header: infer H extends AnyStruct } ? H : S["header"];
/** Attributes accepted by operation `K`. */
export type RawRequestOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> = EncodableAttrs<
  FieldsOfSet<RawRequestSetOf<S, K>>
>;
/** Decoded reply attributes of operation `K`. */
export type RawReplyOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> = DecodedAttrs<
  FieldsOfSet<RawReplySetOf<S, K>>
>;
/** Decoded fixed header of operation `K` (an empty object when it has none). */
export type RawHeaderOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> =
  RawHeaderStructOf<S, K> extends StructCodec<infer M extends StructMembers> ? DecodedStruct<M>
    : Record<string, never>;
/** Fixed header accepted by operation `K` (members left out are zero). */
export type RawHeaderInitOf<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> =
  RawHeaderStructOf<S, K> extends StructCodec<infer M extends StructMembers>
    ? Partial<EncodableStruct<M>>
    : Record<string, never>;

/** A decoded message of a raw family. */
export interface RawMessage<A, H> {
  /** nlmsg_type. */
  type: number;
  /** The fixed header (an empty object when the message has none). */
  header: H;
  /** Decoded attributes. */
  attrs: A;
  /** nlmsg_flags. */
  flags: number;
  /** nlmsg_seq. */
  seq: number;
  /** nlmsg_pid. */
  pid: number;
}

/** A decoded notification: which event, its header and attributes, the group it came from. */
export interface RawNotification {
  /** The event's name (or `type-N` for a message type the description does not know). */
  event: string;
  /** nlmsg_type. */
  type: number;
  /** Decoded fixed header. */
  header: Record<string, unknown>;
  /** Decoded attributes. */
  attrs: Record<string, unknown>;
  /** The multicast group's name, when the description names it. */
  group?: string;
}

/** Options of {@link RawFamily} requests. */
export interface RawRequestOptions<H> {
  /** Fixed header values; members left out are zero. */
  header?: H;
  /** Extra nlmsg_flags (NLM_F_NEW.CREATE | NLM_F_NEW.EXCL...). */
  flags?: number;
  /** Ask for an acknowledgement (default true for `do`). */
  ack?: boolean;
  /** Milliseconds to wait for a late reply (default 5000). */
  timeoutMs?: number;
  /** Unknown attributes become DecodeErrors (default false: kept in `unknown`). */
  strict?: boolean;
}

/** Options of {@link RawFamily.open}. */
export type RawFamilyOptions = Omit<NetlinkSocketOptions, "userToUser">;

/**
 * A typed client of a raw netlink family on its own {@link NetlinkSocket}.
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * using link = RawFamily.open(rtLink);
 * for (const m of link.dumpSync("getlink")) console.log(m.header.ifiIndex, m.attrs.ifname);
 * ```
 */
export class RawFamily<S extends RawFamilySpec> {
  /** The family's description. */
  readonly spec: S;
  /** The socket (protocol `spec.protocol`). */
  readonly socket: NetlinkSocket;
  readonly #writer = new NetlinkWriter(4096);
  readonly #options: RawFamilyOptions;

  private constructor(spec: S, socket: NetlinkSocket, options: RawFamilyOptions) {
    this.spec = spec;
    this.socket = socket;
    this.#options = options;
  }

  /**
   * Opens a socket of the family's protocol (optionally in a network namespace).
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtAddr } from "@nlts/netlink/families/rt_addr";
   * using addr = RawFamily.open(rtAddr, { netns: "blue" });
   * ```
   */
  static open<const S extends RawFamilySpec>(
    spec: S,
    options: RawFamilyOptions = {},
  ): RawFamily<S> {
    checkRawFamilySpec(spec, "open raw family");
    checkOptions(options, "open raw family");
    const socket = NetlinkSocket.open(spec.protocol, { name: spec.name, ...options });
    return new RawFamily(spec, socket, options);
  }

  /**
   * A client of `spec` on an existing socket of its protocol: families of one protocol can
   * share a socket (rt-link, rt-addr and rt-route all speak NETLINK_ROUTE). Closing the client
   * closes that socket.
   *
   * @example
   * ```ts
   * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtAddr } from "@nlts/netlink/families/rt_addr";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using sock = NetlinkSocket.open(NETLINK.ROUTE);
   * const link = RawFamily.over(sock, rtLink);
   * const addr = RawFamily.over(sock, rtAddr);
   * console.log(link.dumpSync("getlink").length, addr.dumpSync("getaddr").length);
   * ```
   */
  static over<const S extends RawFamilySpec>(socket: NetlinkSocket, spec: S): RawFamily<S> {
    if (!(socket instanceof NetlinkSocket)) {
      throw new TypeError(`Cannot use ${spec?.name}: expected a NetlinkSocket`);
    }
    if (socket.protocol !== spec.protocol) {
      throw new TypeError(
        `Cannot use ${spec.name} (netlink protocol ${spec.protocol}) on a socket of protocol ${socket.protocol}`,
      );
    }
    return new RawFamily(spec, socket, { transport: socket.transport });
  }

  #op(op: string): RawOperationSpec {
    const ops = this.spec.operations;
    const o = typeof op === "string" && Object.hasOwn(ops, op) ? ops[op] : undefined;
    if (!o) {
      throw new TypeError(
        `Cannot use ${this.spec.name} operation ${describeValue(op)}: no such operation (known: ${
          Object.keys(this.spec.operations).join(", ")
        })`,
      );
    }
    return o;
  }

  /**
   * Encodes a request of `op` (the message the family sends, without seq and flags that the
   * socket sets): nlmsghdr, fixed header, attributes.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * console.log(link.encode("getlink", { ifname: "lo" }).length);
   * ```
   */
  encode<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): Uint8Array {
    return this.#build(op, this.#op(op), attrs, options, false).bytes.slice();
  }

  /**
   * Appends a request of `op` to `w` (see {@link RawFamily.encode}) and returns where the
   * message starts: many requests can share one buffer, sent with one `sendmsg`
   * (`socket.sendBatchSync(w.bytes())`). On a bad value `w` is left as it was.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { NetlinkWriter } from "@nlts/netlink/protocol";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * const w = new NetlinkWriter();
   * for (const name of ["lo", "eth0"]) link.encodeTo(w, "getlink", { ifname: name });
   * console.log(link.socket.sendBatchSync(w.bytes()).map((f) => f.error.code));
   * ```
   */
  encodeTo<K extends keyof RawOpsOf<S> & string>(
    w: NetlinkWriter,
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): number {
    const o = this.#op(op);
    if (!(w instanceof NetlinkWriter)) {
      throw new TypeError(
        `Cannot encode ${this.spec.name}.${op}: the writer must be a NetlinkWriter, not ${
          describeValue(w)
        }`,
      );
    }
    checkRequest(`encode ${this.spec.name}.${op}`, attrs, options);
    const start = w.length;
    try {
      this.#write(w, o, attrs, options);
    } catch (e) {
      w.truncate(start);
      throw e;
    }
    return start;
  }

  /** Writes one request of operation `o`: nlmsghdr, fixed header, attributes. */
  #write(
    w: NetlinkWriter,
    o: RawOperationSpec,
    attrs: unknown,
    options: RawRequestOptions<unknown> | undefined,
    trace?: AttrTrace,
  ): void {
    writeRawRequest(
      w,
      o.cmd,
      options?.flags ?? 0,
      o.header ?? this.spec.header,
      options?.header as Record<string, unknown> | undefined,
      o.request ?? this.spec.attrs,
      attrs,
      trace,
    );
  }

  #build(
    op: string,
    o: RawOperationSpec,
    attrs: unknown,
    options: RawRequestOptions<unknown> | undefined,
    dump: boolean,
  ): { bytes: Uint8Array; describe: (ack: ExtAck) => void } {
    checkRequest(`use ${this.spec.name}.${op}`, attrs, options);
    const write = (w: NetlinkWriter, trace?: AttrTrace) => this.#write(w, o, attrs, options, trace);
    void op;
    void dump;
    const w = this.#writer.reset();
    write(w);
    const bytes = w.bytes();
    const describe = (ack: ExtAck) => {
      const tw = new NetlinkWriter();
      const trace = new AttrTrace({ origin: 0 });
      write(tw, trace);
      trace.describe(ack);
    };
    return { bytes, describe };
  }

  /**
   * Decodes one message of operation `op`'s reply (or any message with the family's layout):
   * fixed header and attributes.
   */
  decode<K extends keyof RawOpsOf<S> & string>(
    op: K,
    message: NetlinkMessage,
    options?: { strict?: boolean },
  ): RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>> {
    const o = this.#op(op);
    const verb = `decode ${this.spec.name}.${op}`;
    const m = message as NetlinkMessage | null;
    if (typeof m?.type !== "number" || !(m.payload instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot ${verb}: message must be a received message ({ type, payload, ... }), not ${
          describeValue(message)
        }`,
      );
    }
    const strict = checkBoolean(
      checkOptions<{ strict?: boolean }>(options, verb).strict,
      verb,
      "strict",
      false,
    );
    return this.#decodeOwned(o, message, strict) as RawMessage<
      RawReplyOf<S, K>,
      RawHeaderOf<S, K>
    >;
  }

  #decodeIt(
    o: RawOperationSpec,
    it: MessageIterator,
    strict: boolean,
  ): RawMessage<unknown, unknown> {
    const set = o.reply ?? o.request ?? this.spec.attrs;
    const h = o.header ?? this.spec.header;
    let off = it.payloadOffset;
    let header: unknown = {};
    if (h) {
      // In the message, the header decodes from the receive buffer itself (no view per
      // message: the decode context keeps its DataView); past its end, from a bounded view,
      // which raises the DecodeError.
      header = off + h.size <= it.messageEnd
        ? h.decodeAt(it.data, off)
        : h.decodeAt(it.data.subarray(0, it.messageEnd), off);
      off += (h.size + 3) & ~3;
    }
    const attrs = set.decode(it.data, Math.min(off, it.messageEnd), it.messageEnd, {
      strict,
      path: set.name,
    });
    return { type: it.type, header, attrs, flags: it.flags, seq: it.seq, pid: it.pid };
  }

  #decodeOwned(
    o: RawOperationSpec,
    m: NetlinkMessage,
    strict: boolean,
  ): RawMessage<unknown, unknown> {
    const set = o.reply ?? o.request ?? this.spec.attrs;
    const h = o.header ?? this.spec.header;
    return decodeRaw(m, set, h, strict);
  }

  /**
   * Runs `op` as a `do` request; returns the replies (full messages).
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * const [lo] = link.requestSync("getlink", { ifname: "lo" });
   * console.log(lo.header.ifiIndex);
   * ```
   */
  requestSync<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[] {
    const o = this.#op(op);
    const { bytes, describe } = this.#build(op, o, attrs, options, false);
    const out: RawMessage<unknown, unknown>[] = [];
    const strict = options?.strict ?? false;
    this.socket.exchangeSync(bytes, {
      operation: `${this.spec.name}.${op}`,
      ack: options?.ack ?? true,
      timeoutMs: options?.timeoutMs,
      describeExtAck: describe,
    }, (it) => out.push(this.#decodeIt(o, it, strict)));
    return out as RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[];
  }

  /**
   * Asynchronous {@link RawFamily.requestSync} (waits for late replies off the main thread).
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * const [lo] = await link.request("getlink", { ifname: "lo" });
   * ```
   */
  async request<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): Promise<RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[]> {
    const o = this.#op(op);
    const { bytes, describe } = this.#build(op, o, attrs, options, false);
    const out: RawMessage<unknown, unknown>[] = [];
    const strict = options?.strict ?? false;
    await this.socket.exchange(bytes.slice(), {
      operation: `${this.spec.name}.${op}`,
      ack: options?.ack ?? true,
      timeoutMs: options?.timeoutMs,
      describeExtAck: describe,
    }, (it) => out.push(this.#decodeIt(o, it, strict)));
    return out as RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[];
  }

  /**
   * Runs `op` as a `do` request; returns the first reply's attributes (undefined when the
   * kernel answers with an ACK only).
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * console.log(link.doSync("getlink", { ifname: "lo" })?.mtu);
   * ```
   */
  doSync<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): RawReplyOf<S, K> | undefined {
    return this.requestSync(op, attrs, options)[0]?.attrs;
  }

  /**
   * Asynchronous {@link RawFamily.doSync}.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * console.log((await link.do("getlink", { ifname: "lo" }))?.mtu);
   * ```
   */
  async do<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): Promise<RawReplyOf<S, K> | undefined> {
    return (await this.request(op, attrs, options))[0]?.attrs;
  }

  /**
   * Dumps `op` into an array of full messages.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtAddr } from "@nlts/netlink/families/rt_addr";
   * using addr = RawFamily.open(rtAddr);
   * for (const m of addr.dumpSync("getaddr")) console.log(m.attrs.address);
   * ```
   */
  dumpSync<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[] {
    const o = this.#op(op);
    const { bytes, describe } = this.#build(op, o, attrs, options, true);
    const out: RawMessage<unknown, unknown>[] = [];
    const strict = options?.strict ?? false;
    this.socket.exchangeSync(bytes.slice(), {
      dump: true,
      operation: `${this.spec.name}.${op}`,
      timeoutMs: options?.timeoutMs,
      describeExtAck: describe,
    }, (it) => out.push(this.#decodeIt(o, it, strict)));
    return out as RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>[];
  }

  /**
   * Dumps `op`, yielding full messages one datagram at a time.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtRoute } from "@nlts/netlink/families/rt_route";
   * using route = RawFamily.open(rtRoute);
   * for await (const m of route.dump("getroute")) console.log(m.attrs.dst);
   * ```
   */
  async *dump<K extends keyof RawOpsOf<S> & string>(
    op: K,
    attrs?: RawRequestOf<S, K>,
    options?: RawRequestOptions<RawHeaderInitOf<S, K>>,
  ): AsyncGenerator<RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>, void, undefined> {
    const o = this.#op(op);
    const { bytes, describe } = this.#build(op, o, attrs, options, true);
    const strict = options?.strict ?? false;
    for await (
      const batch of this.socket.dumpBatches(bytes, {
        operation: `${this.spec.name}.${op}`,
        timeoutMs: options?.timeoutMs,
        describeExtAck: describe,
      }, (it) => this.#decodeIt(o, it, strict))
    ) {
      for (const m of batch) yield m as RawMessage<RawReplyOf<S, K>, RawHeaderOf<S, K>>;
    }
  }

  /**
   * Joins multicast groups (by name; all the family's numbered groups when none are named)
   * on a socket of its own and yields decoded notifications until `signal` aborts.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * using link = RawFamily.open(rtLink);
   * const ac = new AbortController();
   * setTimeout(() => ac.abort(), 1000); // stop listening after a second
   * for await (const n of link.subscribe(["rtnlgrp-link"], { signal: ac.signal })) console.log(n.event);
   * ```
   */
  async *subscribe(
    groups?: readonly string[],
    options: { signal?: AbortSignal; strict?: boolean } = {},
  ): AsyncGenerator<RawNotification, void, undefined> {
    const verb = `subscribe to ${this.spec.name}`;
    if (groups !== undefined && !Array.isArray(groups)) {
      throw new TypeError(
        `Cannot ${verb}: groups must be an array of group names, not ${describeValue(groups)}`,
      );
    }
    const all = this.spec.mcastGroups ?? {};
    for (const g of groups ?? []) {
      checkString(g, verb, "a group name", true);
      if (!Object.hasOwn(all, g)) {
        throw new TypeError(
          `Cannot ${verb} group "${g}": its groups are ${Object.keys(all).join(", ") || "(none)"}`,
        );
      }
    }
    checkOptions(options, verb);
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
      throw new TypeError(
        `Cannot ${verb}: signal must be an AbortSignal, not ${describeValue(options.signal)}`,
      );
    }
    checkBoolean(options.strict, verb, "strict", false);
    const names = groups ?? Object.keys(all);
    const sock = NetlinkSocket.open(this.spec.protocol, {
      name: `${this.spec.name}-events`,
      ...this.#options,
    });
    try {
      for (const g of names) {
        const id = all[g];
        if (id === undefined) {
          throw new TypeError(
            `Cannot subscribe to ${this.spec.name} group "${g}": its groups are ${
              Object.keys(all).join(", ") || "(none)"
            }`,
          );
        }
        sock.joinGroup(id);
      }
      const byType = new Map<number, [string, AnySet, AnyStruct | undefined]>();
      for (const [name, e] of Object.entries(this.spec.events ?? {})) {
        byType.set(e.cmd, [name, e.attrs ?? this.spec.attrs, e.header ?? this.spec.header]);
      }
      for (const [name, o] of Object.entries(this.spec.operations)) {
        const t = o.replyCmd ?? o.cmd;
        if (!byType.has(t)) {
          byType.set(t, [
            name,
            o.reply ?? o.request ?? this.spec.attrs,
            o.header ?? this.spec.header,
          ]);
        }
      }
      const groupNames = new Map(Object.entries(all).map(([n, id]) => [id, n]));
      for await (const m of sock.messages({ signal: options.signal })) {
        const [event, set, h] = byType.get(m.type) ??
          [`type-${m.type}`, this.spec.attrs, this.spec.header];
        const d = decodeRaw(m, set, h, options.strict ?? false);
        const n: RawNotification = {
          event,
          type: m.type,
          header: d.header as Record<string, unknown>,
          attrs: d.attrs as Record<string, unknown>,
        };
        const group = groupNames.get(m.group ?? 0);
        if (group !== undefined) n.group = group;
        yield n;
      }
    } finally {
      sock.close();
    }
  }

  /**
   * Closes the socket.
   *
   * @example
   * ```ts
   * import { RawFamily } from "@nlts/netlink/ynl";
   * import { rtLink } from "@nlts/netlink/families/rt_link";
   * const link = RawFamily.open(rtLink);
   * link.close();
   * ```
   */
  close(): void {
    this.socket.close();
  }

  /** Same as {@link RawFamily.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Checks a request's attributes and options (once per request, before anything is encoded). */
function checkRequest(verb: string, attrs: unknown, options: unknown): void {
  checkOptions(attrs, verb, "the attributes");
  if (options === undefined) return;
  const o = checkOptions<RawRequestOptions<unknown>>(options, verb);
  checkOptions(o.header, verb, "header");
  checkOptionalInt(o.flags, verb, "flags", 0, 0xffff, 0);
  checkBoolean(o.ack, verb, "ack", true);
  checkBoolean(o.strict, verb, "strict", false);
  checkTimeout(o.timeoutMs, verb, 5000);
}

function decodeRaw(
  m: NetlinkMessage,
  set: AnySet,
  h: AnyStruct | undefined,
  strict: boolean,
): RawMessage<unknown, unknown> {
  const p = m.payload;
  let off = 0;
  let header: unknown = {};
  if (h) {
    header = h.decodeAt(p, 0);
    off = (h.size + 3) & ~3;
  }
  const attrs = set.decode(p, Math.min(off, p.length), p.length, { strict, path: set.name });
  return { type: m.type, header, attrs, flags: m.flags, seq: m.seq, pid: m.pid };
}
