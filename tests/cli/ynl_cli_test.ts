// `nlts ynl`: the installed specs, module generation (stdout and -o FILE), errors with the
// spec's path and exit statuses 0/1/2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { generateModule } from "../../src/ynl/mod.ts";

const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";

async function nlts(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "", err = "";
  const status = await main(args, {
    out: (s) => out += s,
    err: (s) => err += s,
    signal: new AbortController().signal,
  });
  return { status, out, err };
}

test("cli ynl: specs lists the 19 linux-doc-6.12 specs with their schema", async () => {
  const r = await nlts("ynl", "specs", "--json", "--dir", LINUX_DOC);
  assert.equal(r.status, 0, r.err);
  const rows = JSON.parse(r.out) as { name: string; protocol: string; path: string }[];
  const doc = rows.filter((x) => x.path.startsWith(LINUX_DOC));
  assert.equal(doc.length, 19);
  assert.deepEqual(doc.find((x) => x.name === "rt_link")?.protocol, "netlink-raw");
  assert.deepEqual(doc.find((x) => x.name === "nlctrl")?.protocol, "genetlink-legacy");
  const text = await nlts("ynl", "specs", "--dir", LINUX_DOC);
  assert.match(text.out, /^netdev +genetlink +\/.*netdev\.yaml\.gz$/m);
});

test("cli ynl: gen prints the module generateModule makes, -o writes it to a file", async () => {
  const spec = `${LINUX_DOC}/fou.yaml.gz`;
  const r = await nlts("ynl", "gen", spec);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, generateModule(spec));
  assert.match(r.out, /^export const fou: \{$/m);
  const dir = mkdtempSync(join(tmpdir(), "nlts-ynl-"));
  try {
    const file = join(dir, "fou.ts");
    const w = await nlts("ynl", "gen", "fou", "--dir", LINUX_DOC, "-o", file, "--kernel", "6.12");
    assert.equal(w.status, 0, w.err);
    assert.equal(w.out, "");
    assert.equal(readFileSync(file, "utf8"), r.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("cli ynl: a bad spec exits 1 naming the path inside it; no spec exits 2", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nlts-ynl-"));
  try {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "name: bad\ndoc: x\nattribute-sets:\n  - name: a\n    attributes:\n      - { name: b, type: u7 }\noperations: { list: [] }\n",
    );
    const r = await nlts("ynl", "gen", file);
    assert.equal(r.status, 1);
    assert.match(r.err, /attribute-sets\[0\]\.attributes\[0\]\.type: unknown attribute type "u7"/);
    const u = await nlts("ynl", "gen");
    assert.equal(u.status, 2);
    assert.match(u.err, /missing SPEC\nUsage: nlts ynl gen SPEC/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
