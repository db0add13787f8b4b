// How `nlts` reports a wrong command line and a kernel refusal, on the host (no openvswitch
// module needed): usage errors exit 2 with the command's usage line and a --help hint, before
// any socket is opened; kernel errors exit 1 with one line; option values are checked with
// messages that name the option; help texts come from the command tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const root = new URL("../../", import.meta.url).pathname;

async function nlts(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "", err = "";
  const status = await main(args, {
    out: (s) => out += s,
    err: (s) => err += s,
    signal: new AbortController().signal,
  });
  return { status, out, err };
}

/** A usage error: exit 2, the message, the command's usage line, the --help hint. */
function assertUsage(
  r: { status: number; err: string },
  message: RegExp,
  usage: string,
  help: string,
): void {
  assert.equal(r.status, 2, r.err);
  assert.match(r.err, /^nlts: /);
  assert.match(r.err, message);
  assert.ok(r.err.includes(`\nUsage: ${usage}\n`), r.err);
  assert.ok(r.err.includes(`'${help}'`), r.err);
  assert.doesNotMatch(r.err, /modprobe|ENOENT|ENODEV/);
}

test("cli usage: dp add-if without arguments is a usage error, not a kernel error", async () => {
  assertUsage(
    await nlts("dp", "add-if"),
    /dp add-if: missing DP and IFACE/,
    "nlts dp add-if DP IFACE...",
    "nlts dp --help",
  );
  assertUsage(
    await nlts("dp", "add-if", "dp0"),
    /dp add-if: missing IFACE$/m,
    "nlts dp add-if DP IFACE...",
    "nlts dp --help",
  );
  assertUsage(
    await nlts("dp", "del-dp", "a", "b"),
    /dp del-dp: too many arguments/,
    "nlts dp del-dp DP",
    "nlts dp --help",
  );
});

test("cli usage: dp add-flows with a file that cannot be read exits 2 before any lookup", async () => {
  const missing = join(root, "tests/cli/no-such-flows.txt");
  for (const args of [["add-flows", missing], ["add-flows", "dp0", missing]]) {
    const r = await nlts("dp", ...args);
    assertUsage(
      r,
      /cannot read .*no-such-flows\.txt/,
      "nlts dp add-flows [DP] FILE",
      "nlts dp --help",
    );
  }
  assertUsage(
    await nlts("dp", "add-flows", "--batch", "0", missing),
    /--batch 0 is not a whole number 1\.\.1024/,
    "nlts dp add-flows [DP] FILE",
    "nlts dp --help",
  );
});

test("cli usage: an unknown option is named cleanly, with the nearest one and the hint", async () => {
  const r = await nlts("genl", "list", "--jsn");
  assertUsage(
    r,
    /genl list: unknown option --jsn \(did you mean --json\?\)/,
    "nlts genl list [--json]",
    "nlts genl --help",
  );
  // Quotes come in pairs (parseArgs' message left one open).
  assert.equal((r.err.match(/'/g) ?? []).length % 2, 0, r.err);
  assert.equal((r.err.match(/"/g) ?? []).length % 2, 0, r.err);
  assertUsage(
    await nlts("dp", "show", "--count", "1"),
    /dp show: option --count is not one of show's/,
    "nlts dp show [DP...] [-s] [--json]",
    "nlts dp --help",
  );
  assertUsage(
    await nlts("dp", "dump-flows", "--json=yes"),
    /option --json takes no value/,
    "nlts dp dump-flows [DP] [filter=F]",
    "nlts dp --help",
  );
  assertUsage(
    await nlts("genl", "policy", "nlctrl", "--op"),
    /option --op needs a value/,
    "nlts genl policy NAME|ID [--op CMD] [--json]",
    "nlts genl --help",
  );
});

test("cli usage: --count -1 says what is wrong with the value", async () => {
  assertUsage(
    await nlts("dp", "monitor", "--count", "-1"),
    /dp monitor: --count -1 is not a whole number/,
    "nlts dp monitor [DP] [--count N]",
    "nlts dp --help",
  );
  assertUsage(
    await nlts("genl", "monitor", "--count=-1"),
    /genl monitor: --count -1 is not a whole number/,
    "nlts genl monitor [FAMILY...] [--json] [--count N]",
    "nlts genl --help",
  );
});

test("cli usage: unknown commands and groups name the way to the list", async () => {
  const dp = await nlts("dp", "frobnicate");
  assert.equal(dp.status, 2);
  assert.match(dp.err, /dp: unknown command "frobnicate"/);
  assert.ok(dp.err.includes("'nlts dp --help'"), dp.err);
  const group = await nlts("nosuchgroup");
  assert.equal(group.status, 2);
  assert.match(group.err, /unknown group "nosuchgroup"/);
});

test("cli usage: --help of a group lists every command of its table with its usage line", async () => {
  for (
    const [group, commands] of [
      ["genl", ["list", "show", "policy", "monitor"]],
      [
        "dp",
        [
          "show",
          "dump-dps",
          "add-dp",
          "del-dp",
          "add-if",
          "set-if",
          "del-if",
          "add-flow",
          "dump-flows",
          "add-flows",
          "ct-set-limits",
          "add-meter",
          "monitor",
          "upcalls",
          "execute",
        ],
      ],
    ] as const
  ) {
    const r = await nlts(group, "--help");
    assert.equal(r.status, 0);
    assert.equal(r.err, "");
    for (const c of commands) assert.match(r.out, new RegExp(`\\n  ${c}( |\\n)`), `${group} ${c}`);
    // A command's own --help is the same text.
    assert.equal((await nlts(group, commands[0], "--help")).out, r.out);
  }
});

test("cli usage: kernel errors exit 1 with one line (dp without the openvswitch module)", {
  skip: spawnSync("sh", ["-c", "test -d /sys/module/openvswitch"]).status === 0
    ? "openvswitch is loaded here; tests/ovs cover dp against the kernel"
    : false,
}, async () => {
  const r = await nlts("dp", "show");
  assert.equal(r.status, 1, r.err);
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  assert.match(r.err, /modprobe openvswitch/);
});

test("cli usage: genl show ID names the missing id; a missing family is looked up once", () => {
  const argv = (args: string[]) =>
    isBun
      ? [join(root, "src/cli/main.ts"), ...args]
      : ["run", "-A", join(root, "src/cli/main.ts"), ...args];
  const byId = spawnSync(process.execPath, argv(["genl", "show", "9999"]), { encoding: "utf8" });
  assert.equal(byId.status, 1, byId.stderr);
  assert.equal(byId.stderr.trim().split("\n").length, 1, byId.stderr);
  assert.match(byId.stderr, /no generic netlink family with id 9999/);
  const byName = spawnSync(process.execPath, argv(["genl", "show", "nlts_nofam"]), {
    encoding: "utf8",
    env: { ...process.env, NLTS_DEBUG: "1" },
  });
  assert.equal(byName.status, 1, byName.stderr);
  const lookups = byName.stderr.split("\n").filter((l) => /^nlts send .*getfamily/.test(l));
  assert.equal(lookups.length, 1, byName.stderr);
  assert.match(byName.stderr, /no generic netlink family "nlts_nofam"/);
});
