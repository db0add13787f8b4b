// ovs_packet against the kernel: a packet executed with an output action leaves the veth port
// and arrives on its peer (rx counter and a tcpdump capture); frames entering a port with no
// flows come back as MISS upcalls with the right in_port, in per-port and per-CPU dispatch.
// VM only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NetlinkError } from "../../mod.ts";
import {
  formatFlowKey,
  inPortKey,
  keyInPort,
  outputActions,
  OvsClient,
  parseActions,
  type Upcall,
  type UpcallSocket,
} from "../../src/ovs/mod.ts";
import {
  devStat,
  firstPcapPacket,
  quietIpv6,
  sendUdp,
  sh,
  skip,
  startChild,
  uniq,
  vethPair,
  waitFor,
} from "./_helpers.ts";

quietIpv6();
const ovs = skip ? undefined : OvsClient.open();
after(() => ovs?.close());

/** A broadcast frame: Ethernet, IPv4 protocol 253 (experimental), a recognisable payload. */
function frame(): Uint8Array {
  return new Uint8Array([
    ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // dst
    ...[0x02, 0x00, 0x00, 0x00, 0x00, 0x01], // src
    0x08,
    0x00, //                              IPv4
    0x45,
    0x00,
    0x00,
    0x1c,
    0x00,
    0x00,
    0x00,
    0x00,
    0x40,
    0xfd,
    0x00,
    0x00,
    ...[10, 0, 0, 1],
    ...[10, 0, 0, 2],
    ...new TextEncoder().encode("nlts-ovs"), // 8 bytes of payload
    ...new Array(18).fill(0), //                pad to 60 bytes
  ]);
}

/** The first upcall on `sock`, or undefined after `ms`. */
async function firstUpcall(sock: UpcallSocket, ms = 10_000): Promise<Upcall | undefined> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    for await (const u of sock.upcalls({ signal: ac.signal })) return u;
  } finally {
    clearTimeout(timer);
  }
  return undefined;
}

