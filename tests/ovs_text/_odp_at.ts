// Reads Open vSwitch's tests/odp.at (an autotest file) and rebuilds its cases the way autotest
// would: m4 quotes are stripped, AT_DATA files are written to an in-memory file system, the
// shell that builds variants (echo, sed, cat, subshells, redirections, printf/seq loops) is
// interpreted, and each `ovstest test-odp MODE < FILE` check becomes a list of
// { input, expected } lines. Only the shell that odp.at uses is supported.
import { sed, SedError } from "./_sed.ts";

/** One `ovstest test-odp` check. */
export interface OdpCheck {
  /** AT_SETUP title. */
  section: string;
  /** "parse-keys", "parse-wc-keys", "parse-actions" or "parse-filter". */
  mode: string;
  /** The filter of parse-filter checks. */
  filter?: string;
  /** Input lines (fed to test-odp). */
  input: string[];
  /** Expected stdout lines; null when the check is a pipeline we do not reproduce. */
  expected: string[] | null;
}

/** Strips one level of m4 quotes from top-level text. */
function unquote(s: string): string {
  return s.replaceAll("[[", "[").replaceAll("]]", "]");
}

/** Splits `MACRO(args)` starting at `i` (at the "("); returns the raw args and the end. */
function macroArgs(s: string, i: number): [string[], number] {
  const args: string[] = [];
  let depth = 0, cur = "";
  i++; // "("
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === "[") {
      depth++;
      if (depth === 1) continue;
    } else if (c === "]") {
      depth--;
      if (depth === 0) continue;
    } else if (depth === 0 && (c === "," || c === ")")) {
      args.push(cur.replace(/^\s+/, ""));
      cur = "";
      if (c === ")") return [args, i + 1];
      continue;
    }
    cur += c;
  }
  throw new Error("unterminated macro");
}

function dequoteArg(a: string): string {
  // The outer quotes are gone (macroArgs); remove the next level and a leading "dnl\n".
  return unquote(a).replace(/^dnl\n/, "");
}

// ---------------------------------------------------------------------------------------------
// A tiny shell

type Files = Map<string, string[]>;

interface Token {
  t: "word" | "op";
  v: string;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") {
      i++;
      continue;
    }
    if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\n" || c === ";") {
      out.push({ t: "op", v: "\n" });
      i++;
      continue;
    }
    if (c === "#" && (out.length === 0 || out[out.length - 1].v === "\n")) {
      while (i < src.length && src[i] !== "\n") i++;
      continue;
    }
    if (c === ">" && src[i + 1] === ">") {
      out.push({ t: "op", v: ">>" });
      i += 2;
      continue;
    }
    if ("()|<>".includes(c)) {
      out.push({ t: "op", v: c });
      i++;
      continue;
    }
    // A word: plain characters, '...' and "..." parts, $(...) substitutions.
    let w = "";
    while (i < src.length && !" \t\n;()|<>".includes(src[i])) {
      if (src[i] === "'") {
        const j = src.indexOf("'", i + 1);
        w += "\u0001" + src.slice(i + 1, j) + "\u0002";
        i = j + 1;
      } else if (src[i] === '"') {
        const j = src.indexOf('"', i + 1);
        w += "\u0003" + src.slice(i + 1, j) + "\u0004";
        i = j + 1;
      } else if (src[i] === "$" && src[i + 1] === "(") {
        let depth = 0, j = i + 1;
        for (; j < src.length; j++) {
          if (src[j] === "(") depth++;
          else if (src[j] === ")" && --depth === 0) break;
        }
        w += "\u0005" + src.slice(i + 2, j) + "\u0006";
        i = j + 1;
      } else {
        w += src[i++];
      }
    }
    out.push({ t: "word", v: w });
  }
  return out;
}

class Shell {
  files: Files;
  vars = new Map<string, string>();
  constructor(files: Files) {
    this.files = files;
  }

