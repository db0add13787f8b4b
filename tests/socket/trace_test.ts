// NLTS_DEBUG tracing: formatters are chosen by protocol and type (an RTM_NEWLINK on
// NETLINK_ROUTE is not nlctrl's type 16), types and flags print by name like strace, extended
// acks are decoded, and a Deno without --allow-env says once that tracing is off.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { NETLINK, NetlinkError, NetlinkSocket, setTracing } from "../../mod.ts";
import { GenlSocket, netdev, nlctrl } from "../../src/genl/mod.ts";
import { FakeKernel, replyTo } from "../../src/testing/mod.ts";

/** Runs `fn` with tracing on; returns the trace lines it printed. */
async function traced(fn: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(...args.join(" ").split("\n"));
  setTracing(true);
  try {
    await fn();
  } finally {
    setTracing(false);
    console.error = original;
  }
  return lines;
}

test("trace: an RTM_GETLINK dump on NETLINK_ROUTE is named as rtnetlink, not decoded as nlctrl", async () => {
  using genl = GenlSocket.open();
  genl.family(nlctrl); // registers nlctrl's formatter (family id 16 = RTM_NEWLINK's number)
  using route = NetlinkSocket.open(NETLINK.ROUTE);
  const lines = await traced(() => {
    route.dumpSync({ type: 18, payload: new Uint8Array(16) });
  });
  assert.ok(lines.length >= 3, lines.join("\n"));
  assert.match(lines[0], /^nlts send \S+ len=32 type=RTM_GETLINK flags=NLM_F_REQUEST\|NLM_F_DUMP /);
  const links = lines.filter((l) => l.startsWith("nlts recv") && / type=RTM_NEWLINK /.test(l));
  assert.ok(links.length >= 1, lines.join("\n"));
  assert.match(links[0], / flags=NLM_F_MULTI /);
  assert.match(lines.at(-1)!, / type=NLMSG_DONE flags=NLM_F_MULTI .*: DONE$/);
  assert.deepEqual(lines.filter((l) => /formatter failed|nlctrl/.test(l)), []);
});

test("trace: generic netlink requests name the family, flags and op; the ACK names the request", async () => {
  using genl = GenlSocket.open();
  const ctrl = genl.family(nlctrl);
  const lines = await traced(() => {
    ctrl.doSync("getfamily", { familyName: "nlctrl" });
  });
  assert.match(
    lines[0],
    /^nlts send genl len=\d+ type=nlctrl flags=NLM_F_REQUEST\|NLM_F_ACK seq=\d+ pid=0: nlctrl\.getfamily v2 \{"familyName":"nlctrl"\}$/,
  );
  assert.ok(
    lines.some((l) =>
      / type=nlctrl flags=0 .*: nlctrl\.newfamily v2 \{"familyName":"nlctrl","familyId":16/.test(l)
    ),
  );
  assert.match(
    lines.at(-1)!,
    / type=NLMSG_ERROR flags=NLM_F_CAPPED seq=\d+ .*: ACK of type=nlctrl seq=\d+$/,
  );
});

test("trace: an error's extended ack is decoded", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": () => {
      throw new NetlinkError(19, {
        extAck: { message: "no such device", offset: 20, missingType: 1 },
      });
    },
  });
  using genl = GenlSocket.open({ transport: kernel });
  const dev = genl.family(netdev);
  const lines = await traced(() => {
    assert.throws(() => dev.doSync("dev-get", { ifindex: 9 }), NetlinkError);
  });
  const err = lines.find((l) => / type=NLMSG_ERROR /.test(l));
  assert.ok(err, lines.join("\n"));
  assert.match(
    err,
    /flags=NLM_F_CAPPED\|NLM_F_ACK_TLVS .*: ERROR -19 ENODEV \(No such device\) of type=netdev seq=\d+ msg="no such device" offset=20 miss-type=1$/,
  );
});

test("trace: flags that are not known by name stay in hex; notifications keep their own flags", async () => {
  const kernel = new FakeKernel();
  kernel.handle(NETLINK.ROUTE, (req) => [replyTo(req, 24, new Uint8Array(12), 0x600)]);
  using route = NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel });
  const lines = await traced(() => {
    route.requestSync({ type: 24, flags: 0x600, payload: new Uint8Array(12) }, { ack: false });
  });
  assert.match(lines[0], / type=RTM_NEWROUTE flags=NLM_F_REQUEST\|NLM_F_EXCL\|NLM_F_CREATE /);
  assert.match(lines[1], / type=RTM_NEWROUTE flags=NLM_F_EXCL\|NLM_F_CREATE /);
  using usersock = NetlinkSocket.open(NETLINK.USERSOCK, { transport: kernel });
  const raw = await traced(() => {
    usersock.send(
      replyTo(
        { type: 0x30, flags: 0, seq: 1, pid: 0, payload: new Uint8Array(0) },
        0x30,
        new Uint8Array(0),
        0x1100,
      ),
      { portid: usersock.portid },
    );
  });
  assert.match(raw[0], / type=48 flags=0x1100 /);
});

test("trace: NLTS_DEBUG set under Deno without --allow-env warns once and traces nothing", () => {
  const file = new URL("./_trace_child.ts", import.meta.url).pathname;
  const r = spawnSync("deno", ["run", "--allow-ffi", "--no-prompt", "--no-check", file], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NLTS_DEBUG: "1", NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "16");
  assert.equal(
    r.stderr.trim(),
    "nlts: NLTS_DEBUG is set but Deno may not read it (run with --allow-env=NLTS_DEBUG): tracing is off",
  );
});
