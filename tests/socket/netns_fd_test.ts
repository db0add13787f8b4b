// Namespaces given as open file descriptors: NetlinkSocket.open({ netns: fd }) makes its socket
// in the namespace the fd refers to (and leaves the fd open); openNamespace/closeNamespace open
// one by name or path through the socket's libc (for IFLA_NET_NS_FD and the like).
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeNamespace, NETLINK, NetlinkSocket, openNamespace, SyscallError } from "../../mod.ts";
import { ackOf, FakeKernel } from "../../src/testing/mod.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

/** The link names a dump of RTM_GETLINK finds through `s`. */
function linkNames(s: NetlinkSocket): string[] {
  const names: string[] = [];
  for (const m of s.dumpSync({ type: 18, payload: new Uint8Array(16) })) {
    // IFLA_IFNAME (3) among the attributes after the 16-byte ifinfomsg
    const v = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
    for (let o = 16; o + 4 <= m.payload.length;) {
      const len = v.getUint16(o, true);
      if (len < 4) break;
      if (v.getUint16(o + 2, true) === 3) {
        names.push(new TextDecoder().decode(m.payload.subarray(o + 4, o + len - 1)));
      }
      o += (len + 3) & ~3;
    }
  }
  return names.sort();
}

test("socket: a namespace fd opens the socket there and stays open", { skip }, () => {
  using ns = tempNetns("nsfd");
  ipIn(ns.name, ["link", "add", "fd0", "type", "bridge"]);
  const fd = openNamespace(ns.name);
  try {
    using a = NetlinkSocket.open(NETLINK.ROUTE, { netns: fd });
    assert.deepEqual(linkNames(a), ["fd0", "lo"]);
    // the fd is still usable: a second socket through it, and by path
    using b = NetlinkSocket.open(NETLINK.ROUTE, { netns: fd });
    assert.deepEqual(linkNames(b), ["fd0", "lo"]);
    using c = NetlinkSocket.open(NETLINK.ROUTE, { netns: `/run/netns/${ns.name}` });
    assert.deepEqual(linkNames(c), ["fd0", "lo"]);
  } finally {
    closeNamespace(fd);
  }
});

test("socket: a bad namespace fd or name fails cleanly", { skip }, () => {
  assert.throws(() => openNamespace("nlts-no-such-namespace"), (e: unknown) => {
    assert.ok(e instanceof SyscallError);
    assert.equal(e.code, "ENOENT");
    assert.match(
      e.message,
      /network namespace \/run\/netns\/nlts-no-such-namespace does not exist/,
    );
    return true;
  });
  assert.throws(() => NetlinkSocket.open(NETLINK.ROUTE, { netns: 987654 }), (e: unknown) => {
    assert.ok(e instanceof SyscallError);
    assert.equal(e.syscall, "setns");
    assert.equal(e.code, "EBADF");
    return true;
  });
  assert.throws(() => NetlinkSocket.open(NETLINK.ROUTE, { netns: -1 }), RangeError);
  assert.throws(() => openNamespace(""), TypeError);
});

test("socket: namespace fds through a transport (FakeKernel)", () => {
  const kernel = new FakeKernel();
  kernel.addNamespace("blue");
  const seen: string[] = [];
  kernel.handle(NETLINK.ROUTE, (req, ctx) => {
    seen.push(ctx.netns);
    return [ackOf(req)];
  });
  const fd = openNamespace("blue", kernel);
  using s = NetlinkSocket.open(NETLINK.ROUTE, { netns: fd, transport: kernel });
  s.requestSync({ type: 16 });
  using t = NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel });
  t.requestSync({ type: 16 });
  assert.deepEqual(seen, ["blue", ""]);
  closeNamespace(fd, kernel);
  assert.throws(() => openNamespace("green", kernel), /does not exist/);
});
