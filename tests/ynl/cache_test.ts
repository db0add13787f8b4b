// The spec cache (src/ynl/_cache.ts): what loadSpec makes of a spec file (its checked model) and
// a spec file's parse (readSpecSource) are kept as JSON for the next process, found again only
// while the file is unchanged (size, modification time), ignored when damaged, and written
// nowhere with `cache: false`.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec, readSpecSource } from "../../src/ynl/mod.ts";
import { MODEL_VERSION } from "../../src/ynl/_cache.ts";
import { NetlinkWriter } from "../../src/protocol/mod.ts";

const SPEC = `# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
name: cachedemo
protocol: genetlink
doc: A family for the cache test.
attribute-sets:
  -
    name: main
    attributes:
      -
        name: id
        type: u32
      -
        name: big
        type: u64
        checks:
          max: s64-max
operations:
  list:
    -
      name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          attributes: [ id, big ]
        reply:
          attributes: [ id ]
`;

function scratch(): { dir: string; spec: string; cache: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "nlts-ynl-cache-"));
  const spec = join(dir, "cachedemo.yaml");
  writeFileSync(spec, SPEC);
  return {
    dir,
    spec,
    cache: join(dir, "cache"),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test("ynl cache: loadSpec keeps a spec file's checked model and reads it back while the file is unchanged", () => {
  using s = scratch();
  const first = loadSpec(s.spec, { cache: s.cache });
  assert.equal(first.name, "cachedemo");
  const files = readdirSync(s.cache);
  assert.equal(files.length, 1);
  assert.match(files[0], /^cachedemo\.yaml\.model\.[0-9a-f]{8}\.json$/);
  const file = join(s.cache, files[0]);
  const kept = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(kept.model.name, "cachedemo");
  assert.match(kept.license, /BSD-3-Clause/);
  // a limit beyond a double's integers is kept exactly
  assert.deepEqual(kept.model.attrSets[0].attrs[1].checks, {
    max: { bigint: "9223372036854775807" },
  });
  // the next load takes the kept model (renamed here to tell it apart) and its licence
  kept.model.name = "fromcache";
  writeFileSync(file, JSON.stringify(kept));
  const second = loadSpec(s.spec, { cache: s.cache });
  assert.equal(second.name, "fromcache");
  assert.match(second.ynl.license ?? "", /BSD-3-Clause/);
  assert.equal(second.ynl.model.attrSets.get("main")?.attrs[1].checks?.max, 0x7fff_ffff_ffff_ffffn);
  assert.throws(
    () => second.operations.get.request.encode(new NetlinkWriter(), { big: 1n << 63n }),
    /main\.big: 9223372036854775808 is outside .*\b9223372036854775807$/,
  );
  // a changed file (another modification time) is read again
  utimesSync(s.spec, new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal(loadSpec(s.spec, { cache: s.cache }).name, "cachedemo");
});

test("ynl cache: readSpecSource keeps a spec file's parse and reads it back", () => {
  using s = scratch();
  assert.equal(
    (readSpecSource(s.spec, { cache: s.cache }).doc as { name: string }).name,
    "cachedemo",
  );
  const files = readdirSync(s.cache);
  assert.equal(files.length, 1);
  assert.match(files[0], /^cachedemo\.yaml\.[0-9a-f]{8}\.json$/);
  const file = join(s.cache, files[0]);
  const kept = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(kept.doc.name, "cachedemo");
  kept.doc.name = "fromcache";
  writeFileSync(file, JSON.stringify(kept));
  const again = readSpecSource(s.spec, { cache: s.cache });
  assert.equal((again.doc as { name: string }).name, "fromcache");
  assert.match(again.license ?? "", /BSD-3-Clause/);
});

test("ynl cache: a damaged or foreign cache file is ignored and replaced", () => {
  using s = scratch();
  loadSpec(s.spec, { cache: s.cache });
  const file = join(s.cache, readdirSync(s.cache)[0]);
  for (
    const junk of [
      "{not json",
      "null",
      JSON.stringify({ key: "other", model: { name: "x" } }),
      JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), model: { name: "x" } }),
    ]
  ) {
    writeFileSync(file, junk);
    assert.equal(loadSpec(s.spec, { cache: s.cache }).name, "cachedemo");
    assert.equal(JSON.parse(readFileSync(file, "utf8")).model.name, "cachedemo", "rewritten");
  }
  // a cache directory that cannot be made (a file is in the way) is no error
  const blocked = join(s.dir, "blocked");
  writeFileSync(blocked, "");
  assert.equal(loadSpec(s.spec, { cache: join(blocked, "sub") }).name, "cachedemo");
});

