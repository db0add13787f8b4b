// `nlts dp` flow commands (ovs-dpctl forms) through the CLI entry point, ovs-dpctl as the peer:
// add/mod/del/get-flow, dump-flows (DP optional when there is one datapath), add-flows,
// mod-flows and del-flows files, exit statuses and messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { caseUfid } from "./_flow_cases.ts";
import { diffDumps, dpctl, makeFlowDp } from "./_flow_helpers.ts";
import { collector, CT_COMMIT, isBun, nltsTry, skip } from "./_helpers.ts";
import { execFileSync } from "node:child_process";

async function dp(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const c = collector();
  const status = await main(["dp", ...args], c.io);
  return { status, out: c.out(), err: c.err() };
}

const ARP = (p: number) => `in_port(${p}),eth(),eth_type(0x0806),arp()`;
const IP = (p: number) => `in_port(${p}),eth(),eth_type(0x0800),ipv4(frag=no)`;

test(
  "flow cli: add-flow, get-flow, mod-flow, del-flow, dump-flows, del-flows",
  { skip },
  async () => {
    using d = makeFlowDp("fk");
    const u = caseUfid(4)!;
    let r = await dp(["add-flow", d.name, `ufid:${u},${ARP(1)}`, "2"]);
    assert.deepEqual([r.status, r.out, r.err], [0, "", ""]);
    r = await dp(["add-flow", `system@${d.name}`, IP(2), `${CT_COMMIT},1`]);
    assert.equal(r.status, 0, r.err);
    // A duplicate: EEXIST, exit 1, one line on stderr.
    r = await dp(["add-flow", d.name, IP(2), "1"]);
    assert.equal(r.status, 1);
    assert.match(r.err, /^nlts: Cannot ovs_flow\.new: EEXIST \(File exists\)\n$/);
    // get-flow by UFID and by key, as ovs-dpctl get-flow prints it.
    r = await dp(["get-flow", d.name, `ufid:${u}`]);
    assert.equal(r.out, dpctl("get-flow", d.name, `ufid:${u}`));
    r = await dp(["get-flow", "-m", d.name, `ufid:${u}`]);
    assert.deepEqual(diffDumps(dpctl("get-flow", "-m", d.name, `ufid:${u}`), r.out, true), []);
    r = await dp(["get-flow", d.name, IP(2)]);
    assert.ok(r.out.startsWith(`${IP(2)}, `), r.out);
    assert.ok(r.out.endsWith(`actions:${CT_COMMIT},1\n`), r.out);
    const j = JSON.parse((await dp(["get-flow", "--json", d.name, `ufid:${u}`])).out);
    assert.equal(j.ufid, u);
    assert.deepEqual(j.actions, [{ kind: "output", value: 2 }]);
    // mod-flow: by key (and UFID for a UFID flow), --clear, -s; --may-create.
    r = await dp(["mod-flow", "-s", d.name, IP(2), "3"]);
    assert.deepEqual([r.status, r.out], [0, "packets:0, bytes:0, used:never\n"]);
    r = await dp(["mod-flow", d.name, ARP(1), "3"]);
    assert.equal(r.status, 1, "a UFID flow is not found by key");
    assert.match(r.err, /ENOENT/);
    r = await dp(["mod-flow", "--clear", d.name, `ufid:${u},${ARP(1)}`, "3"]);
    assert.equal(r.status, 0, r.err);
    r = await dp(["mod-flow", "--may-create", d.name, ARP(3), "1"]);
    assert.equal(r.status, 0, r.err);
    assert.deepEqual(
      diffDumps(dpctl("dump-flows", d.name), (await dp(["dump-flows", d.name])).out, false),
      [],
    );
    assert.match(
      dpctl("dump-flows", d.name),
      /in_port\(3\),eth\(\),eth_type\(0x0806\), packets:0, bytes:0, used:never, actions:1/,
    );
    // del-flow by key, by UFID; an unknown key says what ovs-dpctl says.
    r = await dp(["del-flow", "-s", d.name, ARP(3)]);
    assert.deepEqual([r.status, r.out], [0, "packets:0, bytes:0, used:never\n"]);
    r = await dp(["del-flow", d.name, `ufid:${u}`]);
    assert.equal(r.status, 0, r.err);
    r = await dp(["del-flow", d.name, ARP(3)]);
    assert.equal(r.status, 1);
    assert.match(r.err, /ENOENT.*Perhaps you need to specify a UFID\?/);
    // del-flows DP flushes.
    r = await dp(["del-flows", d.name]);
    assert.equal(r.status, 0, r.err);
    assert.equal(dpctl("dump-flows", d.name), "");
    // dump-flows with no DP: the only datapath (as ovs-dpctl).
    if (dpctl("dump-dps").trim().split("\n").length === 1) {
      await dp(["add-flow", ARP(1), "2"]);
      r = await dp(["dump-flows"]);
      assert.equal(r.out, dpctl("dump-flows"));
    }
  },
);

