/**
 * `nlts`: the command line. `nlts genl ...` (generic netlink families, policies, notifications),
 * `nlts dp ...` (the Open vSwitch datapath, ovs-dpctl style) and `nlts ynl ...` (any family the
 * kernel's YNL specs describe).
 *
 * Run from source with `deno task nlts ARGS...` or `bun src/cli/main.ts ARGS...`; build a
 * standalone binary with `deno task build` (bun build --compile -> dist/nlts) or
 * `deno compile -A -o dist/nlts src/cli/main.ts` where Deno can download its runtime.
 *
 * @module
 */

import { type CliIO, type Command, EXIT, runCommand } from "./common.ts";
import { genlCommand } from "./genl.ts";

export type { CliIO } from "./common.ts";

/** The command groups: their names, one-line summaries and (lazily loaded) tables. */
const GROUPS: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: "genl",
    summary: "generic netlink: list | show NAME|ID | policy NAME [--op CMD] | monitor [FAMILY...]",
    load: () => Promise.resolve(genlCommand),
  },
  {
    name: "dp",
    summary: "Open vSwitch datapath (ovs-dpctl style): show, add-dp, del-dp, add-if, ...",
    load: async () => (await import("./dp.ts")).dpCommand,
  },
  {
    name: "link",
    summary:
      "links (iproute2's words): show [DEV] | add NAME type KIND ... | set DEV ... | del DEV",
    load: async () => (await import("./route.ts")).linkCommand,
  },
  {
    name: "addr",
    summary: "addresses: show [dev DEV] | add|replace|del PREFIX dev DEV ...",
    load: async () => (await import("./route.ts")).addrCommand,
  },
  {
    name: "route",
    summary:
      "routes: show [table T|all] | get ADDR | add|replace|del PREFIX [via GW] [dev DEV] ...",
    load: async () => (await import("./route.ts")).routeCommand,
  },
  {
    name: "ynl",
    summary: "the kernel's YNL specs: specs | gen SPEC [-o FILE]",
    load: async () => (await import("./ynl.ts")).ynlCommand,
  },
];

/**
 * The top-level usage text (derived from the command groups).
 *
 * @example
 * ```ts
 * import { USAGE } from "@nlts/netlink/cli";
 * console.log(USAGE.split("\n")[0]); // "Usage: nlts <group> <command> [options]"
 * ```
 */
export const USAGE: string = `Usage: nlts <group> <command> [options]

Groups:
${GROUPS.map((g) => `  ${g.name.padEnd(7)}${g.summary}\n`).join("")}
Run 'nlts <group> --help' for a group's commands. Exit status: 0 ok, 1 kernel or system
error, 2 usage error. NLTS_DEBUG=1 traces every netlink message to stderr.
`;

/**
 * Runs `nlts` with `args` (without the program name); returns the exit status.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * const out: string[] = [];
 * const status = await main(["genl", "list", "--json"], {
 *   out: (s) => out.push(s), err: (s) => console.error(s), signal: new AbortController().signal,
 * });
 * ```
 */
export async function main(args: string[], io: CliIO): Promise<number> {
  const [group, ...rest] = args;
  if (group === undefined || group === "--help" || group === "-h" || group === "help") {
    (group === undefined ? io.err : io.out)(USAGE);
    return group === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const g = GROUPS.find((x) => x.name === group);
  if (!g) {
    io.err(`nlts: unknown group "${group}"\n${USAGE}`);
    return EXIT.USAGE;
  }
  return await runCommand(await g.load(), rest, io);
}

function processArgs(): string[] {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno) return [...g.Deno.args];
  return g.process.argv.slice(2);
}

function write(fd: 1 | 2, text: string): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const bytes = new TextEncoder().encode(text);
  if (g.Deno) {
    const f = fd === 1 ? g.Deno.stdout : g.Deno.stderr;
    let off = 0;
    while (off < bytes.length) off += f.writeSync(bytes.subarray(off));
  } else {
    g.process[fd === 1 ? "stdout" : "stderr"].write(bytes);
  }
}

/** Whether standard error is a terminal, and its width (for progress lines). */
function stderrTerminal(): {
  errIsTerminal: boolean;
  outIsTerminal?: boolean;
  errColumns?: number;
} {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  try {
    const outIsTerminal = g.Deno ? g.Deno.stdout.isTerminal() : g.process.stdout.isTTY === true;
    return { outIsTerminal, ...stderrOnly(g) };
  } catch {
    return { errIsTerminal: false };
  }
}

// deno-lint-ignore no-explicit-any
function stderrOnly(g: any): { errIsTerminal: boolean; errColumns?: number } {
  try {
    if (g.Deno) {
      if (!g.Deno.stderr.isTerminal()) return { errIsTerminal: false };
      let columns: number | undefined;
      try {
        columns = g.Deno.consoleSize().columns;
      } catch {
        // no size: the bar's default width
      }
      return { errIsTerminal: true, errColumns: columns };
    }
    const e = g.process.stderr;
    return e.isTTY === true
      ? { errIsTerminal: true, errColumns: e.columns }
      : { errIsTerminal: false };
  } catch {
    return { errIsTerminal: false };
  }
}

function exit(code: number): never {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  if (g.Deno) g.Deno.exit(code);
  g.process.exit(code);
  throw new Error("unreachable");
}

if (import.meta.main) {
  const ac = new AbortController();
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const onInt = () => ac.abort();
  // SIGINT (Ctrl-C) and SIGTERM (kill, service managers) both end long-running commands
  // cleanly: `dp upcalls` restores the ports' upcall pids, `monitor` closes its sockets.
  for (const sig of ["SIGINT", "SIGTERM"]) {
    try {
      if (g.Deno) g.Deno.addSignalListener(sig, onInt);
      else g.process.on(sig, onInt);
    } catch {
      // no signal support: the signal kills the process instead
    }
  }
  const status = await main(processArgs(), {
    out: (s) => write(1, s),
    err: (s) => write(2, s),
    signal: ac.signal,
    ...stderrTerminal(),
  });
  exit(status);
}