const SPEC_DIRS = [
  "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs",
  new URL("../../../shared/ynl-specs", import.meta.url).pathname,
];

test("ynl cache: a cached model is the model read from the spec, and its family encodes and decodes the same", (t) => {
  const dirs = SPEC_DIRS.filter((d) => existsSync(d));
  if (dirs.length === 0) return t.skip("no spec directory (linux-doc-6.12, ../shared/ynl-specs)");
  using s = scratch();
  let n = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(dir).sort()) {
      if (!/\.yaml(\.gz)?$/.test(f) || /^(genetlink|netlink-raw)/.test(f)) continue;
      const path = join(dir, f);
      const read = loadSpec(path, { cache: s.cache });
      const cached = loadSpec(path, { cache: s.cache });
      assert.deepEqual(cached.ynl.model, read.ynl.model, path);
      assert.deepEqual(cached.ynl.errata, read.ynl.errata, path);
      assert.equal(cached.ynl.license, read.ynl.license, path);
      // every operation's request and reply sets alike (names, numbers, codec kinds)
      for (const [name, op] of Object.entries(read.operations)) {
        const other = cached.operations[name];
        for (const k of ["request", "reply"] as const) {
          const shape = (set: typeof op.request) =>
            set.fields.map((x) => `${x.key} ${x.type} ${x.name} ${x.codec.kind}`);
          assert.deepEqual(shape(other[k]), shape(op[k]), `${path} ${name} ${k}`);
        }
        const empty = new NetlinkWriter();
        other.request.encode(empty, {});
        const again = new NetlinkWriter();
        op.request.encode(again, {});
        assert.deepEqual(empty.bytes(), again.bytes());
      }
      n++;
    }
  }
  assert.ok(n >= 20, `${n} specs`);
});

/** FNV-1a of a file's text. */
function fingerprint(files: string[]): string {
  let h = 0x811c9dc5;
  for (const f of files) {
    const text = readFileSync(new URL(`../../src/ynl/${f}`, import.meta.url), "utf8");
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

test("ynl cache: the model's version changes with what makes a model", () => {
  // what a cached model stands for: the model reader, the errata, the IR's checks (run at a
  // set's first use, cached or not) and the cache's own format. When this fails, bump MODEL_VERSION in
  // src/ynl/_cache.ts (a cache made by the old code must not be taken for the new one's) and
  // record both here.
  const files = [
    "model.ts",
    "_core_yaml.ts",
    "errata.ts",
    "errata_link_kinds.ts",
    "_marks.ts",
    "ir.ts",
    "_cache.ts",
  ];
  assert.deepEqual(
    { MODEL_VERSION, fingerprint: fingerprint(files) },
    { MODEL_VERSION: 6, fingerprint: "a51b3656" },
    "src/ynl changed what a cached model means: bump MODEL_VERSION and record the fingerprint",
  );
});

test("ynl cache: cache false writes nothing; text and objects are never cached", () => {
  using s = scratch();
  loadSpec(s.spec, { cache: false });
  loadSpec(SPEC, { cache: s.cache });
  assert.throws(() => readdirSync(s.cache), /ENOENT|No such file/);
  assert.throws(
    () => loadSpec(s.spec, { cache: 5 as unknown as string }),
    /Cannot load spec: cache must be a non-empty string, not 5/,
  );
});
