/**
 * Classic ("raw") netlink families on a {@link FakeKernel}: {@link serveRaw} answers the
 * requests of a {@link RawFamilySpec} (rt-link, rt-addr, rt-route... from
 * `@nlts/netlink/families`) with typed handlers, so code built on `RawFamily` or `RouteClient`
 * runs against an in-memory kernel; {@link notifyRaw} sends it notifications.
 *
 * @example
 * ```ts
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import { RouteClient } from "@nlts/netlink/route";
 * import { FakeKernel, serveRaw } from "@nlts/netlink/testing";
 * const kernel = new FakeKernel();
 * serveRaw(kernel, rtLink, {
 *   getlink: () => [{ header: { ifiIndex: 1, ifiType: 772 }, attrs: { ifname: "lo", mtu: 65536 } }],
 * });
 * using rt = RouteClient.open({ transport: kernel });
 * console.log(rt.linksSync().map((l) => l.name)); // ["lo"]
 * ```
 *
 * @module
 */

import { NLM_F, NLM_F_GET } from "../protocol/constants.ts";
import { ERRNO } from "../protocol/errno.ts";
import { NetlinkError } from "../protocol/errors.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import type { NetlinkMessage } from "../socket/netlink_socket.ts";
import type {
  RawFamilySpec,
  RawHeaderInitOf,
  RawHeaderOf,
  RawOperationSpec,
  RawOpsOf,
  RawRequestOf,
} from "../ynl/raw_family.ts";
import type { FakeContext, FakeKernel } from "./fake_kernel.ts";
import { ackOf, doneOf, replyTo } from "./fake_peer.ts";

// deno-lint-ignore no-explicit-any
type AnySet = any;
// deno-lint-ignore no-explicit-any
type AnyStruct = any;

/**
 * A request of operation `K` of raw family `S`, decoded.
 *
 * @example
 * ```ts
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import type { FakeRawRequest } from "@nlts/netlink/testing";
 * const name = (r: FakeRawRequest<typeof rtLink, "getlink">) => r.dump ? "dump" : r.attrs.ifname;
 * ```
 */
export interface FakeRawRequest<S extends RawFamilySpec, K extends keyof RawOpsOf<S>>
  extends FakeContext {
  /** The operation. */
  op: K;
  /** True for a dump (NLM_F_DUMP). */
  dump: boolean;
  /** nlmsg_flags (NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE...). */
  flags: number;
  /** The decoded fixed header. */
  header: RawHeaderOf<S, K>;
  /** The decoded attributes (by the operation's request set). */
  attrs: RawRequestOf<S, K>;
  /** The request as sent. */
  message: NetlinkMessage;
}

/**
 * One reply: fixed header (members left out are zero) and attributes (by the reply set).
 *
 * @example
 * ```ts
 * import type { FakeRawReply } from "@nlts/netlink/testing";
 * const lo: FakeRawReply = { header: { ifiIndex: 1, ifiType: 772 }, attrs: { ifname: "lo" } };
 * ```
 */
export interface FakeRawReply {
  /** Fixed header values. */
  header?: Record<string, unknown>;
  /** Attributes. */
  attrs?: Record<string, unknown>;
}

/**
 * A handler of one operation: returns a reply, several (a dump's), or nothing (an ACK only);
 * throws a {@link NetlinkError} to refuse (EEXIST, ENODEV... with an extended ack).
 *
 * @example
 * ```ts
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import type { FakeRawOpHandler } from "@nlts/netlink/testing";
 * const getlink: FakeRawOpHandler<typeof rtLink, "getlink"> = () => [{ attrs: { ifname: "lo" } }];
 * ```
 */
export type FakeRawOpHandler<S extends RawFamilySpec, K extends keyof RawOpsOf<S>> = (
  request: FakeRawRequest<S, K>,
) => FakeRawReply | FakeRawReply[] | void | Promise<FakeRawReply | FakeRawReply[] | void>;

