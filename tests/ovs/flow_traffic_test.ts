// Traffic through flows: frames sent into port 1's veth are output to port 2 by a flow nlts
// installed; the flow's counters, `used` and TCP flags count them, ovs-dpctl prints the same
// statistics, and a set with `clear` resets them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { monotonicMs } from "../../src/ovs/flow.ts";
import { parseActions, parseFlowKey } from "../../src/ovs/odp_text.ts";
import { dpctl, makeFlowDp, nltsFlow } from "./_flow_helpers.ts";
import { devStat, sendUdp, shTry, skip, waitFor } from "./_helpers.ts";

test("flow traffic: a flow moves frames between veth ports and counts them", { skip }, async () => {
  using dp = makeFlowDp("ft");
  const t = dp.table;
  const udp = parseFlowKey("in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp()");
  const tcp = parseFlowKey(
    "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0)",
  );
  await t.new({ ...udp, actions: parseActions("2") });
  await t.new({ ...tcp, actions: parseActions("2") });

  const rx0 = devStat(dp.peer2, "rx_packets"), rxb0 = devStat(dp.peer2, "rx_bytes");
  const before = monotonicMs();
  sendUdp(dp.peer1, "10.77.1");
  await waitFor(() => devStat(dp.peer2, "rx_packets") > rx0, 5000, "the frame on port 2's peer");
  const after = monotonicMs();
  const f = await t.get({ key: udp.key });
  assert.equal(f.stats?.packets, 1n);
  assert.equal(f.stats?.bytes, BigInt(devStat(dp.peer2, "rx_bytes") - rxb0));
  assert.equal(f.stats?.bytes, 48n); // 14 + 20 + 8 + "hello\n"
  assert.ok(
    f.used! >= before - 10n && f.used! <= after + 10n,
    `used ${f.used} in [${before}, ${after}]`,
  );
  assert.equal(f.tcpFlags ?? 0, 0);

  // TCP: SYNs (connect attempts to an address nobody answers) count with their flags.
  shTry("timeout", "2", "bash", "-c", "echo > /dev/tcp/10.77.1.3/80");
  await waitFor(() => (t.getSync({ key: tcp.key }).stats?.packets ?? 0n) >= 1n, 5000, "a SYN");
  const g = t.getSync({ key: tcp.key });
  assert.equal((g.tcpFlags ?? 0) & 0x02, 0x02, "SYN seen");

  // ovs-dpctl prints the same counters and flags (used: differs by the time between reads).
  const norm = (s: string) => s.replace(/used:[0-9.]+s/g, "used:X");
  const ours = await nltsFlow(["dump-flows", dp.name]);
  assert.equal(norm(ours.out), norm(dpctl("dump-flows", dp.name)));
  assert.match(
    ours.out,
    /ipv4\(proto=17,frag=no\), packets:1, bytes:48, used:\d+\.\d{3}s, actions:2/,
  );
  assert.match(ours.out, /flags:S/);

  // mod-flow --clear -s prints the statistics before the reset, then they are zero.
  const m = await nltsFlow([
    "mod-flow",
    "--clear",
    "-s",
    dp.name,
    "in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),udp()",
    "2",
  ]);
  assert.equal(m.status, 0, m.err);
  assert.match(m.out, /^packets:1, bytes:48, used:\d+\.\d{3}s\n$/);
  const cleared = await t.get({ key: udp.key });
  assert.equal(cleared.stats?.packets ?? 0n, 0n);
  assert.equal(cleared.used ?? 0n, 0n);
  // del-flow -s prints the last statistics.
  const d = await nltsFlow([
    "del-flow",
    "-s",
    dp.name,
    "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),tcp_flags(0/0)",
  ]);
  assert.equal(d.status, 0, d.err);
  assert.match(d.out, /^packets:[1-9]\d*, bytes:\d+, used:\d+\.\d{3}s, flags:S\n$/);
});
