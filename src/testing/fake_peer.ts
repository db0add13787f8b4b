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
import { ERRNO as E } from "../protocol/errno.ts";
import { type ExtAck, SyscallError } from "../protocol/errors.ts";
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
 * handler, whose replies are sent back (all in one datagram unless `split` is set). A handler
 * that throws (or rejects), returns something else than encoded messages, or whose replies
 * cannot be sent, fails that request with an error reply (EIO, or the errno of the failed send)
 * naming what happened; the process is never taken down and the fake goes on serving.
 *
 * The fake answers from the event loop, so only the client's asynchronous methods (`request`,
 * `dump`, `do`) can get its replies: a synchronous call (`requestSync`, `doSync`, ...) blocks
 * the thread the fake needs, and times out. For synchronous code, and for typed code without a
 * real socket, use {@link FakeKernel}.
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
  /**
   * Failures that could not be reported to a request (an error reply that could not be sent
   * either, a socket error); the fake goes on serving after each.
   */
  readonly errors: Error[] = [];
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
    // Never rejects: a failure is answered to the request it concerns, or kept in `errors`.
    while (!this.socket.closed) {
      try {
        for await (const req of this.socket.messages({ signal: this.#ac.signal })) {
          this.requests.push(req);
          await this.#answer(handler, req);
        }
        return; // closed or aborted
      } catch (e) {
        if (this.socket.closed) return;
        this.errors.push(e instanceof Error ? e : new Error(String(e)));
        // A receive-queue overflow lost requests, but the socket goes on working.
        if (!(e instanceof SyscallError && e.code === "ENOBUFS")) return;
      }
    }
  }

  /** Runs the handler for `req` and sends its replies; failures become an error reply. */
  async #answer(handler: FakeHandler, req: NetlinkMessage): Promise<void> {
    const to = { portid: req.sender ?? req.pid };
    let replies: FakeReplies;
    try {
      replies = await handler(req);
      if (!Array.isArray(replies) || !replies.every((r) => r instanceof Uint8Array)) {
        throw new TypeError("the handler must return an array of encoded messages");
      }
    } catch (e) {
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.#sendError(req, to, E.EIO, `FakePeer handler threw ${what}`, e);
      return;
    }
    if (replies.length === 0) return;
    try {
      if (this.#split) { for (const r of replies) this.socket.send(r, to); }
      else this.socket.send(replies, to);
    } catch (e) {
      if (this.socket.closed) return;
      const errno = e instanceof SyscallError ? e.errno : E.EIO;
      this.#sendError(
        req,
        to,
        errno,
        `FakePeer could not send its reply: ${(e as Error).message}`,
        e,
      );
    }
  }

  /** Answers `req` with an error; if even that cannot be sent, keeps the failure in `errors`. */
  #sendError(
    req: NetlinkMessage,
    to: { portid: number },
    errno: number,
    message: string,
    cause: unknown,
  ): void {
    try {
      this.socket.send(errorOf(req, errno, { message }), to);
    } catch (e) {
      if (this.socket.closed) return;
      this.errors.push(
        new Error(`${message}; the error reply could not be sent either: ${(e as Error).message}`, {
          cause,
        }),
      );
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
