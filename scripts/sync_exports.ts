// deno.json's "exports" is the one list of the package's entry points; this writes the places
// that must follow it (tests/package/package_test.ts fails when they do not):
// - package.json "exports": types and JavaScript under dist/npm for each entry point;
// - deno.json "imports": no `@nlts/netlink[/...]` entries (Deno resolves the package's own name
//   through "name" and "exports", so `deno check --doc` checks the JSDoc examples, which import
//   the package by name, against this checkout without them; and an import map entry costs every
//   Deno process started in the checkout: the 36 of them, ~18M instructions, a third of an empty
//   script's);
// - tsconfig.build.json "files": what scripts/build_npm.ts compiles.
//
// Usage: deno run -A scripts/sync_exports.ts
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(new URL(".", import.meta.url).pathname, "..");
const read = (f: string) => JSON.parse(readFileSync(join(root, f), "utf8"));
const write = (f: string, v: unknown) =>
  writeFileSync(join(root, f), JSON.stringify(v, null, 2) + "\n");

const deno = read("deno.json");
const pkg = read("package.json");
const build = read("tsconfig.build.json");
const entries = Object.entries(deno.exports as Record<string, string>);

const exports: Record<string, unknown> = {};
for (const [key, file] of entries) {
  const base = file.replace(/^\.\//, "").replace(/\.ts$/, "");
  exports[key] = { types: `./dist/npm/${base}.d.ts`, default: `./dist/npm/${base}.js` };
}
exports["./package.json"] = "./package.json";
pkg.exports = exports;
// The third-party imports deno.json had, without the package's own names.
const others = Object.entries((deno.imports ?? {}) as Record<string, string>).filter(([k]) =>
  k !== deno.name && !k.startsWith(`${deno.name}/`)
);
deno.imports = Object.fromEntries(others);
// The entry points, then what it listed besides them (modules reached only by a dynamic import
// or require(), such as src/ffi/bun.ts and the CLI's lazily loaded groups).
const entryFiles = entries.map(([, f]) => f.replace(/^\.\//, ""));
const extra = (build.files as string[]).filter((f) => !entryFiles.includes(f));
build.files = [...entryFiles, ...extra];
write("deno.json", deno);
write("package.json", pkg);
write("tsconfig.build.json", build);