  /** Expands quotes, $var, ${var} and $(...) of a word. */
  word(w: string): string {
    let out = "";
    for (let i = 0; i < w.length; i++) {
      const c = w[i];
      if (c === "\u0001") {
        const j = w.indexOf("\u0002", i);
        out += w.slice(i + 1, j);
        i = j;
      } else if (c === "\u0003") {
        const j = w.indexOf("\u0004", i);
        out += this.vars_(w.slice(i + 1, j));
        i = j;
      } else if (c === "\u0005") {
        const j = w.indexOf("\u0006", i);
        out += this.capture(w.slice(i + 1, j));
        i = j;
      } else if (c === "$") {
        const m = /^\$(\{(\w+)\}|(\w+))/.exec(w.slice(i));
        if (m) {
          out += this.vars.get(m[2] ?? m[3]) ?? "";
          i += m[0].length - 1;
        } else out += c;
      } else out += c;
    }
    return out;
  }

  vars_(s: string): string {
    return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => this.vars.get(a ?? b) ?? "");
  }

  capture(src: string): string {
    return this.exec(tokenize(src), []).join("\n");
  }

  /** Runs a command list; returns its stdout lines. */
  exec(tokens: Token[], stdin: string[]): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < tokens.length) {
      if (tokens[i].v === "\n") {
        i++;
        continue;
      }
      const [lines, next] = this.pipeline(tokens, i, stdin);
      out.push(...lines);
      i = next;
    }
    return out;
  }

  pipeline(tokens: Token[], i: number, stdin: string[]): [string[], number] {
    let data = stdin;
    for (;;) {
      const [lines, next] = this.command(tokens, i, data);
      data = lines;
      i = next;
      if (tokens[i]?.v === "|") {
        i++;
        continue;
      }
      return [data, i];
    }
  }

  command(tokens: Token[], i: number, stdin: string[]): [string[], number] {
    let out: string[];
    if (tokens[i].t === "op" && tokens[i].v === "(") {
      let depth = 0, j = i;
      for (; j < tokens.length; j++) {
        if (tokens[j].t === "op" && tokens[j].v === "(") depth++;
        else if (tokens[j].t === "op" && tokens[j].v === ")" && --depth === 0) break;
      }
      out = this.exec(tokens.slice(i + 1, j), stdin);
      i = j + 1;
    } else {
      const argv: string[] = [];
      let input = stdin;
      while (i < tokens.length && tokens[i].t === "word") argv.push(tokens[i++].v);
      // "<" redirection may come before output redirections.
      if (tokens[i]?.v === "<") {
        input = this.files.get(this.word(tokens[i + 1].v)) ?? [];
        i += 2;
      }
      out = this.run(argv, input);
    }
    // Redirections.
    for (;;) {
      const op = tokens[i]?.v;
      if (op === ">" || op === ">>") {
        const f = this.word(tokens[i + 1].v);
        this.files.set(f, op === ">" ? out : [...(this.files.get(f) ?? []), ...out]);
        out = [];
        i += 2;
      } else if (op === "<") {
        i += 2; // already handled
      } else break;
    }
    return [out, i];
  }

  run(argv: string[], stdin: string[]): string[] {
    if (argv.length === 0) return [];
    const assign = /^(\w+)=(.*)$/s.exec(argv[0]);
    if (assign && argv.length === 1) {
      this.vars.set(assign[1], this.word(assign[2]));
      return [];
    }
    const args = argv.map((a) => this.word(a));
    switch (args[0]) {
      case "echo":
        return [args.slice(1).join(" ")];
      case "cat":
        return args.length > 1 ? args.slice(1).flatMap((f) => this.files.get(f) ?? []) : stdin;
      case "head":
        return stdin.slice(0, Number(args[1].slice(1)));
      case "tail":
        return stdin.slice(-Number(args[1].slice(1)));
      case "seq":
        return Array.from({ length: Number(args[1]) }, (_, k) => String(k + 1));
      case "printf":
        return [printf(args[1], args.slice(2))];
      case "tr":
        return stdin.map((l) => l.split(args[1]).join(args[2]));
      case "sed": {
        let quiet = false, inPlace = false;
        let k = 1;
        for (; k < args.length && args[k].startsWith("-"); k++) {
          if (args[k] === "-n") quiet = true;
          else if (args[k].startsWith("-i")) inPlace = true;
        }
        const script = args[k++];
        const file = args[k];
        const input = file !== undefined ? this.files.get(file) ?? [] : stdin;
        let result: string[];
        try {
          result = sed(script, input, quiet);
        } catch (e) {
          if (e instanceof SedError) return []; // sed prints an error and nothing else
          throw e;
        }
        if (inPlace && file !== undefined) {
          this.files.set(file, result);
          return [];
        }
        return result;
      }
      default:
        throw new Error(`unsupported command in odp.at: ${args[0]}`);
    }
  }
}

