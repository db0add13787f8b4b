// The netdev family (src/genl/netdev.ts) against the running kernel, in network namespaces of
// the tests' own; iproute2 (`ip -j link`, sysfs through `ip netns exec`) is the independent
// peer. The last test dumps 1,000 veth devices through netdev and ethtool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Controller, ethtool, GenlSocket, netdev, type OperationSpec } from "../../src/genl/mod.ts";
import { NetlinkError } from "../../mod.ts";
import { ipIn, run, tempNetns } from "../helpers/netns.ts";

interface IpLink {
  ifindex: number;
  ifname: string;
}

/** `ip -n NS -j link`: the namespace's devices as iproute2 sees them. */
function ipLinks(ns: string): IpLink[] {
  return JSON.parse(ipIn(ns, ["-j", "link"])) as IpLink[];
}

function ifindexOf(ns: string, name: string): number {
  const l = ipLinks(ns).find((x) => x.ifname === name);
  assert.ok(l, `${name} exists in ${ns}`);
  return l.ifindex;
}

/** Resolves with the iterator's next value, or rejects after `ms`. */
function nextWithin<T>(it: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no notification within ${ms} ms`)), ms);
  });
  return Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
}

test("netdev: the spec describes every operation and group this kernel reports", () => {
  using ctrl = Controller.open();
  const fam = ctrl.getFamilySync("netdev");
  const specOps = new Map<number, [string, OperationSpec]>(
    Object.entries(netdev.operations).map(([n, o]) => [o.cmd, [n, o]]),
  );
  assert.ok(fam.ops.length >= 1);
  for (const op of fam.ops) {
    const entry = specOps.get(op.id);
    assert.ok(entry, `kernel op ${op.id} is described`);
    const [name, o] = entry;
    assert.equal(op.flags.includes("cmdCapDo"), o.do ?? true, `${name} do`);
    assert.equal(op.flags.includes("cmdCapDump"), o.dump ?? false, `${name} dump`);
  }
  assert.deepEqual(fam.groups.map((g) => g.name), [...netdev.mcastGroups]);
  assert.equal(fam.version, netdev.version);
});

test("netdev: dev-get do for lo and for a veth (strict decode, flags as names)", () => {
  using ns = tempNetns("nlts-nd");
  ipIn(ns.name, ["link", "add", "nd0", "type", "veth", "peer", "name", "nd1"]);
  ipIn(ns.name, ["link", "set", "nd0", "up"]);
  ipIn(ns.name, ["link", "set", "nd1", "up"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);

  const lo = fam.doSync("dev-get", { ifindex: 1 }, { strict: true });
  assert.equal(lo?.ifindex, 1);
  assert.deepEqual(lo?.xdpFeatures, []); // loopback has no XDP support
  assert.equal(lo?.xdpZcMaxSegs, undefined);

  const idx = ifindexOf(ns.name, "nd0");
  const veth = fam.doSync("dev-get", { ifindex: idx }, { strict: true });
  assert.equal(veth?.ifindex, idx);
  // veth implements native XDP (basic actions, redirect, multi-buffer); every bit has a name.
  for (const f of ["basic", "redirect", "rxSg"] as const) {
    assert.ok(veth?.xdpFeatures?.includes(f), `veth xdp-features has ${f}`);
  }
  for (const list of [veth?.xdpFeatures, veth?.xdpRxMetadataFeatures, veth?.xskFeatures]) {
    assert.ok(Array.isArray(list));
    assert.ok(list.every((x) => typeof x === "string"), `known bits only: ${list}`);
  }
  assert.ok(veth?.xdpRxMetadataFeatures?.includes("hash"), "veth exposes the rx hash to XDP");
});

test("netdev: dev-get dump lists exactly the namespace's devices", async () => {
  using ns = tempNetns("nlts-nd");
  ipIn(ns.name, ["link", "add", "nd0", "type", "veth", "peer", "name", "nd1"]);
  ipIn(ns.name, ["link", "add", "nd2", "type", "veth", "peer", "name", "nd3"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const expected = ipLinks(ns.name).map((l) => l.ifindex).sort((a, b) => a - b);
  assert.equal(expected.length, 5); // lo + two pairs

  const sync = fam.dumpSync("dev-get").map((m) => m.attrs.ifindex!).sort((a, b) => a - b);
  assert.deepEqual(sync, expected);
  const viaAsync: number[] = [];
  for await (const d of fam.dump("dev-get", undefined, { strict: true })) viaAsync.push(d.ifindex!);
  assert.deepEqual(viaAsync.sort((a, b) => a - b), expected);
  for (const m of fam.dumpSync("dev-get")) assert.equal(m.cmd, 1); // NETDEV_CMD_DEV_GET
});

test("netdev: errors carry the extended ack mapped to attribute paths", () => {
  using ns = tempNetns("nlts-nd");
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  // No ifindex: the kernel names the missing attribute (NLMSGERR_ATTR_MISS_TYPE).
  assert.throws(
    () => fam.doSync("dev-get", {}),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EINVAL" && e.extAck?.missingType === 1 &&
      e.extAck.missingName === ".ifindex",
  );
  // ifindex 0 breaks the spec's check (min 1), as it would the kernel's policy: refused here.
  assert.throws(
    () => fam.doSync("dev-get", { ifindex: 0 }),
    /Cannot encode dev\.ifindex: 0 is outside 1\.\./,
  );
  // A queue type beyond the kernel's policy (max 1): message, offset and path of the attribute.
  assert.throws(
    () => fam.doSync("queue-get", { ifindex: 1, type: 5, id: 0 }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ERANGE" &&
      e.extAck?.message === "integer out of range" && e.extAck.attributePath === ".type" &&
      e.operation === "netdev.queue-get",
  );
  // A device that does not exist.
  assert.throws(
    () => fam.doSync("dev-get", { ifindex: 0x7fff0000 }),
    (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV",
  );
});

test("netdev: queue-get and napi-get dumps agree with sysfs; qstats-get dumps", () => {
  using ns = tempNetns("nlts-nd");
  ipIn(ns.name, ["link", "add", "nd0", "type", "veth", "peer", "name", "nd1"]);
  ipIn(ns.name, ["link", "set", "nd0", "up"]);
  ipIn(ns.name, ["link", "set", "nd1", "up"]);
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const idx = ifindexOf(ns.name, "nd0");
  const queues = fam.dumpSync("queue-get", { ifindex: idx }, { strict: true }).map((m) =>
    `${m.attrs.type}-${m.attrs.id}`
  ).sort();
  const sysfs = run("ip", ["netns", "exec", ns.name, "ls", "/sys/class/net/nd0/queues"])
    .trim().split(/\s+/).sort();
  assert.deepEqual(queues, sysfs); // e.g. ["rx-0", "tx-0"]
  const q = fam.doSync("queue-get", { ifindex: idx, type: "rx", id: 0 }, { strict: true });
  assert.deepEqual([q?.ifindex, q?.type, q?.id], [idx, "rx", 0]);
  // veth polls without NAPI unless GRO/XDP asks for it; whatever is listed belongs here.
  for (const m of fam.dumpSync("napi-get", undefined, { strict: true })) {
    assert.equal(typeof m.attrs.id, "number");
  }
  for (const m of fam.dumpSync("qstats-get", undefined, { strict: true })) {
    assert.equal(typeof m.attrs.ifindex, "number");
  }
});

test("netdev: mgmt notifications in a namespace (dev-add-ntf, dev-del-ntf)", async () => {
  using ns = tempNetns("nlts-nd");
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const ac = new AbortController();
  const it = fam.subscribe(["mgmt"], { netns: ns.name, signal: ac.signal })[Symbol.asyncIterator]();
  // The subscription socket is opened and joins "mgmt" when the generator starts, i.e. in this
  // first next() call, before the devices below exist.
  const first = nextWithin(it, 5000);
  try {
    ipIn(ns.name, ["link", "add", "nd0", "type", "veth", "peer", "name", "nd1"]);
    const added = [ifindexOf(ns.name, "nd0"), ifindexOf(ns.name, "nd1")].sort((a, b) => a - b);
    ipIn(ns.name, ["link", "del", "nd0"]); // takes its peer with it

    const seen = new Map<string, number[]>();
    let r = await first;
    for (;;) {
      assert.equal(r.done, false);
      const n = r.value!;
      assert.ok(n.event in netdev.events, `known event ${n.event}`);
      if (n.event !== "dev-change-ntf") {
        assert.equal(n.cmd, netdev.events[n.event as "dev-add-ntf"].cmd);
      }
      const list = seen.get(n.event) ?? [];
      list.push(n.attrs.ifindex!);
      seen.set(n.event, list);
      if ((seen.get("dev-del-ntf") ?? []).length >= 2) break;
      r = await nextWithin(it, 5000);
    }
    assert.deepEqual(seen.get("dev-add-ntf")?.sort((a, b) => a - b), added);
    assert.deepEqual(seen.get("dev-del-ntf")?.sort((a, b) => a - b), added);
  } finally {
    ac.abort();
    await it.return?.();
  }
});

test("genl dumps: 1,000 veth devices through netdev dev-get and ethtool features/linkinfo", {
  timeout: 180_000,
}, () => {
  using ns = tempNetns("nlts-big");
  const batch = join(tmpdir(), `${ns.name}.batch`);
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) lines.push(`link add b${i}a type veth peer name b${i}b`);
  writeFileSync(batch, lines.join("\n") + "\n");
  try {
    ipIn(ns.name, ["-batch", batch]);
  } finally {
    rmSync(batch, { force: true });
  }
  const links = ipLinks(ns.name);
  assert.equal(links.length, 1001);
  const expected = links.map((l) => l.ifindex).sort((a, b) => a - b);
  const names = new Set(links.map((l) => l.ifname));

  using genl = GenlSocket.open({ netns: ns.name });
  const devs = genl.family(netdev).dumpSync("dev-get", undefined, { strict: true });
  assert.deepEqual(devs.map((m) => m.attrs.ifindex!).sort((a, b) => a - b), expected);

  const eth = genl.family(ethtool);
  for (const flags of [[], ["compactBitsets"]] as const) {
    const feats = eth.dumpSync("features-get", { header: { flags } }, { strict: true });
    assert.equal(feats.length, 1001, `features-get dump (${flags.join() || "verbose"})`);
    assert.deepEqual(new Set(feats.map((m) => m.attrs.header?.devName)), names);
    assert.ok(feats.every((m) => m.attrs.active !== undefined && m.attrs.hw !== undefined));
  }
  // lo has no link settings: the linkinfo dump skips it and lists every veth.
  const info = eth.dumpSync("linkinfo-get", { header: {} }, { strict: true });
  const infoNames = new Set(info.map((m) => m.attrs.header?.devName));
  names.delete("lo");
  assert.deepEqual(infoNames, names);
  // ethtool.yaml gives port and transceiver no enum: PORT_TP is 0, XCVR_INTERNAL 0
  assert.ok(info.every((m) => m.attrs.port === 0 && m.attrs.transceiver === 0));
});
