// Helpers of the flow tests (VM guest): a datapath with two veth ports and an internal port,
// in-process runs of the flow CLI, ovs-dpctl, and the normalization of what ovs-dpctl 3.1
// prints differently on purpose (Linux 6.1's ipv6_exthdrs key as key32(...), dec_ttl).
import { GenlSocket } from "../../src/genl/family.ts";
import { FlowTable } from "../../src/ovs/flow.ts";
import { flowCommands } from "../../src/cli/dp_flows.ts";
import { runCommand } from "../../src/cli/common.ts";
import { collector, quietIpv6, sh, shTry, uniq } from "./_helpers.ts";

/** A datapath with ports 1 (veth `a1`), 2 (veth `a2`), 3 (internal); deleted on dispose. */
export interface FlowDp {
  name: string;
  genl: GenlSocket;
  table: FlowTable;
  /** Port 1's device and the peer outside the datapath. */
  p1: string;
  peer1: string;
  /** Port 2's device and its peer. */
  p2: string;
  peer2: string;
  [Symbol.dispose](): void;
}

/** Creates a datapath with ovs-dpctl (the independent peer) and opens its flow table. */
export function makeFlowDp(prefix = "fl"): FlowDp {
  quietIpv6();
  const name = uniq(prefix);
  const p1 = `${name}a`, p2 = `${name}b`, peer1 = `${name}x`, peer2 = `${name}y`;
  sh("ip", "link", "add", p1, "type", "veth", "peer", "name", peer1);
  sh("ip", "link", "add", p2, "type", "veth", "peer", "name", peer2);
  for (const d of [p1, p2, peer1, peer2]) sh("ip", "link", "set", d, "up");
  sh("ovs-dpctl", "add-dp", name);
  sh("ovs-dpctl", "add-if", name, p1, p2, `${name}i,type=internal`);
  const genl = GenlSocket.open();
  let table: FlowTable;
  try {
    table = FlowTable.openSync(name, genl);
  } catch (e) {
    genl.close();
    throw e;
  }
  return {
    name,
    genl,
    table,
    p1,
    peer1,
    p2,
    peer2,
    [Symbol.dispose]() {
      genl.close();
      shTry("ovs-dpctl", "del-dp", name);
      shTry("ip", "link", "del", p1);
      shTry("ip", "link", "del", p2);
    },
  };
}

/** Runs a flow command of `nlts dp` in-process; never throws. */
export async function nltsFlow(
  args: string[],
): Promise<{ status: number; out: string; err: string }> {
  const [cmd, ...rest] = args;
  const c = collector();
  const status = await runCommand(flowCommands[cmd], rest, c.io);
  return { status, out: c.out(), err: c.err() };
}

/** `ovs-dpctl ARGS...` stdout (throws on failure). */
export function dpctl(...args: string[]): string {
  return sh("ovs-dpctl", ...args);
}

function u16le(a: string, b: string): number {
  return parseInt(a, 16) | (parseInt(b, 16) << 8);
}

/**
 * Rewrites a dump line so that ovs-dpctl 3.1's and nlts's spelling of Linux 6.1's IPv6
 * extension header key compare equal: `key32(03 00/03 00)` (3.1) and
 * `ipv6_exthdrs(hdrs=0x3/0x3)` (nlts, as newer Open vSwitch) both become `EXTHDRS(3/3)`; a
 * fully wildcarded one is dropped from terse lines (3.1 prints it, nlts does not).
 */
export function normalizeExthdrs(line: string, verbose: boolean): string {
  const canon = (v: number, m: number) => (m === 0 && !verbose ? "" : `,EXTHDRS(${v}/${m})`);
  return line
    .replace(
      /,key32\(([0-9a-f]{2}) ([0-9a-f]{2})(?:\/([0-9a-f]{2}) ([0-9a-f]{2}))?\)/g,
      (_, a, b, c, d) => canon(u16le(a, b), c === undefined ? 0xffff : u16le(c, d)),
    )
    .replace(
      /,ipv6_exthdrs\(hdrs=(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?\)/g,
      (_, v, m) => canon(Number(v), m === undefined ? 0xffff : Number(m)),
    );
}

/**
 * Compares ovs-dpctl's dump with nlts's, line by line (same order: both read the kernel's dump
 * order); returns the differences (empty when identical). dec_ttl lines may differ only in the
 * actions, where ovs-dpctl 3.1 prints tnl_push(...) for the kernel's dec_ttl.
 */
export function diffDumps(dpctlText: string, nltsText: string, verbose: boolean): string[] {
  const a = dpctlText.split("\n").filter((l) => l !== "").map((l) => normalizeExthdrs(l, verbose));
  const b = nltsText.split("\n").filter((l) => l !== "").map((l) => normalizeExthdrs(l, verbose));
  const out: string[] = [];
  if (a.length !== b.length) out.push(`ovs-dpctl printed ${a.length} lines, nlts ${b.length}`);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? "", y = b[i] ?? "";
    if (x === y) continue;
    const xs = x.split(", actions:"), ys = y.split(", actions:");
    if (xs[0] === ys[0] && /tnl_push\(/.test(xs[1] ?? "") && /dec_ttl\(/.test(ys[1] ?? "")) {
      continue;
    }
    out.push(`- ${x}\n+ ${y}`);
  }
  return out;
}
