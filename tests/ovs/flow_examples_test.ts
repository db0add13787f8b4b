// examples/ovs_flows_install.ts, ovs_flows_dump_json.ts and ovs_flows_watch.ts run as-is under
// the runtime running the tests, against datapaths of the tests' own, ovs-dpctl as the peer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseActions, parseFlowKey } from "../../src/ovs/odp_text.ts";
import { caseUfid } from "./_flow_cases.ts";
import { dpctl, makeFlowDp } from "./_flow_helpers.ts";
import { CT_COMMIT, isBun, skip, startChild } from "./_helpers.ts";

function argv(name: string, args: string[]): [string, string[]] {
  const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
  return [process.execPath, isBun ? [file, ...args] : ["run", "-A", file, ...args]];
}

function runExample(name: string, args: string[]) {
  const [cmd, a] = argv(name, args);
  return spawnSync(cmd, a, { encoding: "utf8", timeout: 120_000 });
}

const ARP = (p: number) => `in_port(${p}),eth(),eth_type(0x0806),arp()`;

test(
  "examples/ovs_flows_install.ts installs a file in batches and reports bad lines",
  { skip },
  () => {
    using dp = makeFlowDp("xi");
    const file = join(tmpdir(), `nlts-flows-${process.pid}.txt`);
    const lines = ["# flows for the example"];
    for (let i = 0; i < 300; i++) {
      lines.push(`in_port(1),eth(),eth_type(0x0800),ipv4(src=10.3.${i >> 8}.${i & 255},frag=no) 2`);
    }
    lines.push(`ufid:${caseUfid(0)},${ARP(1)} 2`); // line 302
    lines.push(`modify ufid:${caseUfid(0)},${ARP(1)} 3`); // 303: a UFID flow is found by UFID only
    lines.push(`${ARP(2)} 1`, `delete ${ARP(2)}`); // 304, 305
    lines.push(`${ARP(1)} 2`); // 306: a duplicate, EEXIST
    lines.push("in_port(1),nonsense(2) 1"); // 307: unreadable
    writeFileSync(file, lines.join("\n") + "\n");
    try {
      const r = runExample("ovs_flows_install.ts", [dp.name, file, "--batch", "64"]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /^304 requests done in \d+ ms \(\d+\/s\), 2 failed\n$/);
      const err = r.stderr.trim().split("\n");
      assert.equal(err.length, 2, r.stderr);
      assert.match(err[0], /^line 307: Cannot parse flow key at column \d+/);
      assert.match(err[1], /^line 306: Cannot ovs_flow\.new: EEXIST/);
      const dump = dpctl("dump-flows", dp.name);
      assert.equal(dump.split("\n").length - 1, 301);
      assert.match(
        dump,
        /in_port\(1\),eth\(\),eth_type\(0x0806\), packets:0, bytes:0, used:never, actions:3/,
      );
      assert.doesNotMatch(dump, /in_port\(2\)/);
    } finally {
      rmSync(file, { force: true });
    }
    // Usage errors exit 2.
    assert.equal(runExample("ovs_flows_install.ts", [dp.name]).status, 2);
  },
);

test("examples/ovs_flows_dump_json.ts prints the table as JSON (and --terse)", { skip }, () => {
  using dp = makeFlowDp("xj");
  const p = parseFlowKey(`ufid:${caseUfid(0)},${ARP(1)}`);
  const ip2 = parseFlowKey("in_port(2),eth(),eth_type(0x0800),ipv4(frag=no)");
  const installed = dp.table.newBatch([
    { ...p, actions: parseActions("2"), ufid: p.ufid },
    { ...ip2, actions: parseActions(`${CT_COMMIT},1`) },
  ]);
  assert.equal(installed.ok, 2);
  const r = runExample("ovs_flows_dump_json.ts", [dp.name]);
  assert.equal(r.status, 0, r.stderr);
  const flows = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(flows.length, 2);
  const text = dpctl("dump-flows", dp.name).trim().split("\n");
  for (const f of flows) {
    assert.ok(text.includes(`${f.flow}, packets:0, bytes:0, used:never, actions:${f.actions}`));
    assert.equal((f.key as { inPort: number }).inPort, f.ufid ? 1 : 2);
    assert.equal(f.packets, 0);
  }
  assert.equal(flows.find((f) => f.ufid)?.ufid, caseUfid(0));
  const terse = JSON.parse(runExample("ovs_flows_dump_json.ts", [dp.name, "--terse"]).stdout);
  assert.equal(terse.length, 2);
  const withUfid = terse.find((f: { ufid?: string }) => f.ufid);
  assert.equal(withUfid.key, undefined, "terse: no key for the flow with a UFID");
  assert.ok(terse.find((f: { ufid?: string }) => !f.ufid).key, "a flow without UFID in full");
  // An empty table is an empty array.
  dp.table.flushSync();
  assert.deepEqual(JSON.parse(runExample("ovs_flows_dump_json.ts", [dp.name]).stdout), []);
});

test("examples/ovs_flows_watch.ts prints flow notifications until --count", { skip }, async () => {
  using dp = makeFlowDp("xw");
  const [cmd, args] = argv("ovs_flows_watch.ts", [dp.name, "--count", "3"]);
  const child = await startChild(cmd, args, /watching/);
  try {
    execFileSync("ovs-dpctl", ["add-flow", dp.name, `ufid:${caseUfid(2)},${ARP(1)}`, "2"]);
    await dp.table.set({
      ...parseFlowKey(ARP(1)),
      ufid: parseFlowKey(`ufid:${caseUfid(2)}`).ufid,
      actions: parseActions("3"),
    });
    execFileSync("ovs-dpctl", ["del-flow", dp.name, `ufid:${caseUfid(2)}`]);
    const code = await child.done;
    assert.equal(code, 0);
    const lines = child.out().trim().split("\n");
    assert.equal(lines.length, 3, child.out());
    assert.match(
      lines[0],
      new RegExp(`^new ufid:${caseUfid(2)}, recirc_id\\(0/0\\),.*in_port\\(1\\),.*actions:2$`),
    );
    assert.match(lines[1], /^set ufid:.*actions:3$/);
    assert.match(lines[2], /^del ufid:.*, packets:0, bytes:0, used:never, dp:ovs, actions:3$/);
  } finally {
    child.kill();
  }
});
