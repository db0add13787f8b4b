/**
 * `nlts genl`: list generic netlink families, show one, print its policy, monitor notifications.
 *
 * @module
 */

import {
  type AttrPolicy,
  Controller,
  type FamilyDescription,
  type FamilyPolicy,
} from "../genl/controller.ts";
import { familySpecFor } from "../genl/registry.ts";
import { GenlCodec } from "../genl/_internal.ts";
import { NETLINK } from "../protocol/constants.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import {
  type CliIO,
  type Command,
  type CommandGroup,
  EXIT,
  JSON_OPTION,
  NETNS_OPTION,
  netnsOf,
  runGroup,
  toJson,
  UsageError,
  wholeNumber,
} from "./common.ts";

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

function familyArg(s: string): string | number {
  return /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : s;
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
    const codec = GenlCodec.of(spec);
    const { cmd, header: h, attrs } = codec.decode(m.payload, 0, m.payload.length);
    const event = codec.event(cmd)[0];
    const header = spec.header ? h : undefined;
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

/** Every command of `nlts genl`: help and dispatch derive from this table. */
const GENL: CommandGroup = {
  name: "genl",
  options: {
    json: JSON_OPTION,
    netns: NETNS_OPTION,
    op: { type: "string", value: "CMD", help: "one command's policy only (policy)" },
    count: { type: "string", value: "N", help: "stop after N notifications (monitor)" },
  },
  common: ["json", "netns"],
  sections: [{
    title: "Commands:",
    commands: [
      {
        name: "list",
        args: "[--json]",
        help: "every family: id, version, ops and their flags, groups",
        run: async ({ values, io }) => {
          using ctrl = Controller.open({ netns: netnsOf(values) });
          const fams = await ctrl.listFamilies();
          io.out(values.json ? toJson(fams.map(familyJson)) : fams.map(formatFamily).join(""));
          return EXIT.OK;
        },
      },
      {
        name: "show",
        args: "NAME|ID [--json]",
        help: "one family",
        run: async ({ values, positionals, io }) => {
          using ctrl = Controller.open({ netns: netnsOf(values) });
          const f = await ctrl.getFamily(familyArg(positionals[0]));
          io.out(values.json ? toJson(familyJson(f)) : formatFamily(f));
          return EXIT.OK;
        },
      },
      {
        name: "policy",
        args: "NAME|ID [--op CMD] [--json]",
        help: "attribute policies (CTRL_CMD_GETPOLICY)",
        options: ["op"],
        run: async ({ values, positionals, io }) => {
          const op = typeof values.op === "string"
            ? wholeNumber(values.op, "--op", 255)
            : undefined;
          using ctrl = Controller.open({ netns: netnsOf(values) });
          const p = await ctrl.getPolicy(familyArg(positionals[0]), { op });
          io.out(values.json ? toJson(policyJson(p)) : formatPolicy(p));
          return EXIT.OK;
        },
      },
      {
        name: "monitor",
        args: "[FAMILY...] [--json] [--count N]",
        help: "print notifications of the families' multicast groups\n" +
          "(all families with groups when none is named) until\n" +
          "Ctrl-C or N were printed",
        options: ["count"],
        run: ({ values, positionals, io }) => {
          const count = typeof values.count === "string"
            ? wholeNumber(values.count, "--count", Number.MAX_SAFE_INTEGER)
            : Infinity;
          return monitor(positionals, values.json === true, count, netnsOf(values), io);
        },
      },
    ],
  }],
};

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
export const genlCommand: Command = (args, io) => runGroup(GENL, args, io);
