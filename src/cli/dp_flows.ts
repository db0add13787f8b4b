/**
 * The flow commands of `nlts dp`, with ovs-dpctl's names, arguments and output: add-flow,
 * add-flows, mod-flow, mod-flows, del-flow, del-flows, get-flow, dump-flows. `dump-flows`
 * prints what `ovs-dpctl dump-flows` prints for the same table (with `-m` too), so the two can
 * be diffed. Files of `add-flows`/`mod-flows`/`del-flows` are sent in batches (many requests
 * per system call).
 *
 * The `dp` command group dispatches here: `flowCommands[cmd](rest, io)`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { GenlSocket } from "../genl/family.ts";
import { ERRNO, errnoMessage } from "../protocol/errno.ts";
import { NetlinkError } from "../protocol/errors.ts";
import { datapathName } from "../ovs/common.ts";
import { ovsDatapath } from "../ovs/datapath.ts";
import { type Flow, type FlowOp, FlowTable } from "../ovs/flow.ts";
import { monotonicMs } from "../socket/clock.ts";
import { formatUfid } from "../ovs/flow_attrs.ts";
import { parseFlowFilter } from "../ovs/flow_filter.ts";
import { parseFlowLines } from "../ovs/flow_lines.ts";
import { startProgress } from "./progress.ts";
import {
  formatActions,
  formatFlow,
  formatFlowKey,
  parseActions,
  parseFlowKey,
  type PortNames,
} from "../ovs/odp_text.ts";
import { ovsVport } from "../ovs/vport.ts";
import {
  type CliIO,
  type Command,
  type CommandGroup,
  type CommandSection,
  EXIT,
  JSON_OPTION,
  NETNS_OPTION,
  netnsOf,
  type OptionSpec,
  type OptionValues,
  runGroup,
  STATISTICS_OPTION,
  toJson,
  UsageError,
  wholeNumber,
} from "./common.ts";

/** Options of the flow commands (the `dp` group adds them to its own). */
export const FLOW_OPTIONS: { readonly [name: string]: OptionSpec } = {
  more: { type: "boolean", short: "m", help: "UFIDs, wildcarded fields, dp:ovs, port names" },
  names: { type: "boolean", help: "print port names (get-flow, dump-flows)" },
  "no-names": { type: "boolean", help: "print port numbers, also with -m" },
  clear: { type: "boolean", help: "reset the flow's statistics (mod-flow)" },
  "may-create": { type: "boolean", help: "install the flow when missing (mod-flow)" },
  batch: { type: "string", value: "N", help: "requests per system call (default 128)" },
};

type FlowValues = OptionValues;

/** The only datapath (ovs-dpctl's rule when DP is left out). */
function onlyDatapath(genl: GenlSocket): string {
  const dps = genl.family(ovsDatapath).dumpSync("get", {}, { header: { dpIfindex: 0 } });
  if (dps.length === 0) {
    throw new NetlinkError(ERRNO.ENODEV, {
      operation: "find datapath",
      hint: "no datapaths exist",
    });
  }
  if (dps.length > 1) {
    throw new UsageError(
      `multiple datapaths (${dps.map((d) => d.attrs.name).join(", ")}), specify one`,
    );
  }
  return dps[0].attrs.name ?? "";
}

/** How many flows the datapath holds (its statistics), or undefined when it does not say. */
function flowCount(genl: GenlSocket, dp: string): number | undefined {
  const d = genl.family(ovsDatapath).doSync("get", { name: dp }, { header: { dpIfindex: 0 } });
  const flows = d?.stats?.flows;
  return flows === undefined ? undefined : Number(flows);
}

/** Splits positionals into an optional DP and `n` arguments (the table checked the count). */
function dpAndArgs(genl: GenlSocket, pos: string[], n: number): [string, string[]] {
  if (pos.length > n) return [datapathName(pos[0]), pos.slice(1)];
  return [onlyDatapath(genl), pos];
}

