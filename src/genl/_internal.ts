/**
 * Internals of the generic netlink layer shared by its modules (not part of the public API).
 *
 * @module
 */

import { ERRNO } from "../protocol/errno.ts";
import { DecodeError, NetlinkError } from "../protocol/errors.ts";
import { DecodeContext } from "../protocol/schema_context.ts";
import { decodeOn } from "../protocol/schema_attrs.ts";
import type { AttrTrace } from "../protocol/schema_trace.ts";
import type { NetlinkWriter } from "../protocol/writer.ts";
import { GENL_HDRLEN } from "./header.ts";
import { describeValue } from "../protocol/_validate.ts";
import type { AnySet, FamilySpec, OperationSpec } from "./spec.ts";
import type { ctrlAttrs, FamilyDescription } from "./nlctrl_schema.ts";
import type { DecodedAttrs } from "../protocol/schema_types.ts";

/** Kernel modules of families that are not built in, for "family not found" errors. */
const MODULE_HINTS: Record<string, string> = {
  ovs_datapath: "openvswitch",
  ovs_vport: "openvswitch",
  ovs_flow: "openvswitch",
  ovs_packet: "openvswitch",
  ovs_meter: "openvswitch",
  ovs_ct_limit: "openvswitch",
  mptcp_pm: "mptcp (CONFIG_MPTCP)",
  wireguard: "wireguard",
  nl80211: "cfg80211",
  team: "team",
  macsec: "macsec",
  l2tp: "l2tp_netlink",
  fou: "fou",
  gtp: "gtp",
  TASKSTATS: "taskstats (CONFIG_TASKSTATS)",
};

/** What to say when the controller has no family `nameOrId` (by name: which module to load). */
export function missingFamilyHint(nameOrId: string | number, module?: string): string {
  if (typeof nameOrId === "number") {
    return `The kernel has no generic netlink family with id ${nameOrId} (nlts genl list shows them)`;
  }
  const m = module ?? MODULE_HINTS[nameOrId];
  return m
    ? `The kernel has no generic netlink family "${nameOrId}": load its module (modprobe ${
      m.split(" ")[0]
    })`
    : `The kernel has no generic netlink family "${nameOrId}": is its module loaded?`;
}

/**
 * `e` as the error of a family lookup: an ENOENT from the controller becomes a
 * {@link NetlinkError} that says which family is missing (and which module to load); anything
 * else is returned as it is.
 */
export function missingFamily(
  e: unknown,
  nameOrId: string | number,
  module?: string,
): unknown {
  if (!(e instanceof NetlinkError) || e.errno !== ERRNO.ENOENT) return e;
  return new NetlinkError(e.errno, {
    operation: typeof nameOrId === "number"
      ? `resolve family id ${nameOrId}`
      : `resolve family ${nameOrId}`,
    seq: e.seq,
    extAck: e.extAck,
    hint: missingFamilyHint(nameOrId, module),
  });
}

/**
 * A decoded generic netlink payload: genlmsghdr, the fixed header, the attributes, and the
 * nlmsghdr fields the caller passed (0 when not given), so a message is one object.
 */
export interface GenlPayload {
  cmd: number;
  version: number;
  header: unknown;
  attrs: unknown;
  flags: number;
  seq: number;
  pid: number;
}

/** The header of every message of a family without a fixed header: one shared empty object. */
const NO_HEADER: Readonly<Record<string, never>> = Object.freeze({});

/** Options of {@link GenlCodec.encodeTo}. */
export interface GenlEncodeOptions {
  /** Fixed header values, or its bytes (zeros when absent). */
  header?: unknown;
  /** nlmsg_flags. */
  flags?: number;
  /** nlmsg_seq (0: the socket sets it). */
  seq?: number;
  /** nlmsg_pid (0 by default). */
  pid?: number;
  /** genlmsghdr version (default: the description's). */
  version?: number;
  /** Records where each attribute went (extended-ack offsets). */
  trace?: AttrTrace;
}

