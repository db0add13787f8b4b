/**
 * `nlts ynl`: any family the kernel's YNL specs describe, from the command line, as the
 * kernel's own `tools/net/ynl/cli.py` does it (same JSON in and out): `--spec NAME|PATH` with
 * `--do OP`, `--dump OP`, `--subscribe GROUP` or `--list-ops`; `specs` lists the installed
 * specs; `gen` writes a family's typed module.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { NLM_F_NEW } from "../protocol/constants.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { GenlSocket } from "../genl/family.ts";
import { listSpecs, type SpecSourceOptions } from "../ynl/load.ts";
import { type GenlSpecFamily, loadSpec, type RawSpecFamily, readSpecSource } from "../ynl/spec.ts";
import { generateModule } from "../ynl/gen.ts";
import { YnlJson, ynlJsonText } from "../ynl/json.ts";
import { RawFamily, type RawNotification } from "../ynl/raw_family.ts";
import {
  type CliIO,
  type Command,
  type CommandGroup,
  EXIT,
  NETNS_OPTION,
  netnsOf,
  type OptionValues,
  runGroup,
  toJson,
  UsageError,
  wholeNumber,
} from "./common.ts";

/** `--dir DIR`: where specs are looked up by name, before NLTS_YNL_SPECS and linux-doc. */
function sourceOptions(values: OptionValues): SpecSourceOptions {
  const d = values.dir;
  return typeof d === "string" ? { dirs: d.split(":").filter((x) => x !== "") } : {};
}

type Obj = Record<string, unknown>;

/** The modes of an operation as the kernel CLI lists them. */
function modesOf(op: { do?: unknown; dump?: unknown; notify?: unknown; event?: unknown }): string {
  return (["do", "dump", "event", "notify"] as const).filter((m) => op[m] !== undefined).join(", ");
}

/** One request of `--do` or `--dump`, printed as the kernel CLI prints it. */
async function call(values: OptionValues, io: CliIO): Promise<number> {
  const specArg = values.spec;
  if (typeof specArg !== "string") throw new UsageError("missing --spec NAME|PATH");
  const modes = ["do", "dump", "subscribe", "list-ops"].filter((m) => values[m] !== undefined);
  if (modes.length !== 1 && !(modes.length === 2 && modes.includes("subscribe"))) {
    throw new UsageError("give one of --do OP, --dump OP, --subscribe GROUP and --list-ops");
  }
  const fam = loadSpec(specArg, sourceOptions(values));
  const model = fam.ynl.model;
  if (values["list-ops"]) {
    // as the kernel CLI lists them: requests (not notifications) that name an attribute set
    for (const op of model.ops) {
      if (op.notify !== undefined || op.event !== undefined || op.attrSet === undefined) continue;
      io.out(`${op.name}  [ ${modesOf(op)} ]\n`);
    }
    return EXIT.OK;
  }
  let input: Obj = {};
  if (typeof values.json === "string") {
    try {
      input = JSON.parse(values.json);
    } catch (e) {
      throw new UsageError(`--json: ${(e as Error).message}`);
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new UsageError("--json: expected an object of attributes");
    }
  }
  let flags = 0;
  if (values.create) flags |= NLM_F_NEW.CREATE;
  if (values.excl) flags |= NLM_F_NEW.EXCL;
  if (values.replace) flags |= NLM_F_NEW.REPLACE;
  if (values.append) flags |= NLM_F_NEW.APPEND;
  const json = new YnlJson(model);
  const netns = netnsOf(values);
  const count = typeof values.count === "string"
    ? wholeNumber(values.count, "--count", Number.MAX_SAFE_INTEGER)
    : Infinity;
  if (fam.kind === "raw") return await callRaw(fam, json, values, input, flags, netns, count, io);
  return await callGenl(fam, json, values, input, flags, netns, count, io);
}