function portNamesOf(genl: GenlSocket, dpIfindex: number): Map<number, string> {
  const out = new Map<number, string>();
  for (
    const m of genl.family(ovsVport).dumpSync("get", {}, { header: { dpIfindex } })
  ) {
    if (m.attrs.portNo !== undefined && m.attrs.name !== undefined) {
      out.set(m.attrs.portNo, m.attrs.name);
    }
  }
  return out;
}

/** ovs-dpctl prints port names with --names, or by default with -m (not with --no-names). */
function namesWanted(values: FlowValues): boolean {
  if (values["no-names"]) return false;
  return values.names === true || values.more === true;
}

/**
 * One flow as `ovs-dpctl dump-flows` prints it; `verbose` is `-m` (UFID, every field, and
 * `dp:ovs`, which every kernel flow has).
 *
 * @example
 * ```ts
 * import { dpctlFlowLine } from "./dp_flows.ts";
 * console.log(dpctlFlowLine({ dpIfindex: 1, key: { inPort: 1 }, mask: { inPort: 0xffffffff }, actions: [] }, 0n, false));
 * // "in_port(1), packets:0, bytes:0, used:never, actions:drop"
 * ```
 */
export function dpctlFlowLine(
  f: Flow,
  now: bigint,
  verbose: boolean,
  portNames?: PortNames,
): string {
  return formatFlow(f, { now, verbose, portNames });
}

/**
 * A flow for `--json`: the typed key, mask and actions, their ovs-dpctl text, the counters.
 *
 * @example
 * ```ts
 * import { flowJson } from "./dp_flows.ts";
 * console.log(flowJson({ dpIfindex: 1, key: { inPort: 1 }, actions: [] }, 0n).flow); // "in_port(1)"
 * ```
 */
export function flowJson(f: Flow, now: bigint): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (f.ufid) o.ufid = formatUfid(f.ufid);
  if (f.key) o.flow = formatFlowKey(f.key, f.mask);
  if (f.actions) o.actionsText = formatActions(f.actions);
  if (f.key) o.key = f.key;
  if (f.mask) o.mask = f.mask;
  if (f.actions) o.actions = f.actions;
  o.packets = f.stats?.packets ?? 0n;
  o.bytes = f.stats?.bytes ?? 0n;
  o.usedMsAgo = f.used ? now - f.used : null;
  if (f.tcpFlags) o.tcpFlags = f.tcpFlags;
  return o;
}

function statsText(f: Flow | undefined, now: bigint): string {
  // ovs-dpctl -s: "packets:N, bytes:N, used:...[, flags:...]", as in a dump line.
  const s = formatFlow({ ...(f ?? {}), key: {}, mask: {}, actions: [] }, { now });
  return s.slice(s.indexOf(", packets:") + 2, s.lastIndexOf(", actions:")) + "\n";
}

