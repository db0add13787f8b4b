/**
 * `nlts genl`: list generic netlink families, show one, print its policy, monitor notifications.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type AttrPolicy,
  Controller,
  type FamilyDescription,
  type FamilyPolicy,
} from "../genl/controller.ts";
import { familySpecFor } from "../genl/registry.ts";
import { GENL_HDRLEN } from "../genl/header.ts";
import { NETLINK } from "../protocol/constants.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import { type CliIO, type Command, EXIT, toJson, UsageError } from "./common.ts";

const USAGE = `Usage: nlts genl <command> [options]

Commands:
  list [--json]                       every family: id, version, ops and their flags, groups
  show NAME|ID [--json]               one family
  policy NAME|ID [--op CMD] [--json]  attribute policies (CTRL_CMD_GETPOLICY)
  monitor [FAMILY...] [--json] [--count N]
                                      print notifications of the families' multicast groups
                                      (all families with groups when none is named) until
                                      Ctrl-C or N were printed

Options:
  --json        machine-readable output (numbers as JSON numbers)
  --netns NAME  run in network namespace NAME (/run/netns/NAME) or at an absolute path
  -h, --help    this text
`;

const FLAG_TEXT: Record<string, string> = {
  adminPerm: "requires admin permission",
  cmdCapDo: "can doit",
  cmdCapDump: "can dumpit",
  cmdCapHaspol: "has policy",
  unsAdminPerm: "requires namespace admin permission",
};
const FLAG_BITS: Record<string, number> = {
  adminPerm: 1,
  cmdCapDo: 2,
  cmdCapDump: 4,
  cmdCapHaspol: 8,
  unsAdminPerm: 16,
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Text like iproute2's `genl ctrl list`. */
export function formatFamily(f: FamilyDescription): string {
  let s = `\nName: ${f.name}\n`;
  s += `\tID: ${hex(f.id)}  Version: ${
    hex(f.version)
  }  header size: ${f.hdrsize}  max attribs: ${f.maxattr} \n`;
  if (f.ops.length) {
    s += `\tcommands supported: \n`;
    f.ops.forEach((o, i) => {
      s += `\t\t#${i + 1}:  ID-${hex(o.id)} \n`;
      const mask = o.flags.reduce<number>(
        (m, x) => m | (typeof x === "number" ? x : FLAG_BITS[x] ?? 0),
        0,
      );
      if (mask) {
        const words = o.flags.map((x) => typeof x === "number" ? hex(x) : FLAG_TEXT[x] ?? x);
        s += `\t\tCapabilities (${hex(mask)}):\n \t\t  ${words.join("; ")}\n`;
      }
      s += "\n";
    });
  }
  if (f.groups.length) {
    s += `\n\tmulticast groups:\n`;
    f.groups.forEach((g, i) => {
      s += `\t\t#${i + 1}:  ID-${hex(g.id)}  name: ${g.name} \n`;
    });
    s += "\n";
  }
  return s;
}

function familyJson(f: FamilyDescription): unknown {
  return {
    id: f.id,
    name: f.name,
    version: f.version,
    hdrsize: f.hdrsize,
    maxattr: f.maxattr,
    ops: f.ops.map((o) => ({ id: o.id, flags: o.flags })),
    groups: f.groups.map((g) => ({ id: g.id, name: g.name })),
  };
}

function policyLine(p: AttrPolicy): string {
  const parts = [`attr ${p.attr}: ${typeof p.type === "number" ? `type ${p.type}` : p.type}`];
  if (p.minValueS !== undefined || p.maxValueS !== undefined) {
    parts.push(`range ${p.minValueS ?? ""}..${p.maxValueS ?? ""}`);
  }
  if (p.minValueU !== undefined || p.maxValueU !== undefined) {
    parts.push(`range ${p.minValueU ?? ""}..${p.maxValueU ?? ""}`);
  }
  if (p.minLength !== undefined) parts.push(`min len ${p.minLength}`);
  if (p.maxLength !== undefined) parts.push(`max len ${p.maxLength}`);
  if (p.policyIdx !== undefined) {
    parts.push(
      `policy ${p.policyIdx}${p.policyMaxtype !== undefined ? ` maxattr ${p.policyMaxtype}` : ""}`,
    );
  }
  if (p.bitfield32Mask !== undefined) parts.push(`mask ${hex(p.bitfield32Mask)}`);
  if (p.mask !== undefined) parts.push(`mask 0x${p.mask.toString(16)}`);
  return parts.join(", ");
}

function formatPolicy(p: FamilyPolicy): string {
  let s = `Family: ${p.family}\n`;
  if (p.ops.size) {
    s += "Operations:\n";
    for (const [cmd, o] of [...p.ops].sort((a, b) => a[0] - b[0])) {
      const uses = [
        o.do !== undefined ? `do: policy ${o.do}` : "",
        o.dump !== undefined ? `dump: policy ${o.dump}` : "",
      ].filter(Boolean).join(", ");
      s += `  cmd ${cmd}: ${uses || "no policy"}\n`;
    }
  }
  for (const [idx, attrs] of [...p.policies].sort((a, b) => a[0] - b[0])) {
    s += `Policy ${idx}:\n`;
    for (const a of attrs) s += `  ${policyLine(a)}\n`;
  }
  return s;
}

function policyJson(p: FamilyPolicy): unknown {
  return {
    family: p.family,
    ops: [...p.ops].sort((a, b) => a[0] - b[0]).map(([cmd, o]) => ({ cmd, ...o })),
    policies: [...p.policies].sort((a, b) => a[0] - b[0]).map(([index, attrs]) => ({
      index,
      attrs,
    })),
  };
}

