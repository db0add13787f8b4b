// Notifications of the ovs_datapath and ovs_vport groups, for changes made by nlts and by
// ovs-dpctl. VM only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { OvsClient, type OvsEvent } from "../../src/ovs/mod.ts";
import { quietIpv6, sh, shTry, skip, uniq } from "./_helpers.ts";

quietIpv6();
const ovs = skip ? undefined : OvsClient.open();
after(() => ovs?.close());

/** Collects events (of one datapath) until `until` says stop or 10 s pass. */
async function collect(
  events: AsyncGenerator<OvsEvent, void, undefined>,
  ac: AbortController,
  until: (seen: OvsEvent[]) => boolean,
): Promise<OvsEvent[]> {
  const seen: OvsEvent[] = [];
  const timer = setTimeout(() => ac.abort(), 10_000);
  try {
    for await (const e of events) {
      seen.push(e);
      if (until(seen)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return seen;
}

const short = (e: OvsEvent) =>
  e.family === "datapath"
    ? `datapath ${e.event} ${e.datapath.name}`
    : e.family === "vport"
    ? `vport ${e.event} ${e.vport.portNo}:${e.vport.name}`
    : `flow ${e.event}`;

test("events: datapath and vport new/set/del made through nlts arrive decoded", {
  skip,
}, async () => {
  const name = uniq("dpn");
  const port = uniq("in");
  const ac = new AbortController();
  const events = ovs!.events({ signal: ac.signal, families: ["datapath", "vport"] });
  let ifindex = 0;
  try {
    const dp = await ovs!.newDatapath(name);
    ifindex = dp.ifindex;
    await ovs!.newVport(name, port, { type: "internal" });
    await ovs!.setVport(name, port, { upcallPids: [77] });
    await ovs!.setDatapath(name, { masksCacheSize: 64 });
    await ovs!.delVport(name, port);
    await ovs!.delDatapath(name);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
  const mine = (e: OvsEvent) =>
    e.family === "datapath" ? e.datapath.name === name : e.family === "vport" &&
      e.vport.dpIfindex === ifindex;
  const seen = (await collect(events, ac, (s) => s.filter(mine).length >= 6)).filter(mine);
  assert.deepEqual(seen.map(short), [
    `datapath new ${name}`,
    `vport new 1:${port}`,
    `vport set 1:${port}`,
    `datapath set ${name}`,
    `vport del 1:${port}`,
    `datapath del ${name}`,
  ]);
  const setPort = seen[2];
  assert.ok(setPort.family === "vport");
  assert.deepEqual(setPort.vport.upcallPids, [77]);
  assert.equal(setPort.vport.type, "internal");
  const setDp = seen[3];
  assert.ok(setDp.family === "datapath");
  assert.equal(setDp.datapath.masksCacheSize, 64);
  assert.equal(setDp.datapath.ifindex, ifindex);
  assert.ok(setDp.datapath.stats);
});

test("events: changes made by ovs-dpctl are seen too", { skip }, async () => {
  const name = uniq("dpo");
  const port = uniq("in");
  const ac = new AbortController();
  const events = ovs!.events({ signal: ac.signal });
  try {
    sh("ovs-dpctl", "add-dp", name, `${port},type=internal`);
    sh("ovs-dpctl", "del-dp", name);
  } finally {
    shTry("ovs-dpctl", "del-dp", name);
  }
  const about = (e: OvsEvent) =>
    (e.family === "datapath" && e.datapath.name === name) ||
    (e.family === "vport" && (e.vport.name === port || e.vport.name === name));
  const seen = await collect(events, ac, (s) => s.some((e) => short(e) === `datapath del ${name}`));
  const names = seen.filter(about).map(short);
  assert.ok(names.includes(`datapath new ${name}`), names.join("\n"));
  assert.ok(names.includes(`vport new 1:${port}`), names.join("\n"));
  assert.ok(names.includes(`datapath del ${name}`), names.join("\n"));
});

test("events: an aborted signal ends the iteration", { skip }, async () => {
  const ac = new AbortController();
  const events = ovs!.events({ signal: ac.signal, families: ["flow"] });
  setTimeout(() => ac.abort(), 100);
  let n = 0;
  for await (const _ of events) n++;
  assert.equal(n, 0);
});

test("events: flow notifications carry the decoded flow", { skip }, async () => {
  const name = uniq("dpw");
  const ac = new AbortController();
  const events = ovs!.events({ signal: ac.signal, families: ["flow"] });
  try {
    const dp = await ovs!.newDatapath(name);
    await ovs!.newVport(name, uniq("in"), { type: "internal" });
    sh("ovs-dpctl", "add-flow", name, "in_port(1),eth(),eth_type(0x0806),arp()", "0");
    sh("ovs-dpctl", "del-flow", name, "in_port(1),eth(),eth_type(0x0806),arp()");
    const seen = await collect(events, ac, (s) => s.length >= 2);
    assert.deepEqual(seen.map((e) => e.event), ["new", "del"]);
    const e = seen[0];
    assert.ok(e.family === "flow");
    assert.equal(e.flow.dpIfindex, dp.ifindex);
    assert.equal(e.flow.key?.inPort, 1);
    assert.equal(e.flow.key?.ethertype, 0x0806);
    assert.deepEqual(e.flow.actions, [{ kind: "output", value: 0 }]);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});
