/**
 * `nlts dp`: the Open vSwitch kernel datapath, with ovs-dpctl's command names and argument
 * forms (show, dump-dps, add-dp, del-dp, add-if, set-if, del-if, ct-*-limits, cache-*-size),
 * plus nlts extensions: meters, monitor, upcalls, execute.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { NETLINK, NLM_F } from "../protocol/constants.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import { OvsClient, type OvsEvent } from "../ovs/client.ts";
import type { Datapath } from "../ovs/datapath.ts";
import type { Meter } from "../ovs/meter.ts";
import { datapathName } from "../ovs/common.ts";
import { monotonicMs } from "../socket/clock.ts";
import type { FlowKey } from "../ovs/keys.ts";
import {
  formatFlow,
  formatFlowKey,
  OdpParseError,
  parseActions,
  parseFlowKey,
} from "../ovs/odp_text.ts";
import { keyInPort, type Upcall } from "../ovs/packet.ts";
import type { Vport, VportOptions, VportType } from "../ovs/vport.ts";
import { type CliIO, type Command, EXIT, toJson, UsageError } from "./common.ts";

const USAGE = `Usage: nlts dp <command> [options] [args]

Datapaths and ports (as ovs-dpctl; DP is NAME or system@NAME):
  show [DP...] [-s] [--json]      datapaths with their lookup, mask and cache statistics
                                  and ports; -s adds per-port packet counters
  dump-dps                        names of all datapaths
  add-dp DP [IFACE...]            create DP (per-port upcall dispatch), then add-if IFACEs
  del-dp DP                       delete DP with its ports and flows
  add-if DP IFACE...              add ports; IFACE is NAME[,type=TYPE][,port_no=N][,OPT=V...]
                                  TYPE: system (default: attach the existing device NAME),
                                  internal, gre, vxlan, geneve; OPT: dst_port=N (vxlan,
                                  geneve), exts=gbp (vxlan), upcall_pid=PID[:PID...]
                                  Added devices are brought up, as ovs-dpctl does.
  set-if DP IFACE...              change options: NAME,dst_port=N / exts=gbp / upcall_pid=...
  del-if DP IFACE...              remove ports by name or number
  cache-get-size [DP]             the mask cache size of DP (every datapath without DP)
  cache-set-size DP masks-cache SIZE
                                  change the mask cache size

Conntrack limits (per network namespace; DP is accepted and checked, as ovs-dpctl does):
  ct-set-limits [DP] [default=N] [zone=Z,limit=N]...
  ct-get-limits [DP] [zone=Z[,Z...]]
  ct-del-limits [DP] [default] [zone=Z[,Z...]]

Meters (nlts extensions; ovs-dpctl has none):
  meter-features DP               max meters, max bands, band types
  add-meter DP ID [kbps|pps] BAND...
                                  create or replace meter ID (default unit pps); BAND is
                                  rate=R[,burst=B][,type=drop] (burst defaults to the rate)
  get-meter DP ID                 statistics of meter ID
  del-meter DP ID                 delete meter ID, print its last statistics
  dump-meters DP [--max N]        meters with ids 0..N-1 (default 1024): the kernel has no
                                  meter dump, so each id is probed

Packets and events (nlts extensions):
  monitor [DP] [--count N]        print datapath, port and flow notifications (flows as
                                  dump-flows prints them)
  upcalls DP [--count N]          register this process as the upcall receiver of DP's ports
                                  (or CPUs, in per-CPU dispatch mode), print the upcalls,
                                  then restore the previous upcall pids
  execute DP PACKET_HEX ACTIONS [--in-port N] [--key FLOW]
                                  run ACTIONS (datapath syntax, e.g. "1,2" or
                                  "push_vlan(vid=5,pcp=0),2") on the frame PACKET_HEX (hex;
                                  ':', '.' or spaces allowed); FLOW: key metadata such as
                                  "in_port(1),skb_mark(7)"

Options:
  -s, --statistics  per-port statistics (show)
  --json            machine-readable output (numbers as JSON numbers)
  --count N         stop after N events or upcalls
  --netns NAME      run in network namespace NAME (/run/netns/NAME) or at an absolute path
  -h, --help        this text

Exit status: 0 ok, 1 kernel or system error, 2 usage error.
`;

type Values = {
  json?: boolean;
  statistics?: boolean;
  netns?: string;
  help?: boolean;
  count?: string;
  max?: string;
  "in-port"?: string;
  key?: string;
};

function parse(args: string[], cmd: string, allowed: readonly (keyof Values)[] = []) {
  const r = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      statistics: { type: "boolean", short: "s" },
      netns: { type: "string" },
      help: { type: "boolean", short: "h" },
      count: { type: "string" },
      max: { type: "string" },
      "in-port": { type: "string" },
      key: { type: "string" },
    },
  });
  const values = r.values as Values;
  for (const k of ["statistics", "count", "max", "in-port", "key"] as const) {
    if (values[k] !== undefined && !allowed.includes(k)) {
      throw new UsageError(`dp ${cmd} has no option --${k}`);
    }
  }
  return { values, positionals: r.positionals };
}

function uint(s: string, what: string, max = 0xffff_ffff): number {
  if (!/^\d+$/.test(s)) throw new UsageError(`${what} "${s}" is not a whole number`);
  const n = Number(s);
  if (n > max) throw new UsageError(`${what} ${s} is larger than ${max}`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// show

/** printf("%.2f") of a double, including glibc's round-half-even on exact ties. */
export function fixed2(d: number): string {
  const s = d.toFixed(2);
  const exact = d.toFixed(40);
  const dot = exact.indexOf(".");
  const tail = exact.slice(dot + 3);
  if (/^50*$/.test(tail)) {
    // An exact tie: toFixed rounded up; printf rounds to even.
    const down = (Math.floor(d * 100) / 100).toFixed(2);
    const last = Number(down[down.length - 1]);
    return last % 2 === 0 ? down : s;
  }
  return s;
}

