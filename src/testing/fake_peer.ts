/**
 * A byte-level fake of the kernel for tests: {@link FakePeer} is a real NETLINK_USERSOCK socket
 * that answers each request a client sends it with replies you script, built with
 * {@link replyTo}, {@link ackOf}, {@link errorOf} and {@link doneOf}. The client is an ordinary
 * {@link NetlinkSocket} connected to the fake's port id, so the whole receive path (sequence
 * matching, ACKs, dump ends, errors, NLM_F_DUMP_INTR) runs for real. Use the asynchronous client
 * methods (`request`, `dump`): the fake answers from the event loop.
 *
 * @module
 */

import { NETLINK, NLM_F, NLM_F_ACK_FLAGS, NLMSG, NLMSGERR_ATTR } from "../protocol/constants.ts";
import type { ExtAck } from "../protocol/errors.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { type NetlinkMessage, NetlinkSocket } from "../socket/netlink_socket.ts";

/** What a handler returns: the encoded reply messages (each a complete message), in order. */
export type FakeReplies = Uint8Array[];

/** Answers one request. */
export type FakeHandler = (request: NetlinkMessage) => FakeReplies | Promise<FakeReplies>;

/**
 * Builds one reply message to `req` (same seq, pid 0) with `type`, `flags` and payload.
 *
 * @example
 * ```ts
 * import { replyTo } from "@nlts/netlink/testing";
 * const r = replyTo({ type: 0x10, flags: 5, seq: 3, pid: 99, payload: new Uint8Array(4) }, 0x10, new Uint8Array([1, 2, 0, 0]));
 * ```
 */
export function replyTo(
  req: NetlinkMessage,
  type: number,
  payload: Uint8Array,
  flags = 0,
): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, flags, req.seq, req.pid);
  w.putBytes(payload);
  w.endMessage(m);
  return w.copy();
}

function writeExtAck(w: NetlinkWriter, ack: ExtAck): void {
  if (ack.message !== undefined) w.attrString(NLMSGERR_ATTR.MSG, ack.message);
  if (ack.offset !== undefined) w.attrU32(NLMSGERR_ATTR.OFFS, ack.offset);
  if (ack.cookie !== undefined) w.attrBinary(NLMSGERR_ATTR.COOKIE, ack.cookie);
  if (ack.missingType !== undefined) w.attrU32(NLMSGERR_ATTR.MISS_TYPE, ack.missingType);
  if (ack.missingNest !== undefined) w.attrU32(NLMSGERR_ATTR.MISS_NEST, ack.missingNest);
}

/**
 * An NLMSG_ERROR answering `req` with `errno` (positive; 0 = ACK), capped (header only) as with
 * NETLINK_CAP_ACK, and with extended-ack TLVs when `extAck` is given.
 *
 * @example
 * ```ts
 * import { errorOf } from "@nlts/netlink/testing";
 * declare const req: import("@nlts/netlink").NetlinkMessage;
 * const e = errorOf(req, 19, { message: "no device matches name", offset: 24 });
 * ```
 */
export function errorOf(req: NetlinkMessage, errno: number, extAck?: ExtAck): Uint8Array {
  const w = new NetlinkWriter();
  const flags = NLM_F_ACK_FLAGS.CAPPED | (extAck ? NLM_F_ACK_FLAGS.ACK_TLVS : 0);
  const m = w.beginMessage(NLMSG.ERROR, flags, req.seq, req.pid);
  w.putS32(-errno);
  // The echoed request header.
  w.putU32(16 + req.payload.length).putU16(req.type).putU16(req.flags).putU32(req.seq).putU32(
    req.pid,
  );
  if (extAck) writeExtAck(w, extAck);
  w.endMessage(m);
  return w.copy();
}

/**
 * A success acknowledgement of `req`.
 *
 * @example
 * ```ts
 * import { ackOf } from "@nlts/netlink/testing";
 * declare const req: import("@nlts/netlink").NetlinkMessage;
 * const ack = ackOf(req);
 * ```
 */
export function ackOf(req: NetlinkMessage): Uint8Array {
  return errorOf(req, 0);
}

