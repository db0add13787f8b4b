/**
 * Counts passed / failed / skipped leaf test cases in JUnit XML files written by `deno test
 * --junit-path` and `bun test --reporter=junit`. Deno lists a `describe` block as a test case
 * and its tests as "block > test" cases; only leaves are counted, so both runners agree.
 *
 * Usage: deno run -A scripts/junit_count.ts FILE... ; prints `passed failed skipped`.
 * @module
 */

function unescape(s: string): string {
  return s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"').replace(
    /&apos;/g,
    "'",
  ).replace(/&amp;/g, "&");
}

interface Case {
  name: string;
  failed: boolean;
  skipped: boolean;
}

export function countJunit(xml: string): { passed: number; failed: number; skipped: number } {
  const cases: Case[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs = m[1];
    const body = m[3] ?? "";
    const name = unescape(/\bname="([^"]*)"/.exec(attrs)?.[1] ?? "");
    const cls = unescape(/\bclassname="([^"]*)"/.exec(attrs)?.[1] ?? "");
    cases.push({
      name: `${cls}\u0000${name}`,
      failed: /<(failure|error)\b/.test(body),
      skipped: /<skipped\b/.test(body),
    });
  }
  // Deno: a describe block "grp" is a case and its children "grp > x" are cases too (under a
  // different classname); a case is a leaf unless another case's test name extends it.
  const names = cases.map((c) => c.name.split("\u0000")[1]);
  let passed = 0, failed = 0, skipped = 0;
  cases.forEach((c, i) => {
    const n = names[i];
    const parent = names.some((o) => o.startsWith(`${n} > `));
    if (parent) return;
    if (c.failed) failed++;
    else if (c.skipped) skipped++;
    else passed++;
  });
  return { passed, failed, skipped };
}

if (import.meta.main) {
  let p = 0, f = 0, s = 0;
  for (const file of Deno.args) {
    let xml = "";
    try {
      xml = Deno.readTextFileSync(file);
    } catch {
      console.error(`junit_count: ${file} is missing (the runner crashed?); counting 1 failure`);
      f++;
      continue;
    }
    const r = countJunit(xml);
    p += r.passed;
    f += r.failed;
    s += r.skipped;
  }
  console.log(`${p} ${f} ${s}`);
}
