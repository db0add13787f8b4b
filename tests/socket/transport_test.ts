// Transport injection: a socket makes its libc calls through the `transport` it was opened with,
// and the sockets opened on its behalf (a GenlSocket's controller watcher, subscriptions, OVS
// side sockets) use the same one. Checked with a wrapper over the real libc that records the
// fds it created.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GenlSocket, NETLINK, NetlinkSocket } from "../../mod.ts";
import { netdev } from "../../src/genl/mod.ts";
import { getLibc, type Libc } from "../../src/ffi/mod.ts";

/** The real libc, with every socket() it made recorded. */
function recording(): { libc: Libc; sockets: number[] } {
  const real = getLibc();
  const sockets: number[] = [];
  const socket: Libc["socket"] = (domain, type, protocol) => {
    const r = real.socket(domain, type, protocol);
    if (r.ret >= 0) sockets.push(r.ret);
    return r;
  };
  // The backends keep their state in private fields: every other call goes to the real object.
  const libc = new Proxy(real, {
    get: (target, key) => {
      if (key === "socket") return socket;
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { libc, sockets };
}

test("transport: NetlinkSocket.open makes its calls through the given transport", () => {
  const { libc, sockets } = recording();
  using s = NetlinkSocket.open(NETLINK.GENERIC, { transport: libc });
  assert.deepEqual(sockets, [s.fd]);
  assert.equal(s.transport, libc);
  using plain = NetlinkSocket.open(NETLINK.GENERIC);
  assert.equal(plain.transport, getLibc());
  assert.equal(sockets.length, 1, "a socket without a transport does not use another's");
});

test("transport: a GenlSocket's side sockets and subscriptions use its transport", async () => {
  const { libc, sockets } = recording();
  using genl = GenlSocket.open({ transport: libc });
  const family = genl.family(netdev); // resolved through the controller, which opens the watcher
  const ac = new AbortController();
  const sub = family.subscribe(["mgmt"], { signal: ac.signal });
  assert.equal(sockets.length, 3, `main, watcher and subscription sockets: ${sockets}`);
  ac.abort();
  for await (const _ of sub) break;
  sub.close();
});

test("transport: a transport that is not an object is refused", () => {
  assert.throws(
    () => NetlinkSocket.open(NETLINK.GENERIC, { transport: 5 as unknown as Libc }),
    (e: unknown) => e instanceof TypeError && /transport/.test(e.message),
  );
});
