/**
 * Test helpers users can use too:
 *
 * - {@link FakeKernel}: an in-memory netlink kernel, the `transport` of `NetlinkSocket`,
 *   `GenlSocket`, `Controller` and `OvsClient`. It serves generic netlink families from handlers
 *   or scripted replies (and the controller that resolves them), other protocols byte by byte,
 *   and multicast notifications. No FFI, no root, no Linux.
 * - {@link FakePeer}: a byte-level fake kernel on a real NETLINK_USERSOCK socket (Linux, FFI).
 * - Builders of replies: {@link replyTo}, {@link ackOf}, {@link errorOf}, {@link doneOf},
 *   {@link genlReply}.
 *
 * @example Test code built on a typed family against the in-memory kernel
 * ```ts
 * import { GenlSocket, netdev } from "@nlts/netlink/genl";
 * import { FakeKernel } from "@nlts/netlink/testing";
 * const kernel = new FakeKernel();
 * kernel.serveFamily(netdev, { "dev-get": [{ ifindex: 1 }, { ifindex: 2 }] });
 * using genl = GenlSocket.open({ transport: kernel });
 * const devices = genl.family(netdev).dumpSync("dev-get").map((m) => m.attrs.ifindex);
 * console.log(devices); // [1, 2]
 * ```
 *
 * @module
 */

export * from "./fake_peer.ts";
export * from "./fake_kernel.ts";
export * from "./fake_raw.ts";
