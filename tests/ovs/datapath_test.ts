// Datapaths and ports through OvsClient against the kernel, with ovs-dpctl as the independent
// peer in both directions (what nlts creates ovs-dpctl sees, and the other way round), kernel
// errors by class and code, and a dump of more than 200 ports. VM only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetlinkError } from "../../mod.ts";
import { OvsClient } from "../../src/ovs/mod.ts";
import {
  dpctlShow,
  isBun,
  quietIpv6,
  root,
  sh,
  shTry,
  skip,
  uniq,
  unloadTunnelModules,
  vethPair,
} from "./_helpers.ts";

quietIpv6();
const ovs = skip ? undefined : OvsClient.open();
after(() => {
  ovs?.close();
  unloadTunnelModules();
});

/** Runs `fn`, then deletes datapath `name` whatever happened. */
async function withDp<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
}

/** Asserts that `p` rejects with a NetlinkError of `code`; returns it. */
async function rejectsWith(p: Promise<unknown>, code: string): Promise<NetlinkError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof NetlinkError, `expected NetlinkError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}, got success`);
}

test("datapath: open resolves all six OVS families", { skip }, () => {
  assert.ok(ovs!.datapath.id > 0);
  assert.ok(ovs!.vport.id > 0);
  assert.ok(ovs!.packet.id > 0);
  assert.ok(ovs!.flow.id > 0);
  assert.equal(ovs!.hasMeters, true);
  assert.equal(ovs!.hasCtLimits, true);
  assert.deepEqual([...ovs!.datapath.info.groups.keys()], ["ovs_datapath"]);
  assert.deepEqual([...ovs!.vport.info.groups.keys()], ["ovs_vport"]);
  assert.deepEqual([...ovs!.flow.info.groups.keys()], ["ovs_flow"]);
});

test("datapath: new, get by name and ifindex, dump, set, del; ovs-dpctl sees each", {
  skip,
}, async () => {
  const name = uniq("dp");
  await withDp(name, async () => {
    const dp = await ovs!.newDatapath(name);
    assert.equal(dp.name, name);
    assert.ok(dp.ifindex > 0);
    assert.deepEqual(dp.userFeatures, ["unaligned", "vportPids"]);
    assert.deepEqual(dp.stats, { hit: 0n, missed: 0n, lost: 0n, flows: 0n });
    assert.deepEqual(dp.megaflowStats, { maskHit: 0n, masks: 0, cacheHit: 0n });
    assert.equal(typeof dp.masksCacheSize, "number");
    assert.equal(sh("cat", `/sys/class/net/${name}/ifindex`).trim(), String(dp.ifindex));

    assert.deepEqual(await ovs!.getDatapath(dp.ifindex), dp);
    assert.deepEqual(await ovs!.getDatapath(`system@${name}`), dp);
    const all = await ovs!.dumpDatapaths();
    assert.deepEqual(all.find((d) => d.name === name), dp);

    const set = await ovs!.setDatapath(name, { masksCacheSize: 32 });
    assert.equal(set.masksCacheSize, 32);
    assert.deepEqual(set.userFeatures, ["unaligned", "vportPids"], "SET kept the features");
    assert.match(sh("ovs-dpctl", "cache-get-size", name), /masks-cache: size:32/);

    // (Opening a datapath, ovs-dpctl renegotiates its features: per-CPU dispatch.)
    const shown = dpctlShow(`system@${name}`).get(name);
    assert.ok(shown, "ovs-dpctl does not show the datapath");
    assert.ok(shown.includes(`  port 0: ${name} (internal)`), shown.join("\n"));
    assert.ok(shown.includes(`    masks-cache: size:32`), shown.join("\n"));

    const last = await ovs!.delDatapath(name);
    assert.equal(last.name, name);
    assert.equal(dpctlShow().has(name), false);
    await rejectsWith(ovs!.getDatapath(name), "ENODEV");
  });
});

test("datapath: user features and per-CPU pids round-trip", { skip }, async () => {
  const name = uniq("dpf");
  await withDp(name, async () => {
    const dp = await ovs!.newDatapath(name, {
      userFeatures: ["unaligned", "dispatchUpcallPerCpu"],
      perCpuPids: [11, 12],
    });
    assert.deepEqual(dp.userFeatures, ["unaligned", "dispatchUpcallPerCpu"]);
    assert.deepEqual(dp.perCpuPids?.slice(0, 1), [11]);
    const back = await ovs!.setDatapath(name, { userFeatures: ["unaligned", "vportPids"] });
    assert.deepEqual(back.userFeatures, ["unaligned", "vportPids"]);
    assert.equal(back.perCpuPids, undefined);
  });
});

