// The package as users install it. `npm pack` builds the tarball (package.json's prepack runs
// scripts/build_npm.ts: JavaScript and .d.ts from the sources); fresh temporary projects then
// install it offline, with nothing but the tarball and the runtime dependencies packed from this
// checkout's node_modules:
// - under `bun test`, a Bun project (`bun install --offline`) imports every entry point, runs a
//   script and the `nlts` bin, and type-checks the script with tsc under `bun init`'s tsconfig
//   (Bun types, skipLibCheck on and off);
// - under `deno test`, a Deno project with node_modules (`npm install --offline`,
//   `nodeModulesDir: "manual"`) runs the same script and the bin under Deno and passes
//   `deno check`, strict and not.
// JSR's side (deno.json) is checked against package.json, and `deno publish --dry-run` runs in
// scripts/test.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
};
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
};
const tsc = join(root, "node_modules/.bin/tsc");

function run(cmd: string, args: string[], options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 240_000,
      ...options,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
    }) as string;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(" ")} failed: ${x.message}\n${x.stdout ?? ""}\n${x.stderr ?? ""}`,
    );
  }
}

/** Every file under `dir` (relative paths). */
function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, base));
    else out.push(p.slice(base.length + 1));
  }
  return out.sort();
}

/**
 * The tarball of this checkout, from `npm pack`; cached under the temporary directory by a
 * hash of everything that goes into it, so that the Deno and the Bun run of this file share one.
 */
function tarball(): string {
  const h = createHash("sha256");
  const inputs = ["mod.ts", "package.json", "tsconfig.build.json", "scripts/build_npm.ts"];
  inputs.push("README.md", "LICENSE", ...filesUnder(join(root, "src")).map((f) => `src/${f}`));
  for (const f of inputs) h.update(f).update(readFileSync(join(root, f)));
  const cached = join(tmpdir(), `nlts-pack-${h.digest("hex").slice(0, 16)}.tgz`);
  if (existsSync(cached)) return cached;
  const out = mkdtempSync(join(tmpdir(), "nlts-pack-"));
  try {
    run("npm", ["pack", "--pack-destination", out], { cwd: root });
    const [file] = readdirSync(out).filter((f) => f.endsWith(".tgz"));
    assert.ok(file, `npm pack left no tarball in ${out}`);
    renameSync(join(out, file), cached);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return cached;
}

/** The package's runtime dependencies and theirs, as found in this checkout's node_modules. */
function runtimeDependencies(): string[] {
  const seen = new Set<string>();
  const visit = (deps: Record<string, string> | undefined) => {
    for (const name of Object.keys(deps ?? {})) {
      if (seen.has(name)) continue;
      seen.add(name);
      const p = join(root, "node_modules", name, "package.json");
      assert.ok(existsSync(p), `${name} is not installed in node_modules (npm install)`);
      visit(
        (JSON.parse(readFileSync(p, "utf8")) as { dependencies?: Record<string, string> })
          .dependencies,
      );
    }
  };
  visit(pkg.dependencies);
  return [...seen];
}

/**
 * A fresh project directory whose package.json depends on the tarball, with the runtime
 * dependencies packed from node_modules and pinned by `overrides`: installs need no network.
 */
function project(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nlts-${kind}-project-`));
  const deps = join(dir, "deps");
  mkdirSync(deps);
  const overrides: Record<string, string> = {};
  for (const name of runtimeDependencies()) {
    const before = new Set(readdirSync(deps));
    run("npm", [
      "pack",
      "--ignore-scripts",
      "--pack-destination",
      deps,
      join(root, "node_modules", name),
    ], {
      cwd: dir,
    });
    const [file] = readdirSync(deps).filter((f) => !before.has(f));
    overrides[name] = `file:./deps/${file}`;
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: `nlts-${kind}-app`,
        private: true,
        type: "module",
        dependencies: { [pkg.name]: `file:${tarball()}` },
        overrides,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "main.ts"), SCRIPT);
  return dir;
}