/** Writes text in pieces of about 64 KiB (bounded memory for any number of lines). */
class Out {
  #parts: string[] = [];
  #size = 0;
  constructor(readonly io: CliIO) {}
  push(s: string): void {
    this.#parts.push(s);
    this.#size += s.length;
    if (this.#size >= 65536) this.flush();
  }
  flush(): void {
    if (this.#parts.length) this.io.out(this.#parts.join(""));
    this.#parts = [];
    this.#size = 0;
  }
}

function readInput(file: string): string {
  try {
    return readFileSync(file === "-" ? "/dev/stdin" : file, "utf8");
  } catch (e) {
    // Node's message is "ENOENT: no such file or directory, open '...'": say it once, plainly.
    const code = (e as { code?: string }).code;
    const errno = code === undefined ? undefined : ERRNO[code as keyof typeof ERRNO];
    const why = errno === undefined ? (e as Error).message : errnoMessage(errno).toLowerCase();
    throw new UsageError(`cannot read "${file}": ${why}`);
  }
}

function openTable(genl: GenlSocket, dp: string): FlowTable {
  return FlowTable.openSync(dp, genl);
}

async function putFlow(
  cmd: "add-flow" | "mod-flow",
  values: FlowValues,
  pos: string[],
  io: CliIO,
): Promise<number> {
  using genl = GenlSocket.open({ netns: netnsOf(values) });
  const [dp, [flowText, actionsText]] = dpAndArgs(genl, pos, 2);
  const table = openTable(genl, dp);
  const names = portNamesOf(genl, table.dpIfindex);
  const p = parseFlowKey(flowText, { portNames: names });
  const actions = parseActions(actionsText);
  const echo = values.statistics === true;
  let f: Flow | undefined;
  const ufid = p.ufid ? { ufid: p.ufid } : {};
  if (cmd === "add-flow") {
    f = await table.new({ key: p.key, mask: p.mask, actions, ...ufid }, { echo });
  } else if (values["may-create"]) {
    // ovs-dpctl --may-create: a NEW without NLM_F_CREATE (create or modify); --clear then
    // needs a SET as well, since a NEW cannot clear statistics.
    f = await table.new({ key: p.key, mask: p.mask, actions, ...ufid }, {
      echo: echo && !values.clear,
      modify: true,
    });
    if (values.clear) {
      f = await table.set({ key: p.key, mask: p.mask, ...ufid }, { clear: true, echo });
    }
  } else {
    f = await table.set({ key: p.key, mask: p.mask, actions, ...ufid }, {
      clear: values.clear === true,
      echo,
    });
  }
  if (echo) io.out(statsText(f, monotonicMs()));
  return EXIT.OK;
}

async function delFlow(values: FlowValues, pos: string[], io: CliIO): Promise<number> {
  using genl = GenlSocket.open({ netns: netnsOf(values) });
  const [dp, [flowText]] = dpAndArgs(genl, pos, 1);
  const table = openTable(genl, dp);
  const p = parseFlowKey(flowText, { portNames: portNamesOf(genl, table.dpIfindex) });
  const echo = values.statistics === true;
  let f: Flow | undefined;
  try {
    f = await table.del(p.ufid ? { ufid: p.ufid } : { key: p.key }, { echo });
  } catch (e) {
    if (e instanceof NetlinkError && e.code === "ENOENT" && !p.ufid) {
      throw new NetlinkError(e.errno, {
        operation: "ovs_flow.del",
        seq: e.seq,
        extAck: e.extAck,
        hint: "no flow has exactly this key. Perhaps you need to specify a UFID?",
      });
    }
    throw e;
  }
  if (echo) io.out(statsText(f, monotonicMs()));
  return EXIT.OK;
}

async function getFlow(values: FlowValues, pos: string[], io: CliIO): Promise<number> {
  using genl = GenlSocket.open({ netns: netnsOf(values) });
  const [dp, [text]] = dpAndArgs(genl, pos, 1);
  const table = openTable(genl, dp);
  const names = portNamesOf(genl, table.dpIfindex);
  const p = parseFlowKey(text, { portNames: names });
  const f = await table.get(p.ufid ? { ufid: p.ufid } : { key: p.key });
  const now = monotonicMs();
  if (values.json) io.out(toJson(flowJson(f, now)));
  else {
    io.out(
      dpctlFlowLine(f, now, values.more === true, namesWanted(values) ? names : undefined) + "\n",
    );
  }
  return EXIT.OK;
}

function dumpFlows(values: FlowValues, pos: string[], io: CliIO): number {
  let filterText: string | undefined;
  const rest: string[] = [];
  for (const a of pos) {
    if (a.startsWith("filter=") && filterText === undefined) filterText = a.slice(7);
    else if (a.startsWith("type=") || a.startsWith("pmd=")) {
      throw new UsageError(
        `dp dump-flows: "${
          a.split("=")[0]
        }=" is for the userspace datapath (ovs-appctl dpctl/dump-flows)`,
      );
    } else rest.push(a);
  }
  if (rest.length > 1) throw new UsageError("dp dump-flows: too many arguments");
  using genl = GenlSocket.open({ netns: netnsOf(values) });
  const dp = rest.length ? datapathName(rest[0]) : onlyDatapath(genl);
  const table = openTable(genl, dp);
  const verbose = values.more === true;
  const useNames = namesWanted(values);
  const names = useNames || filterText ? portNamesOf(genl, table.dpIfindex) : undefined;
  const filter = filterText === undefined
    ? undefined
    : parseFlowFilter(filterText, { portNames: names ?? new Map() });
  const portNames = useNames ? names : undefined;
  const out = new Out(io);
  const json = values.json === true;
  let first = true;
  if (json) out.push("[");
  const now = monotonicMs();
  // A dump written to a file or a pipe shows its progress on standard error when that is a
  // terminal (flows read of the datapath's count, rate); printed to the terminal, the flows are
  // their own progress.
  const progress = io.outIsTerminal === false
    ? startProgress(io, { unit: "flows", total: flowCount(genl, dp) })
    : undefined;
  let seen = 0;
  try {
    table.dumpSync((f) => {
      if (progress) progress.update(++seen);
      if (filter && !filter.matches(f)) return;
      if (json) {
        out.push(`${first ? "\n" : ",\n"}${toJson(flowJson(f, now), false).trimEnd()}`);
        first = false;
      } else out.push(dpctlFlowLine(f, now, verbose, portNames) + "\n");
    });
  } finally {
    progress?.stop();
  }
  if (json) out.push(first ? "]\n" : "\n]\n");
  out.flush();
  return EXIT.OK;
}

function processFlows(
  cmd: "add-flows" | "mod-flows" | "del-flows",
  values: FlowValues,
  pos: string[],
  io: CliIO,
): number {
  const batch = values.batch;
  const chunk = typeof batch === "string" ? wholeNumber(batch, "--batch") : 128;
  if (chunk < 1 || chunk > 1024) {
    throw new UsageError(`dp ${cmd}: --batch ${batch} is not a whole number 1..1024`);
  }
  // Read the file before any lookup: a file that cannot be read is a usage error.
  const flush = cmd === "del-flows" && pos.length <= 1;
  const text = flush ? "" : readInput(pos[pos.length - 1]);
  using genl = GenlSocket.open({ netns: netnsOf(values) });
  if (flush) {
    // del-flows [DP]: flush (a single argument is a datapath, as in ovs-dpctl).
    const dp = pos.length ? datapathName(pos[0]) : onlyDatapath(genl);
    openTable(genl, dp).flushSync();
    return EXIT.OK;
  }
  const [dp] = dpAndArgs(genl, pos, 1);
  const table = openTable(genl, dp);
  const names = portNamesOf(genl, table.dpIfindex);
  const command = cmd === "add-flows" ? "add" : cmd === "mod-flows" ? "modify" : "delete";
  const lines = parseFlowLines(text, { command, portNames: names });
  let failed = 0;
  const lineOf: number[] = [];
  // Progress on standard error when it is a terminal: flows sent of the file's, rate, errors.
  const progress = startProgress(io, { unit: "flows", total: countFlowLines(text), errors: true });
  const report = (line: string) => progress ? progress.log(line) : io.err(line);
  let parseFailed = 0;
  // Parse errors are reported as they come; good lines go to the batch.
  const ops = (function* (): Generator<FlowOp> {
    for (const l of lines) {
      if (l.error || !l.op) {
        report(`nlts: line ${l.line}: ${l.error?.message ?? "unusable"}\n`);
        parseFailed++;
        continue;
      }
      lineOf.push(l.line);
      yield l.op;
    }
  })();
  let r;
  try {
    r = table.batch(ops, {
      chunk,
      onProgress: progress &&
        ((sent, refused) => progress.update(sent + parseFailed, refused + parseFailed)),
    });
  } finally {
    progress?.stop();
  }
  failed = parseFailed;
  for (const e of r.errors) {
    io.err(`nlts: line ${lineOf[e.index]}: ${e.error.message}\n`);
    failed++;
  }
  return failed ? EXIT.ERROR : EXIT.OK;
}

/**
 * How many lines of a flow file hold a flow (not blank, not only a comment): the total that
 * progress is drawn against. One pass, no parsing.
 */
function countFlowLines(text: string): number {
  let n = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    for (let i = pos; i < nl; i++) {
      const c = text.charCodeAt(i);
      if (c === 35) break; // "#": the rest is a comment
      if (c !== 32 && c !== 9 && c !== 13) {
        n++;
        break;
      }
    }
    pos = nl + 1;
  }
  return n;
}

/** The flow commands: the "Flows" part of the `dp` group's table. */
export const FLOW_SECTION: CommandSection = {
  title: `Flows (as ovs-dpctl; DP may be left out when there is one datapath; FLOW and
ACTIONS in the datapath syntax, FLOW may start with ufid:UUID,):`,
  common: ["netns"],
  commands: [
    {
      name: "add-flow",
      args: "[DP] FLOW ACTIONS",
      help: "install a flow (fails if it exists: EEXIST)",
      options: ["statistics"],
      run: ({ values, positionals, io }) => putFlow("add-flow", values, positionals, io),
    },
    {
      name: "mod-flow",
      args: "[DP] FLOW ACTIONS",
      help: "change a flow's actions; --clear resets its statistics,\n" +
        "--may-create installs it when missing",
      options: ["statistics", "clear", "may-create"],
      run: ({ values, positionals, io }) => putFlow("mod-flow", values, positionals, io),
    },
    {
      name: "del-flow",
      args: "[DP] FLOW|ufid:UUID",
      help: "delete a flow",
      options: ["statistics"],
      run: ({ values, positionals, io }) => delFlow(values, positionals, io),
    },
    {
      name: "get-flow",
      args: "[DP] ufid:UUID|FLOW",
      help: "print one flow",
      options: ["more", "names", "no-names", "json"],
      run: ({ values, positionals, io }) => getFlow(values, positionals, io),
    },
    {
      name: "dump-flows",
      args: "[DP] [filter=F]",
      help: "print every flow (as ovs-dpctl dump-flows); -m adds UFIDs,\n" +
        "wildcarded fields, dp:ovs and port names (--no-names: not);\n" +
        "--names prints port names; --json; F: a filter like\n" +
        '"tcp,nw_dst=10.0.0.0/8,tp_dst=80" or a datapath flow\n' +
        '"in_port(1),eth_type(0x0800)"',
      options: ["more", "names", "no-names", "json"],
      run: ({ values, positionals, io }) => dumpFlows(values, positionals, io),
    },
    {
      name: "add-flows",
      args: "[DP] FILE",
      help: 'install the flows of FILE ("-": stdin), one\n' +
        '"[add|modify|delete] FLOW [ACTIONS]" per line, in batches\n' +
        "(--batch N requests per system call, default 128)",
      options: ["batch"],
      run: ({ values, positionals, io }) => processFlows("add-flows", values, positionals, io),
    },
    {
      name: "mod-flows",
      args: "[DP] FILE",
      help: "the same, lines without a command modify",
      options: ["batch"],
      run: ({ values, positionals, io }) => processFlows("mod-flows", values, positionals, io),
    },
    {
      name: "del-flows",
      args: "[DP] [FILE]",
      help: "delete every flow, or the flows of FILE",
      options: ["batch"],
      run: ({ values, positionals, io }) => processFlows("del-flows", values, positionals, io),
    },
  ],
  notes: "  -s prints the statistics of the flow that add-flow, mod-flow or del-flow changed.\n",
};

/**
 * The flow commands by name, each taking the arguments after its name (as `nlts dp NAME ...`
 * runs them).
 *
 * @example
 * ```ts
 * import { flowCommands } from "./dp_flows.ts";
 * const io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s), signal: new AbortController().signal };
 * await flowCommands["dump-flows"](["dp0", "-m"], io);
 * ```
 */
export const flowCommands: Readonly<Record<string, Command>> = Object.fromEntries(
  FLOW_SECTION.commands.map((c) => {
    const group: CommandGroup = {
      name: "dp",
      sections: [FLOW_SECTION],
      options: {
        ...FLOW_OPTIONS,
        statistics: STATISTICS_OPTION,
        json: JSON_OPTION,
        netns: NETNS_OPTION,
      },
      common: [],
    };
    return [c.name, (args: string[], io: CliIO) => runGroup(group, [c.name, ...args], io)];
  }),
);
