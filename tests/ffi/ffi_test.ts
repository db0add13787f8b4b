// Live tests of the FFI layer against the host kernel: real syscalls on NETLINK_USERSOCK
// sockets, eventfds and namespace fds. Run by both `deno test -A` and `bun test`.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readlinkSync } from "node:fs";
import process from "node:process";
import { newFds, openFds as descriptors } from "../helpers/fds.ts";
import {
  AF,
  CLONE,
  decodeCmsgs,
  decodePollfds,
  decodeSockaddrNl,
  EFD,
  encodePollfds,
  encodeSockaddrNl,
  ERRNO,
  errnoName,
  getLibc,
  libc,
  loadLibc,
  MSG,
  O,
  POLL,
  SO,
  SOCK,
  SOL,
} from "../../src/ffi/mod.ts";

// From <linux/netlink.h>; kept local so these tests depend on src/ffi only.
const NETLINK_USERSOCK = 2;
const NETLINK_ADD_MEMBERSHIP = 1;
const NETLINK_PKTINFO = 3;
const NETLINK_LIST_MEMBERSHIPS = 9;

const c = getLibc();
const expectedRuntime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "bun"
  : "deno";

/** Everything a test opened, closed in `after()` even when an assertion fails. */
const openFds: number[] = [];

function track(fd: number): number {
  openFds.push(fd);
  return fd;
}

function closeFd(fd: number): void {
  const i = openFds.indexOf(fd);
  if (i >= 0) openFds.splice(i, 1);
  assert.equal(c.close(fd).ret, 0);
}

after(() => {
  for (const fd of openFds.splice(0)) c.close(fd);
});

function usersock(): number {
  const r = c.socket(AF.NETLINK, SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC, NETLINK_USERSOCK);
  assert.equal(r.errno, 0);
  assert.ok(r.ret >= 0);
  return track(r.ret);
}