/**
 * Handlers by operation name; operations without one fail with EOPNOTSUPP.
 *
 * @example
 * ```ts
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import type { FakeRawHandlers } from "@nlts/netlink/testing";
 * const handlers: FakeRawHandlers<typeof rtLink> = { dellink: () => {} };
 * ```
 */
export type FakeRawHandlers<S extends RawFamilySpec> = {
  [K in keyof RawOpsOf<S>]?: FakeRawOpHandler<S, K>;
};

interface Served {
  spec: RawFamilySpec;
  handlers: Record<string, unknown>;
}

const SERVED = new WeakMap<FakeKernel, Map<number, Served[]>>();

function headerOf(spec: RawFamilySpec, o: RawOperationSpec): AnyStruct | undefined {
  return o.header ?? spec.header;
}

function encodeReply(
  req: NetlinkMessage,
  type: number,
  header: AnyStruct | undefined,
  set: AnySet,
  reply: FakeRawReply,
  flags: number,
): Uint8Array {
  const w = new NetlinkWriter();
  if (header) {
    const init = header.decodeAt(new Uint8Array(header.size), 0) as Record<string, unknown>;
    for (const [k, v] of Object.entries(reply.header ?? {})) if (v !== undefined) init[k] = v;
    header.encodeTo(w, init);
    w.align();
  }
  if (reply.attrs !== undefined) set.encode(w, reply.attrs);
  return replyTo(req, type, w.bytes(), flags);
}

/**
 * Serves raw family `spec` on `kernel` (several families of one protocol can be served: each
 * request goes to the family whose operation has its message type). Requests are decoded with
 * the operation's header and request set; replies encoded with its reply set and reply message
 * type; a dump's replies end with NLMSG_DONE, a `do` gets its ACK when it asked for one.
 * Serving a family again replaces its handlers.
 *
 * @example
 * ```ts
 * import { NetlinkError } from "@nlts/netlink";
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import { FakeKernel, serveRaw } from "@nlts/netlink/testing";
 * const kernel = new FakeKernel();
 * const links = new Map<string, number>();
 * serveRaw(kernel, rtLink, {
 *   newlink: (req) => {
 *     if (links.has(req.attrs.ifname!)) throw new NetlinkError(17, { extAck: { message: "exists" } });
 *     links.set(req.attrs.ifname!, links.size + 1);
 *   },
 * });
 * ```
 */