/** The operation of `--do`/`--dump`, its request checked against the spec before sending. */
function prepare(
  fam: GenlSpecFamily | RawSpecFamily,
  json: YnlJson,
  opName: string,
  mode: "do" | "dump",
  input: Obj,
): { attrs: Obj; header?: Obj; reply: string; headerStruct?: string } {
  const op = fam.ynl.model.ops.find((o) => o.name === opName);
  if (op === undefined || op[mode] === undefined) {
    const ok = fam.ynl.model.ops.filter((o) => o[mode] !== undefined).map((o) => o.name);
    throw new UsageError(
      `${fam.name} has no ${mode} operation "${opName}" (${mode}: ${ok.join(", ") || "none"})`,
    );
  }
  const headerStruct = op.fixedHeader ?? fam.ynl.model.fixedHeader;
  let req: { attrs: Obj; header?: Obj };
  try {
    req = json.toRequest(op.attrSet!, input, headerStruct);
    const set = fam.operations[opName].request;
    set.encode(new NetlinkWriter(), req.attrs as never);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  return { ...req, reply: op.attrSet!, ...(headerStruct ? { headerStruct } : {}) };
}

function printReplies(
  io: CliIO,
  dump: boolean,
  rows: Obj[],
): void {
  // as the kernel CLI: a dump is a list; a do is its reply, null without one, a list with more
  const v = dump ? rows : rows.length === 0 ? null : rows.length === 1 ? rows[0] : rows;
  io.out(`${ynlJsonText(v)}\n`);
}

async function callGenl(
  fam: GenlSpecFamily,
  json: YnlJson,
  values: OptionValues,
  input: Obj,
  flags: number,
  netns: string | undefined,
  count: number,
  io: CliIO,
): Promise<number> {
  using genl = GenlSocket.open({ netns });
  const client = genl.family(fam);
  const mode = typeof values.do === "string"
    ? "do"
    : typeof values.dump === "string"
    ? "dump"
    : undefined;
  if (typeof values.subscribe === "string") {
    const sub = client.subscribe([values.subscribe], { signal: io.signal });
    try {
      if (mode !== undefined) await runRequest(fam, client, json, mode, values, input, flags, io);
      let n = 0;
      if (count > 0) {
        for await (const m of sub) {
          const e = fam.ynl.model.ops.find((o) => o.name === m.event);
          const set = e?.attrSet ?? fam.ynl.model.ops.find((o) => o.name === e?.notify)?.attrSet;
          const msg = set === undefined ? {} : json.fromMessage(
            set,
            m.attrs as Obj,
            fam.ynl.model.fixedHeader,
            m.header as Obj,
          );
          io.out(`${ynlJsonText({ name: m.event, msg })}\n`);
          if (++n >= count) break;
        }
      }
    } finally {
      sub.close();
    }
    return EXIT.OK;
  }
  await runRequest(fam, client, json, mode!, values, input, flags, io);
  return EXIT.OK;
}

async function callRaw(
  fam: RawSpecFamily,
  json: YnlJson,
  values: OptionValues,
  input: Obj,
  flags: number,
  netns: string | undefined,
  count: number,
  io: CliIO,
): Promise<number> {
  using client = RawFamily.open(fam, { netns });
  const mode = typeof values.do === "string"
    ? "do"
    : typeof values.dump === "string"
    ? "dump"
    : undefined;
  if (typeof values.subscribe === "string") {
    const ac = new AbortController();
    const stop = () => ac.abort();
    io.signal.addEventListener("abort", stop);
    const sub = client.subscribe([values.subscribe], { signal: ac.signal });
    try {
      const first = sub.next(); // joined before the request goes out
      if (mode !== undefined) await runRequest(fam, client, json, mode, values, input, flags, io);
      let n = 0;
      let next = first;
      while (n < count) {
        const r = await next;
        if (r.done) break;
        const m = r.value as RawNotification; // (narrowed by done only under strictNullChecks)
        const e = fam.ynl.model.ops.find((o) => o.name === m.event);
        const set = e?.attrSet ?? fam.ynl.model.ops.find((o) => o.name === e?.notify)?.attrSet;
        const msg = set === undefined
          ? {}
          : json.fromMessage(set, m.attrs, e?.fixedHeader, m.header);
        io.out(`${ynlJsonText({ name: m.event, msg })}\n`);
        if (++n < count) next = sub.next();
      }
    } finally {
      io.signal.removeEventListener("abort", stop);
      ac.abort();
      await sub.return(undefined);
    }
    return EXIT.OK;
  }
  await runRequest(fam, client, json, mode!, values, input, flags, io);
  return EXIT.OK;
}

/** What `--do`/`--dump` need of a client: the genl one and the netlink-raw one both have it. */
interface RequestClient {
  dumpSync(op: string, attrs: never, options: object): { attrs: unknown; header?: unknown }[];
  request(op: string, attrs: never, options: object): Promise<
    { attrs: unknown; header?: unknown }[]
  >;
}

/** The `--do`/`--dump` request, over either kind of family, its replies printed. */
async function runRequest(
  fam: GenlSpecFamily | RawSpecFamily,
  client: RequestClient,
  json: YnlJson,
  mode: "do" | "dump",
  values: OptionValues,
  input: Obj,
  flags: number,
  io: CliIO,
): Promise<void> {
  const opName = values[mode] as string;
  const p = prepare(fam, json, opName, mode, input);
  const options = { ...(p.header ? { header: p.header } : {}), ...(flags ? { flags } : {}) };
  const msgs = mode === "dump"
    ? client.dumpSync(opName, p.attrs as never, options)
    : await client.request(opName, p.attrs as never, options);
  const rows = msgs.map((m) =>
    json.fromMessage(p.reply, m.attrs as Obj, p.headerStruct, m.header as Obj | undefined)
  );
  printReplies(io, mode === "dump", rows);
}

const FLAGS = ["create", "excl", "replace", "append"];

/** Every command of `nlts ynl`: help and dispatch derive from this table. */
export const YNL: CommandGroup = {
  name: "ynl",
  options: {
    spec: { type: "string", value: "NAME|PATH", help: "the family's spec: a name or a file" },
    do: { type: "string", value: "OP", help: "a do request of operation OP" },
    dump: { type: "string", value: "OP", help: "a dump of operation OP" },
    subscribe: { type: "string", value: "GROUP", help: "print the notifications of GROUP" },
    "list-ops": { type: "boolean", help: "the spec's operations and their modes" },
    json: {
      type: "string",
      value: "J",
      help: "request attributes as JSON (specs: machine-readable output)",
    },
    count: { type: "string", value: "N", help: "stop after N notifications (--subscribe)" },
    netns: NETNS_OPTION,
    create: { type: "boolean", help: "NLM_F_CREATE on the request" },
    excl: { type: "boolean", help: "NLM_F_EXCL on the request" },
    replace: { type: "boolean", help: "NLM_F_REPLACE on the request" },
    append: { type: "boolean", help: "NLM_F_APPEND on the request" },
    dir: {
      type: "string",
      value: "DIR[:DIR...]",
      help: "look specs up by name here first (then NLTS_YNL_SPECS, then linux-doc)",
    },
    output: { type: "string", short: "o", value: "FILE", help: "write to FILE (gen)" },
    kernel: {
      type: "string",
      value: "VERSION",
      help: "the kernel version the spec belongs to, named in the module's header (gen)",
    },
  },
  common: ["dir"],
  sections: [{
    title: "Requests, as the kernel's tools/net/ynl/cli.py makes them (the same JSON in and out):",
    commands: [{
      name: "call",
      args: "[--spec NAME|PATH] [--do OP|--dump OP|--subscribe GROUP|--list-ops] [--json J]",
      help: "run OP of the family SPEC describes (`call` may be left out:\n" +
        "`nlts ynl --spec netdev --dump dev-get`); --json gives its\n" +
        "attributes and fixed header members by their YNL names;\n" +
        "--subscribe prints notifications, one JSON object a line,\n" +
        "until Ctrl-C or --count N",
      options: ["spec", "do", "dump", "subscribe", "list-ops", "json", "count", "netns", ...FLAGS],
      run: ({ values, io }) => call(values, io),
    }],
  }, {
    title: "Specs (SPEC: a family name such as rt-link, or a path to a .yaml or .yaml.gz):",
    commands: [
      {
        name: "specs",
        args: "[--json]",
        help: "the specs installed: name, schema (genetlink, netlink-raw...), file",
        options: ["json"],
        run: ({ values, io }) => {
          const rows = listSpecs(sourceOptions(values)).map((s) => {
            let protocol = "unreadable";
            try {
              const { doc } = readSpecSource(s.path);
              protocol = String((doc as { protocol?: unknown }).protocol ?? "genetlink");
            } catch {
              // listed anyway: `nlts ynl gen` on it says what is wrong
            }
            return { name: s.name, protocol, path: s.path };
          });
          if (values.json) io.out(toJson(rows));
          else {
            const w = Math.max(4, ...rows.map((r) => r.name.length)) + 2;
            for (const r of rows) io.out(`${r.name.padEnd(w)}${r.protocol.padEnd(18)}${r.path}\n`);
          }
          return EXIT.OK;
        },
      },
      {
        name: "gen",
        args: "SPEC [-o FILE] [--kernel VERSION]",
        help: "print (or write) the typed TypeScript module of a family",
        options: ["output", "kernel"],
        run: ({ values, positionals, io }) => {
          const text = generateModule(positionals[0], {
            ...sourceOptions(values),
            ...(typeof values.kernel === "string" ? { kernel: values.kernel } : {}),
          });
          if (typeof values.output === "string") writeFileSync(values.output, text);
          else io.out(text);
          return EXIT.OK;
        },
      },
    ],
  }],
  footer: "Exit status: 0 ok, 1 kernel, system or spec error, 2 usage error.\n",
};

/**
 * The `nlts ynl` command group.
 *
 * @example
 * ```ts
 * import { ynlCommand } from "./ynl.ts";
 * await ynlCommand(["specs", "--json"], {
 *   out: (s) => console.log(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export const ynlCommand: Command = (args, io) => runGroup(YNL, dispatch(args), io);

/**
 * The kernel CLI's form (`nlts ynl --spec ...`) is the `call` command; `--json` is a flag of
 * `specs` (machine-readable output) and takes the request's JSON everywhere else.
 */
function dispatch(args: string[]): string[] {
  if (args[0] === "specs") return args.map((a) => a === "--json" ? "--json=1" : a);
  return args[0]?.startsWith("--") && !/^--(help)?$/.test(args[0]) ? ["call", ...args] : args;
}
