/**
 * `nlts ynl`: the kernel's YNL specs from the command line: list the installed specs, generate a
 * family's TypeScript module.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { listSpecs, type SpecSourceOptions } from "../ynl/load.ts";
import { readSpecSource } from "../ynl/spec.ts";
import { generateModule } from "../ynl/gen.ts";
import {
  type Command,
  type CommandGroup,
  EXIT,
  JSON_OPTION,
  type OptionValues,
  runGroup,
  toJson,
} from "./common.ts";

/** `--dir DIR`: where specs are looked up by name, before NLTS_YNL_SPECS and linux-doc. */
function sourceOptions(values: OptionValues): SpecSourceOptions {
  const d = values.dir;
  return typeof d === "string" ? { dirs: d.split(":").filter((x) => x !== "") } : {};
}

/** Every command of `nlts ynl`: help and dispatch derive from this table. */
export const YNL: CommandGroup = {
  name: "ynl",
  options: {
    json: JSON_OPTION,
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
export const ynlCommand: Command = (args, io) => runGroup(YNL, args, io);
