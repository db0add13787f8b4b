/**
 * `deno task fuzz`: the long fuzz run of issue 15 in the runtime that runs this file (the task
 * runs it under Deno, then Bun). 1,000,000 binary inputs (attribute sets of every family nlts
 * ships and of every YNL spec found, message datagrams, openvswitch flow messages, keys and
 * action lists) and 300,000 text inputs (flows, keys, actions, dump filters, flow files) go
 * through the targets of tests/fuzz/_targets.ts; the only exceptions allowed are the
 * documented ones, and what is accepted must keep its properties. Prints one line per target
 * and every unexpected exception with its input; exits 1 when there was any.
 *
 * Options: --binary N, --text N (inputs), --seed S, --no-ynl (leave YNL spec sets out).
 * Each input i of a target is drawn from seed S + i, so a failure replays alone.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listSpecs, loadSpec } from "../src/ynl/mod.ts";
import type { AttrFields, AttrSet } from "../src/protocol/mod.ts";
import { extraSets, TARGETS } from "../tests/fuzz/_targets.ts";
import { loadTextCorpus, runTarget } from "../tests/fuzz/_run.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const args: string[] = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
const runtime = g.Bun ? `bun ${g.Bun.version}` : `deno ${g.Deno.version.deno}`;

function option(name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`Cannot run fuzz: --${name} takes a non-negative integer`);
  }
  return v;
}

const binary = option("binary", 1_000_000);
const text = option("text", 300_000);
const seed = option("seed", 0x15_0000);

// Shares of the inputs per target.
const SHARE: Record<string, number> = {
  "schema": 0.4,
  "messages": 0.2,
  "ovs-flow": 0.2,
  "ovs-key-actions": 0.2,
  "flow-text": 0.3,
  "key-text": 0.25,
  "action-text": 0.25,
  "filter-text": 0.1,
  "flow-lines": 0.1,
};

const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";
const SHARED = fileURLToPath(new URL("../../shared/ynl-specs", import.meta.url));
if (!args.includes("--no-ynl")) {
  const files = [
    ...(existsSync(LINUX_DOC) ? listSpecs({ dirs: [LINUX_DOC] }).map((s) => s.path) : []),
    ...(existsSync(SHARED)
      ? readdirSync(SHARED).filter((f) => f.endsWith(".yaml")).map((f) => `${SHARED}/${f}`)
      : []),
  ].sort(); // the same order under both runtimes (directory order differs): the same inputs
  for (const f of files) {
    const fam = loadSpec(f);
    for (const [name, set] of fam.ynl.sets) {
      extraSets.push([`${fam.name}/${name}`, set as AttrSet<AttrFields>]);
    }
  }
  console.log(`${runtime} fuzz: ${extraSets.length} attribute sets of ${files.length} YNL specs`);
}
const corpus = loadTextCorpus();
console.log(`${runtime} fuzz: odp.at text corpus ${corpus ? "loaded" : "absent"}`);

let total = 0, unexpected = 0, inputsBinary = 0, inputsText = 0;
const t0 = performance.now();
for (const target of TARGETS) {
  const n = Math.round((target.kind === "binary" ? binary : text) * SHARE[target.name]);
  const start = performance.now();
  const c = runTarget(target, n, seed, 50);
  const s = ((performance.now() - start) / 1000).toFixed(1);
  console.log(
    `${runtime} fuzz ${target.name}: ${c.inputs} inputs, ${c.accepted} accepted, ${c.refused} refused, ${c.failed} unexpected (${s} s)`,
  );
  for (const f of c.failures) console.log(`  ${f.message}\n    input: ${f.input}`);
  total += c.inputs;
  unexpected += c.failed;
  if (target.kind === "binary") inputsBinary += c.inputs;
  else inputsText += c.inputs;
}
console.log(
  `${runtime} fuzz: ${inputsBinary} binary + ${inputsText} text = ${total} inputs, ${unexpected} unexpected exceptions (${
    ((performance.now() - t0) / 1000).toFixed(0)
  } s, seed ${seed})`,
);
if (unexpected > 0) {
  if (g.Deno) g.Deno.exit(1);
  else g.process.exit(1);
}
