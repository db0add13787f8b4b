// Example: testing your own code built on nlts against FakeKernel, the in-memory kernel of
// `@nlts/netlink/testing`. It needs no FFI, no root and no Linux: this file runs under
// `deno test` with no permissions at all, and under `bun test`.
//
// In your project the imports read:
//   import { GenlSocket, netdev } from "@nlts/netlink/genl";
//   import { FakeKernel } from "@nlts/netlink/testing";
import { test } from "node:test";
import assert from "node:assert/strict";
import { type GenlSocket, NetlinkError } from "../../mod.ts";
import { GenlSocket as Genl, netdev } from "../../src/genl/mod.ts";
import { FakeKernel } from "../../src/testing/mod.ts";

// ---- The code under test: ordinary user code, written against the real API. ----------------

/** The ifindexes of the devices that can do XDP redirect, sorted. */
async function redirectCapable(genl: GenlSocket): Promise<number[]> {
  const out: number[] = [];
  for await (const dev of genl.family(netdev).dump("dev-get")) {
    if (dev.xdpFeatures?.includes("redirect")) out.push(dev.ifindex!);
  }
  return out.sort((a, b) => a - b);
}

/** Whether device `ifindex` exists (false when the kernel says ENODEV). */
function deviceExists(genl: GenlSocket, ifindex: number): boolean {
  try {
    return genl.family(netdev).doSync("dev-get", { ifindex }) !== undefined;
  } catch (e) {
    if (e instanceof NetlinkError && e.code === "ENODEV") return false;
    throw e;
  }
}

// ---- The tests. ------------------------------------------------------------------------------

test("example: scripted replies (the same dump every time)", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": [
      { ifindex: 3, xdpFeatures: ["basic", "redirect"] },
      { ifindex: 1, xdpFeatures: ["basic"] },
      { ifindex: 2, xdpFeatures: ["redirect"] },
    ],
  });
  using genl = Genl.open({ transport: kernel });
  assert.deepEqual(await redirectCapable(genl), [2, 3]);
});

test("example: a handler that serves a family from state, errors included", () => {
  const devices = new Map([[1, "lo"], [2, "eth0"]]);
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": (req) => {
      if (req.dump) return [...devices.keys()].map((ifindex) => ({ ifindex }));
      if (!devices.has(req.attrs.ifindex!)) {
        throw new NetlinkError(19, { extAck: { message: "no such device" } }); // ENODEV
      }
      return { ifindex: req.attrs.ifindex };
    },
  });
  using genl = Genl.open({ transport: kernel });
  assert.equal(deviceExists(genl, 2), true);
  assert.equal(deviceExists(genl, 9), false);
  // What the code sent, decoded: the kernel keeps every request.
  const sent = kernel.requests.filter((r) => r.family === "netdev");
  assert.deepEqual(sent.map((r) => r.attrs), [{ ifindex: 2 }, { ifindex: 9 }]);
});

test("example: notifications from the fake kernel", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {});
  using genl = Genl.open({ transport: kernel });
  using events = genl.family(netdev).subscribe(["mgmt"]);
  kernel.notify(netdev, "dev-add-ntf", { ifindex: 5, xdpFeatures: ["basic"] });
  kernel.notify(netdev, "dev-del-ntf", { ifindex: 5 });
  const seen: string[] = [];
  for await (const n of events) {
    seen.push(`${n.event} ${n.attrs.ifindex}`);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, ["dev-add-ntf 5", "dev-del-ntf 5"]);
});