function parseFamilyArg(s: string | undefined, what: string): string | number {
  if (s === undefined) throw new UsageError(`genl ${what}: missing family NAME or ID`);
  return /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : s;
}

function parse(args: string[], cmd: string, allowed: readonly ("op" | "count")[] = []) {
  const r = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      netns: { type: "string" },
      help: { type: "boolean", short: "h" },
      op: { type: "string" },
      count: { type: "string" },
    },
  });
  for (const k of ["op", "count"] as const) {
    if (r.values[k] !== undefined && !allowed.includes(k)) {
      throw new UsageError(`genl ${cmd} has no option --${k}`);
    }
  }
  return r;
}

async function monitor(
  names: string[],
  json: boolean,
  count: number,
  netns: string | undefined,
  io: CliIO,
): Promise<number> {
  using ctrl = Controller.open({ netns });
  const families = ctrl.listFamiliesSync();
  const chosen = names.length
    ? names.map((n) => {
      const f = families.find((x) => x.name === n || String(x.id) === n);
      if (!f) throw new UsageError(`genl monitor: the kernel has no family "${n}"`);
      return f;
    })
    : families.filter((f) => f.groups.length > 0);
  using sock = NetlinkSocket.open(NETLINK.GENERIC, { netns, name: "genl-monitor" });
  const byId = new Map<number, FamilyDescription>();
  const groupName = new Map<number, string>();
  for (const f of chosen) {
    if (!f.groups.length && names.length) {
      throw new UsageError(`genl monitor: family ${f.name} has no multicast groups`);
    }
    byId.set(f.id, f);
    for (const g of f.groups) {
      try {
        sock.joinGroup(g.id);
        groupName.set(g.id, `${f.name}/${g.name}`);
      } catch (e) {
        io.err(`nlts: cannot join ${f.name}/${g.name}: ${(e as Error).message}\n`);
      }
    }
  }
  io.err(`monitoring ${[...groupName.values()].join(", ")}\n`);
  let printed = 0;
  if (count === 0) return EXIT.OK;
  for await (const m of sock.messages({ signal: io.signal })) {
    const f = byId.get(m.type);
    if (!f) continue;
    const spec = familySpecFor(f.name, f.version);
    const cmd = m.payload[0];
    const event = Object.entries(spec.events ?? {}).find(([, e]) => e.cmd === cmd)?.[0] ??
      `cmd-${cmd}`;
    let off = GENL_HDRLEN;
    let header: unknown;
    if (spec.header) {
      header = spec.header.decodeAt(m.payload, off);
      off += (spec.header.size + 3) & ~3;
    }
    const set = Object.values(spec.events ?? {}).find((e) => e.cmd === cmd)?.attrs ?? spec.attrs;
    const attrs = set.decode(m.payload, Math.min(off, m.payload.length), m.payload.length);
    if (json) {
      io.out(toJson({ family: f.name, event, cmd, ...(header ? { header } : {}), attrs }, false));
    } else {
      io.out(
        `[${f.name}] ${event}${header ? ` ${toJson(header, false).trim()}` : ""} ${
          toJson(attrs, false).trim()
        }\n`,
      );
    }
    if (++printed >= count) break;
  }
  return EXIT.OK;
}

/**
 * The `nlts genl` command group.
 *
 * @example
 * ```ts
 * import { genlCommand } from "./genl.ts";
 * await genlCommand(["list", "--json"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const genlCommand: Command = async (args, io) => {
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    (cmd === undefined ? io.err : io.out)(USAGE);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  switch (cmd) {
    case "list": {
      const { values, positionals } = parse(rest, "list");
      if (values.help) return io.out(USAGE), EXIT.OK;
      if (positionals.length) throw new UsageError(`genl list takes no arguments`);
      using ctrl = Controller.open({ netns: values.netns });
      const fams = await ctrl.listFamilies();
      io.out(values.json ? toJson(fams.map(familyJson)) : fams.map(formatFamily).join(""));
      return EXIT.OK;
    }
    case "show": {
      const { values, positionals } = parse(rest, "show");
      if (values.help) return io.out(USAGE), EXIT.OK;
      if (positionals.length > 1) throw new UsageError(`genl show takes one family`);
      using ctrl = Controller.open({ netns: values.netns });
      const f = await ctrl.getFamily(parseFamilyArg(positionals[0], "show"));
      io.out(values.json ? toJson(familyJson(f)) : formatFamily(f));
      return EXIT.OK;
    }
    case "policy": {
      const { values, positionals } = parse(rest, "policy", ["op"]);
      if (values.help) return io.out(USAGE), EXIT.OK;
      if (positionals.length > 1) throw new UsageError(`genl policy takes one family`);
      let op: number | undefined;
      if (values.op !== undefined) {
        op = Number(values.op);
        if (!Number.isInteger(op) || op < 0 || op > 255) {
          throw new UsageError(`genl policy: --op ${values.op} is not a command number 0..255`);
        }
      }
      using ctrl = Controller.open({ netns: values.netns });
      const p = await ctrl.getPolicy(parseFamilyArg(positionals[0], "policy"), { op });
      io.out(values.json ? toJson(policyJson(p)) : formatPolicy(p));
      return EXIT.OK;
    }
    case "monitor": {
      const { values, positionals } = parse(rest, "monitor", ["count"]);
      if (values.help) return io.out(USAGE), EXIT.OK;
      let count = Infinity;
      if (values.count !== undefined) {
        count = Number(values.count);
        if (!Number.isInteger(count) || count < 0) {
          throw new UsageError(`genl monitor: --count ${values.count} is not a whole number`);
        }
      }
      return await monitor(positionals, values.json ?? false, count, values.netns, io);
    }
    default:
      throw new UsageError(`genl: unknown command "${cmd}"\n${USAGE}`);
  }
};