/** ovs-dpctl's port type: "system" for netdev ports. */
export function portTypeName(type: VportType | number): string {
  if (type === "netdev") return "system";
  return typeof type === "number" ? `type-${type}` : type;
}

/** ovs-dpctl's option text of a port: `dst_port=4789, exts=gbp`. */
function optionText(o: VportOptions | undefined): string[] {
  const out: string[] = [];
  if (!o) return out;
  if (o.dstPort !== undefined) out.push(`dst_port=${o.dstPort}`);
  if (o.extension?.gbp) out.push("exts=gbp");
  return out.sort();
}

function humanSize(v: bigint): string {
  const n = Number(v);
  const T = 1024 ** 4, G = 1024 ** 3, M = 1024 ** 2, K = 1024;
  if (n >= T) return ` (${(n / T).toFixed(1)} TiB)`;
  if (n >= G) return ` (${(n / G).toFixed(1)} GiB)`;
  if (n >= M) return ` (${(n / M).toFixed(1)} MiB)`;
  if (n >= K) return ` (${(n / K).toFixed(1)} KiB)`;
  return "";
}

/** Counters ovs-dpctl adds from the device for system ports (zeros when unreadable). */
function deviceCounters(name: string, read: boolean): Record<string, bigint> {
  const keys = [
    "rx_over_errors",
    "rx_frame_errors",
    "tx_aborted_errors",
    "tx_carrier_errors",
    "collisions",
  ];
  const out: Record<string, bigint> = {};
  for (const k of keys) {
    out[k] = 0n;
    if (!read || name.includes("/")) continue;
    try {
      out[k] = BigInt(readFileSync(`/sys/class/net/${name}/statistics/${k}`, "utf8").trim());
    } catch {
      // not readable: 0, as for internal ports
    }
  }
  return out;
}

/**
 * The text of `show` for one datapath, like ovs-dpctl's.
 *
 * @example
 * ```ts
 * import { formatShow } from "./dp.ts";
 * console.log(formatShow({ name: "dp0", ifindex: 5, userFeatures: [] }, [], false));
 * ```
 */
