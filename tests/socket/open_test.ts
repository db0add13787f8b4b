// NetlinkSocket.open and GenlSocket.open with bad options (issue 15, items 3 and 6): each fails
// with the documented error class and a message that says what was expected, and no file
// descriptor outlives a failed open: 500 attempts per bad option, /proc/self/fd compared before
// and after. Before the fix, `receiveBufferSize: 2 ** 40` threw "Array buffer allocation
// failed" (Deno) / "Out of memory" (Bun) after the socket was created, leaving one fd per try,
// and `netns: 5` threw "netns.startsWith is not a function".
import { test } from "node:test";
import assert from "node:assert/strict";
import { NETLINK, NetlinkSocket, SyscallError } from "../../mod.ts";
import { GenlSocket } from "../../src/genl/mod.ts";
import { newFds, openFds } from "../helpers/fds.ts";

type Check = (e: unknown) => boolean;
const range: Check = (e) =>
  e instanceof RangeError && /^Cannot open netlink socket: /.test(e.message);
const type: Check = (e) =>
  e instanceof TypeError && /^Cannot open netlink socket: /.test(e.message);
const syscall = (code: string): Check => (e) => e instanceof SyscallError && e.code === code;

test("open: every bad option fails the same way 500 times and leaves no fd behind", () => {
  using taken = NetlinkSocket.open(NETLINK.USERSOCK);
  const cases: [string, () => unknown, Check][] = [];
  const bad = (name: string, options: unknown, check: Check) =>
    cases.push([
      name,
      () => NetlinkSocket.open(NETLINK.USERSOCK, options as Record<string, never>),
      check,
    ]);
  bad("receiveBufferSize 2^40", { receiveBufferSize: 2 ** 40 }, range);
  bad("receiveBufferSize NaN", { receiveBufferSize: NaN }, range);
  bad("receiveBufferSize -1", { receiveBufferSize: -1 }, range);
  bad("receiveBufferSize 1.5", { receiveBufferSize: 1.5 }, range);
  bad("receiveBufferSize '64k'", { receiveBufferSize: "64k" }, type);
  bad("rcvbuf NaN", { rcvbuf: NaN }, range);
  bad("rcvbuf 2^40", { rcvbuf: 2 ** 40 }, range);
  bad("rcvbuf -5", { rcvbuf: -5 }, range);
  bad("portid -1", { portid: -1 }, range);
  bad("portid 1.5", { portid: 1.5 }, range);
  bad("portid 2^32", { portid: 2 ** 32 }, range);
  bad("portid '1'", { portid: "1" }, type);
  bad("groups -1", { groups: -1 }, range);
  bad("groups 2^32", { groups: 2 ** 32 }, range);
  bad("groups NaN", { groups: NaN }, range);
  bad("netns 1.5", { netns: 1.5 }, range);
  bad("netns -1", { netns: -1 }, range);
  bad("netns true", { netns: true }, type);
  bad("netns ''", { netns: "" }, range);
  bad("netns with NUL", { netns: "a\0b" }, range);
  bad("type 'stream'", { type: "stream" }, range);
  bad("type 1", { type: 1 }, type);
  bad("strict 'yes'", { strict: "yes" }, type);
  bad("userToUser 1", { userToUser: 1 }, type);
  bad("receiveMode 'fast'", { receiveMode: "fast" }, range);
  bad("name 5", { name: 5 }, type);
  bad("transport 5", { transport: 5 }, type);
  bad("options null", null, type);
  bad("options 'x'", "x", type);
  bad("options []", [], type);
  // Failures after the socket exists: the kernel says no.
  bad("netns that does not exist", { netns: "nlts-no-such-namespace" }, syscall("ENOENT"));
  bad("portid taken", { portid: taken.portid }, syscall("EADDRINUSE"));
  bad("netns fd of a socket", { netns: taken.fd }, syscall("EINVAL"));
  for (const [name, p] of [["40", 40], ["-1", -1], ["1.5", 1.5], ["NaN", NaN]] as const) {
    cases.push([`protocol ${name}`, () => NetlinkSocket.open(p), range]);
  }
  cases.push(["protocol '16'", () => NetlinkSocket.open("16" as unknown as number), type]);
  cases.push([
    "GenlSocket receiveBufferSize 2^40",
    () => GenlSocket.open({ receiveBufferSize: 2 ** 40 }),
    range,
  ]);
  cases.push([
    "GenlSocket netns 1.5",
    () => GenlSocket.open({ netns: 1.5 }),
    range,
  ]);

  const before = openFds();
  for (const [name, open, check] of cases) {
    for (let i = 0; i < 500; i++) {
      assert.throws(open, (e: unknown) => {
        assert.ok(check(e), `${name}: ${e}`);
        return true;
      });
    }
  }
  assert.deepEqual(newFds(before), [], "no fd left behind");
  // The checks name what they expected.
  assert.throws(
    () => NetlinkSocket.open(NETLINK.GENERIC, { receiveBufferSize: 2 ** 40 }),
    /receiveBufferSize must be an integer 0\.\.1073741824, not 1099511627776/,
  );
  assert.throws(
    () => NetlinkSocket.open(NETLINK.GENERIC, { netns: true as unknown as string }),
    /netns must be a non-empty string, not true/,
  );
  assert.throws(
    () => NetlinkSocket.open(NETLINK.GENERIC, { netns: 1.5 }),
    /netns \(a file descriptor\) must be an integer 0\.\.2147483647, not 1\.5/,
  );
});