/**
 * NLMSG_DONE ending a dump of `req`; with `errno` it carries the dump's error (and ext ack),
 * with `interrupted` it has NLM_F_DUMP_INTR.
 *
 * @example
 * ```ts
 * import { doneOf } from "@nlts/netlink/testing";
 * declare const req: import("@nlts/netlink").NetlinkMessage;
 * const end = doneOf(req, { errno: 22, extAck: { message: "bad filter" } });
 * ```
 */
export function doneOf(
  req: NetlinkMessage,
  options: { errno?: number; extAck?: ExtAck; interrupted?: boolean } = {},
): Uint8Array {
  const w = new NetlinkWriter();
  const flags = NLM_F.MULTI | (options.interrupted ? NLM_F.DUMP_INTR : 0) |
    (options.extAck ? NLM_F_ACK_FLAGS.ACK_TLVS : 0);
  const m = w.beginMessage(NLMSG.DONE, flags, req.seq, req.pid);
  w.putS32(-(options.errno ?? 0));
  if (options.extAck) writeExtAck(w, options.extAck);
  w.endMessage(m);
  return w.copy();
}

/**
 * The fake kernel: a NETLINK_USERSOCK socket serving requests with a handler until closed.
 * Open a client with {@link FakePeer.client}; every request the client sends reaches the
 * handler, whose replies are sent back (all in one datagram unless `split` is set).
 *
 * @example
 * ```ts
 * import { ackOf, FakePeer, replyTo } from "@nlts/netlink/testing";
 * using fake = FakePeer.start((req) => [replyTo(req, req.type, new Uint8Array([1, 2, 3, 4])), ackOf(req)]);
 * using client = fake.client();
 * const [reply] = await client.request({ type: 0x20 });
 * console.log(reply.payload); // Uint8Array [1, 2, 3, 4]
 * ```
 */
export class FakePeer {
  /** The fake's socket. */
  readonly socket: NetlinkSocket;
  /** Every request received, in order. */
  readonly requests: NetlinkMessage[] = [];
  readonly #ac = new AbortController();
  readonly #done: Promise<void>;
  #split: boolean;

  private constructor(handler: FakeHandler, split: boolean) {
    this.socket = NetlinkSocket.open(NETLINK.USERSOCK, { name: "fake-kernel" });
    this.#split = split;
    this.#done = this.#serve(handler);
  }

  /**
   * Starts serving. With `split`, each reply message goes out in its own datagram.
   *
   * @example
   * ```ts
   * import { ackOf, FakePeer } from "@nlts/netlink/testing";
   * using fake = FakePeer.start((req) => [ackOf(req)], { split: true });
   * ```
   */
  static start(handler: FakeHandler, options: { split?: boolean } = {}): FakePeer {
    return new FakePeer(handler, options.split ?? false);
  }

  /** The fake's port id (where clients send). */
  get portid(): number {
    return this.socket.portid;
  }

  /**
   * Opens a client socket connected to the fake (user-to-user replies accepted).
   *
   * @example
   * ```ts
   * import { ackOf, FakePeer } from "@nlts/netlink/testing";
   * using fake = FakePeer.start((req) => [ackOf(req)]);
   * using c = fake.client();
   * await c.request({ type: 0x20 });
   * ```
   */
  client(): NetlinkSocket {
    const c = NetlinkSocket.open(NETLINK.USERSOCK, { name: "fake-client", userToUser: true });
    c.connect(this.portid);
    return c;
  }

  async #serve(handler: FakeHandler): Promise<void> {
    try {
      for await (const req of this.socket.messages({ signal: this.#ac.signal })) {
        this.requests.push(req);
        const replies = await handler(req);
        if (replies.length === 0) continue;
        if (this.#split) {
          for (const r of replies) this.socket.send(r, { portid: req.sender ?? req.pid });
        } else this.socket.send(replies, { portid: req.sender ?? req.pid });
      }
    } catch (e) {
      if (!this.socket.closed) throw e;
    }
  }

  /** Stops serving and closes the socket. */
  close(): void {
    this.#ac.abort();
    this.socket.close();
    void this.#done.catch(() => {});
  }

  /** Same as {@link FakePeer.close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
