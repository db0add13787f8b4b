// The parsed-spec cache (src/ynl/_cache.ts): a spec file's parse is kept as JSON for the next
// process, found again only while the file is unchanged (size, modification time), ignored when
// damaged, and written nowhere with `cache: false`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec } from "../../src/ynl/mod.ts";

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
operations:
  list:
    -
      name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          attributes: [ id ]
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

test("ynl cache: a spec file's parse is kept and read back while the file is unchanged", () => {
  using s = scratch();
  const first = loadSpec(s.spec, { cache: s.cache });
  assert.equal(first.name, "cachedemo");
  const files = readdirSync(s.cache);
  assert.equal(files.length, 1);
  assert.match(files[0], /^cachedemo\.yaml\.[0-9a-f]{8}\.json$/);
  const file = join(s.cache, files[0]);
  const kept = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(kept.doc.name, "cachedemo");
  assert.match(kept.license, /BSD-3-Clause/);
  // the next load takes the kept parse (renamed here to tell it apart) and its licence
  kept.doc.name = "fromcache";
  writeFileSync(file, JSON.stringify(kept));
  const second = loadSpec(s.spec, { cache: s.cache });
  assert.equal(second.name, "fromcache");
  assert.match(second.ynl.license ?? "", /BSD-3-Clause/);
  // a changed file (another modification time) is parsed again
  utimesSync(s.spec, new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal(loadSpec(s.spec, { cache: s.cache }).name, "cachedemo");
});

test("ynl cache: a damaged or foreign cache file is ignored and replaced", () => {
  using s = scratch();
  loadSpec(s.spec, { cache: s.cache });
  const file = join(s.cache, readdirSync(s.cache)[0]);
  for (const junk of ["{not json", "null", JSON.stringify({ key: "other", doc: { name: "x" } })]) {
    writeFileSync(file, junk);
    assert.equal(loadSpec(s.spec, { cache: s.cache }).name, "cachedemo");
    assert.equal(JSON.parse(readFileSync(file, "utf8")).doc.name, "cachedemo", "rewritten");
  }
  // a cache directory that cannot be made (a file is in the way) is no error
  const blocked = join(s.dir, "blocked");
  writeFileSync(blocked, "");
  assert.equal(loadSpec(s.spec, { cache: join(blocked, "sub") }).name, "cachedemo");
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
