/**
 * Counts the tests in a JUnit XML report as written by `deno test --junit-path` and
 * `bun test --reporter=junit`.
 *
 * Deno writes a `describe` block or a test with `t.test` steps as a testcase of its own and
 * each step as another testcase named "parent > step"; such a parent is not counted (its
 * steps are), unless it failed while none of its steps did. Bun nests testsuites instead, and
 * every testcase counts.
 *
 * @module
 */

/** One testcase of a report. */
export interface JunitCase {
  name: string;
  classname: string;
  status: "passed" | "failed" | "skipped";
  message: string;
}

/** Totals of a report. */
export interface JunitCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** The failed (leaf) cases, for the summary. */
  failures: JunitCase[];
}

const ENTITIES: Record<string, string> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

/** Replaces XML character and entity references. */
export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? all;
  });
}

function attr(attrs: string, name: string): string {
  const m = attrs.match(new RegExp(`\\s${name}="([^"]*)"`));
  return m ? unescapeXml(m[1]) : "";
}

/** Lists every testcase element of a report, in document order. */
export function parseJunit(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  const re = /<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[2] ?? "";
    const fail = body.match(/<(failure|error)\b([^>]*?)(?:\/>|>)/);
    const status = fail ? "failed" : /<skipped\b/.test(body) ? "skipped" : "passed";
    cases.push({
      name: attr(m[1], "name"),
      classname: attr(m[1], "classname"),
      status,
      message: fail ? attr(fail[2], "message").split("\n")[0] : "",
    });
  }
  return cases;
}

/** Counts leaf tests (see the module doc for how Deno's parents are treated). */
export function countJunit(xml: string): JunitCounts {
  const cases = parseJunit(xml);
  const counts: JunitCounts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const c of cases) {
    const children = cases.filter((d) => d.name.startsWith(`${c.name} > `));
    if (children.length > 0) {
      // A parent: its steps are counted; its own failure only when no step explains it.
      if (c.status === "failed" && !children.some((d) => d.status === "failed")) {
        counts.failed++;
        counts.failures.push(c);
      }
      continue;
    }
    counts[c.status]++;
    if (c.status === "failed") counts.failures.push(c);
  }
  return counts;
}