/** A user's script: imports every entry point, talks to the kernel and to the fake kernel. */
const SCRIPT = `import { NETLINK, NetlinkError, NetlinkSocket } from "@nlts/netlink";
import { NetlinkWriter } from "@nlts/netlink/protocol";
import { Controller, GenlSocket, netdev } from "@nlts/netlink/genl";
import { parseFlowKey } from "@nlts/netlink/ovs";
import { FakeKernel } from "@nlts/netlink/testing";
import { loadSpec } from "@nlts/netlink/ynl";
import { main, USAGE } from "@nlts/netlink/cli";
import { RouteClient } from "@nlts/netlink/route";
import { netdev as generatedNetdev } from "@nlts/netlink/families/netdev";

using ctrl = Controller.open();
const names: string[] = (await ctrl.listFamilies()).map((f) => f.name);
using route = NetlinkSocket.open(NETLINK.ROUTE);
const links: number = route.dumpSync({ type: 18, payload: new Uint8Array(16) }).length;
using rt = RouteClient.open();
const lo: string | undefined = rt.linksSync().find((l) => l.index === 1)?.name;

const kernel = new FakeKernel();
kernel.serveFamily(netdev, { "dev-get": [{ ifindex: 7 }] });
using genl = GenlSocket.open({ transport: kernel });
const fake: number | undefined = genl.family(netdev).dumpSync("dev-get")[0]?.attrs.ifindex;

const w = new NetlinkWriter();
w.attrU32(1, 5);
const out: string[] = [];
const status: number = await main(["--help"], {
  out: (s) => out.push(s),
  err: (s) => out.push(s),
  signal: new AbortController().signal,
});
console.log(JSON.stringify({
  nlctrl: names.includes("nlctrl"),
  links: links > 0,
  fake,
  writer: w.length,
  flowKey: Object.keys(parseFlowKey("in_port(1)").key),
  usage: status === 0 && out.join("") === USAGE,
  ynl: typeof loadSpec,
  error: new NetlinkError(2).code,
  lo,
  family: generatedNetdev.name,
}));
`;

const EXPECTED = {
  nlctrl: true,
  links: true,
  fake: 7,
  writer: 8,
  flowKey: ["inPort"],
  usage: true,
  ynl: "function",
  error: "ENOENT",
  lo: "lo",
  family: "netdev",
};

/** `bun init`'s tsconfig.json (Bun 1.4), with this checkout's @types for the Bun types. */
function bunInitTsconfig(skipLibCheck: boolean): string {
  return JSON.stringify({
    compilerOptions: {
      lib: ["ESNext"],
      target: "ESNext",
      module: "Preserve",
      moduleDetection: "force",
      jsx: "react-jsx",
      allowJs: true,
      types: ["bun"],
      typeRoots: [join(root, "node_modules/@types")],
      moduleResolution: "bundler",
      allowImportingTsExtensions: true,
      verbatimModuleSyntax: true,
      noEmit: true,
      strict: true,
      skipLibCheck,
      noFallthroughCasesInSwitch: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      noPropertyAccessFromIndexSignature: false,
    },
  });
}

test("package: package.json, deno.json's imports and tsconfig.build.json follow deno.json's exports (scripts/sync_exports.ts)", () => {
  assert.equal(pkg.name, denoJson.name);
  assert.equal(pkg.version, denoJson.version);
  const npmEntries = Object.keys(pkg.exports).filter((k) => k !== "./package.json").sort();
  assert.deepEqual(npmEntries, Object.keys(denoJson.exports).sort());
  assert.deepEqual(Object.keys(pkg.bin), ["nlts"]);
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (key === "./package.json") continue;
    const t = target as { types: string; default: string };
    const source = denoJson.exports[key].replace(/^\.\//, "").replace(/\.ts$/, "");
    assert.equal(t.default, `./dist/npm/${source}.js`, key);
    assert.equal(t.types, `./dist/npm/${source}.d.ts`, key);
  }
  // JSDoc examples import the package by name: deno check --doc finds the sources through
  // "name" and "exports", with no import map entries for them (each would cost every process).
  const build = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
    files: string[];
  };
  for (const [key, file] of Object.entries(denoJson.exports)) {
    const name = key === "." ? denoJson.name : `${denoJson.name}/${key.slice(2)}`;
    assert.equal(denoJson.imports[name], undefined, `deno.json imports ${name}`);
    assert.ok(build.files.includes(file.slice(2)), `tsconfig.build.json files: ${file}`);
  }
});

