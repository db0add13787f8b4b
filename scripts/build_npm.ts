// Builds what the npm package ships (run by `npm pack` through package.json's "prepack"):
// dist/npm, the library and the CLI as JavaScript with .d.ts declarations, emitted by the
// TypeScript compiler from the sources (tsconfig.build.json). JavaScript because Deno does not
// run TypeScript from node_modules, and declarations so that a project's own compiler flags
// (Bun's template has noUncheckedIndexedAccess) apply to its code, not to the library's.
//
// Usage: deno run -A scripts/build_npm.ts
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";

const root = resolve(new URL(".", import.meta.url).pathname, "..");
const out = join(root, "dist/npm");

rmSync(out, { recursive: true, force: true });
const tsc = join(root, "node_modules/.bin/tsc");
if (!existsSync(tsc)) {
  throw new Error("Cannot build: node_modules/.bin/tsc is missing (npm install)");
}
execFileSync(tsc, ["-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });

/** Replaces `from` by `to` in `file` under dist/npm; it must be there. */
function patch(file: string, from: string, to: string): void {
  const p = join(out, file);
  const text = readFileSync(p, "utf8");
  if (!text.includes(from)) throw new Error(`Cannot build: ${file} has no ${from}`);
  writeFileSync(p, text.replaceAll(from, to));
}

// tsc rewrites import specifiers (.ts -> .js) but not require() calls: the Bun backend's.
patch("src/ffi/mod.js", `require("./bun.ts")`, `require("./bun.js")`);
// The `nlts` bin runs under Bun (`deno run -A node_modules/.bin/nlts` runs it under Deno).
const cli = join(out, "src/cli/main.js");
writeFileSync(cli, `#!/usr/bin/env bun\n${readFileSync(cli, "utf8")}`);
chmodSync(cli, 0o755);

// Every relative specifier of the JavaScript must name an emitted .js file (a module reached
// only by a dynamic import or require() must be listed in tsconfig.build.json "files").
const bad: string[] = [];
const walk = (dir: string) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".js")) {
      const code = readFileSync(p, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(
        /^\s*\/\/.*$/gm,
        "",
      );
      const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']*)["']/g;
      for (const m of code.matchAll(re)) {
        const target = join(dirname(p), m[1]);
        if (!m[1].endsWith(".js") || !existsSync(target)) bad.push(`${p}: ${m[1]}`);
      }
    }
  }
};
walk(out);
if (bad.length > 0) throw new Error(`Cannot build: unresolved imports\n${bad.join("\n")}`);
console.error(`built ${out}`);
