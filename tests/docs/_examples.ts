// The @example code blocks of the library's JSDoc, found in mod.ts and src/, and each one made
// into a module that runs from a temporary file: `@nlts/netlink[/...]` imports (how the examples
// import the package) and relative imports point at the sources of this checkout.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One example: where it is and its code. */
export interface DocExample {
  /** The file, relative to the repository root. */
  file: string;
  /** The 1-based line of the code fence. */
  line: number;
  /** The code inside the fence. */
  code: string;
}

export const root: string = resolve(dirname(new URL(import.meta.url).pathname), "../..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts") && !p.endsWith("_test.ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Every ```ts fence inside a JSDoc comment of mod.ts and src/. */
export function docExamples(): DocExample[] {
  const out: DocExample[] = [];
  for (const path of [join(root, "mod.ts"), ...sources(join(root, "src"))]) {
    const lines = readFileSync(path, "utf8").split("\n");
    let inDoc = false;
    let fence: { line: number; code: string[] } | undefined;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (!inDoc) {
        if (/^\s*\/\*\*/.test(l) && !/\*\/\s*$/.test(l)) inDoc = true;
        continue;
      }
      if (/^\s*\*\//.test(l)) {
        inDoc = false;
        fence = undefined;
        continue;
      }
      const text = l.replace(/^\s*\* ?/, "");
      if (fence === undefined) {
        if (/^```(ts|typescript)\b/.test(text.trim())) fence = { line: i + 1, code: [] };
      } else if (text.trim() === "```") {
        out.push({ file: relative(root, path), line: fence.line, code: fence.code.join("\n") });
        fence = undefined;
      } else fence.code.push(text);
    }
  }
  return out;
}

/** The package's entry points and the files they name, from deno.json. */
function exportsMap(): Map<string, string> {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as {
    name: string;
    exports: Record<string, string>;
  };
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(config.exports)) {
    m.set(k === "." ? config.name : `${config.name}/${k.slice(2)}`, join(root, v));
  }
  return m;
}

/**
 * The example as a module that runs from anywhere: package imports and relative imports are
 * rewritten to absolute paths of this checkout's sources.
 */
export function runnableSource(ex: DocExample): string {
  const exports = exportsMap();
  const dir = dirname(join(root, ex.file));
  return ex.code.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"']+)\2/g,
    (all, lead: string, q: string, spec: string) => {
      if (spec.startsWith("./") || spec.startsWith("../")) {
        return `${lead}${q}${join(dir, spec)}${q}`;
      }
      if (spec === "@nlts/netlink" || spec.startsWith("@nlts/netlink/")) {
        // An entry point deno.json does not have is left for the run to report.
        const target = exports.get(spec);
        return target === undefined ? all : `${lead}${q}${target}${q}`;
      }
      return all;
    },
  );
}
