// The module graph of src/: no import circle (type-only imports included), and the layers
// import downwards only: src/protocol is pure (no src/ffi, src/socket or higher), src/ffi imports
// nothing of the library but src/protocol's pure tables, src/socket nothing above it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const src = join(root, "src");

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith(".ts") && !p.endsWith("_test.ts")) out.push(p);
  }
  return out;
}

/** Relative imports and re-exports of `file` (static and dynamic), as paths under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8")
    // Leave out comments (JSDoc examples import the package by name anyway).
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const out = new Set<string>();
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of text.matchAll(re)) out.add(relative(src, resolve(dirname(file), m[1])));
  return [...out];
}

const graph = new Map<string, string[]>();
for (const f of files(src)) graph.set(relative(src, f), importsOf(f));

test("layers: the import graph of src/ was read", () => {
  assert.ok(graph.size > 40, `only ${graph.size} modules found under ${src}`);
  assert.ok(graph.get("genl/family.ts")?.includes("socket/netlink_socket.ts"));
});

test("layers: src/ has no import circle", () => {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const circles: string[] = [];
  const visit = (n: string) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) circles.push([...stack.slice(stack.indexOf(d)), d].join(" -> "));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  assert.deepEqual(circles, []);
});

test("layers: protocol is pure, ffi and socket import nothing above them", () => {
  const allowed: Record<string, string[]> = {
    protocol: ["protocol"],
    ffi: ["ffi", "protocol"],
    socket: ["socket", "ffi", "protocol"],
  };
  const bad: string[] = [];
  for (const [from, deps] of graph) {
    const layer = from.split("/")[0];
    const ok = allowed[layer];
    if (!ok) continue;
    for (const d of deps) if (!ok.includes(d.split("/")[0])) bad.push(`${from} -> ${d}`);
  }
  assert.deepEqual(bad, []);
});