function printf(format: string, args: string[]): string {
  // The two forms odp.at uses: '%*s' WIDTH (spaces) and 'TEXT%.0s' repeated per argument.
  const width = /^%\*s$/.exec(format);
  if (width) return " ".repeat(Number(args[0] ?? 0));
  if (format.endsWith("%.0s")) {
    const text = format.slice(0, -4);
    const n = args.length === 0 ? 1 : args.join(" ").split(/\s+/).length;
    return text.repeat(n);
  }
  throw new Error(`unsupported printf format ${format}`);
}

// ---------------------------------------------------------------------------------------------

/** Parses odp.at into its `test-odp` checks. */
export function odpChecks(text: string): OdpCheck[] {
  const checks: OdpCheck[] = [];
  const sections = text.split(/^AT_SETUP\(/m).slice(1);
  for (const sec of sections) {
    const [titleArgs, bodyStart] = macroArgs("(" + sec, 0);
    const title = unquote(titleArgs[0]);
    const body = sec.slice(bodyStart - 1, sec.indexOf("AT_CLEANUP"));
    const files: Files = new Map();
    const sh = new Shell(files);
    let shell = "";
    let i = 0;
    const flush = () => {
      if (shell.trim() !== "") sh.exec(tokenize(unquote(shell)), []);
      shell = "";
    };
    while (i < body.length) {
      const m = /^(AT_DATA|AT_CHECK_UNQUOTED|AT_CHECK|AT_CAPTURE_FILE)\(/.exec(body.slice(i));
      if (m !== null) {
        flush();
        const [args, end] = macroArgs(body, i + m[1].length);
        i = end;
        if (m[1] === "AT_DATA") {
          const content = dequoteArg(args[1]);
          files.set(unquote(args[0]), content.replace(/\n$/, "").split("\n"));
        } else if (m[1].startsWith("AT_CHECK")) {
          const cmd = unquote(args[0]);
          const t =
            /ovstest test-odp (parse-keys|parse-wc-keys|parse-actions|parse-filter)( filter='([^']*)')? < (\S+)(.*)$/s
              .exec(cmd);
          if (t === null) continue; // test-dpparse.py pipelines: Python's parser, not ours
          let expected: string[] | null;
          const exp = dequoteArg(args[2] ?? "");
          if (t[5].trim() !== "") {
            expected = null; // post-processed output (| sed ...): compared by outcome only
          } else {
            expected = expandExpected(exp, sh);
          }
          const check: OdpCheck = {
            section: title,
            mode: t[1],
            input: files.get(t[4]) ?? [],
            expected,
          };
          if (t[3] !== undefined) check.filter = t[3];
          if (expected === null) check.expected = outcomeOnly(exp, files.get(t[4]) ?? []);
          checks.push(check);
        }
        continue;
      }
      // dnl comments run to the end of the line.
      if (body.startsWith("dnl", i) && (i === 0 || body[i - 1] === "\n")) {
        i = body.indexOf("\n", i) + 1 || body.length;
        continue;
      }
      shell += body[i++];
    }
    flush();
  }
  return checks;
}

/** AT_CHECK_UNQUOTED stdout: `cmd` substitutions evaluated, final newline dropped. */
function expandExpected(exp: string, sh: Shell): string[] {
  const text = exp.replace(/`([^`]*)`/g, (_, cmd) => sh.capture(cmd));
  return text.replace(/\n$/, "").split("\n");
}

/**
 * For checks whose output is post-processed: one line per input line, the input itself when
 * the expected output says it parsed, else "error".
 */
function outcomeOnly(exp: string, input: string[]): string[] {
  const errors = exp.split("\n").filter((l) => /^odp_\w+: error/.test(l)).length;
  return input.map((l, k) => (k >= input.length - errors ? "error" : l));
}
