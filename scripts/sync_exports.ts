// deno.json's "exports" is the one list of the package's entry points; this writes the places
// that must follow it (tests/package/package_test.ts fails when they do not):
// - package.json "exports": types and JavaScript under dist/npm for each entry point;
// - deno.json "imports": `@nlts/netlink[/...]` mapped to the sources, so that `deno check --doc`
//   checks the JSDoc examples (which import the package by name) against this checkout;
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
const imports: Record<string, string> = {};
for (const [key, file] of entries) {
  const base = file.replace(/^\.\//, "").replace(/\.ts$/, "");
  exports[key] = { types: `./dist/npm/${base}.d.ts`, default: `./dist/npm/${base}.js` };
  imports[key === "." ? deno.name : `${deno.name}/${key.slice(2)}`] = file;
}
exports["./package.json"] = "./package.json";
pkg.exports = exports;
// The package's own names first, then the third-party imports deno.json had.
const others = Object.entries((deno.imports ?? {}) as Record<string, string>).filter(([k]) =>
  k !== deno.name && !k.startsWith(`${deno.name}/`)
);
deno.imports = { ...imports, ...Object.fromEntries(others) };
// The entry points, then what it listed besides them (modules reached only by a dynamic import
// or require(), such as src/ffi/bun.ts and the CLI's lazily loaded groups).
const entryFiles = entries.map(([, f]) => f.replace(/^\.\//, ""));
const extra = (build.files as string[]).filter((f) => !entryFiles.includes(f));
build.files = [...entryFiles, ...extra];
write("deno.json", deno);
write("package.json", pkg);
write("tsconfig.build.json", build);
