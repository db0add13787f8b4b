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
import { GenlCodec } from "../genl/_internal.ts";
import type { AnySet, FamilySpec } from "../genl/family.ts";
import { attrSet } from "../protocol/schema_attrs.ts";
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
import { knownFamily, nestedSet, opFor, opNames } from "./families.ts";

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

/** Text like iproute2's `genl ctrl list`, with each command's name where nlts knows it. */
export function formatFamily(f: FamilyDescription, spec?: FamilySpec): string {
  let s = `\nName: ${f.name}\n`;
  s += `\tID: ${hex(f.id)}  Version: ${
    hex(f.version)
  }  header size: ${f.hdrsize}  max attribs: ${f.maxattr} \n`;
  if (f.ops.length) {
    s += `\tcommands supported: \n`;
    f.ops.forEach((o, i) => {
      const names = spec ? opNames(spec, o.id) : [];
      s += `\t\t#${i + 1}:  ID-${hex(o.id)} ${names.length ? ` ${names.join(", ")} ` : ""}\n`;
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

function familyJson(f: FamilyDescription, spec?: FamilySpec): unknown {
  return {
    id: f.id,
    name: f.name,
    version: f.version,
    hdrsize: f.hdrsize,
    maxattr: f.maxattr,
    ops: f.ops.map((o) => {
      const names = spec ? opNames(spec, o.id) : [];
      return { id: o.id, ...(names.length ? { name: names.join(",") } : {}), flags: o.flags };
    }),
    groups: f.groups.map((g) => ({ id: g.id, name: g.name })),
  };
}

/** The policy's attribute sets: which set of the description each policy index validates. */
function policySets(p: FamilyPolicy, spec: FamilySpec | undefined): Map<number, AnySet> {
  const sets = new Map<number, AnySet>();
  if (!spec) return sets;
  const queue: number[] = [];
  for (const [cmd, o] of p.ops) {
    for (const mode of ["do", "dump"] as const) {
      const idx = o[mode];
      const op = opFor(spec, cmd, mode);
      if (idx === undefined || !op || sets.has(idx)) continue;
      sets.set(idx, op[1].request ?? spec.attrs);
      queue.push(idx);
    }
  }
  while (queue.length > 0) {
    const idx = queue.shift()!;
    const set = sets.get(idx)!;
    for (const a of p.policies.get(idx) ?? []) {
      if (a.policyIdx === undefined || sets.has(a.policyIdx)) continue;
      const inner = nestedSet(set.field(a.attr)?.codec);
      if (inner === undefined) continue;
      sets.set(a.policyIdx, inner);
      queue.push(a.policyIdx);
    }
  }
  return sets;
}

/** A policy with the names the description gives its operations, sets and attributes. */
interface NamedPolicy {
  policy: FamilyPolicy;
  sets: Map<number, AnySet>;
  spec: FamilySpec | undefined;
}

function policyLine(p: AttrPolicy, set: AnySet | undefined): string {
  const name = set?.nameOf(p.attr);
  const parts = [
    `attr ${p.attr}${name ? ` (${name})` : ""}: ${
      typeof p.type === "number" ? `type ${p.type}` : p.type
    }`,
  ];
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

function formatPolicy({ policy: p, sets, spec }: NamedPolicy): string {
  let s = `Family: ${p.family}\n`;
  if (p.ops.size) {
    s += "Operations:\n";
    for (const [cmd, o] of [...p.ops].sort((a, b) => a[0] - b[0])) {
      const uses = [
        o.do !== undefined ? `do: policy ${o.do}` : "",
        o.dump !== undefined ? `dump: policy ${o.dump}` : "",
      ].filter(Boolean).join(", ");
      const names = spec ? opNames(spec, cmd) : [];
      s += `  cmd ${cmd}${names.length ? ` (${names.join(", ")})` : ""}: ${uses || "no policy"}\n`;
    }
  }
  for (const [idx, attrs] of [...p.policies].sort((a, b) => a[0] - b[0])) {
    const set = sets.get(idx);
    s += `Policy ${idx}${set ? ` (${set.name})` : ""}:\n`;
    for (const a of attrs) s += `  ${policyLine(a, set)}\n`;
  }
  return s;
}

function policyJson({ policy: p, sets, spec }: NamedPolicy): unknown {
  return {
    family: p.family,
    ops: [...p.ops].sort((a, b) => a[0] - b[0]).map(([cmd, o]) => {
      const names = spec ? opNames(spec, cmd) : [];
      return { cmd, ...(names.length ? { name: names.join(",") } : {}), ...o };
    }),
    policies: [...p.policies].sort((a, b) => a[0] - b[0]).map(([index, attrs]) => {
      const set = sets.get(index);
      return {
        index,
        ...(set ? { set: set.name } : {}),
        attrs: attrs.map((a) => {
          const name = set?.nameOf(a.attr);
          if (!name) return a;
          const { attr, ...rest } = a;
          return { attr, name, ...rest }; // the name right after the number
        }),
      };
    }),
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
  // What nlts knows of each family (its own description, a generated one, the host's YNL spec).
  const specs = new Map<number, FamilySpec>();
  for (const f of chosen) {
    specs.set(
      f.id,
      (await knownFamily(f.name))?.spec ?? {
        name: f.name,
        version: f.version,
        attrs: attrSet(f.name, {}),
        operations: {},
      },
    );
  }
  io.err(`monitoring ${[...groupName.values()].join(", ")}\n`);
  let printed = 0;
  if (count === 0) return EXIT.OK;
  for await (const m of sock.messages({ signal: io.signal })) {
    const f = byId.get(m.type);
    if (!f) continue;
    const spec = specs.get(f.id)!;
    const codec = GenlCodec.of(spec);
    const { cmd, header: h, attrs } = codec.decode(m.payload, 0, m.payload.length);
    const event = codec.received(cmd)[0];
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
          const specs = await Promise.all(fams.map(async (f) => (await knownFamily(f.name))?.spec));
          io.out(
            values.json
              ? toJson(fams.map((f, i) => familyJson(f, specs[i])))
              : fams.map((f, i) => formatFamily(f, specs[i])).join(""),
          );
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
          const spec = (await knownFamily(f.name))?.spec;
          io.out(values.json ? toJson(familyJson(f, spec)) : formatFamily(f, spec));
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
          const policy = await ctrl.getPolicy(familyArg(positionals[0]), { op });
          const spec = (await knownFamily(policy.family))?.spec;
          const named = { policy, spec, sets: policySets(policy, spec) };
          io.out(values.json ? toJson(policyJson(named)) : formatPolicy(named));
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
