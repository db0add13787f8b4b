/**
 * `deno task bench` part 1: CTRL_CMD_GETFAMILY round trips (request + reply + ACK, attributes
 * walked) and all-families dumps through NetlinkSocket, in the runtime that runs this file.
 * Prints `RUNTIME NAME VALUE` lines. Run: deno run -A bench/netlink_bench.ts | bun bench/netlink_bench.ts
 * @module
 */
import { AttrIterator, NETLINK, NetlinkSocket, NetlinkWriter } from "../mod.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const iterations = Number(
  (globalThis as { process?: { env: Record<string, string> } }).process
    ?.env.NLTS_BENCH_ITERATIONS ?? 100000,
);

function request(name?: string): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(0x10, 0);
  w.putU8(3).putU8(1).putU16(0);
  if (name) w.attrString(2, name);
  w.endMessage(m);
  return w.copy();
}

function measure(
  label: string,
  n: number,
  mode: "peek" | "grow",
  dump: boolean,
): void {
  using s = NetlinkSocket.open(NETLINK.GENERIC, { receiveMode: mode });
  const req = request(dump ? undefined : "nlctrl");
  let attrs = 0;
  const attrIt = new AttrIterator(new Uint8Array(0));
  const onMessage = (it: { data: Uint8Array; payloadOffset: number; messageEnd: number }) => {
    const a = new AttrIterator(it.data, it.payloadOffset + 4, it.messageEnd);
    while (a.next()) attrs++;
  };
  void attrIt;
  for (let i = 0; i < n / 10; i++) s.exchangeSync(req, { dump }, onMessage);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s.exchangeSync(req, { dump }, onMessage);
  const us = ((performance.now() - t0) * 1000) / n;
  if (attrs === 0) throw new Error("no attributes decoded");
  console.log(`${runtime} ${label}_${mode}_us ${us.toFixed(2)}`);
}

measure("getfamily_rtt", iterations, "peek", false);
measure("getfamily_rtt", iterations, "grow", false);
measure("dump_all_families", Math.max(1, Math.floor(iterations / 20)), "peek", true);
measure("dump_all_families", Math.max(1, Math.floor(iterations / 20)), "grow", true);