test("packet: execute output:PORT sends the frame out of the veth port to its peer", {
  skip,
}, async () => {
  const name = uniq("dpx");
  using veth = vethPair(uniq("va"), uniq("vb"));
  const dir = mkdtempSync(join(tmpdir(), "nlts-pcap-"));
  try {
    await ovs!.newDatapath(name);
    const port = await ovs!.newVport(name, veth.a, { type: "netdev" });
    const capture = join(dir, "out.pcap");
    const tcpdump = await startChild(
      "tcpdump",
      ["-Z", "root", "-U", "-c", "1", "-i", veth.b, "-w", capture],
      /listening on/,
    );
    sh("ip", "link", "set", veth.a, "up");
    const before = devStat(veth.b, "rx_packets");
    await ovs!.execute(name, { packet: frame(), actions: outputActions([port.portNo]) });
    await waitFor(() => devStat(veth.b, "rx_packets") > before, 5000, `rx on ${veth.b}`);
    assert.equal(await tcpdump.done, 0);
    assert.deepEqual(firstPcapPacket(capture), frame());
    const after = await ovs!.getVport(name, port.portNo);
    assert.equal(after.stats?.txPackets, 1n);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});

test("packet: execute with an in_port key, probe, and a bad output port", { skip }, async () => {
  const name = uniq("dpy");
  try {
    await ovs!.newDatapath(name);
    const p = await ovs!.newVport(name, uniq("in"), { type: "internal" });
    await ovs!.execute(name, {
      packet: frame(),
      key: inPortKey(p.portNo),
      actions: outputActions([]),
    });
    await ovs!.execute(name, {
      packet: frame(),
      actions: outputActions([0]),
      probe: true,
      hash: 5,
    });
    await assert.rejects(
      ovs!.execute(name, { packet: frame(), actions: outputActions([70_000]) }),
      (e: unknown) => e instanceof NetlinkError && e.code === "EINVAL",
    );
    await assert.rejects(
      ovs!.execute(name, { packet: new Uint8Array(0), actions: outputActions([1]) }),
      TypeError,
    );
    // The typed model: a FlowKey and an Action list (here from the datapath action syntax).
    const before = (await ovs!.getVport(name, p.portNo)).stats!.rxPackets;
    sh("ip", "link", "set", p.name, "up");
    await ovs!.execute(name, {
      packet: frame(),
      key: { skbMark: 7, priority: 3 },
      actions: parseActions(`push_vlan(vid=9,pcp=1),${p.portNo}`),
    });
    await ovs!.execute(name, { packet: frame(), actions: [{ kind: "output", value: p.portNo }] });
    assert.equal((await ovs!.getVport(name, p.portNo)).stats!.rxPackets, before + 2n);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});

test("packet: a frame entering a port with no flows is a MISS upcall (per-port dispatch)", {
  skip,
}, async () => {
  const name = uniq("dpu");
  using veth = vethPair(uniq("va"), uniq("vb"));
  using sock = ovs!.openUpcallSocket();
  try {
    const dp = await ovs!.newDatapath(name);
    const port = await ovs!.newVport(name, veth.a, { type: "netdev", upcallPids: [sock.portid] });
    sh("ip", "link", "set", veth.a, "up");
    const pending = firstUpcall(sock);
    sendUdp(veth.b, "10.71.0");
    const u = await pending;
    assert.ok(u, "no upcall within 10 s");
    assert.equal(u.cmd, "miss");
    assert.equal(u.dpIfindex, dp.ifindex);
    assert.equal(keyInPort(u.key), port.portNo);
    assert.equal(u.flowKey.inPort, port.portNo);
    assert.equal(u.flowKey.ethertype, 0x0800);
    assert.match(formatFlowKey(u.flowKey), /ipv4\(src=10\.71\.0\.1,dst=10\.71\.0\.3,proto=17,/);
    assert.deepEqual([...u.packet.subarray(0, 6)], [2, 0, 0, 0, 0, 3]);
    assert.deepEqual([...u.packet.subarray(12, 14)], [0x08, 0x00]);
    assert.equal(new TextDecoder().decode(u.packet.subarray(u.packet.length - 6)), "hello\n");
    assert.equal(typeof u.hash, "bigint");
    const st = (await ovs!.getDatapath(name)).stats!;
    assert.ok(st.missed >= 1n && st.lost === 0n, JSON.stringify(st, (_, v) => `${v}`));
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});

test("packet: MISS upcalls reach the per-CPU pid in per-CPU dispatch mode", { skip }, async () => {
  const name = uniq("dpc");
  using veth = vethPair(uniq("va"), uniq("vb"));
  using sock = ovs!.openUpcallSocket();
  try {
    await ovs!.newDatapath(name, {
      userFeatures: ["unaligned", "dispatchUpcallPerCpu"],
      perCpuPids: [sock.portid],
    });
    const port = await ovs!.newVport(name, veth.a, { type: "netdev" });
    sh("ip", "link", "set", veth.a, "up");
    const pending = firstUpcall(sock);
    sendUdp(veth.b, "10.72.0");
    const u = await pending;
    assert.ok(u, "no upcall within 10 s");
    assert.equal(u.cmd, "miss");
    assert.equal(keyInPort(u.key), port.portNo);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});

test("packet: a userspace action sends an ACTION upcall with the userdata", { skip }, async () => {
  const name = uniq("dpa");
  using sock = ovs!.openUpcallSocket();
  try {
    const dp = await ovs!.newDatapath(name);
    const pending = firstUpcall(sock);
    await ovs!.execute(name, {
      packet: frame(),
      key: { inPort: 0 },
      actions: [{
        kind: "userspace",
        value: { pid: sock.portid, userdata: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
      }],
    });
    const u = await pending;
    assert.ok(u, "no upcall within 10 s");
    assert.equal(u.cmd, "action");
    assert.equal(u.dpIfindex, dp.ifindex);
    assert.deepEqual(u.userdata, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.deepEqual(u.packet, frame());
    assert.equal(u.flowKey.inPort, 0);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});