test("datapath: what ovs-dpctl creates nlts reads", { skip }, async () => {
  const name = uniq("dpc");
  using veth = vethPair(uniq("va"), uniq("vb"));
  const internal = uniq("in");
  try {
    sh("ovs-dpctl", "add-dp", name, veth.a, `${internal},type=internal`);
    const dp = await ovs!.getDatapath(name);
    assert.equal(dp.name, name);
    const ports = await ovs!.dumpVports(name);
    assert.deepEqual(
      ports.map((p) => [p.portNo, p.name, p.type]),
      [[0, name, "internal"], [1, veth.a, "netdev"], [2, internal, "internal"]],
    );
    const va = await ovs!.getVport(undefined, veth.a);
    assert.equal(va.dpIfindex, dp.ifindex);
    assert.equal(va.ifindex, Number(sh("cat", `/sys/class/net/${veth.a}/ifindex`).trim()));
    sh("ovs-dpctl", "del-if", name, internal);
    assert.deepEqual((await ovs!.dumpVports(dp.ifindex)).map((p) => p.name), [name, veth.a]);
  } finally {
    shTry("ovs-dpctl", "del-dp", name);
  }
});

test("vport: internal, netdev (veth) and tunnel ports: new, get, set, del; ovs-dpctl agrees", {
  skip,
}, async () => {
  const name = uniq("dpv");
  using veth = vethPair(uniq("va"), uniq("vb"));
  await withDp(name, async () => {
    const dp = await ovs!.newDatapath(name);
    const internal = uniq("in");
    const pi = await ovs!.newVport(name, internal, { type: "internal" });
    assert.deepEqual([pi.portNo, pi.name, pi.type, pi.dpIfindex], [
      1,
      internal,
      "internal",
      dp.ifindex,
    ]);
    assert.deepEqual(pi.upcallPids, [0]);
    assert.ok(pi.ifindex! > 0);
    const pn = await ovs!.newVport(dp.ifindex, veth.a, { type: "netdev", portNo: 7 });
    assert.deepEqual([pn.portNo, pn.type], [7, "netdev"]);
    const vx = uniq("vx");
    // the kernel's own tunnel vport types (tunnel.ts covers the rtnetlink way, the default)
    const pv = await ovs!.newVport(name, vx, {
      type: "vxlan",
      tunnel: "vport",
      options: { dstPort: 4790, extension: { gbp: true } },
    });
    assert.deepEqual(pv.options, { dstPort: 4790, extension: { gbp: true } });
    const gn = uniq("gn");
    const pg = await ovs!.newVport(name, gn, {
      type: "geneve",
      tunnel: "vport",
      options: { dstPort: 6090 },
    });
    assert.deepEqual(pg.options, { dstPort: 6090 });

    const shown = dpctlShow(name).get(name)!;
    assert.ok(shown.includes(`  port 1: ${internal} (internal)`), shown.join("\n"));
    assert.ok(shown.includes(`  port 7: ${veth.a}`), shown.join("\n"));
    assert.ok(shown.some((l) => l.startsWith(`  port ${pv.portNo}: ${vx} (vxlan`)));
    assert.ok(shown.some((l) => l.startsWith(`  port ${pg.portNo}: ${gn} (geneve`)));

    assert.deepEqual(await ovs!.getVport(name, 7), await ovs!.getVport(undefined, veth.a));
    const set = await ovs!.setVport(name, internal, { upcallPids: [41] });
    assert.deepEqual(set.upcallPids, [41]);
    assert.deepEqual((await ovs!.getVport(name, pi.portNo)).upcallPids, [41]);

    const gone = await ovs!.delVport(name, internal);
    assert.equal(gone.name, internal);
    await ovs!.delVport(name, 7);
    assert.deepEqual(
      (await ovs!.dumpVports(name)).map((p) => p.name).sort(),
      [name, vx, gn].sort(),
    );
    assert.equal(dpctlShow(name).get(name)!.some((l) => l.includes(veth.a)), false);
    // The veth device itself survives its port.
    assert.equal(shTry("ip", "link", "show", veth.a).status, 0);
  });
});