test(
  "package: the tarball has JavaScript and declarations for every entry point, the bin, README and LICENSE, and no TypeScript sources",
  {
    timeout: 300_000,
  },
  () => {
    const entries = run("tar", ["-tzf", tarball()]).trim().split("\n").map((e) =>
      e.replace(/^package\//, "")
    );
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (typeof target === "string") continue;
      const t = target as { types: string; default: string };
      assert.ok(entries.includes(t.types.slice(2)), `${key}: ${t.types}`);
      assert.ok(entries.includes(t.default.slice(2)), `${key}: ${t.default}`);
    }
    assert.ok(entries.includes(pkg.bin.nlts), pkg.bin.nlts);
    for (const f of ["README.md", "LICENSE", "package.json"]) assert.ok(entries.includes(f), f);
    const sources = entries.filter((e) => e.endsWith(".ts") && !e.endsWith(".d.ts"));
    assert.deepEqual(sources, []);
    assert.deepEqual(entries.filter((e) => e.startsWith("tests/") || e.includes("_test.")), []);
  },
);

/** Bun project: `bun install --offline`, the script and bin under Bun, tsc with bun init's tsconfig. */
function checkBunProject(): void {
  const dir = project("bun");
  try {
    run("bun", ["install", "--offline"], { cwd: dir });
    assert.deepEqual(JSON.parse(run("bun", ["main.ts"], { cwd: dir })), EXPECTED);
    const list = run(join(dir, "node_modules/.bin/nlts"), ["genl", "list"], { cwd: dir });
    assert.match(list, /^Name: nlctrl$/m);
    for (const skipLibCheck of [true, false]) {
      writeFileSync(join(dir, "tsconfig.json"), bunInitTsconfig(skipLibCheck));
      run(tsc, ["-p", dir], { cwd: dir });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deno project: `npm install --offline` into node_modules, script and bin under Deno, check. */
function checkDenoProject(): void {
  const dir = project("deno");
  try {
    run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: dir });
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
    const out = run("deno", ["run", "--allow-ffi", "--allow-read", "main.ts"], { cwd: dir });
    assert.deepEqual(JSON.parse(out), EXPECTED);
    const list = run("deno", ["run", "-A", "node_modules/.bin/nlts", "genl", "list"], { cwd: dir });
    assert.match(list, /^Name: nlctrl$/m);
    run("deno", ["check", "main.ts"], { cwd: dir });
    writeFileSync(
      join(dir, "deno.json"),
      JSON.stringify({ nodeModulesDir: "manual", compilerOptions: { strict: false } }),
    );
    run("deno", ["check", "main.ts"], { cwd: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Each runner checks the project of its own runtime (the work is done by subprocesses, so the
// same check under the other runner would only repeat it): `deno task test` covers both.
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
test(
  isBun
    ? "package: a fresh Bun project installs the tarball offline (bun install), runs a script and the nlts bin, and type-checks with bun init's tsconfig (skipLibCheck on and off)"
    : "package: a fresh Deno project with node_modules (npm install) runs a script and the nlts bin under Deno and passes deno check, strict and not",
  { timeout: 300_000 },
  isBun ? checkBunProject : checkDenoProject,
);

test(
  "package: the sources type-check under a non-strict Deno config too (JSR users compile them)",
  {
    timeout: 300_000,
  },
  () => {
    const dir = mkdtempSync(join(tmpdir(), "nlts-nonstrict-"));
    try {
      const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
      config.compilerOptions = { ...config.compilerOptions, strict: false };
      writeFileSync(join(dir, "deno.json"), JSON.stringify(config));
      const entries = Object.values(denoJson.exports).map((p) => join(root, p));
      run("deno", ["check", "--config", join(dir, "deno.json"), ...entries], { cwd: root });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
