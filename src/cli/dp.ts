/**
 * `nlts dp`: the Open vSwitch kernel datapath, with ovs-dpctl's command names and argument
 * forms (show, dump-dps, add-dp, del-dp, add-if, set-if, del-if, ct-*-limits, cache-*-size),
 * plus nlts extensions: meters, monitor, upcalls, execute.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { OvsClient, type OvsEvent } from "../ovs/client.ts";
import { isTunnelType, type TunnelType } from "../ovs/tunnel.ts";
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
import {
  type CliIO,
  type Command,
  type CommandCall,
  type CommandGroup,
  type CommandSpec,
  EXIT,
  JSON_OPTION,
  NETNS_OPTION,
  netnsOf,
  runGroup,
  STATISTICS_OPTION,
  toJson,
  UsageError,
  wholeNumber,
} from "./common.ts";
import { FLOW_OPTIONS, FLOW_SECTION } from "./dp_flows.ts";

const uint = wholeNumber;

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
  /** ovs-dpctl's tunnel options (remote_ip, key, ttl...): checked, kept for flows. */
  tunnel: Record<string, string>;
}

const TYPE_OF: Record<string, VportType | TunnelType> = {
  system: "netdev",
  netdev: "netdev",
  internal: "internal",
  gre: "gre",
  vxlan: "vxlan",
  geneve: "geneve",
  ip6gre: "ip6gre",
  erspan: "erspan",
  ip6erspan: "ip6erspan",
};

/**
 * The tunnel options ovs-dpctl takes (lib/netdev-vport.c set_tunnel_config) and how each value
 * is checked. They describe the tunnel to flows (set(tunnel(...)) actions); the kernel device
 * of a flow-based tunnel port does not hold them.
 */
const TUNNEL_OPTIONS: Record<string, (v: string) => boolean> = {
  remote_ip: (v) => v === "flow" || isIp(v),
  local_ip: (v) => v === "flow" || isIp(v),
  key: (v) => v === "flow" || /^(0x[0-9a-f]+|\d+)$/i.test(v),
  in_key: (v) => v === "flow" || /^(0x[0-9a-f]+|\d+)$/i.test(v),
  out_key: (v) => v === "flow" || /^(0x[0-9a-f]+|\d+)$/i.test(v),
  tos: (v) => v === "inherit" || (/^\d+$/.test(v) && Number(v) < 256),
  ttl: (v) => v === "inherit" || (/^\d+$/.test(v) && Number(v) > 0 && Number(v) < 256),
  csum: (v) => v === "true" || v === "false",
  df_default: (v) => v === "true" || v === "false",
  packet_type: (v) => v === "legacy_l2" || v === "legacy_l3" || v === "ptap",
  egress_pkt_mark: (v) => /^\d+$/.test(v),
};

function isIp(v: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v)) {
    return v.split(".").every((x) => Number(x) < 256);
  }
  return v.includes(":") && /^[0-9a-f:.]+$/i.test(v);
}