test("flow cli: add-flows / mod-flows / del-flows files, through the nlts binary", { skip }, () => {
  using d = makeFlowDp("fm");
  const file = join(tmpdir(), `nlts-cli-flows-${process.pid}`);
  try {
    const add = [
      `ufid:${caseUfid(6)},${ARP(1)} 2`,
      `${IP(1)} 2`,
      `${IP(2)} 3`,
      "in_port(1),bad(1) 2",
      `${IP(2)} 3`,
    ];
    writeFileSync(file, add.join("\n") + "\n");
    let r = nltsTry(["dp", "add-flows", "--batch", "2", d.name, file]);
    assert.equal(r.status, 1, r.stderr);
    const err = r.stderr.trim().split("\n");
    assert.equal(err.length, 2, r.stderr);
    assert.match(err[0], /^nlts: line 4: Cannot parse flow key at column \d+/);
    assert.match(err[1], /^nlts: line 5: Cannot ovs_flow\.new: EEXIST/);
    assert.equal(dpctl("dump-flows", d.name).trim().split("\n").length, 3);
    writeFileSync(file, `${IP(1)} 3\n${IP(2)} 1\n`);
    r = nltsTry(["dp", "mod-flows", d.name, file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      dpctl("dump-flows", d.name),
      /in_port\(1\),eth\(\),eth_type\(0x0800\),ipv4\(frag=no\), packets:0, bytes:0, used:never, actions:3/,
    );
    writeFileSync(file, `ufid:${caseUfid(6)}\n${IP(1)}\n`);
    r = nltsTry(["dp", "del-flows", d.name, file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(dpctl("dump-flows", d.name), /^in_port\(2\),[^\n]*actions:1\n$/);
    // The binary prints dump-flows as ovs-dpctl does.
    r = nltsTry(["dp", "dump-flows", "-m", d.name]);
    assert.deepEqual(diffDumps(dpctl("dump-flows", "-m", d.name), r.stdout, true), []);
  } finally {
    rmSync(file, { force: true });
  }
});

/** Text without the terminal control sequences a progress bar writes. */
// deno-lint-ignore no-control-regex
const plainText = (s: string) => s.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/g, "");

/** Runs `nlts` under `script`, whose pseudo-terminal is standard error (and, unless redirected, standard output). */
function nltsInTerminal(
  args: string[],
  redirect?: string,
): { status: number | null; out: string } {
  const main = new URL("../../src/cli/main.ts", import.meta.url).pathname;
  const argv = [process.execPath, ...(isBun ? [] : ["run", "-A"]), main, ...args];
  const q = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const cmd = argv.map(q).join(" ") + (redirect ? ` > ${q(redirect)}` : "");
  try {
    return {
      status: 0,
      out: execFileSync("script", ["-qec", cmd, "/dev/null"], {
        encoding: "utf8",
        timeout: 120_000,
      }),
    };
  } catch (e) {
    const x = e as { status?: number | null; stdout?: string };
    return { status: x.status ?? null, out: x.stdout ?? "" };
  }
}

test(
  "flow cli: add-flows and a dump written to a file show progress when standard error is a terminal, and only then",
  { skip },
  () => {
    using d = makeFlowDp("fp");
    const file = join(tmpdir(), `nlts-cli-progress-${process.pid}`);
    const dump = `${file}.dump`;
    try {
      const hex = (n: number) => n.toString(16).padStart(2, "0");
      const lines: string[] = ["# 5,000 ARP flows and one bad line"];
      for (let i = 0; i < 5_000; i++) {
        lines.push(
          `in_port(1),eth(src=02:00:00:00:${hex(i >> 8)}:${hex(i & 255)}),eth_type(0x0806),arp() 2`,
        );
      }
      lines.push("in_port(1),bad(1) 2");
      writeFileSync(file, lines.join("\n") + "\n");
      // In a terminal: the bar (count of the file's 5,001 flow lines, rate, errors), the bad
      // line whole on its own line, and the flows installed.
      const t = nltsInTerminal(["dp", "add-flows", d.name, file]);
      assert.equal(t.status, 1, "one line failed");
      const tty = t.out;
      const plain = plainText(tty);
      assert.match(
        plain,
        /\d+\/5001 flows \| \d+\/s \| [01] errors/,
        JSON.stringify(tty.slice(0, 400)),
      );
      assert.match(tty, /nlts: line 5002: Cannot parse flow key at column \d+/);
      assert.equal(dpctl("dump-flows", d.name).trim().split("\n").length, 5_000);
      // Not a terminal (pipes): no progress, only the error line.
      let r = nltsTry(["dp", "del-flows", d.name]);
      assert.equal(r.status, 0, r.stderr);
      r = nltsTry(["dp", "add-flows", d.name, file]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^nlts: line 5002: Cannot parse flow key at column \d+:[^\n]*\n$/);
      // A dump written to a file: progress against the datapath's flow count on the terminal,
      // the file exactly what ovs-dpctl prints.
      const { status, out } = nltsInTerminal(["dp", "dump-flows", d.name], dump);
      assert.equal(status, 0, out);
      assert.match(plainText(out), /\d+\/5000 flows \| \d+\/s/);
      assert.deepEqual(
        diffDumps(dpctl("dump-flows", d.name), readFileSync(dump, "utf8"), false),
        [],
      );
      // Printed to the terminal, the flows are their own progress: no bar.
      const shown = nltsInTerminal(["dp", "dump-flows", d.name]).out;
      assert.doesNotMatch(shown, /flows \|/);
    } finally {
      rmSync(file, { force: true });
      rmSync(dump, { force: true });
    }
  },
);

test("flow cli: usage errors exit 2; --help lists the flow commands", { skip }, async () => {
  using d = makeFlowDp("fu");
  for (
    const args of [
      ["add-flow", "--clear", d.name, ARP(1), "2"],
      ["dump-flows", d.name, "type=tc"],
      ["dump-flows", d.name, "extra"],
      ["del-flow"],
      ["add-flows", "--batch", "0", d.name, "/nonexistent"],
      ["add-flows", d.name, "/nonexistent"],
    ]
  ) {
    const r = await dp(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /^nlts: /);
  }
  const r = await dp(["--help"]);
  for (
    const c of [
      "add-flow",
      "mod-flow",
      "del-flow",
      "get-flow",
      "dump-flows",
      "add-flows",
      "del-flows",
    ]
  ) {
    assert.match(r.out, new RegExp(`\\n  ${c} `));
  }
  // Parse errors name the column (exit 1, as a refused flow).
  const bad = await dp(["add-flow", d.name, "in_port(1),eth_type(0x0800),ipv4(src=1.2.3)", "2"]);
  assert.equal(bad.status, 1);
  assert.match(bad.err, /column \d+/);
});