const codecs = new WeakMap<FamilySpec, GenlCodec>();

/**
 * A message's name and attribute set, the set read from the spec at the first message (a
 * family loaded from a spec builds an operation's sets when it is used).
 */
class Named {
  readonly #name: string;
  #set: (() => AnySet) | null;
  #pair: readonly [string, AnySet] | null = null;

  constructor(name: string, set: () => AnySet) {
    this.#name = name;
    this.#set = set;
  }

  pair(): readonly [string, AnySet] {
    if (this.#pair === null) {
      this.#pair = [this.#name, this.#set!()];
      this.#set = null;
    }
    return this.#pair;
  }
}

/**
 * The one framer and decoder of a family's messages: nlmsghdr, genlmsghdr (cmd, the family's
 * version), the fixed header, the attributes. `Family`, traces, the CLI and the OVS helpers all
 * go through it. Per spec, built once ({@link GenlCodec.of}).
 */
export class GenlCodec {
  /** The family. */
  readonly spec: FamilySpec;
  /** Where the attributes start in the payload: genlmsghdr plus the aligned fixed header. */
  readonly attrsOffset: number;
  /** Requests by cmd: the op's name and request set. */
  readonly #sent = new Map<number, Named>();
  /**
   * Messages from the kernel by cmd: events first (a family may number kernel-to-user messages
   * apart, as ethtool does), then each op's reply cmd.
   */
  readonly #received = new Map<number, Named>();
  /** Notifications by cmd: the event's name and set. */
  readonly #events = new Map<number, Named>();
  readonly #ctx = new DecodeContext();

  private constructor(spec: FamilySpec) {
    this.spec = spec;
    this.attrsOffset = GENL_HDRLEN + (spec.header ? (spec.header.size + 3) & ~3 : 0);
    for (const [name, e] of Object.entries(spec.events ?? {})) {
      const n = new Named(name, () => e.attrs ?? spec.attrs);
      this.#events.set(e.cmd, n);
      this.#received.set(e.cmd, n);
    }
    for (const [name, o] of Object.entries(spec.operations)) {
      if (!this.#sent.has(o.cmd)) {
        this.#sent.set(o.cmd, new Named(name, () => o.request ?? spec.attrs));
      }
      const rc = o.replyCmd ?? o.cmd;
      if (!this.#received.has(rc)) {
        this.#received.set(rc, new Named(name, () => o.reply ?? o.request ?? spec.attrs));
      }
    }
  }

  /** The codec of `spec` (one per spec object). */
  static of(spec: FamilySpec): GenlCodec {
    let c = codecs.get(spec);
    if (c === undefined) codecs.set(spec, c = new GenlCodec(spec));
    return c;
  }

  /** Operation `op`, or a TypeError naming the known ones. */
  op(op: string): OperationSpec {
    const ops = this.spec.operations;
    const o = typeof op === "string" && Object.hasOwn(ops, op) ? ops[op] : undefined;
    if (!o) {
      throw new TypeError(
        `Cannot use ${this.spec.name} operation ${describeValue(op)}: no such operation (known: ${
          Object.keys(ops).join(", ")
        })`,
      );
    }
    return o;
  }

  /** Name and attribute set of a message with `cmd` sent to the kernel (`cmd-N` if unknown). */
  sent(cmd: number): readonly [string, AnySet] {
    return this.#sent.get(cmd)?.pair() ?? [`cmd-${cmd}`, this.spec.attrs];
  }

  /** Name and attribute set of a message with `cmd` from the kernel (`cmd-N` if unknown). */
  received(cmd: number): readonly [string, AnySet] {
    return this.#received.get(cmd)?.pair() ?? [`cmd-${cmd}`, this.spec.attrs];
  }

  /** Name and attribute set of notification `cmd` (`cmd-N` and the main set if unknown). */
  event(cmd: number): readonly [string, AnySet] {
    return this.#events.get(cmd)?.pair() ?? [`cmd-${cmd}`, this.spec.attrs];
  }