function parseIface(arg: string, adding = false): IfaceSpec {
  const [name, ...opts] = arg.split(",");
  if (!name) throw new UsageError(`"${arg}" is not a valid network device name`);
  const spec: IfaceSpec = { name, options: {}, hasOptions: false, tunnel: {} };
  const seen = new Set<string>();
  for (const o of opts) {
    const eq = o.indexOf("=");
    const key = eq < 0 ? o : o.slice(0, eq);
    const value = eq < 0 ? "" : o.slice(eq + 1);
    if (!key) throw new UsageError(`invalid option format in "${arg}"`);
    if (seen.has(key)) throw new UsageError(`duplicate "${key}" option`);
    seen.add(key);
    switch (key) {
      case "type":
        if (!(value in TYPE_OF)) {
          throw new UsageError(
            `unknown port type "${value}" (${Object.keys(TYPE_OF).join(", ")})`,
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
          throw new UsageError(`exts "${value}" is not supported (only gbp)`);
        }
        spec.options.extension = value === "gbp" ? { gbp: true } : {};
        spec.hasOptions = true;
        break;
      case "upcall_pid":
        spec.upcallPids = value.split(":").map((p) => uint(p, "upcall_pid"));
        break;
      default: {
        const check = TUNNEL_OPTIONS[key];
        if (check === undefined) {
          throw new UsageError(
            `unknown option "${key}" (type, port_no, upcall_pid; tunnels: dst_port, exts, ${
              Object.keys(TUNNEL_OPTIONS).join(", ")
            })`,
          );
        }
        if (!check(value)) throw new UsageError(`${name}: bad ${key} "${value}"`);
        spec.tunnel[key] = value;
      }
    }
  }
  const type = TYPE_OF[spec.type ?? "system"];
  if (isTunnelType(type)) {
    // ovs-dpctl (netdev-vport.c) refuses a tunnel without a remote: "flow" leaves it to flows.
    if (adding && spec.tunnel.remote_ip === undefined) {
      throw new UsageError(`${name}: ${spec.type} type requires valid 'remote_ip' argument`);
    }
    if (spec.tunnel.packet_type === "legacy_l3" && type !== "gre") {
      throw new UsageError(`${name}: packet_type=legacy_l3 is for gre ports only`);
    }
  } else if (Object.keys(spec.tunnel).length > 0 || spec.hasOptions) {
    const k = Object.keys(spec.tunnel)[0] ??
      (spec.options.dstPort !== undefined ? "dst_port" : "exts");
    throw new UsageError(`${name}: ${k} is an option of tunnel ports (type=vxlan, geneve, gre...)`);
  }
  return spec;
}

async function addIfaces(ovs: OvsClient, dp: string, specs: IfaceSpec[]): Promise<void> {
  for (const s of specs) {
    const type = TYPE_OF[s.type ?? "system"];
    // The kernel wants a UDP port for geneve (and vxlan); use the IANA ones as ovs-dpctl does.
    if (s.options.dstPort === undefined && (type === "vxlan" || type === "geneve")) {
      s.options.dstPort = type === "vxlan" ? 4789 : 6081;
      s.hasOptions = true;
    }
    const p = await ovs.newVport(dp, s.name, {
      type,
      ...(s.portNo !== undefined ? { portNo: s.portNo } : {}),
      ...(s.hasOptions ? { options: s.options } : {}),
      ...(s.upcallPids ? { upcallPids: s.upcallPids } : {}),
      ...(s.tunnel.packet_type === "legacy_l3" ? { packetType: "legacy_l3" as const } : {}),
    });
    // Brought up, as ovs-dpctl add-if does (tunnel devices are made up already).
    if (p.ifindex) await ovs.rtnetlink().setLink(p.ifindex, { up: true });
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

function parseZoneList(arg: string): number[] {
  if (!arg.startsWith("zone=")) throw new UsageError(`invalid argument ${arg}`);
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
      if (v !== "drop") throw new UsageError(`band type "${v}" (only drop exists)`);
    } else throw new UsageError(`unknown band field "${k}" (rate, burst, type)`);
  }
  if (rate === undefined) throw new UsageError(`band "${arg}" has no rate=`);
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
    throw new UsageError(`"${s}" is not an even number of hex digits`);
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

/**
 * One run of a dp command: its arguments, and the OvsClient, opened on first use (so the
 * arguments are checked before the kernel is asked anything) and closed at the end.
 */
class DpCall {
  #ovs: OvsClient | undefined;
  constructor(readonly call: CommandCall) {}
  get pos(): string[] {
    return this.call.positionals;
  }
  get json(): boolean {
    return this.call.values.json === true;
  }
  get netns(): string | undefined {
    return netnsOf(this.call.values);
  }
  get io(): CliIO {
    return this.call.io;
  }
  /** The first argument as a datapath name (`system@` left out). */
  get dp(): string {
    return datapathName(this.pos[0]);
  }
  get ovs(): OvsClient {
    return this.#ovs ??= OvsClient.open({ netns: this.netns });
  }
  /** The value of option `name` (undefined when absent). */
  option(name: string): string | undefined {
    const v = this.call.values[name];
    return typeof v === "string" ? v : undefined;
  }
  /** `--count N` (Infinity when absent). */
  count(): number {
    const v = this.option("count");
    return v === undefined ? Infinity : uint(v, "--count", Number.MAX_SAFE_INTEGER);
  }
  /** Prints `value` as JSON with --json, else `text()`. */
  print(value: unknown, text: () => string): void {
    this.io.out(this.json ? toJson(value) : text());
  }
  close(): void {
    this.#ovs?.close();
  }
}

/**
 * A dp command: `usage` is its name and arguments (`add-if DP IFACE...`), `help` its
 * description (more lines indented under the first), `options` those of the group it takes
 * besides --json and --netns; `run` succeeds unless it throws (what it returns is ignored).
 */
function dp(
  usage: string,
  help: string,
  run: (c: DpCall) => unknown,
  options?: readonly string[],
): CommandSpec {
  const sp = usage.indexOf(" ");
  return {
    name: sp < 0 ? usage : usage.slice(0, sp),
    args: sp < 0 ? "" : usage.slice(sp + 1),
    help,
    options,
    run: async (call) => {
      const c = new DpCall(call);
      try {
        await run(c);
        return EXIT.OK;
      } finally {
        c.close();
      }
    },
  };
}

async function upcalls(c: DpCall, dp: string): Promise<void> {
  const count = c.count(); // checked before the client opens
  const { ovs, io } = c;
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
        io.out(c.json ? toJson(upcallJson(u, d.name), false) : upcallText(u, d.name));
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
}

async function monitor(c: DpCall, dp: string | undefined): Promise<void> {
  const count = c.count(); // checked before the client opens
  const { ovs, io } = c;
  const names = new Map<number, string>();
  for (const d of await ovs.dumpDatapaths()) names.set(d.ifindex, d.name);
  const only = dp === undefined ? undefined : (await ovs.getDatapath(datapathName(dp))).ifindex;
  const events = ovs.events({ signal: io.signal });
  io.err(
    `monitoring ovs_datapath, ovs_vport, ovs_flow${dp ? ` for system@${datapathName(dp)}` : ""}\n`,
  );
  if (count === 0) {
    await events.return();
    return;
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
    if (c.json) {
      const { family, event } = e;
      const datapath = names.get(ifindex);
      io.out(toJson(
        e.family === "datapath"
          ? { family, event, datapath: e.datapath }
          : e.family === "vport"
          ? { family, event, datapath, vport: e.vport }
          : {
            family,
            event,
            datapath,
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
}

async function setIfaces(ovs: OvsClient, dp: string, specs: IfaceSpec[]): Promise<void> {
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
}

/** ct-set-limits arguments: `default=N` and `zone=Z,limit=N`. */
function parseCtLimits(args: string[]) {
  let defaultLimit: number | undefined;
  const zones: { zone: number; limit: number }[] = [];
  for (const a of args) {
    if (a.startsWith("default=")) {
      defaultLimit = uint(a.slice(8), "default limit");
      continue;
    }
    let zone: number | undefined;
    let limit: number | undefined;
    for (const kv of a.split(",")) {
      const [k, v = ""] = kv.split("=");
      if (!v) throw new UsageError(`field ${k} missing value`);
      if (k === "zone") zone = uint(v, "zone", 0xffff);
      else if (k === "limit") limit = uint(v, "limit");
      else throw new UsageError(`invalid zone limit field: ${k}`);
    }
    if (zone === undefined || limit === undefined) {
      throw new UsageError(`failed to parse zone limit "${a}"`);
    }
    zones.push({ zone, limit });
  }
  return { defaultLimit, zones };
}

/** The DP of a ct-*-limits command (optional), checked to exist as ovs-dpctl does. */
async function ctDatapath(c: DpCall, dp: string | undefined): Promise<void> {
  if (dp) await c.ovs.getDatapath(datapathName(dp));
}

function executeArgs(c: DpCall) {
  const packet = parseHex(c.pos[1]);
  let key: FlowKey = {};
  let actions;
  try {
    const k = c.option("key");
    if (k !== undefined) key = parseFlowKey(k).key;
    actions = parseActions(c.pos[2]);
  } catch (e) {
    if (e instanceof OdpParseError) throw new UsageError(e.message);
    throw e;
  }
  const inPort = c.option("in-port");
  if (inPort !== undefined) key = { ...key, inPort: uint(inPort, "--in-port") };
  return { packet, key, actions };
}

function cacheText(d: Datapath): string {
  return d.masksCacheSize === undefined
    ? ""
    : `  caches:\n    masks-cache: size:${d.masksCacheSize}\n`;
}

function meterId(c: DpCall): number {
  return uint(c.pos[1], "meter id");
}

/** Every command of `nlts dp`: help and dispatch derive from this table. */
const DP: CommandGroup = {
  name: "dp",
  options: {
    statistics: STATISTICS_OPTION,
    json: JSON_OPTION,
    count: { type: "string", value: "N", help: "stop after N events or upcalls" },
    max: { type: "string", value: "N", help: "probe meter ids 0..N-1 (dump-meters)" },
    "in-port": { type: "string", value: "N", help: "the packet's input port (execute)" },
    key: { type: "string", value: "FLOW", help: "the packet's key metadata (execute)" },
    ...FLOW_OPTIONS,
    netns: NETNS_OPTION,
  },
  common: ["json", "netns"],
  sections: [
    {
      title: "Datapaths and ports (as ovs-dpctl; DP is NAME or system@NAME):",
      commands: [
        dp(
          "show [DP...] [-s] [--json]",
          `datapaths with their lookup, mask and cache statistics
and ports; -s adds per-port packet counters`,
          async (c) => {
            const shown: { dp: Datapath; ports: Vport[] }[] = [];
            for (const d of await datapathsOf(c.ovs, c.pos)) {
              shown.push({ dp: d, ports: await c.ovs.dumpVports(d.ifindex) });
            }
            const stats = c.call.values.statistics === true, devices = c.netns === undefined;
            c.print(
              shown.map((x) => showJson(x.dp, x.ports)),
              () => shown.map((x) => formatShow(x.dp, x.ports, stats, devices)).join(""),
            );
          },
          ["statistics"],
        ),
        dp("dump-dps", "names of all datapaths", async (c) => {
          const dps = await datapathsOf(c.ovs, []);
          c.print(dps.map((d) => d.name), () => dps.map((d) => `system@${d.name}\n`).join(""));
        }),
        dp(
          "add-dp DP [IFACE...]",
          "create DP (per-port upcall dispatch), then add-if IFACEs",
          async (c) => {
            const specs = c.pos.slice(1).map((a) => parseIface(a, true)); // usage errors first
            await c.ovs.newDatapath(c.dp);
            await addIfaces(c.ovs, c.dp, specs);
          },
        ),
        dp("del-dp DP", "delete DP with its ports and flows", (c) => c.ovs.delDatapath(c.dp)),
        dp(
          "add-if DP IFACE...",
          `add ports; IFACE is NAME[,type=TYPE][,port_no=N][,OPT=V...]
TYPE: system (default: attach the existing device NAME),
internal, vxlan, geneve, gre, ip6gre, erspan, ip6erspan;
OPT: upcall_pid=PID[:PID...]; tunnels: remote_ip=IP|flow
(required), dst_port=N, exts=gbp, local_ip, key, tos, ttl,
csum, df_default, packet_type (as ovs-dpctl). A tunnel's
device NAME is made through rtnetlink in flow-based mode,
as ovs-vswitchd does, and goes with its port (del-if).
Added devices are brought up, as ovs-dpctl does.`,
          async (c) => {
            const specs = c.pos.slice(1).map((a) => parseIface(a, true));
            await addIfaces(c.ovs, c.dp, specs);
          },
        ),
        dp(
          "set-if DP IFACE...",
          "change options: NAME,dst_port=N / exts=gbp / upcall_pid=...",
          (c) => {
            const specs = c.pos.slice(1).map((a) => parseIface(a));
            return setIfaces(c.ovs, c.dp, specs);
          },
        ),
        dp("del-if DP IFACE...", "remove ports by name or number", async (c) => {
          for (const a of c.pos.slice(1)) {
            await c.ovs.delVport(c.dp, /^\d+$/.test(a) ? Number(a) : a);
          }
        }),
        dp(
          "cache-get-size [DP]",
          "the mask cache size of DP (every datapath without DP)",
          async (c) => {
            const dps = await datapathsOf(c.ovs, c.pos);
            c.print(
              dps.map((d) => ({ name: d.name, masksCacheSize: d.masksCacheSize })),
              () => dps.map((d) => `system@${d.name}:\n${cacheText(d)}`).join(""),
            );
          },
        ),
        dp("cache-set-size DP masks-cache SIZE", "change the mask cache size", async (c) => {
          if (c.pos[1] !== "masks-cache") {
            throw new UsageError(`cache name "${c.pos[1]}" not found on dpif`);
          }
          const d = await c.ovs.setDatapath(c.dp, { masksCacheSize: uint(c.pos[2], "size") });
          c.io.out(`Setting cache size successful, new size ${d.masksCacheSize}\n`);
        }),
      ],
    },
    FLOW_SECTION,
    {
      title:
        "Conntrack limits (per network namespace; DP is accepted and checked, as ovs-dpctl does):",
      commands: [
        dp("ct-set-limits [DP] [default=N] [zone=Z,limit=N]...", "set limits", async (c) => {
          const [dp, rest] = optionalDp(c.pos);
          if (!rest.length) throw new UsageError("too few arguments");
          const limits = parseCtLimits(rest);
          await ctDatapath(c, dp);
          await c.ovs.setCtLimits(limits);
        }),
        dp("ct-get-limits [DP] [zone=Z[,Z...]]", "print limits and counts", async (c) => {
          const [dp, rest] = optionalDp(c.pos);
          if (rest.length > 1) throw new UsageError("too many arguments");
          const zones = rest.length ? parseZoneList(rest[0]) : undefined;
          await ctDatapath(c, dp);
          const l = await c.ovs.getCtLimits(zones);
          c.print(l, () => formatCtLimits(l));
        }),
        dp("ct-del-limits [DP] [default] [zone=Z[,Z...]]...", "remove limits", async (c) => {
          const [dp, rest] = optionalDp(c.pos);
          if (!rest.length) throw new UsageError("too few arguments");
          const zones = rest.filter((a) => a !== "default").flatMap(parseZoneList);
          await ctDatapath(c, dp);
          await c.ovs.delCtLimits(zones, { default: rest.includes("default") });
        }),
      ],
    },
    {
      title: "Meters (nlts extensions; ovs-dpctl has none):",
      commands: [
        dp("meter-features DP", "max meters, max bands, band types", async (c) => {
          const f = await c.ovs.meterFeatures(c.dp);
          c.print(f, () =>
            `max meters: ${f.maxMeters}\nmax bands: ${f.maxBands}\n` +
            `band types: ${f.bandTypes.join(", ")}\n`);
        }),
        dp(
          "add-meter DP ID [kbps|pps] BAND...",
          `create or replace meter ID (default unit pps); BAND is
rate=R[,burst=B][,type=drop] (burst defaults to the rate)`,
          async (c) => {
            const id = meterId(c);
            let bandArgs = c.pos.slice(2);
            const unit = bandArgs[0] === "kbps"
              ? "kbps"
              : bandArgs[0] === "pps" || bandArgs[0] === "pktps"
              ? "pps"
              : undefined;
            if (unit) bandArgs = bandArgs.slice(1);
            if (!bandArgs.length) throw new UsageError("missing band (rate=R)");
            const old = await c.ovs.setMeter(c.dp, { id, unit, bands: bandArgs.map(parseBand) });
            if (old && c.json) c.io.out(toJson(old));
          },
        ),
        dp("get-meter DP ID", "statistics of meter ID", async (c) => {
          const m = await c.ovs.getMeter(c.dp, meterId(c));
          if (m) c.print(m, () => meterText(m));
        }),
        dp("del-meter DP ID", "delete meter ID, print its last statistics", async (c) => {
          const m = await c.ovs.delMeter(c.dp, meterId(c));
          if (m) c.print(m, () => meterText(m));
        }),
        dp(
          "dump-meters DP [--max N]",
          `meters with ids 0..N-1 (default 1024): the kernel has no
meter dump, so each id is probed`,
          async (c) => {
            const m = c.option("max");
            const max = m === undefined ? 1024 : uint(m, "--max");
            const ms = max === 0 ? [] : await c.ovs.dumpMeters(c.dp, { first: 0, last: max - 1 });
            c.print(ms, () => ms.map(meterText).join(""));
          },
          ["max"],
        ),
      ],
    },
    {
      title: "Packets and events (nlts extensions):",
      commands: [
        dp(
          "monitor [DP] [--count N]",
          `print datapath, port and flow notifications (flows as
dump-flows prints them)`,
          (c) => monitor(c, c.pos[0]),
          ["count"],
        ),
        dp(
          "upcalls DP [--count N]",
          `register this process as the upcall receiver of DP's ports
(or CPUs, in per-CPU dispatch mode), print the upcalls,
then restore the previous upcall pids`,
          (c) => upcalls(c, c.dp),
          ["count"],
        ),
        dp(
          "execute DP PACKET_HEX ACTIONS [--in-port N] [--key FLOW]",
          `run ACTIONS (datapath syntax, e.g. "1,2" or
"push_vlan(vid=5,pcp=0),2") on the frame PACKET_HEX (hex;
':', '.' or spaces allowed); FLOW: key metadata such as
"in_port(1),skb_mark(7)"`,
          (c) => c.ovs.execute(c.dp, executeArgs(c)),
          ["in-port", "key"],
        ),
      ],
    },
  ],
};

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
export const dpCommand: Command = (args, io) => runGroup(DP, args, io);