export function serveRaw<const S extends RawFamilySpec>(
  kernel: FakeKernel,
  spec: S,
  handlers: NoInfer<FakeRawHandlers<S>>,
): void {
  if (typeof spec !== "object" || spec === null || typeof spec.name !== "string") {
    throw new TypeError("Cannot serve raw family: expected a family description (RawFamilySpec)");
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
  let byProtocol = SERVED.get(kernel);
  if (byProtocol === undefined) SERVED.set(kernel, byProtocol = new Map());
  let served = byProtocol.get(spec.protocol);
  if (served === undefined) {
    const list: Served[] = [];
    served = list;
    byProtocol.set(spec.protocol, list);
    kernel.handle(spec.protocol, (req, ctx) => dispatch(list, req, ctx));
  }
  const i = served.findIndex((s) => s.spec.name === spec.name);
  const entry = { spec, handlers: { ...handlers } as Record<string, unknown> };
  if (i >= 0) served[i] = entry;
  else served.push(entry);
}

function dispatch(
  served: readonly Served[],
  req: NetlinkMessage,
  ctx: FakeContext,
): Uint8Array[] | Promise<Uint8Array[]> {
  for (const { spec, handlers } of served) {
    for (const [op, o] of Object.entries(spec.operations)) {
      if (o.cmd !== req.type) continue;
      const dump = (req.flags & NLM_F_GET.DUMP) === NLM_F_GET.DUMP;
      const handler = handlers[op];
      if (typeof handler !== "function") {
        throw new NetlinkError(ERRNO.EOPNOTSUPP, {
          operation: `${spec.name}.${op}`,
          extAck: { message: `the fake kernel has no handler for ${spec.name}.${op}` },
        });
      }
      const header = headerOf(spec, o);
      const set = o.request ?? spec.attrs;
      const p = req.payload;
      const off = header ? (header.size + 3) & ~3 : 0;
      const decoded: FakeRawRequest<RawFamilySpec, string> = {
        ...ctx,
        op,
        dump,
        flags: req.flags,
        header: (header ? header.decodeAt(p, 0) : {}) as never,
        attrs: set.decode(p, Math.min(off, p.length), p.length, { path: set.name }) as never,
        message: req,
      };
      const finish = (r: unknown): Uint8Array[] => {
        const replies = r === undefined ? [] : Array.isArray(r) ? r : [r];
        const type = o.replyCmd ?? o.cmd;
        const out = replies.map((x) =>
          encodeReply(req, type, header, o.reply ?? set, x as FakeRawReply, dump ? NLM_F.MULTI : 0)
        );
        if (dump) out.push(doneOf(req));
        else if (req.flags & NLM_F.ACK) out.push(ackOf(req));
        return out;
      };
      // Synchronous handlers answer inside sendmsg, as the kernel does (sync calls work).
      const r = (handler as (x: unknown) => unknown)(decoded);
      return r instanceof Promise ? r.then(finish) : finish(r);
    }
  }
  throw new NetlinkError(ERRNO.EOPNOTSUPP, {
    operation: `message type ${req.type}`,
    extAck: { message: `the fake kernel serves no operation of message type ${req.type}` },
  });
}

/**
 * Sends a notification of raw family `spec` to the sockets of its protocol that joined
 * `group` (a number, or the name of one of the family's groups): message `type` (an event's or
 * operation's name, or a number) with a fixed header and attributes. Returns how many sockets
 * got it.
 *
 * @example
 * ```ts
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import { FakeKernel, notifyRaw } from "@nlts/netlink/testing";
 * const kernel = new FakeKernel();
 * kernel.handle(0, () => []);
 * notifyRaw(kernel, rtLink, "rtnlgrp-link", "newlink-ntf", { header: { ifiIndex: 5 }, attrs: { ifname: "eth9" } });
 * ```
 */
export function notifyRaw<const S extends RawFamilySpec>(
  kernel: FakeKernel,
  spec: S,
  group: (keyof NonNullable<S["mcastGroups"]> & string) | number,
  type: string | number,
  reply: {
    header?: RawHeaderInitOf<S, keyof RawOpsOf<S>> | Record<string, unknown>;
    attrs?: Record<string, unknown>;
  },
  options: { netns?: string } = {},
): number {
  const g = typeof group === "number" ? group : spec.mcastGroups?.[group];
  if (g === undefined) {
    throw new TypeError(`Cannot notify ${spec.name}: no group ${String(group)}`);
  }
  let cmd: number | undefined;
  let header: AnyStruct | undefined = spec.header;
  let set: AnySet = spec.attrs;
  if (typeof type === "number") cmd = type;
  const e = typeof type === "string" ? spec.events?.[type] : undefined;
  const o = typeof type === "string" ? spec.operations[type] : undefined;
  if (e !== undefined) {
    cmd = e.cmd;
    header = e.header ?? header;
    set = e.attrs ?? set;
  } else if (o !== undefined) {
    cmd = o.replyCmd ?? o.cmd;
    header = o.header ?? header;
    set = o.reply ?? o.request ?? set;
  } else if (typeof type === "number") {
    const op = Object.values(spec.operations).find((x) => (x.replyCmd ?? x.cmd) === type);
    if (op) {
      header = op.header ?? header;
      set = op.reply ?? op.request ?? set;
    }
  }
  if (cmd === undefined) {
    throw new TypeError(`Cannot notify ${spec.name}: no event or operation ${String(type)}`);
  }
  const fake = { type: cmd, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(0) };
  const bytes = encodeReply(fake, cmd, header, set, reply as FakeRawReply, 0);
  return kernel.multicast(spec.protocol, g, bytes, options);
}