test("errors: EEXIST, ENODEV, EINVAL, ENOENT have the right class and code", { skip }, async () => {
  const name = uniq("dpe");
  await withDp(name, async () => {
    await ovs!.newDatapath(name);
    const dup = await rejectsWith(ovs!.newDatapath(name), "EEXIST");
    assert.equal(dup.errno, 17);
    assert.equal(dup.operation, "ovs_datapath.new");
    await rejectsWith(ovs!.getDatapath(uniq("nodp")), "ENODEV");
    await rejectsWith(ovs!.delDatapath(uniq("nodp")), "ENODEV");
    await rejectsWith(ovs!.getVport(undefined, uniq("nop")), "ENODEV");
    await rejectsWith(ovs!.getVport(name, 99), "ENODEV");
    await rejectsWith(ovs!.newVport(name, uniq("nodev"), { type: "netdev" }), "ENODEV");
    await rejectsWith(ovs!.delVport(name, 0), "EINVAL");
    const p = uniq("in");
    await ovs!.newVport(name, p, { type: "internal", portNo: 3 });
    await rejectsWith(ovs!.newVport(name, uniq("in"), { type: "internal", portNo: 3 }), "EBUSY");
    await rejectsWith(ovs!.newVport(name, p, { type: "internal" }), "EEXIST");
    await rejectsWith(
      ovs!.newVport(name, uniq("gn"), { type: "geneve", tunnel: "vport" }),
      "EINVAL",
    );
    await rejectsWith(ovs!.getMeter(name, 12345), "ENOENT");
    // The kernel's policy bounds the mask cache size: an extended-ack message.
    const big = await rejectsWith(ovs!.setDatapath(name, { masksCacheSize: 1 << 30 }), "ERANGE");
    assert.ok(big.extAck?.message, `no extended ack in: ${big.message}`);
    assert.equal(big.extAck?.attributePath, ".masks-cache-size");
    // Bad arguments never reach the kernel.
    await assert.rejects(ovs!.getVport(undefined, 1), TypeError);
    await assert.rejects(ovs!.getDatapath(-1), RangeError);
    await assert.rejects(ovs!.newDatapath("x".repeat(16)), RangeError);
  });
});

test("vport: a dump of 210 internal ports completes and matches ovs-dpctl", { skip }, async () => {
  const name = uniq("dpm");
  await withDp(name, async () => {
    const dpIfindex = (await ovs!.newDatapath(name)).ifindex;
    const names: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 210; i++) {
      const p = `${name.slice(0, 9)}p${i}`;
      names.push(p);
      // The family client directly: one request per port (newVport also reads the port back).
      await ovs!.vport.request("new", { name: p, type: "internal", upcallPid: [0] }, {
        header: { dpIfindex },
      });
    }
    const t1 = Date.now();
    const ports = await ovs!.dumpVports(name);
    assert.equal(ports.length, 211);
    assert.deepEqual(ports.map((p) => p.portNo), [...Array(211).keys()]);
    assert.deepEqual(ports.slice(1).map((p) => p.name).sort(), names.sort());
    const t2 = Date.now();
    const shown = dpctlShow(name).get(name)!.filter((l) => l.startsWith("  port "));
    assert.equal(shown.length, 211);
    console.log(`210 ports added in ${t1 - t0} ms, dumped in ${t2 - t1} ms`);
  });
});

test("permissions: reads work unprivileged; changes fail with EPERM naming CAP_NET_ADMIN", {
  skip,
}, async () => {
  const name = uniq("dpp");
  const dir = mkdtempSync(join(tmpdir(), "nlts-unpriv-"));
  chmodSync(dir, 0o755);
  const script = join(dir, "unpriv.ts");
  writeFileSync(
    script,
    `import { OvsClient } from ${JSON.stringify(`${root}src/ovs/mod.ts`)};
using ovs = OvsClient.open();
const out: string[] = [(await ovs.dumpDatapaths()).map((d) => d.name).join(",")];
out.push((await ovs.dumpVports(${JSON.stringify(name)})).map((p) => p.name).join(","));
for (const f of [() => ovs.newDatapath("nlts-np"), () => ovs.setCtLimits({ defaultLimit: 1 })]) {
  try { await f(); out.push("no error"); } catch (e) { out.push(String((e as Error).message)); }
}
console.log(JSON.stringify(out));
`,
  );
  chmodSync(script, 0o644);
  try {
    await ovs!.newDatapath(name);
    const argv = isBun ? [script] : ["run", "-A", script];
    const text = sh(
      "setpriv",
      "--reuid=65534",
      "--regid=65534",
      "--clear-groups",
      "env",
      `HOME=${dir}`,
      `DENO_DIR=${join(dir, "deno")}`,
      process.execPath,
      ...argv,
    );
    const [dps, ports, create, ct] = JSON.parse(text.trim().split("\n").pop()!);
    assert.ok(dps.split(",").includes(name), dps);
    assert.equal(ports, name);
    assert.match(create, /EPERM.*CAP_NET_ADMIN/);
    assert.match(ct, /EPERM.*CAP_NET_ADMIN/);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