export function formatShow(
  dp: Datapath,
  ports: readonly Vport[],
  statistics: boolean,
  readDevices = true,
): string {
  let s = `system@${dp.name}:\n`;
  if (dp.stats) {
    const st = dp.stats;
    s += `  lookups: hit:${st.hit} missed:${st.missed} lost:${st.lost}\n`;
    s += `  flows: ${st.flows}\n`;
    if (dp.megaflowStats) {
      const m = dp.megaflowStats;
      const pkts = st.hit + st.missed;
      const avg = pkts ? Number(m.maskHit) / Number(pkts) : 0;
      s += `  masks: hit:${m.maskHit} total:${m.masks} hit/pkt:${fixed2(avg)}\n`;
      if (m.cacheHit !== 0n) {
        const rate = pkts ? Number(m.cacheHit) / Number(pkts) * 100 : 0;
        s += `  cache: hit:${m.cacheHit} hit-rate:${fixed2(rate)}%\n`;
      }
    }
  }
  if (dp.masksCacheSize !== undefined) {
    s += `  caches:\n    masks-cache: size:${dp.masksCacheSize}\n`;
  }
  for (const p of [...ports].sort((a, b) => a.portNo - b.portNo)) {
    s += `  port ${p.portNo}: ${p.name}`;
    const type = portTypeName(p.type);
    if (type !== "system") {
      const opts = optionText(p.options);
      s += ` (${type}${opts.map((o, i) => `${i ? "," : ":"} ${o}`).join("")})`;
    }
    s += "\n";
    if (statistics && p.stats) {
      const st = p.stats;
      const dev = deviceCounters(p.name, readDevices && type === "system");
      s += `    RX packets:${st.rxPackets} errors:${st.rxErrors} dropped:${st.rxDropped}` +
        ` overruns:${dev.rx_over_errors} frame:${dev.rx_frame_errors}\n`;
      s += `    TX packets:${st.txPackets} errors:${st.txErrors} dropped:${st.txDropped}` +
        ` aborted:${dev.tx_aborted_errors} carrier:${dev.tx_carrier_errors}\n`;
      s += `    collisions:${dev.collisions}\n`;
      s += `    RX bytes:${st.rxBytes}${humanSize(st.rxBytes)}  TX bytes:${st.txBytes}${
        humanSize(st.txBytes)
      }\n`;
      if (p.upcallStats) {
        s += `    UPCALL packets:${p.upcallStats.success ?? "?"} errors:${
          p.upcallStats.fail ?? "?"
        }\n`;
      }
    }
  }
  return s;
}

function showJson(dp: Datapath, ports: readonly Vport[]): unknown {
  return {
    name: dp.name,
    ifindex: dp.ifindex,
    stats: dp.stats,
    megaflowStats: dp.megaflowStats,
    userFeatures: dp.userFeatures,
    masksCacheSize: dp.masksCacheSize,
    ports: [...ports].sort((a, b) => a.portNo - b.portNo).map((p) => ({
      portNo: p.portNo,
      name: p.name,
      type: p.type,
      options: p.options ?? {},
      stats: p.stats,
      ifindex: p.ifindex,
      upcallPids: p.upcallPids,
      ...(p.upcallStats ? { upcallStats: p.upcallStats } : {}),
    })),
  };
}

