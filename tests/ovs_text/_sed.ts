// A small POSIX/GNU sed (the subset Open vSwitch's odp.at uses): `s/re/repl/flags` with BRE
// patterns, `/re/{ ... }` blocks, -n and the p flag. A script that does not compile produces no
// output at all, like sed, which exits before reading input; odp.at relies on that by accident
// (an unescaped "/" inside some replacements ends them early).

export class SedError extends Error {}

interface Subst {
  kind: "s";
  re: RegExp;
  repl: string;
  global: boolean;
  print: boolean;
  nth: number;
}

interface Block {
  kind: "block";
  addr: RegExp;
  cmds: Cmd[];
}

type Cmd = Subst | Block;

/** BRE (GNU flavour) to a JavaScript regular expression source. */
export function breToJs(bre: string): string {
  let out = "";
  let i = 0;
  while (i < bre.length) {
    const c = bre[i];
    if (c === "\\") {
      const n = bre[i + 1];
      i += 2;
      if (n === undefined) throw new SedError("trailing backslash");
      if ("(){}|+?".includes(n)) out += n; // \( \) ... are the operators in a BRE
      else if (/[0-9]/.test(n)) out += "\\" + n;
      else if (n === "n") out += "\\n";
      else if (n === "t") out += "\\t";
      else out += n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      continue;
    }
    if (c === "[") {
      // Copy the bracket expression; "]" first is a literal.
      let j = i + 1;
      if (bre[j] === "^") j++;
      if (bre[j] === "]") j++;
      while (j < bre.length && bre[j] !== "]") j++;
      if (j >= bre.length) throw new SedError("unterminated [");
      const body = bre.slice(i + 1, j).replace(/\\/g, "\\\\");
      out += "[" + body + "]";
      i = j + 1;
      continue;
    }
    if ("(){}|+?/".includes(c)) {
      out += "\\" + c;
    } else if (c === "*" && (out === "" || out === "^")) {
      out += "\\*";
    } else {
      out += c;
    }
    i++;
  }
  return out;
}

function readDelimited(s: string, i: number, delim: string): [string, number] {
  let out = "";
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") {
      const n = s[i + 1];
      if (n === delim) {
        out += delim;
        i += 2;
        continue;
      }
      out += c + (n ?? "");
      i += 2;
      continue;
    }
    if (c === delim) return [out, i + 1];
    if (c === "\n") break;
    out += c;
    i++;
  }
  throw new SedError(`unterminated \`s' command`);
}

function parse(script: string, i: number, inBlock: boolean): [Cmd[], number] {
  const cmds: Cmd[] = [];
  while (i < script.length) {
    const c = script[i];
    if (c === " " || c === "\t" || c === "\n" || c === ";") {
      i++;
      continue;
    }
    if (c === "}") {
      if (!inBlock) throw new SedError("unexpected `}'");
      return [cmds, i + 1];
    }
    if (c === "/") {
      const [re, j] = readDelimited(script, i + 1, "/");
      let k = j;
      while (script[k] === " ") k++;
      if (script[k] !== "{") throw new SedError("only /re/{...} addresses are supported");
      const [inner, next] = parse(script, k + 1, true);
      cmds.push({ kind: "block", addr: new RegExp(breToJs(re)), cmds: inner });
      i = next;
      continue;
    }
    if (c === "s") {
      const d = script[i + 1];
      const [re, j] = readDelimited(script, i + 2, d);
      const [repl, k] = readDelimited(script, j, d);
      let p = k;
      let global = false, print = false, nth = 1;
      while (p < script.length && !"\n;}".includes(script[p])) {
        const f = script[p];
        if (f === "g") global = true;
        else if (f === "p") print = true;
        else if (/[0-9]/.test(f)) {
          let n = "";
          while (/[0-9]/.test(script[p] ?? "")) n += script[p++];
          if (Number(n) === 0) throw new SedError("number option to `s' command may not be zero");
          nth = Number(n);
          continue;
        } else if (f === " " || f === "\t") {
          // ignored
        } else throw new SedError(`unknown option to \`s'`);
        p++;
      }
      cmds.push({ kind: "s", re: new RegExp(breToJs(re), "g"), repl, global, print, nth });
      i = p;
      continue;
    }
    throw new SedError(`unknown command: \`${c}'`);
  }
  if (inBlock) throw new SedError("unmatched `{'");
  return [cmds, i];
}

function expand(repl: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c === "\\") {
      const n = repl[++i];
      if (/[0-9]/.test(n)) out += m[Number(n)] ?? "";
      else if (n === "n") out += "\n";
      else out += n;
    } else if (c === "&") out += m[0];
    else out += c;
  }
  return out;
}

function substitute(line: string, s: Subst): [string, boolean] {
  s.re.lastIndex = 0;
  let out = "";
  let last = 0;
  let count = 0;
  let done = false;
  let m: RegExpExecArray | null;
  while ((m = s.re.exec(line)) !== null) {
    count++;
    if (count >= s.nth && (s.global || count === s.nth)) {
      out += line.slice(last, m.index) + expand(s.repl, m);
      last = m.index + m[0].length;
      done = true;
      if (!s.global) break;
    }
    if (m[0].length === 0) s.re.lastIndex++;
  }
  return done ? [out + line.slice(last), true] : [line, false];
}

function run(cmds: Cmd[], line: string, printed: string[]): string {
  for (const c of cmds) {
    if (c.kind === "s") {
      const [l, changed] = substitute(line, c);
      line = l;
      if (changed && c.print) printed.push(line);
    } else if (c.addr.test(line)) {
      line = run(c.cmds, line, printed);
    }
  }
  return line;
}

/** Runs sed `script` over `lines` (-n when `quiet`); throws SedError when it does not compile. */
export function sed(script: string, lines: readonly string[], quiet = false): string[] {
  const [cmds] = parse(script, 0, false);
  const out: string[] = [];
  for (const l of lines) {
    const printed: string[] = [];
    const r = run(cmds, l, printed);
    out.push(...printed);
    if (!quiet) out.push(r);
  }
  return out;
}
