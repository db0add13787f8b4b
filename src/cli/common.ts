/**
 * Shared pieces of the `nlts` command line: output, usage errors, exit codes, JSON encoding.
 *
 * @module
 */

/** Where a command writes. Tests pass collectors; the binary passes stdout/stderr. */
export interface CliIO {
  /** Writes text to standard output (no newline added). */
  out(text: string): void;
  /** Writes text to standard error (no newline added). */
  err(text: string): void;
  /** Aborted on Ctrl-C (SIGINT) so long-running commands end cleanly. */
  signal: AbortSignal;
  /**
   * Whether standard error is a terminal: long work (add-flows of a large file, a dump written
   * to a file) draws its progress there only then. Default false.
   */
  errIsTerminal?: boolean;
  /** Whether standard output is a terminal (false: a file or a pipe). Default unknown. */
  outIsTerminal?: boolean;
  /** The terminal's width in columns, when standard error is one. */
  errColumns?: number;
}

/** A usage error: the command line is wrong (exit status 2). */
export class UsageError extends Error {
  /** The usage line of the command it concerns (`nlts dp add-if DP IFACE...`), when known. */
  usage?: string;
  /** Where the full syntax is (`nlts dp --help`). */
  help?: string;

  /** Creates a usage error with the text to print. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit statuses of `nlts`. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2 } as const;

/** A sub-command: returns its exit status. */
export type Command = (args: string[], io: CliIO) => Promise<number>;

/** JSON.stringify replacer: bigint -> number when safe (else string), bytes -> hex. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (v instanceof Map) return Object.fromEntries(v);
  return v;
}

/** Formats a value as JSON the way every `--json` output does. */
export function toJson(v: unknown, pretty = true): string {
  return JSON.stringify(v, jsonReplacer, pretty ? 2 : undefined) + "\n";
}

/**
 * Runs a command and maps failures to exit statuses: usage errors print the message, the
 * command's usage line and where the help is (2); kernel/syscall/decode errors print one line
 * on stderr (1).
 */
export async function runCommand(cmd: Command, args: string[], io: CliIO): Promise<number> {
  try {
    return await cmd(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      let text = `nlts: ${e.message}\n`;
      if (e.usage) text += `Usage: ${e.usage}\n`;
      if (e.help) text += `Run '${e.help}' for the commands and their options.\n`;
      io.err(text);
      return EXIT.USAGE;
    }
    io.err(`nlts: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.ERROR;
  }
}

// ---------------------------------------------------------------------------------------------
// Command tables and the argument parser every group shares

/** An option of a command group: a flag, or one that takes a value. */
export interface OptionSpec {
  /** "boolean": a flag (`--json`); "string": takes a value (`--count N`, `--count=N`). */
  readonly type: "boolean" | "string";
  /** One-letter alias (`-s`). */
  readonly short?: string;
  /** Placeholder of the value in help texts (`N`, `NAME`). */
  readonly value?: string;
  /** One line for the options part of the help text. */
  readonly help: string;
}

/** `--json`: machine-readable output. */
export const JSON_OPTION: OptionSpec = {
  type: "boolean",
  help: "machine-readable output (numbers as JSON numbers)",
};

/** `--netns NAME`: the network namespace to work in. */
export const NETNS_OPTION: OptionSpec = {
  type: "string",
  value: "NAME",
  help: "run in network namespace NAME (/run/netns/NAME) or at an absolute path",
};

/** `-s`, `--statistics`: counters of what is shown or changed. */
export const STATISTICS_OPTION: OptionSpec = {
  type: "boolean",
  short: "s",
  help: "statistics: per-port counters (show), the flow's counters (add/mod/del-flow)",
};

/** Parsed options: flags are `true`, valued options their text. */
export type OptionValues = { readonly [name: string]: string | true | undefined };

/**
 * The `--netns` value of parsed options (undefined: the caller's namespace).
 *
 * @example
 * ```ts
 * import { netnsOf } from "./common.ts";
 * console.log(netnsOf({ netns: "blue" })); // "blue"
 * ```
 */
export function netnsOf(values: OptionValues): string | undefined {
  const v = values.netns;
  return typeof v === "string" ? v : undefined;
}

/** What a command's handler gets. */
export interface CommandCall {
  /** The options given (only those the group defines, checked against the command's list). */
  readonly values: OptionValues;
  /** The arguments that are not options, in order. */
  readonly positionals: string[];
  /** Where to write. */
  readonly io: CliIO;
  /** The command (for messages: `usage(...)` errors carry its usage line). */
  readonly command: CommandSpec;
}

/** One command of a group: its name, usage line, description and handler. */
export interface CommandSpec {
  /** The command's name (`add-if`). */
  readonly name: string;
  /**
   * Its arguments as the usage line shows them (`[DP] FILE`, `DP IFACE...`, `[--count N]`): how
   * many positional arguments it takes is read from them (`[X]` optional, `X...` any number of
   * them, `[-x]`/`[--x ...]` options).
   */
  readonly args: string;
  /** Description for the help text; more lines are indented under the first. */
  readonly help: string;
  /** Options of the group this command accepts besides those every command takes. */
  readonly options?: readonly string[];
  /** Runs it; returns the exit status. */
  readonly run: (call: CommandCall) => Promise<number> | number;
}

/** A titled part of a group's help text. */
export interface CommandSection {
  /** Heading, e.g. "Datapaths and ports (as ovs-dpctl; DP is NAME or system@NAME):". */
  readonly title: string;
  /** Options every command of this section takes (default: the group's `common`). */
  readonly common?: readonly string[];
  /** Its commands, in help order. */
  readonly commands: readonly CommandSpec[];
  /** Lines printed after the commands. */
  readonly notes?: string;
}

/** A command group (`nlts genl`, `nlts dp`): the one table help and dispatch derive from. */
export interface CommandGroup {
  /** The group's name (`dp`). */
  readonly name: string;
  /** Its sections of commands. */
  readonly sections: readonly CommandSection[];
  /** Every option of the group. */
  readonly options: { readonly [name: string]: OptionSpec };
  /** Options every command of the group takes (besides `--help`). */
  readonly common: readonly string[];
  /** Lines at the end of the help text. */
  readonly footer?: string;
}

/**
 * The positional arguments an `args` text describes: the required ones, how many optional ones,
 * and whether the last may repeat (`...`).
 */
function arity(args: string): { required: string[]; optional: number; many: boolean } {
  const words: string[] = [];
  let depth = 0, word = "";
  for (const ch of args) {
    if (ch === " " && depth === 0) {
      if (word) words.push(word);
      word = "";
      continue;
    }
    if (ch === "[") depth++;
    else if (ch === "]") depth--;
    word += ch;
  }
  if (word) words.push(word);
  const required: string[] = [];
  let optional = 0, many = false;
  for (const w of words) {
    if (w.startsWith("[-")) continue; // an option
    if (w.startsWith("[")) {
      optional++;
      if (w.endsWith("...]") || w.endsWith("]...")) many = true;
    } else {
      required.push(w);
      if (w.endsWith("...")) many = true;
    }
  }
  return { required, optional, many };
}

/** Where the help text of `group` is, for messages. */
function helpHint(group: CommandGroup): string {
  return `nlts ${group.name} --help`;
}

/**
 * The usage line of `command` in `group`: `nlts dp add-if DP IFACE...`.
 *
 * @example
 * ```ts
 * import { usageLine } from "./common.ts";
 * const run = () => 0;
 * const show = { name: "show", args: "[DP...]", help: "datapaths", run };
 * const dp = { name: "dp", sections: [{ title: "", commands: [show] }], options: {}, common: [] };
 * console.log(usageLine(dp, show)); // "nlts dp show [DP...]"
 * ```
 */
export function usageLine(group: CommandGroup, command: CommandSpec): string {
  return `nlts ${group.name} ${command.name}${command.args ? ` ${command.args}` : ""}`;
}

/**
 * The help text of `group`, derived from its table: each command's usage line and description,
 * section by section, then the options.
 *
 * @example
 * ```ts
 * import { groupHelp } from "./common.ts";
 * const run = () => 0;
 * const dp = {
 *   name: "dp",
 *   sections: [{ title: "Datapaths:", commands: [{ name: "show", args: "[DP...]", help: "datapaths", run }] }],
 *   options: { json: { type: "boolean" as const, help: "machine-readable output" } },
 *   common: ["json"],
 * };
 * console.log(groupHelp(dp));
 * ```
 */
export function groupHelp(group: CommandGroup): string {
  const col = 34;
  let s = `Usage: nlts ${group.name} <command> [options] [args]\n`;
  for (const section of group.sections) {
    s += `\n${section.title}\n`;
    for (const c of section.commands) {
      const head = `  ${c.name}${c.args ? ` ${c.args}` : ""}`;
      const [first, ...more] = c.help.split("\n");
      s += head.length + 2 <= col
        ? `${head.padEnd(col)}${first}\n`
        : `${head}\n${" ".repeat(col)}${first}\n`;
      for (const l of more) s += `${" ".repeat(col)}${l}\n`;
    }
    if (section.notes) s += section.notes.endsWith("\n") ? section.notes : `${section.notes}\n`;
  }
  s += "\nOptions:\n";
  const opts = Object.entries(group.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
    return [flag, o.help] as const;
  });
  opts.push(["-h, --help", "this text"]);
  const w = Math.max(...opts.map(([f]) => f.length)) + 2;
  for (const [flag, help] of opts) s += `  ${flag.padEnd(w)}${help}\n`;
  s += `\n${group.footer ?? "Exit status: 0 ok, 1 kernel or system error, 2 usage error.\n"}`;
  return s;
}

/** Levenshtein distance, for "did you mean" (short strings only). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function nearest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = distance(word, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

/**
 * Parses `args` against `options` (the one argument parser of every group): `--name`,
 * `--name=value`, `--name value` (the value is taken as given, even when it starts with `-`),
 * `-x` for short flags, `--` ends the options. Unknown options and missing or unexpected values
 * raise {@link UsageError}s that name the option.
 *
 * @example
 * ```ts
 * import { parseOptions } from "./common.ts";
 * const r = parseOptions(["dp0", "--count", "3", "-s"], {
 *   count: { type: "string", help: "stop after N" },
 *   statistics: { type: "boolean", short: "s", help: "counters" },
 * });
 * console.log(r.values, r.positionals); // { count: "3", statistics: true } [ "dp0" ]
 * ```
 */
export function parseOptions(
  args: readonly string[],
  options: { readonly [name: string]: OptionSpec },
): { values: { [name: string]: string | true }; positionals: string[] } {
  const values: { [name: string]: string | true } = {};
  const positionals: string[] = [];
  const names = [...Object.keys(options), "help"];
  const spec = (name: string): OptionSpec | undefined =>
    name === "help" ? { type: "boolean", short: "h", help: "" } : options[name];
  const unknown = (flag: string): UsageError => {
    const near = flag.startsWith("--") ? nearest(flag.slice(2), names) : undefined;
    return new UsageError(`unknown option ${flag}${near ? ` (did you mean --${near}?)` : ""}`);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = spec(name);
      if (!o) throw unknown(eq < 0 ? a : a.slice(0, eq));
      if (o.type === "boolean") {
        if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
        values[name] = true;
      } else if (eq >= 0) values[name] = a.slice(eq + 1);
      else if (i + 1 < args.length) values[name] = args[++i];
      else throw new UsageError(`option --${name} needs a value`);
      continue;
    }
    if (a.startsWith("-") && a.length > 1 && !/^-\d/.test(a)) {
      // Short flags, possibly grouped (-sm); one that takes a value takes the rest of the
      // word (-oFILE) or the next argument (-o FILE).
      const chars = a.slice(1);
      for (let j = 0; j < chars.length; j++) {
        const ch = chars[j];
        const name = ch === "h" ? "help" : names.find((n) => options[n]?.short === ch);
        const o = name === undefined ? undefined : spec(name);
        if (!name || !o) throw unknown(`-${ch}`);
        if (o.type === "boolean") {
          values[name] = true;
          continue;
        }
        if (j + 1 < chars.length) values[name] = chars.slice(j + 1);
        else if (i + 1 < args.length) values[name] = args[++i];
        else throw new UsageError(`option -${ch} (--${name}) needs a value`);
        break;
      }
      continue;
    }
    positionals.push(a);
  }
  return { values, positionals };
}

/**
 * A whole number from the command line (`--count 3`, a port number), or a {@link UsageError}
 * that names what is wrong (`--count -1 is not a whole number`).
 *
 * @example
 * ```ts
 * import { wholeNumber } from "./common.ts";
 * console.log(wholeNumber("42", "--count")); // 42
 * ```
 */
export function wholeNumber(s: string, what: string, max = 0xffff_ffff): number {
  if (!/^\d+$/.test(s)) {
    throw new UsageError(`${what} ${s === "" ? '""' : s} is not a whole number`);
  }
  const n = Number(s);
  if (n > max) throw new UsageError(`${what} ${s} is larger than ${max}`);
  return n;
}

/**
 * Dispatches `args` through `group`'s table: `--help` (anywhere) prints the help text derived
 * from the table; a known command gets its options parsed and checked (only its own and the
 * group's common ones), its positional count checked, then runs. Usage errors carry the
 * command's usage line and the --help hint.
 *
 * @example
 * ```ts
 * import { runGroup } from "./common.ts";
 * const dp = {
 *   name: "dp",
 *   sections: [{ title: "Datapaths:", commands: [{ name: "show", args: "", help: "datapaths", run: () => 0 }] }],
 *   options: {},
 *   common: [],
 * };
 * const io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s), signal: new AbortController().signal };
 * console.log(await runGroup(dp, ["show"], io)); // 0
 * ```
 */
export async function runGroup(group: CommandGroup, args: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(groupHelp(group));
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  let command: CommandSpec | undefined;
  let section: CommandSection | undefined;
  for (const s of group.sections) {
    command = s.commands.find((c) => c.name === name);
    if (command) {
      section = s;
      break;
    }
  }
  if (!command || !section) {
    const names = group.sections.flatMap((s) => s.commands.map((c) => c.name));
    const near = nearest(name, names);
    const e = new UsageError(
      `${group.name}: unknown command "${name}"${near ? ` (did you mean ${near}?)` : ""}`,
    );
    e.help = helpHint(group);
    throw e;
  }
  try {
    const { values, positionals } = parseOptions(rest, group.options);
    if (values.help) {
      io.out(groupHelp(group));
      return EXIT.OK;
    }
    const allowed = new Set([...(section.common ?? group.common), ...(command.options ?? [])]);
    for (const k of Object.keys(values)) {
      if (k !== "help" && !allowed.has(k)) {
        throw new UsageError(`option --${k} is not one of ${command.name}'s`);
      }
    }
    const { required, optional, many } = arity(command.args);
    if (positionals.length < required.length) {
      const missing = required.slice(positionals.length).map((a) => a.replace(/\.\.\.$/, ""));
      throw new UsageError(
        `missing ${missing.slice(0, -1).join(", ")}${missing.length > 1 ? " and " : ""}${
          missing[missing.length - 1]
        }`,
      );
    }
    if (!many && positionals.length > required.length + optional) {
      throw new UsageError("too many arguments");
    }
    return await command.run({ values, positionals, io, command });
  } catch (e) {
    if (e instanceof UsageError) {
      // Messages name the command: "dp add-if: missing DP and IFACE".
      if (!e.message.startsWith(`${group.name} `)) {
        e.message = `${group.name} ${command.name}: ${e.message}`;
      }
      e.usage ??= usageLine(group, command);
      e.help ??= helpHint(group);
    }
    throw e;
  }
}