async function datapathsOf(ovs: OvsClient, names: string[]): Promise<Datapath[]> {
  if (!names.length) return (await ovs.dumpDatapaths()).sort((a, b) => a.name < b.name ? -1 : 1);
  const out: Datapath[] = [];
  for (const n of names) out.push(await ovs.getDatapath(datapathName(n)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// ports

interface IfaceSpec {
  name: string;
  type?: string;
  portNo?: number;
  options: VportOptions;
  upcallPids?: number[];
  hasOptions: boolean;
}

const TYPE_OF: Record<string, VportType> = {
  system: "netdev",
  netdev: "netdev",
  internal: "internal",
  gre: "gre",
  vxlan: "vxlan",
  geneve: "geneve",
};

function parseIface(arg: string, cmd: string): IfaceSpec {
  const [name, ...opts] = arg.split(",");
  if (!name) throw new UsageError(`dp ${cmd}: "${arg}" is not a valid network device name`);
  const spec: IfaceSpec = { name, options: {}, hasOptions: false };
  const seen = new Set<string>();
  for (const o of opts) {
    const eq = o.indexOf("=");
    const key = eq < 0 ? o : o.slice(0, eq);
    const value = eq < 0 ? "" : o.slice(eq + 1);
    if (!key) throw new UsageError(`dp ${cmd}: invalid option format in "${arg}"`);
    if (seen.has(key)) throw new UsageError(`dp ${cmd}: duplicate "${key}" option`);
    seen.add(key);
    switch (key) {
      case "type":
        if (!(value in TYPE_OF)) {
          throw new UsageError(
            `dp ${cmd}: unknown port type "${value}" (system, internal, gre, vxlan, geneve)`,
          );
        }
        spec.type = value;
        break;
      case "port_no":
        spec.portNo = uint(value, "port_no");
        break;
      case "dst_port":
        spec.options.dstPort = uint(value, "dst_port", 0xffff);
        spec.hasOptions = true;
        break;
      case "exts":
        if (value !== "gbp" && value !== "") {
          throw new UsageError(`dp ${cmd}: exts "${value}" is not supported (only gbp)`);
        }
        spec.options.extension = value === "gbp" ? { gbp: true } : {};
        spec.hasOptions = true;
        break;
      case "upcall_pid":
        spec.upcallPids = value.split(":").map((p) => uint(p, "upcall_pid"));
        break;
      default:
        throw new UsageError(
          `dp ${cmd}: unknown option "${key}" (the kernel port takes type, port_no, dst_port, exts, upcall_pid)`,
        );
    }
  }
  return spec;
}

/** Brings device `ifindex` up (RTM_NEWLINK with IFF_UP), as ovs-dpctl add-if does. */
function linkUp(ifindex: number, netns: string | undefined): void {
  using sock = NetlinkSocket.open(NETLINK.ROUTE, { netns, name: "rtnetlink" });
  const w = new NetlinkWriter(64);
  const m = w.beginMessage(16, /* RTM_NEWLINK */ NLM_F.REQUEST | NLM_F.ACK);
  w.putU8(0).putU8(0).putU16(0).putS32(ifindex).putU32(1 /* IFF_UP */).putU32(1);
  w.endMessage(m);
  sock.requestSync(w.copy(), { operation: "RTM_NEWLINK (set up)" });
}

async function addIfaces(
  ovs: OvsClient,
  dp: string,
  args: string[],
  netns: string | undefined,
): Promise<void> {
  const specs = args.map((a) => parseIface(a, "add-if"));
  for (const s of specs) {
    // The kernel wants a UDP port for geneve (and vxlan); use the IANA ones as ovs-dpctl does.
    if (s.options.dstPort === undefined && (s.type === "vxlan" || s.type === "geneve")) {
      s.options.dstPort = s.type === "vxlan" ? 4789 : 6081;
      s.hasOptions = true;
    }
    const p = await ovs.newVport(dp, s.name, {
      type: TYPE_OF[s.type ?? "system"],
      ...(s.portNo !== undefined ? { portNo: s.portNo } : {}),
      ...(s.hasOptions ? { options: s.options } : {}),
      ...(s.upcallPids ? { upcallPids: s.upcallPids } : {}),
    });
    if (p.ifindex) linkUp(p.ifindex, netns);
  }
}

// ---------------------------------------------------------------------------------------------
// conntrack limits

function optionalDp(positionals: string[]): [string | undefined, string[]] {
  const first = positionals[0];
  if (first !== undefined && !first.includes("=") && first !== "default") {
    return [first, positionals.slice(1)];
  }
  return [undefined, positionals];
}

function parseZoneList(arg: string, cmd: string): number[] {
  if (!arg.startsWith("zone=")) throw new UsageError(`dp ${cmd}: invalid argument ${arg}`);
  return arg.slice(5).split(",").map((z) => uint(z, "zone", 0xffff));
}

function formatCtLimits(
  l: { defaultLimit?: number; zones: readonly { zone: number; limit: number; count: number }[] },
): string {
  const lines: string[] = [];
  if (l.defaultLimit !== undefined) lines.push(`default limit=${l.defaultLimit}`);
  for (const z of l.zones) lines.push(`zone=${z.zone},limit=${z.limit},count=${z.count}`);
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// meters

function meterText(m: Meter): string {
  let s = `meter ${m.id}:`;
  if (m.stats) s += ` packets:${m.stats.packets} bytes:${m.stats.bytes}`;
  if (m.used !== undefined) s += ` used:${m.used}ms`;
  s += "\n";
  m.bands.forEach((b, i) => {
    s += `  band ${i}:`;
    if (b.type !== undefined) s += ` type:${b.type}`;
    if (b.rate !== undefined) s += ` rate:${b.rate}`;
    if (b.burst !== undefined) s += ` burst:${b.burst}`;
    if (b.stats) s += ` packets:${b.stats.packets} bytes:${b.stats.bytes}`;
    s += "\n";
  });
  return s;
}

function parseBand(arg: string): { rate: number; burst?: number; type?: "drop" } {
  let rate: number | undefined;
  let burst: number | undefined;
  for (const kv of arg.split(",")) {
    const [k, v = ""] = kv.split("=");
    if (k === "rate") rate = uint(v, "rate");
    else if (k === "burst" || k === "burst_size") burst = uint(v, "burst");
    else if (k === "type") {
      if (v !== "drop") throw new UsageError(`add-meter: band type "${v}" (only drop exists)`);
    } else throw new UsageError(`add-meter: unknown band field "${k}" (rate, burst, type)`);
  }
  if (rate === undefined) throw new UsageError(`add-meter: band "${arg}" has no rate=`);
  return { rate, ...(burst !== undefined ? { burst } : {}), type: "drop" };
}

// ---------------------------------------------------------------------------------------------
// monitor, upcalls, execute

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function parseHex(s: string): Uint8Array {
  const clean = s.replace(/[\s:.-]/g, "").replace(/^0x/i, "");
  if (!clean.length || clean.length % 2 || /[^0-9a-f]/i.test(clean)) {
    throw new UsageError(`execute: "${s}" is not an even number of hex digits`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function eventText(e: OvsEvent, names: Map<number, string>): string {
  if (e.family === "datapath") {
    return `datapath ${e.event} system@${e.datapath.name} ifindex:${e.datapath.ifindex}\n`;
  }
  if (e.family === "vport") {
    const p = e.vport;
    const type = portTypeName(p.type);
    return `vport ${e.event} system@${
      names.get(p.dpIfindex) ?? p.dpIfindex
    } port ${p.portNo}: ${p.name}${type === "system" ? "" : ` (${type})`}\n`;
  }
  return `flow ${e.event} system@${names.get(e.flow.dpIfindex) ?? e.flow.dpIfindex} ${
    formatFlow(e.flow, { now: monotonicMs() })
  }\n`;
}

function upcallJson(u: Upcall, dp: string): unknown {
  return {
    cmd: u.cmd,
    datapath: dp,
    inPort: keyInPort(u.key),
    len: u.len ?? u.packet.length,
    packet: u.packet,
    key: u.key,
    flowKey: formatFlowKey(u.flowKey),
    ...(u.userdata ? { userdata: u.userdata } : {}),
    ...(u.egressTunKey ? { egressTunKey: u.egressTunKey } : {}),
    ...(u.actions ? { actions: u.actions } : {}),
    ...(u.mru !== undefined ? { mru: u.mru } : {}),
    ...(u.hash !== undefined ? { hash: u.hash } : {}),
  };
}

function upcallText(u: Upcall, dp: string): string {
  let s = `${u.cmd} system@${dp} in_port:${keyInPort(u.key) ?? "?"} len:${
    u.len ?? u.packet.length
  }`;
  if (u.hash !== undefined) s += ` hash:0x${u.hash.toString(16)}`;
  if (u.mru !== undefined) s += ` mru:${u.mru}`;
  if (u.userdata) s += ` userdata:${hex(u.userdata)}`;
  s += `\n  key: ${formatFlowKey(u.flowKey)}\n  packet: ${hex(u.packet)}\n`;
  return s;
}

function countOf(v: string | undefined): number {
  return v === undefined ? Infinity : uint(v, "--count");
}

async function upcalls(
  ovs: OvsClient,
  dp: string,
  json: boolean,
  count: number,
  io: CliIO,
): Promise<number> {
  const d = await ovs.getDatapath(dp);
  using sock = ovs.openUpcallSocket();
  const perCpu = d.userFeatures.includes("dispatchUpcallPerCpu");
  const saved: { portNo: number; pids: number[] }[] = [];
  let savedCpu: number[] | undefined;
  try {
    if (perCpu) {
      savedCpu = d.perCpuPids ?? [];
      await ovs.setDatapath(d.ifindex, { perCpuPids: [sock.portid] });
    } else {
      for (const p of await ovs.dumpVports(d.ifindex)) {
        saved.push({ portNo: p.portNo, pids: p.upcallPids });
        await ovs.setVport(d.ifindex, p.portNo, { upcallPids: [sock.portid] });
      }
    }
    io.err(
      `listening for upcalls of system@${d.name} (${
        perCpu ? "per-CPU dispatch" : `${saved.length} ports`
      }, netlink port ${sock.portid})\n`,
    );
    let n = 0;
    if (count > 0) {
      for await (const u of sock.upcalls({ signal: io.signal })) {
        io.out(json ? toJson(upcallJson(u, d.name), false) : upcallText(u, d.name));
        if (++n >= count) break;
      }
    }
  } finally {
    // Restore what was there, even after Ctrl-C; ports deleted meanwhile are skipped.
    if (savedCpu !== undefined) {
      await ovs.setDatapath(d.ifindex, {
        perCpuPids: savedCpu.length ? savedCpu : [0],
      }).catch(() => {});
    }
    for (const s of saved) {
      await ovs.setVport(d.ifindex, s.portNo, { upcallPids: s.pids.length ? s.pids : [0] })
        .catch(() => {});
    }
  }
  return EXIT.OK;
}

async function monitor(
  ovs: OvsClient,
  dp: string | undefined,
  json: boolean,
  count: number,
  io: CliIO,
): Promise<number> {
  const names = new Map<number, string>();
  for (const d of await ovs.dumpDatapaths()) names.set(d.ifindex, d.name);
  const only = dp === undefined ? undefined : (await ovs.getDatapath(datapathName(dp))).ifindex;
  const events = ovs.events({ signal: io.signal });
  io.err(
    `monitoring ovs_datapath, ovs_vport, ovs_flow${dp ? ` for system@${datapathName(dp)}` : ""}\n`,
  );
  if (count === 0) {
    await events.return();
    return EXIT.OK;
  }
  let n = 0;
  for await (const e of events) {
    const ifindex = e.family === "datapath"
      ? e.datapath.ifindex
      : e.family === "vport"
      ? e.vport.dpIfindex
      : e.flow.dpIfindex;
    if (e.family === "datapath") {
      if (e.event === "del") names.delete(ifindex);
      else names.set(ifindex, e.datapath.name);
    }
    if (only !== undefined && ifindex !== only) continue;
    if (json) {
      io.out(toJson(
        e.family === "datapath"
          ? { family: e.family, event: e.event, datapath: e.datapath }
          : e.family === "vport"
          ? { family: e.family, event: e.event, datapath: names.get(ifindex), vport: e.vport }
          : {
            family: e.family,
            event: e.event,
            datapath: names.get(ifindex),
            flow: formatFlow(e.flow, { now: monotonicMs() }),
            ufid: e.flow.ufid,
            stats: e.flow.stats,
          },
        false,
      ));
    } else {
      io.out(eventText(e, names));
    }
    if (++n >= count) break;
  }
  return EXIT.OK;
}

// ---------------------------------------------------------------------------------------------

function need(positionals: string[], n: number, cmd: string, what: string): void {
  if (positionals.length < n) {
    throw new UsageError(`dp ${cmd}: missing ${what} (nlts dp --help shows the syntax)`);
  }
}

/** Commands of dp_flows.ts. */
const FLOW_COMMANDS = [
  "add-flow",
  "mod-flow",
  "del-flow",
  "get-flow",
  "dump-flows",
  "add-flows",
  "mod-flows",
  "del-flows",
];

/** The whole help text: these commands and the flow commands of dp_flows.ts. */
async function usage(): Promise<string> {
  const { FLOW_USAGE } = await import("./dp_flows.ts");
  const at = USAGE.indexOf("\nConntrack limits");
  return `${USAGE.slice(0, at)}\n${FLOW_USAGE.trimEnd()}\n${USAGE.slice(at)}`;
}

/**
 * The `nlts dp` command group.
 *
 * @example
 * ```ts
 * import { dpCommand } from "./dp.ts";
 * await dpCommand(["show", "--json"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const dpCommand: Command = async (args, io) => {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    (cmd === undefined ? io.err : io.out)(await usage());
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (FLOW_COMMANDS.includes(cmd)) {
    // The flow commands live in dp_flows.ts (loaded only when used: it brings the text format).
    const { flowCommands } = await import("./dp_flows.ts");
    return await flowCommands[cmd](rest, io);
  }
  const allowed: Record<string, (keyof Values)[]> = {
    show: ["statistics"],
    monitor: ["count"],
    upcalls: ["count"],
    "dump-meters": ["max"],
    execute: ["in-port", "key"],
  };
  const known = [
    "show",
    "dump-dps",
    "add-dp",
    "del-dp",
    "add-if",
    "set-if",
    "del-if",
    "cache-get-size",
    "cache-set-size",
    "ct-set-limits",
    "ct-get-limits",
    "ct-del-limits",
    "meter-features",
    "add-meter",
    "get-meter",
    "del-meter",
    "dump-meters",
    "monitor",
    "upcalls",
    "execute",
  ];
  if (!known.includes(cmd)) {
    throw new UsageError(`dp: unknown command "${cmd}" (nlts dp --help lists them)`);
  }
  const { values, positionals: pos } = parse(rest, cmd, allowed[cmd] ?? []);
  if (values.help) {
    io.out(await usage());
    return EXIT.OK;
  }
  const json = values.json ?? false;
  using ovs = OvsClient.open({ netns: values.netns });
  switch (cmd) {
    case "show": {
      const dps = await datapathsOf(ovs, pos);
      const shown: { dp: Datapath; ports: Vport[] }[] = [];
      for (const dp of dps) shown.push({ dp, ports: await ovs.dumpVports(dp.ifindex) });
      if (json) io.out(toJson(shown.map((x) => showJson(x.dp, x.ports))));
      else {
        io.out(
          shown.map((x) =>
            formatShow(x.dp, x.ports, values.statistics ?? false, values.netns === undefined)
          ).join(""),
        );
      }
      return EXIT.OK;
    }
    case "dump-dps": {
      if (pos.length) throw new UsageError("dp dump-dps takes no arguments");
      const dps = await datapathsOf(ovs, []);
      io.out(json ? toJson(dps.map((d) => d.name)) : dps.map((d) => `system@${d.name}\n`).join(""));
      return EXIT.OK;
    }
    case "add-dp": {
      need(pos, 1, cmd, "DP");
      for (const a of pos.slice(1)) parseIface(a, "add-dp"); // usage errors before any change
      await ovs.newDatapath(datapathName(pos[0]));
      await addIfaces(ovs, datapathName(pos[0]), pos.slice(1), values.netns);
      return EXIT.OK;
    }
    case "del-dp": {
      need(pos, 1, cmd, "DP");
      if (pos.length > 1) throw new UsageError("dp del-dp takes one datapath");
      await ovs.delDatapath(datapathName(pos[0]));
      return EXIT.OK;
    }
    case "add-if": {
      need(pos, 2, cmd, "DP and IFACE");
      for (const a of pos.slice(1)) parseIface(a, "add-if");
      await addIfaces(ovs, datapathName(pos[0]), pos.slice(1), values.netns);
      return EXIT.OK;
    }
    case "set-if": {
      need(pos, 2, cmd, "DP and IFACE");
      const dp = datapathName(pos[0]);
      const specs = pos.slice(1).map((a) => parseIface(a, "set-if"));
      for (const s of specs) {
        const p = await ovs.getVport(dp, s.name);
        if (s.type !== undefined && TYPE_OF[s.type] !== p.type) {
          throw new UsageError(
            `dp set-if: ${s.name}: can't change type from ${portTypeName(p.type)} to ${s.type}`,
          );
        }
        if (s.portNo !== undefined && s.portNo !== p.portNo) {
          throw new UsageError(
            `dp set-if: ${s.name}: can't change port number from ${p.portNo} to ${s.portNo}`,
          );
        }
        if (!s.hasOptions && !s.upcallPids) continue;
        await ovs.setVport(dp, s.name, {
          ...(s.hasOptions ? { options: { ...p.options, ...s.options } } : {}),
          ...(s.upcallPids ? { upcallPids: s.upcallPids } : {}),
        });
      }
      return EXIT.OK;
    }
    case "del-if": {
      need(pos, 2, cmd, "DP and IFACE");
      const dp = datapathName(pos[0]);
      for (const a of pos.slice(1)) {
        await ovs.delVport(dp, /^\d+$/.test(a) ? Number(a) : a);
      }
      return EXIT.OK;
    }
    case "cache-get-size": {
      const dps = await datapathsOf(ovs, pos);
      if (json) {
        io.out(toJson(dps.map((d) => ({ name: d.name, masksCacheSize: d.masksCacheSize }))));
      } else {
        io.out(
          dps.map((d) =>
            `system@${d.name}:\n${
              d.masksCacheSize !== undefined
                ? `  caches:\n    masks-cache: size:${d.masksCacheSize}\n`
                : ""
            }`
          ).join(""),
        );
      }
      return EXIT.OK;
    }
    case "cache-set-size": {
      if (pos.length !== 3) throw new UsageError("dp cache-set-size: DP masks-cache SIZE");
      if (pos[1] !== "masks-cache") {
        throw new UsageError(`dp cache-set-size: cache name "${pos[1]}" not found on dpif`);
      }
      const d = await ovs.setDatapath(datapathName(pos[0]), {
        masksCacheSize: uint(pos[2], "size"),
      });
      io.out(`Setting cache size successful, new size ${d.masksCacheSize}\n`);
      return EXIT.OK;
    }
    case "ct-set-limits": {
      const [dp, rest] = optionalDp(pos);
      if (!rest.length) throw new UsageError("dp ct-set-limits: too few arguments");
      let defaultLimit: number | undefined;
      const zones: { zone: number; limit: number }[] = [];
      for (const a of rest) {
        if (a.startsWith("default=")) {
          defaultLimit = uint(a.slice(8), "default limit");
          continue;
        }
        let zone: number | undefined;
        let limit: number | undefined;
        for (const kv of a.split(",")) {
          const [k, v = ""] = kv.split("=");
          if (!v) throw new UsageError(`dp ct-set-limits: field ${k} missing value`);
          if (k === "zone") zone = uint(v, "zone", 0xffff);
          else if (k === "limit") limit = uint(v, "limit");
          else throw new UsageError(`dp ct-set-limits: invalid zone limit field: ${k}`);
        }
        if (zone === undefined || limit === undefined) {
          throw new UsageError(`dp ct-set-limits: failed to parse zone limit "${a}"`);
        }
        zones.push({ zone, limit });
      }
      if (dp) await ovs.getDatapath(datapathName(dp));
      await ovs.setCtLimits({ defaultLimit, zones });
      return EXIT.OK;
    }
    case "ct-get-limits": {
      const [dp, rest] = optionalDp(pos);
      if (rest.length > 1) throw new UsageError("dp ct-get-limits: too many arguments");
      const zones = rest.length ? parseZoneList(rest[0], cmd) : undefined;
      if (dp) await ovs.getDatapath(datapathName(dp));
      const l = await ovs.getCtLimits(zones);
      io.out(json ? toJson(l) : formatCtLimits(l));
      return EXIT.OK;
    }
    case "ct-del-limits": {
      const [dp, rest] = optionalDp(pos);
      if (!rest.length) throw new UsageError("dp ct-del-limits: too few arguments");
      let def = false;
      let zones: number[] = [];
      for (const a of rest) {
        if (a === "default") def = true;
        else zones = zones.concat(parseZoneList(a, cmd));
      }
      if (dp) await ovs.getDatapath(datapathName(dp));
      await ovs.delCtLimits(zones, { default: def });
      return EXIT.OK;
    }
    case "meter-features": {
      need(pos, 1, cmd, "DP");
      const f = await ovs.meterFeatures(datapathName(pos[0]));
      io.out(
        json
          ? toJson(f)
          : `max meters: ${f.maxMeters}\nmax bands: ${f.maxBands}\nband types: ${
            f.bandTypes.join(", ")
          }\n`,
      );
      return EXIT.OK;
    }
    case "add-meter": {
      need(pos, 3, cmd, "DP, ID and a band");
      const id = uint(pos[1], "meter id");
      let unit: "kbps" | "pps" | undefined;
      let bandArgs = pos.slice(2);
      if (bandArgs[0] === "kbps" || bandArgs[0] === "pps" || bandArgs[0] === "pktps") {
        unit = bandArgs[0] === "kbps" ? "kbps" : "pps";
        bandArgs = bandArgs.slice(1);
      }
      if (!bandArgs.length) throw new UsageError("dp add-meter: missing band (rate=R)");
      const old = await ovs.setMeter(datapathName(pos[0]), {
        id,
        unit,
        bands: bandArgs.map(parseBand),
      });
      if (old && json) io.out(toJson(old));
      return EXIT.OK;
    }
    case "get-meter":
    case "del-meter": {
      need(pos, 2, cmd, "DP and ID");
      const id = uint(pos[1], "meter id");
      const m = cmd === "get-meter"
        ? await ovs.getMeter(datapathName(pos[0]), id)
        : await ovs.delMeter(datapathName(pos[0]), id);
      if (m) io.out(json ? toJson(m) : meterText(m));
      return EXIT.OK;
    }
    case "dump-meters": {
      need(pos, 1, cmd, "DP");
      const max = values.max === undefined ? 1024 : uint(values.max, "--max");
      if (max === 0) {
        io.out(json ? "[]\n" : "");
        return EXIT.OK;
      }
      const ms = await ovs.dumpMeters(datapathName(pos[0]), { first: 0, last: max - 1 });
      io.out(json ? toJson(ms) : ms.map(meterText).join(""));
      return EXIT.OK;
    }
    case "monitor": {
      if (pos.length > 1) throw new UsageError("dp monitor takes at most one datapath");
      return await monitor(ovs, pos[0], json, countOf(values.count), io);
    }
    case "upcalls": {
      need(pos, 1, cmd, "DP");
      if (pos.length > 1) throw new UsageError("dp upcalls takes one datapath");
      return await upcalls(ovs, datapathName(pos[0]), json, countOf(values.count), io);
    }
    case "execute": {
      need(pos, 3, cmd, "DP, PACKET_HEX and ACTIONS");
      if (pos.length > 3) throw new UsageError("dp execute: too many arguments");
      const packet = parseHex(pos[1]);
      let key: FlowKey = {};
      let actions;
      try {
        if (values.key !== undefined) key = parseFlowKey(values.key).key;
        actions = parseActions(pos[2]);
      } catch (e) {
        if (e instanceof OdpParseError) throw new UsageError(`dp execute: ${e.message}`);
        throw e;
      }
      if (values["in-port"] !== undefined) {
        key = { ...key, inPort: uint(values["in-port"], "--in-port") };
      }
      await ovs.execute(datapathName(pos[0]), { packet, key, actions });
      return EXIT.OK;
    }
  }
  throw new UsageError(`dp: unknown command "${cmd}"`);
};
