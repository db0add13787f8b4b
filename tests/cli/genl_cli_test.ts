// `nlts genl` from source (current runtime) and as a standalone binary (bun build --compile):
// JSON parsed and checked against the library and iproute2, text output, exit codes, monitor.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Controller } from "../../src/genl/mod.ts";
import { canUseNetns, ipIn, run, tempNetns } from "../helpers/netns.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const root = new URL("../../", import.meta.url).pathname;
const main = join(root, "src/cli/main.ts");

function nlts(args: string[], env: Record<string, string> = {}) {
  const argv = isBun ? [main, ...args] : ["run", "-A", main, ...args];
  const r = spawnSync(process.execPath, argv, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("cli: genl list --json matches the controller and genl ctrl list", () => {
  const r = nlts(["genl", "list", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const fams = JSON.parse(r.stdout) as {
    id: number;
    name: string;
    version: number;
    hdrsize: number;
    maxattr: number;
    ops: { id: number; flags: string[] }[];
    groups: { id: number; name: string }[];
  }[];
  using ctrl = Controller.open();
  const lib = ctrl.listFamiliesSync();
  assert.deepEqual(
    fams.map((f) => [f.id, f.name, f.ops.length, f.groups.length]),
    lib.map((f) => [f.id, f.name, f.ops.length, f.groups.length]),
  );
  const nl = fams.find((f) => f.name === "nlctrl")!;
  assert.deepEqual(nl.groups, [{ id: 16, name: "notify" }]);
  assert.deepEqual(nl.ops[0], {
    id: 3,
    name: "getfamily",
    flags: ["cmdCapDo", "cmdCapDump", "cmdCapHaspol"],
  });
  const iproute = run("genl", ["ctrl", "list"]);
  for (const f of fams) assert.ok(iproute.includes(`Name: ${f.name}\n`), f.name);
});

test("cli: genl list text has iproute2's shape; show NAME and ID agree", () => {
  const text = nlts(["genl", "list"]);
  assert.equal(text.status, 0);
  assert.ok(text.stdout.includes("Name: nlctrl\n\tID: 0x10  Version: 0x2  header size: 0"));
  const byName = nlts(["genl", "show", "nlctrl", "--json"]);
  const byId = nlts(["genl", "show", "0x10", "--json"]);
  assert.equal(byName.status, 0);
  assert.deepEqual(JSON.parse(byName.stdout), JSON.parse(byId.stdout));
});

test("cli: genl policy --json for nlctrl getfamily", () => {
  const r = nlts(["genl", "policy", "nlctrl", "--op", "3", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.equal(p.family, "nlctrl");
  const idx = p.ops.find((o: { cmd: number }) => o.cmd === 3).do;
  const attrs = p.policies.find((x: { index: number }) => x.index === idx).attrs;
  assert.deepEqual(
    attrs.find((a: { attr: number }) => a.attr === 2),
    { attr: 2, name: "family-name", type: "nulString", maxLength: 15 },
  );
  assert.equal(p.ops.find((o: { cmd: number }) => o.cmd === 3).name, "getfamily");
  assert.equal(p.policies.find((x: { index: number }) => x.index === idx).set, "ctrl-attrs");
});

test("cli: genl names the ops of every family nlts knows, in text and JSON", () => {
  const r = nlts(["genl", "show", "netdev", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const ops = (JSON.parse(r.stdout) as { ops: { id: number; name?: string }[] }).ops;
  assert.equal(ops.find((o) => o.id === 1)?.name, "dev-get");
  assert.deepEqual(ops.filter((o) => o.name === undefined), [], "every netdev op is named");
  const text = nlts(["genl", "show", "netdev"]);
  assert.match(text.stdout, /^\t\t#1: {2}ID-0x1 {2}dev-get $/m);
  // Families whose module nlts generated from a YNL spec are named too.
  const list = nlts(["genl", "list", "--json"]);
  const fams = JSON.parse(list.stdout) as { name: string; ops: { name?: string }[] }[];
  for (const name of ["nlctrl", "netdev", "tcp_metrics", "mptcp_pm"]) {
    const f = fams.find((x) => x.name === name);
    if (f) assert.ok(f.ops.every((o) => o.name !== undefined), `${name}: ${JSON.stringify(f.ops)}`);
  }
});

test("cli: genl policy names nested policies and their attributes (ethtool's header)", () => {
  const r = nlts(["genl", "policy", "ethtool", "--op", "1"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}cmd 1 \(strset-get\): do: policy \d+/m);
  assert.match(r.stdout, /^Policy \d+ \(header\):$/m);
  assert.match(r.stdout, /^ {2}attr 2 \(dev-name\): nulString, max len \d+$/m);
});

test("cli: genl uses a YNL spec installed on the host for a family nlts does not ship", () => {
  // A family of this kernel that nlts has no description of (its ops print unnamed), and a YNL
  // spec of it, written here, that names its first command.
  const listed = JSON.parse(nlts(["genl", "list", "--json"]).stdout) as {
    name: string;
    ops: { id: number; name?: string }[];
  }[];
  const target = listed.filter((f) => f.ops.length > 0 && f.ops.every((o) => !o.name))
    .sort((a, b) => Number(/[A-Z]/.test(a.name)) - Number(/[A-Z]/.test(b.name)))[0];
  assert.ok(target, "this kernel has a family nlts does not describe");
  const dir = mkdtempSync(join(tmpdir(), "nlts-specs-"));
  try {
    writeFileSync(join(dir, `${target.name}.yaml`), specOf(target.name, target.ops[0].id));
    const r = nlts(["genl", "show", target.name, "--json"], { NLTS_YNL_SPECS: dir });
    assert.equal(r.status, 0, r.stderr);
    const ops = (JSON.parse(r.stdout) as { ops: { id: number; name?: string }[] }).ops;
    assert.equal(ops[0].name, "first-op", `${target.name}: ${r.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A small YNL spec of family `name` that names command `cmd` only. */
function specOf(name: string, cmd: number): string {
  return `name: ${name}
protocol: genetlink
doc: Test spec naming one command.
attribute-sets:
  -
    name: main
    attributes:
      -
        name: id
        type: u32
operations:
  list:
    -
      name: first-op
      value: ${cmd}
      attribute-set: main
      do:
        request:
          attributes:
            - id
`;
}

test("cli: exit codes 0 / 1 (kernel error, one line) / 2 (usage)", () => {
  assert.equal(nlts(["genl", "--help"]).status, 0);
  const missing = nlts(["genl", "show", "nlts_nofam"]);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split("\n").length, 1);
  assert.match(missing.stderr, /ENOENT/);
  assert.equal(nlts(["genl", "frobnicate"]).status, 2);
  assert.equal(nlts(["genl", "list", "--bogus"]).status, 2);
  assert.equal(nlts(["genl", "policy", "nlctrl", "--op", "x"]).status, 2);
  assert.equal(nlts([]).status, 2);
  assert.equal(nlts(["nosuchgroup"]).status, 2);
});

test("cli: NLTS_DEBUG=1 traces messages with family and attribute names", () => {
  const r = nlts(["genl", "show", "nlctrl"], { NLTS_DEBUG: "1" });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /nlts send genl .*nlctrl\.getfamily v2 \{"familyName":"nlctrl"\}/);
  assert.match(r.stderr, /nlts recv genl .*"familyId":16/);
});

test("cli: genl monitor prints netdev notifications in a namespace, --count ends it", {
  skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
}, async () => {
  using ns = tempNetns("nltscli");
  const argv = isBun
    ? [main, "genl", "monitor", "netdev", "--json", "--count", "2", "--netns", ns.name]
    : [
      "run",
      "-A",
      main,
      "genl",
      "monitor",
      "netdev",
      "--json",
      "--count",
      "2",
      "--netns",
      ns.name,
    ];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => out += d);
  child.stderr.on("data", (d) => err += d);
  const exited = new Promise<number>((r) => child.on("exit", (c) => r(c ?? -1)));
  for (let i = 0; i < 200 && !err.includes("monitoring"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(err, /monitoring netdev\/mgmt/);
  ipIn(ns.name, ["link", "add", "name", "m0", "type", "veth", "peer", "name", "m1"]);
  const timer = setTimeout(() => child.kill(), 20_000);
  const status = await exited;
  clearTimeout(timer);
  assert.equal(status, 0, err);
  const events = out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(events.length, 2);
  for (const e of events) {
    assert.equal(e.family, "netdev");
    assert.equal(typeof e.cmd, "number");
    assert.equal(e.event, "dev-add-ntf", "the event by name");
    assert.equal(typeof e.attrs.ifindex, "number", "attributes by name");
    assert.equal(e.attrs.unknown, undefined);
  }
});

test("cli: standalone binary built with bun build --compile runs genl list --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "nlts-bin-"));
  try {
    const bin = join(dir, "nlts");
    execFileSync("bun", ["build", "--compile", main, "--outfile", bin], {
      stdio: "ignore",
      timeout: 120_000,
    });
    assert.ok(existsSync(bin));
    const fams = JSON.parse(execFileSync(bin, ["genl", "list", "--json"], { encoding: "utf8" }));
    assert.ok(fams.some((f: { name: string }) => f.name === "nlctrl"));
    const bad = spawnSync(bin, ["genl", "nope"], { encoding: "utf8" });
    assert.equal(bad.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
