/**
 * Test helpers users can use too: {@link FakePeer}, a byte-level fake kernel on a real
 * NETLINK_USERSOCK socket, and builders for its replies.
 *
 * @example
 * ```ts
 * import { ackOf, FakePeer, replyTo } from "@nlts/netlink/testing";
 * using fake = FakePeer.start((req) => [replyTo(req, req.type, new Uint8Array(4)), ackOf(req)]);
 * using client = fake.client();
 * console.log((await client.request({ type: 0x20 })).length); // 1
 * ```
 *
 * @module
 */

export * from "./fake_peer.ts";