/** A bound USERSOCK socket and the port id the kernel assigned to it. */
function boundUsersock(groups = 0): { fd: number; portid: number } {
  const fd = usersock();
  assert.deepEqual(c.bind(fd, encodeSockaddrNl(0, groups)), { ret: 0, errno: 0 });
  const name = new Uint8Array(12);
  assert.deepEqual(c.getsockname(fd, name), { ret: 0, errno: 0 });
  const addr = decodeSockaddrNl(name);
  assert.equal(addr.family, AF.NETLINK);
  assert.notEqual(addr.pid, 0);
  return { fd, portid: addr.pid };
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

function readU32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

function eventfd(): number {
  const r = c.eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
  assert.equal(r.errno, 0);
  return track(r.ret);
}

function writeEventfd(fd: number, value: bigint): void {
  const buf = new Uint8Array(8);
  new DataView(buf.buffer).setBigUint64(0, value, true);
  assert.deepEqual(c.write(fd, buf), { ret: 8, errno: 0 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("loading", () => {
  test("getLibc, libc and loadLibc return one instance for this runtime", async () => {
    assert.equal(c.runtime, expectedRuntime);
    assert.equal(libc(), c);
    assert.equal(await loadLibc(), c);
  });

  test("getpid matches the runtime's pid", () => {
    assert.equal(c.getpid(), process.pid);
  });

  test("clock_gettime(CLOCK_MONOTONIC) advances and trails /proc/uptime (CLOCK_BOOTTIME)", () => {
    const ts = new Uint8Array(16);
    const v = new DataView(ts.buffer);
    const read = () => {
      assert.deepEqual(c.clockGettime(1, ts), { ret: 0, errno: 0 });
      return Number(v.getBigInt64(0, true)) * 1000 + Number(v.getBigInt64(8, true)) / 1e6;
    };
    const a = read();
    const uptimeMs = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
    const b = read();
    assert.ok(b >= a && a > 0);
    assert.ok(a <= uptimeMs + 20, `${a} <= ${uptimeMs}`);
    assert.equal(c.clockGettime(-12345, ts).errno, ERRNO.EINVAL);
    assert.throws(() => c.clockGettime(1, new Uint8Array(8)), RangeError);
  });
});

describe("errors", () => {
  test("close(-1) fails with EBADF", () => {
    assert.deepEqual(c.close(-1), { ret: -1, errno: ERRNO.EBADF });
  });

  test("socket() of an unregistered netlink protocol fails with EPROTONOSUPPORT", () => {
    const r = c.socket(AF.NETLINK, SOCK.RAW, 31);
    assert.equal(r.ret, -1);
    assert.equal(errnoName(r.errno), "EPROTONOSUPPORT");
  });

  test("errno is per call: a success after a failure reports 0", () => {
    assert.equal(c.close(-1).errno, ERRNO.EBADF);
    const fd = usersock();
    closeFd(fd);
    assert.equal(c.close(fd).errno, ERRNO.EBADF);
  });

  test("recvmsg on an fd that is not a socket fails with ENOTSOCK", () => {
    const efd = eventfd();
    const r = c.recvmsg(efd, new Uint8Array(16), MSG.DONTWAIT);
    assert.deepEqual(r, {
      ret: -1,
      errno: ERRNO.ENOTSOCK,
      msgFlags: 0,
      portid: 0,
      groups: 0,
      controlLen: 0,
    });
    closeFd(efd);
  });
});

describe("USERSOCK pair", () => {
  test("kernel-assigned port ids are distinct", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    assert.notEqual(a.portid, b.portid);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("sendmsg with two iovec pieces (one a subarray) arrives as exact bytes", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const head = new Uint8Array([1, 2, 3, 4, 5]);
    const backing = new Uint8Array(64).map((_, i) => i);
    const tail = backing.subarray(10, 30); // byteOffset 10: bytes 10..29
    const sent = c.sendmsg(a.fd, [head, tail], encodeSockaddrNl(b.portid, 0), 0);
    assert.deepEqual(sent, { ret: 25, errno: 0 });

    const buf = new Uint8Array(32 * 1024);
    const r = c.recvmsg(b.fd, buf, MSG.DONTWAIT);
    assert.deepEqual(r, {
      ret: 25,
      errno: 0,
      msgFlags: 0,
      portid: a.portid,
      groups: 0,
      controlLen: 0,
    });
    const expected = [1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => i + 10)];
    assert.deepEqual(Array.from(buf.subarray(0, 25)), expected);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("sendmsg grows past its preallocated iovec array and skips empty pieces", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) pieces.push(i % 5 === 0 ? new Uint8Array(0) : Uint8Array.of(i));
    const sent = c.sendmsg(a.fd, pieces, encodeSockaddrNl(b.portid, 0), 0);
    assert.deepEqual(sent, { ret: 32, errno: 0 });
    const buf = new Uint8Array(128);
    assert.equal(c.recvmsg(b.fd, buf, MSG.DONTWAIT).ret, 32);
    const expected = Array.from({ length: 40 }, (_, i) => i).filter((i) => i % 5 !== 0);
    assert.deepEqual(Array.from(buf.subarray(0, 32)), expected);
    // Back to one piece: the msghdr must not keep the old iovec count.
    assert.equal(c.sendmsg(a.fd, [Uint8Array.of(9)], encodeSockaddrNl(b.portid, 0), 0).ret, 1);
    assert.equal(c.recvmsg(b.fd, buf, MSG.DONTWAIT).ret, 1);
    assert.equal(buf[0], 9);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("sendmsg rejects more than 1024 pieces and addresses over 128 bytes", () => {
    const fd = usersock();
    const piece = new Uint8Array(1);
    assert.throws(() => c.sendmsg(fd, new Array(1025).fill(piece), null, 0), RangeError);
    assert.throws(() => c.sendmsg(fd, [piece], new Uint8Array(129), 0), RangeError);
    assert.throws(() => c.sendto(fd, piece, new Uint8Array(129), 0), RangeError);
    closeFd(fd);
  });

  test("sendto, and sendmsg with a null address on a connected socket", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const buf = new Uint8Array(64);
    assert.deepEqual(c.sendto(a.fd, Uint8Array.of(7, 8, 9), encodeSockaddrNl(b.portid), 0), {
      ret: 3,
      errno: 0,
    });
    let r = c.recvmsg(b.fd, buf, MSG.DONTWAIT);
    assert.equal(r.ret, 3);
    assert.equal(r.portid, a.portid);
    assert.deepEqual(Array.from(buf.subarray(0, 3)), [7, 8, 9]);

    assert.deepEqual(c.connect(a.fd, encodeSockaddrNl(b.portid)), { ret: 0, errno: 0 });
    assert.equal(c.sendmsg(a.fd, [Uint8Array.of(42)], null, 0).ret, 1);
    assert.equal(c.sendto(a.fd, Uint8Array.of(43), null, 0).ret, 1);
    r = c.recvmsg(b.fd, buf, MSG.DONTWAIT);
    assert.deepEqual([r.ret, r.portid, buf[0]], [1, a.portid, 42]);
    r = c.recvmsg(b.fd, buf, MSG.DONTWAIT);
    assert.deepEqual([r.ret, r.portid, buf[0]], [1, a.portid, 43]);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("recvmsg into a subarray writes at its byteOffset only", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    c.sendto(a.fd, Uint8Array.of(0xaa, 0xbb, 0xcc), encodeSockaddrNl(b.portid), 0);
    const backing = new Uint8Array(32);
    const r = c.recvmsg(b.fd, backing.subarray(7, 20), MSG.DONTWAIT);
    assert.equal(r.ret, 3);
    const expected = new Uint8Array(32);
    expected.set([0xaa, 0xbb, 0xcc], 7);
    assert.deepEqual(backing, expected);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("recvmsg follows its buffer: the same one again, another, a view of it, a small one", () => {
    // The backends keep the iovec of the last buffer; each change must point it anew.
    const a = boundUsersock();
    const b = boundUsersock();
    const to = encodeSockaddrNl(b.portid);
    const big = new Uint8Array(4096);
    const other = new Uint8Array(4096);
    const small = new Uint8Array(16);
    const steps: [Uint8Array, Uint8Array][] = [
      [big, big],
      [big, big],
      [other, other],
      [big.subarray(100, 200), big],
      [big, big],
      [small, small],
      [big, big],
      [small.subarray(4), small],
    ];
    steps.forEach(([into, backing], i) => {
      const payload = Uint8Array.of(i + 1, 0x5a, i + 1);
      c.sendto(a.fd, payload, to, 0);
      const before = backing.slice();
      const r = c.recvmsg(b.fd, into, MSG.DONTWAIT);
      assert.equal(r.ret, 3, `step ${i}`);
      const at = into.byteOffset - backing.byteOffset;
      before.set(payload, at);
      assert.deepEqual(backing, before, `step ${i}: the bytes land in the buffer given`);
    });
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("recvmmsg reads what is queued, up to one datagram per buffer, with each one's sender", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const recvmmsg = c.recvmmsg!.bind(c);
    const one = new Uint8Array(8192);
    const two = new Uint8Array(8192);
    const small = new Uint8Array(2);
    assert.deepEqual(recvmmsg(b.fd, [one, two], MSG.DONTWAIT), {
      ret: -1,
      errno: ERRNO.EAGAIN,
      results: [],
    });
    const to = encodeSockaddrNl(b.portid);
    c.sendto(a.fd, Uint8Array.of(1, 2, 3), to, 0);
    c.sendto(a.fd, Uint8Array.of(4, 5, 6, 7), to, 0);
    c.sendto(a.fd, Uint8Array.of(8, 9, 10), to, 0);
    let r = recvmmsg(b.fd, [one, two], MSG.DONTWAIT);
    assert.equal(r.ret, 2);
    assert.deepEqual(
      r.results.slice(0, 2).map((x) => [x.ret, x.portid, x.groups, x.msgFlags]),
      [[3, a.portid, 0, 0], [4, a.portid, 0, 0]],
    );
    assert.deepEqual([...one.subarray(0, 3), ...two.subarray(0, 4)], [1, 2, 3, 4, 5, 6, 7]);
    // One left, into a buffer too small: cut, and told so with MSG_TRUNC.
    r = recvmmsg(b.fd, [small, one], MSG.DONTWAIT | MSG.TRUNC);
    assert.equal(r.ret, 1);
    assert.equal(r.results[0].ret, 3);
    assert.equal(r.results[0].msgFlags & MSG.TRUNC, MSG.TRUNC);
    assert.deepEqual([...small], [8, 9]);
    assert.throws(() => recvmmsg(b.fd, [], 0), RangeError);
    assert.throws(() => recvmmsg(b.fd, new Array(9).fill(one), 0), RangeError);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("MSG_TRUNC: the real length with the flag, the copied length without", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const payload = new Uint8Array(100).map((_, i) => 255 - i);
    const to = encodeSockaddrNl(b.portid);
    assert.equal(c.sendto(a.fd, payload, to, 0).ret, 100);
    assert.equal(c.sendto(a.fd, payload, to, 0).ret, 100);

    const small = new Uint8Array(16);
    const withFlag = c.recvmsg(b.fd, small, MSG.DONTWAIT | MSG.TRUNC);
    assert.equal(withFlag.ret, 100);
    assert.equal(withFlag.msgFlags & MSG.TRUNC, MSG.TRUNC);
    assert.deepEqual(small, payload.subarray(0, 16));

    const without = c.recvmsg(b.fd, small, MSG.DONTWAIT);
    assert.equal(without.ret, 16);
    assert.equal(without.msgFlags & MSG.TRUNC, MSG.TRUNC);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("MSG_PEEK leaves the datagram queued; a zero-length buffer still reports it", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    c.sendto(a.fd, Uint8Array.of(1, 2, 3, 4), encodeSockaddrNl(b.portid), 0);
    const peek = c.recvmsg(b.fd, new Uint8Array(0), MSG.DONTWAIT | MSG.PEEK | MSG.TRUNC);
    assert.equal(peek.ret, 4);
    assert.equal(peek.portid, a.portid);
    const buf = new Uint8Array(4);
    assert.equal(c.recvmsg(b.fd, buf, MSG.DONTWAIT).ret, 4);
    assert.deepEqual(Array.from(buf), [1, 2, 3, 4]);
    closeFd(a.fd);
    closeFd(b.fd);
  });

  test("an empty queue with MSG_DONTWAIT fails with EAGAIN", () => {
    const b = boundUsersock();
    const r = c.recvmsg(b.fd, new Uint8Array(64), MSG.DONTWAIT);
    assert.equal(r.ret, -1);
    assert.equal(r.errno, ERRNO.EAGAIN);
    assert.equal(errnoName(r.errno), "EAGAIN");
    closeFd(b.fd);
  });

  test("sending to a port nobody bound fails with ECONNREFUSED", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    closeFd(b.fd);
    const r = c.sendmsg(a.fd, [Uint8Array.of(1)], encodeSockaddrNl(b.portid), 0);
    assert.deepEqual(r, { ret: -1, errno: ERRNO.ECONNREFUSED });
    closeFd(a.fd);
  });
});

describe("socket options", () => {
  test("SO_RCVBUF round trip: the kernel doubles the value", () => {
    const fd = usersock();
    const rmemMax = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
    const want = 65536;
    assert.deepEqual(c.setsockopt(fd, SOL.SOCKET, SO.RCVBUF, u32(want)), { ret: 0, errno: 0 });
    const value = new Uint8Array(4);
    assert.deepEqual(c.getsockopt(fd, SOL.SOCKET, SO.RCVBUF, value), { ret: 4, errno: 0 });
    assert.equal(readU32(value), 2 * Math.min(want, rmemMax));
    closeFd(fd);
  });

  test("getsockopt of an unknown option fails with ENOPROTOOPT", () => {
    const fd = usersock();
    const r = c.getsockopt(fd, SOL.NETLINK, 9999, new Uint8Array(4));
    assert.deepEqual(r, { ret: -1, errno: ERRNO.ENOPROTOOPT });
    closeFd(fd);
  });

  test("NETLINK_ADD_MEMBERSHIP, then NETLINK_LIST_MEMBERSHIPS reports the size it needs", () => {
    const fd = usersock();
    assert.deepEqual(c.getsockopt(fd, SOL.NETLINK, NETLINK_LIST_MEMBERSHIPS, new Uint8Array(0)), {
      ret: 0,
      errno: 0,
    });
    assert.deepEqual(c.setsockopt(fd, SOL.NETLINK, NETLINK_ADD_MEMBERSHIP, u32(5)), {
      ret: 0,
      errno: 0,
    });
    // USERSOCK has 32 groups: 4 bytes of bitmap, more than the empty buffer offered.
    const needed = c.getsockopt(fd, SOL.NETLINK, NETLINK_LIST_MEMBERSHIPS, new Uint8Array(0));
    assert.deepEqual(needed, { ret: 4, errno: 0 });
    const bitmap = new Uint8Array(needed.ret);
    assert.equal(c.getsockopt(fd, SOL.NETLINK, NETLINK_LIST_MEMBERSHIPS, bitmap).ret, 4);
    assert.equal(readU32(bitmap), 1 << (5 - 1));
    closeFd(fd);
  });

  test("multicast: groups and NETLINK_PKTINFO control messages via recvmsg", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    assert.equal(c.setsockopt(b.fd, SOL.NETLINK, NETLINK_ADD_MEMBERSHIP, u32(5)).ret, 0);
    assert.equal(c.setsockopt(b.fd, SOL.NETLINK, NETLINK_PKTINFO, u32(1)).ret, 0);
    // Unicast to the sender itself plus multicast to group 5 (unicast to port 0, the kernel,
    // would fail with ECONNREFUSED: USERSOCK has no kernel socket).
    const group5 = encodeSockaddrNl(a.portid, 1 << 4);
    assert.equal(c.sendmsg(a.fd, [Uint8Array.of(5, 5)], group5, 0).ret, 2);

    const buf = new Uint8Array(64);
    const control = new Uint8Array(64);
    const r = c.recvmsg(b.fd, buf, MSG.DONTWAIT, control);
    assert.equal(r.ret, 2);
    assert.equal(r.portid, a.portid);
    assert.equal(r.groups, 1 << 4);
    assert.equal(r.msgFlags, 0);
    assert.equal(r.controlLen, 24); // CMSG_SPACE(sizeof(struct nl_pktinfo))
    const cmsgs = decodeCmsgs(control.subarray(0, r.controlLen));
    assert.equal(cmsgs.length, 1);
    assert.equal(cmsgs[0].level, SOL.NETLINK);
    assert.equal(cmsgs[0].type, NETLINK_PKTINFO);
    assert.equal(readU32(cmsgs[0].data), 5);

    // Without a control buffer the kernel flags the dropped ancillary data.
    assert.equal(c.sendmsg(a.fd, [Uint8Array.of(6)], group5, 0).ret, 1);
    const noControl = c.recvmsg(b.fd, buf, MSG.DONTWAIT);
    assert.equal(noControl.ret, 1);
    assert.equal(noControl.msgFlags & MSG.CTRUNC, MSG.CTRUNC);
    assert.equal(noControl.controlLen, 0);
    closeFd(a.fd);
    closeFd(b.fd);
  });
});

describe("eventfd, read, write, poll", () => {
  test("eventfd counts writes; read resets it; an empty read fails with EAGAIN", () => {
    const efd = eventfd();
    writeEventfd(efd, 5n);
    writeEventfd(efd, 2n);
    const buf = new Uint8Array(8);
    assert.deepEqual(c.read(efd, buf), { ret: 8, errno: 0 });
    assert.equal(new DataView(buf.buffer).getBigUint64(0, true), 7n);
    assert.deepEqual(c.read(efd, buf), { ret: -1, errno: ERRNO.EAGAIN });
    assert.deepEqual(c.write(efd, new Uint8Array(4)), { ret: -1, errno: ERRNO.EINVAL });
    closeFd(efd);
  });

  test("synchronous poll reports POLLIN for the readable fd only", () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const fds = encodePollfds([{ fd: a.fd, events: POLL.IN }, { fd: b.fd, events: POLL.IN }]);
    assert.deepEqual(c.poll(fds, 2, 0), { ret: 0, errno: 0 });
    c.sendto(a.fd, Uint8Array.of(1), encodeSockaddrNl(b.portid), 0);
    assert.deepEqual(c.poll(fds, 2, 1000), { ret: 1, errno: 0 });
    const [pa, pb] = decodePollfds(fds);
    assert.equal(pa.revents, 0);
    assert.equal(pb.revents, POLL.IN);
    assert.throws(() => c.poll(fds, 3, 0), RangeError);
    assert.throws(() => c.poll(fds, 1, -2), RangeError);
    closeFd(a.fd);
    closeFd(b.fd);
  });
});

describe("waitReadable", () => {
  test("resolves readable once another socket sends", async () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const cancel = eventfd();
    setTimeout(() => c.sendto(a.fd, Uint8Array.of(9), encodeSockaddrNl(b.portid), 0), 30);
    const started = performance.now();
    assert.equal(await c.waitReadable(b.fd, cancel, 5000), "readable");
    assert.ok(performance.now() - started >= 20);
    // The data is read synchronously afterwards.
    const buf = new Uint8Array(4);
    assert.equal(c.recvmsg(b.fd, buf, MSG.DONTWAIT).ret, 1);
    assert.equal(buf[0], 9);
    closeFd(a.fd);
    closeFd(b.fd);
    closeFd(cancel);
  });

  test("resolves cancelled after an eventfd write, and leaves the eventfd readable", async () => {
    const b = boundUsersock();
    const cancel = eventfd();
    setTimeout(() => writeEventfd(cancel, 1n), 30);
    assert.equal(await c.waitReadable(b.fd, cancel, -1), "cancelled");
    assert.equal(await c.waitReadable(b.fd, cancel, -1), "cancelled");
    const buf = new Uint8Array(8);
    assert.equal(c.read(cancel, buf).ret, 8);
    assert.equal(await c.waitReadable(b.fd, cancel, 10), "timeout");
    closeFd(b.fd);
    closeFd(cancel);
  });

  test("resolves timeout after a short timeout, without a cancel fd", async () => {
    const b = boundUsersock();
    const started = performance.now();
    assert.equal(await c.waitReadable(b.fd, -1, 40), "timeout");
    assert.ok(performance.now() - started >= 35);
    closeFd(b.fd);
  });

  test("cancellation wins over readability", async () => {
    const a = boundUsersock();
    const b = boundUsersock();
    const cancel = eventfd();
    c.sendto(a.fd, Uint8Array.of(1), encodeSockaddrNl(b.portid), 0);
    writeEventfd(cancel, 1n);
    assert.equal(await c.waitReadable(b.fd, cancel, 1000), "cancelled");
    closeFd(a.fd);
    closeFd(b.fd);
    closeFd(cancel);
  });

  test("an fd that is not open resolves error (POLLNVAL)", async () => {
    assert.equal(await c.waitReadable(1_000_000, -1, 1000), "error");
  });

  test("concurrent waits on different sockets resolve independently", async () => {
    const a = boundUsersock();
    const b1 = boundUsersock();
    const b2 = boundUsersock();
    const cancel1 = eventfd();
    const cancel2 = eventfd();
    const w1 = c.waitReadable(b1.fd, cancel1, 5000);
    const w2 = c.waitReadable(b2.fd, cancel2, 5000);
    const w3 = c.waitReadable(b2.fd, -1, 60);
    await sleep(20);
    c.sendto(a.fd, Uint8Array.of(2), encodeSockaddrNl(b2.portid), 0);
    writeEventfd(cancel1, 1n);
    assert.deepEqual(await Promise.all([w1, w2, w3]), ["cancelled", "readable", "readable"]);
    // Waiters are reused after they finish.
    const again = await Promise.all([
      c.waitReadable(b1.fd, cancel1, 1000),
      c.waitReadable(b2.fd, cancel2, 1000),
    ]);
    assert.deepEqual(again, ["cancelled", "readable"]);
    for (const fd of [a.fd, b1.fd, b2.fd, cancel1, cancel2]) closeFd(fd);
  });

  test("rejects an invalid timeout without waiting", async () => {
    await assert.rejects(c.waitReadable(0, -1, -5), RangeError);
    await assert.rejects(c.waitReadable(0, -1, Number.NaN), RangeError);
  });
});

describe("namespaces", () => {
  test("open + setns into the current network namespace round trips", () => {
    const before = readlinkSync("/proc/thread-self/ns/net");
    const r = c.open("/proc/thread-self/ns/net", O.RDONLY | O.CLOEXEC);
    assert.equal(r.errno, 0);
    const nsfd = track(r.ret);
    assert.deepEqual(c.setns(nsfd, CLONE.NEWNET), { ret: 0, errno: 0 });
    assert.equal(readlinkSync("/proc/thread-self/ns/net"), before);
    // A socket still works afterwards.
    const s = boundUsersock();
    closeFd(s.fd);
    closeFd(nsfd);
  });

  test("setns with the wrong namespace type fails with EINVAL", () => {
    const nsfd = track(c.open("/proc/thread-self/ns/net", O.RDONLY | O.CLOEXEC).ret);
    const CLONE_NEWUTS = 0x04000000;
    assert.deepEqual(c.setns(nsfd, CLONE_NEWUTS), { ret: -1, errno: ERRNO.EINVAL });
    closeFd(nsfd);
  });

  test("open of a missing path fails with ENOENT; a NUL in the path throws", () => {
    assert.deepEqual(c.open("/run/netns/nlts-does-not-exist", O.RDONLY), {
      ret: -1,
      errno: ERRNO.ENOENT,
    });
    assert.throws(() => c.open("/proc/self\0/x", O.RDONLY), TypeError);
  });

  test("open handles non-ASCII paths as UTF-8", () => {
    assert.equal(c.open("/tmp/nlts-\u00e9\u2603-missing", O.RDONLY).errno, ERRNO.ENOENT);
  });
});

describe("resources", () => {
  test("2,000 socket/close cycles leave no socket open", () => {
    // What each descriptor refers to, not how many there are: under Bun every test file shares
    // the process, whose other descriptors (pipes of children, workers) come and go meanwhile.
    const before = descriptors();
    for (let i = 0; i < 2000; i++) {
      const r = c.socket(AF.NETLINK, SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC, NETLINK_USERSOCK);
      assert.ok(r.ret >= 0);
      assert.equal(c.close(r.ret).ret, 0);
    }
    assert.deepEqual(newFds(before).filter((f) => f.includes("socket:")), []);
  });
});