  /**
   * Appends one message of family id `id` with command `cmd` to `w`: the attributes are encoded
   * with `set`, or written by `attrs` itself when it is a function. Returns the message's start.
   */
  encodeTo(
    w: NetlinkWriter,
    id: number,
    cmd: number,
    set: AnySet,
    attrs: unknown,
    options?: GenlEncodeOptions,
  ): number {
    const spec = this.spec;
    // (no {} made when options is absent: a request's usual case)
    const m = w.beginMessage(id, options?.flags ?? 0, options?.seq ?? 0, options?.pid ?? 0);
    w.putU8(cmd).putU8(options?.version ?? spec.version).putU16(0);
    if (spec.header) {
      // Without header values the fixed header is all zeros (e.g. dp_ifindex 0: "any").
      const h = options?.header;
      if (h instanceof Uint8Array) {
        if (h.length !== spec.header.size) {
          throw new RangeError(
            `Cannot encode ${spec.name} header: ${h.length} bytes given, ${spec.header.type} has ${spec.header.size}`,
          );
        }
        w.putBytes(h);
      } // deno-lint-ignore no-explicit-any
      else if (h) spec.header.encodeTo(w, h as any);
      else w.reserve(spec.header.size);
      w.align();
    }
    if (typeof attrs === "function") (attrs as (w: NetlinkWriter) => void)(w);
    else if (attrs !== undefined) {
      // deno-lint-ignore no-explicit-any
      set.encode(w, attrs as any, options?.trace ? { trace: options.trace } : undefined);
    }
    w.endMessage(m);
    return m;
  }

  /**
   * Decodes the payload `data[offset, end)` (after nlmsghdr): genlmsghdr, the fixed header,
   * the attributes with `set` (by default the set of the message `cmd` names as it comes from
   * the kernel: an event's, else an operation's reply).
   * Malformed input raises DecodeError.
   */
  decode(
    data: Uint8Array,
    offset: number,
    end: number,
    set?: AnySet,
    strict = false,
    flags = 0,
    seq = 0,
    pid = 0,
  ): GenlPayload {
    if (end - offset < GENL_HDRLEN) {
      throw new DecodeError(
        `genlmsghdr needs 4 bytes, ${Math.max(0, end - offset)} left`,
        offset,
        "genlmsghdr",
      );
    }
    const cmd = data[offset];
    const h = this.spec.header;
    let header: unknown = NO_HEADER;
    if (h) {
      const at = offset + GENL_HDRLEN;
      if (at + h.size > end) {
        throw new DecodeError(
          `${h.type} needs ${h.size} bytes, ${Math.max(0, end - at)} left`,
          at,
          h.name,
        );
      }
      // The header struct's own reader, on a context of this codec's (decodeAt would take
      // one from the pool for every message).
      header = h.read(this.#ctx.reset(data, h.name, false), at);
    }
    const s = set ?? this.received(cmd)[1];
    const start = Math.min(offset + this.attrsOffset, end);
    // Paths in errors start at the set's name either way; no options object unless strict.
    // On this codec's context, as the header (a context from the pool per message cost more).
    const attrs = decodeOn(this.#ctx, s, data, start, end, strict);
    return { cmd, version: data[offset + 1], header, attrs, flags, seq, pid };
  }
}

/** A CTRL_CMD_GETFAMILY reply as a {@link FamilyDescription} (the one converter). */
export function describeFamily(a: DecodedAttrs<typeof ctrlAttrs.codecs>): FamilyDescription {
  return {
    id: a.familyId ?? 0,
    name: a.familyName ?? "",
    version: a.version ?? 0,
    hdrsize: a.hdrsize ?? 0,
    maxattr: a.maxattr ?? 0,
    ops: (a.ops ?? []).map((o) => ({ id: o.id ?? 0, flags: o.flags ?? [] })),
    groups: (a.mcastGroups ?? []).map((g) => ({ id: g.id ?? 0, name: g.name ?? "" })),
  };
}
