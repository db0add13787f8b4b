/**
 * Checks of the VM guest itself, run inside it by `deno task test:vm` under Deno and Bun: the
 * kernel has openvswitch loaded with its generic netlink families, ovs-dpctl (the independent
 * peer of the OVS tests) drives a datapath, and netlink traffic can be captured on nlmon.
 * Outside the guest (no NLTS_IN_VM=1) every test is skipped.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Controller } from "../../src/genl/mod.ts";

const IN_VM = process.env.NLTS_IN_VM === "1";
const skip = IN_VM ? false : "runs only in the VM guest (deno task test:vm)";

/** Runs a command and returns its stdout; throws with its stderr when it fails. */
function sh(cmd: string, ...args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Parses `ovs-dpctl show`: datapath name -> port lines ("port 0: dp0 (internal)"). */
function parseDpctlShow(text: string): Map<string, string[]> {
  const dps = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split("\n")) {
    const dp = line.match(/^system@(\S+):$/);
    if (dp) {
      current = [];
      dps.set(dp[1], current);
      continue;
    }
    const port = line.match(/^\s+(port \d+: .*)$/);
    if (port && current) current.push(port[1]);
  }
  return dps;
}

function findGenl(): string | null {
  for (const p of ["/usr/sbin/genl", "/sbin/genl", "/usr/bin/genl", "/bin/genl"]) {
    if (existsSync(p)) return p;
  }
  return null;
}

test("vm: openvswitch, nlmon and veth are loaded", { skip }, () => {
  for (const mod of ["openvswitch", "nlmon", "veth"]) {
    assert.ok(existsSync(`/sys/module/${mod}`), `/sys/module/${mod} is missing`);
  }
});

test("vm: the nlts controller lists the ovs families, as iproute2's genl does", { skip }, () => {
  using ctrl = Controller.open();
  const ours = new Map(ctrl.listFamiliesSync().map((f) => [f.name, f]));
  const OVS = ["ovs_datapath", "ovs_vport", "ovs_flow", "ovs_packet", "ovs_meter", "ovs_ct_limit"];
  for (const family of OVS) {
    assert.ok(ours.has(family), `no generic netlink family ${family} in: ${[...ours.keys()]}`);
  }
  // The independent peer agrees on names and ids.
  const genl = findGenl();
  assert.ok(genl, "iproute2's genl is missing on the host (apt-get install iproute2)");
  const theirs = new Map(
    [...sh(genl, "ctrl", "list").matchAll(/^Name:\s*(\S+)\s*\n\s*ID:\s*(0x[0-9a-f]+)/gm)].map((
      m,
    ) => [m[1], Number(m[2])]),
  );
  for (const family of OVS) assert.equal(ours.get(family)!.id, theirs.get(family), family);
  assert.deepEqual(ours.get("ovs_datapath")!.groups.map((g) => g.name), ["ovs_datapath"]);
});

test("vm: ovs-dpctl adds, shows and deletes a datapath", { skip }, () => {
  const dp = `nltsvm${process.pid}`;
  sh("ovs-dpctl", "add-dp", dp);
  try {
    const ports = parseDpctlShow(sh("ovs-dpctl", "show")).get(dp);
    assert.ok(ports, `ovs-dpctl show does not list ${dp}`);
    assert.deepEqual(ports, [`port 0: ${dp} (internal)`]);
  } finally {
    sh("ovs-dpctl", "del-dp", dp);
  }
  assert.equal(parseDpctlShow(sh("ovs-dpctl", "show")).has(dp), false);
});

test("vm: a datapath takes veth and internal ports", { skip }, () => {
  const dp = `nltsvp${process.pid}`;
  const [a, b] = [`nva${process.pid}`, `nvb${process.pid}`];
  sh("ip", "link", "add", "name", a, "type", "veth", "peer", "name", b);
  try {
    sh("ovs-dpctl", "add-dp", dp);
    try {
      sh("ovs-dpctl", "add-if", dp, a, b, `${dp}i,type=internal`);
      const ports = parseDpctlShow(sh("ovs-dpctl", "show")).get(dp) ?? [];
      assert.equal(ports.length, 4, `ports: ${ports.join("; ")}`);
      assert.ok(ports.some((p) => p.endsWith(`: ${a}`)), `no ${a} in ${ports}`);
      assert.ok(ports.some((p) => p.endsWith(`: ${dp}i (internal)`)), `no ${dp}i in ${ports}`);
    } finally {
      sh("ovs-dpctl", "del-dp", dp);
    }
  } finally {
    sh("ip", "link", "del", a);
  }
});

test("vm: tcpdump captures netlink on nlmon (link type 253)", { skip }, async () => {
  const dir = mkdtempSync("/tmp/nlts-nlmon-");
  const pcap = `${dir}/nl.pcap`;
  const nl = `nlmon${process.pid % 100000}`;
  sh("ip", "link", "add", nl, "type", "nlmon");
  try {
    sh("ip", "link", "set", nl, "up");
    const dump = spawn("tcpdump", ["-Z", "root", "--immediate-mode", "-i", nl, "-U", "-w", pcap], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    dump.stderr!.on("data", (d) => err += String(d));
    const exited = new Promise<void>((resolve) => dump.on("exit", () => resolve()));
    // tcpdump writes the file header once it listens.
    for (let i = 0; i < 300 && !(existsSync(pcap) && statSync(pcap).size >= 24); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    sh("ovs-dpctl", "show");
    await new Promise((r) => setTimeout(r, 300));
    dump.kill("SIGINT");
    await exited;
    const bytes = readFileSync(pcap);
    assert.ok(bytes.length > 24, `no packets captured; tcpdump said: ${err}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(view.getUint32(0, true), 0xa1b2c3d4, "pcap magic");
    assert.equal(view.getUint32(20, true), 253, "link type LINKTYPE_NETLINK");
  } finally {
    sh("ip", "link", "del", nl);
    rmSync(dir, { recursive: true, force: true });
  }
});
