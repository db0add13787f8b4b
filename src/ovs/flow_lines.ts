/**
 * Flow files as `ovs-dpctl add-flows`, `mod-flows` and `del-flows` read them: one flow per
 * line, `[add|modify|delete] FLOW [ACTIONS]` (FLOW without blanks, `ufid:...,` allowed in
 * front; ACTIONS the rest of the line), `#` starts a comment, blank lines are skipped. Lines
 * become {@link FlowOp}s for {@link FlowTable.batch}.
 *
 * @module
 */

import type { FlowOp } from "./flow.ts";
import { parseActions, parseFlowKey, type PortNames } from "./odp_text.ts";

/**
 * One line of a flow file: the operation, or why the line cannot be used.
 *
 * @example
 * ```ts
 * import type { FlowLine } from "@nlts/netlink/ovs";
 * const where = (l: FlowLine) => `line ${l.line}${l.error ? `: ${l.error.message}` : ""}`;
 * ```
 */
export interface FlowLine {
  /** 1-based line number. */
  line: number;
  /** The operation (absent when `error` is set). */
  op?: FlowOp;
  /** A parse error (`OdpParseError`, or an Error for a malformed line). */
  error?: Error;
}

/**
 * Options of {@link parseFlowLines}.
 *
 * @example
 * ```ts
 * import type { FlowLinesOptions } from "@nlts/netlink/ovs";
 * const o: FlowLinesOptions = { command: "modify" };
 * ```
 */
export interface FlowLinesOptions {
  /** The command of lines that do not start with one (default "add"). */
  command?: "add" | "modify" | "delete";
  /** Port numbers by name, for `in_port(NAME)` in keys. */
  portNames?: PortNames;
}

const WORDS = ["add", "delete", "modify"] as const;

/**
 * Reads a flow file (the text of `ovs-dpctl add-flows DP FILE`) line by line. "add" lines
 * become a NEW with NLM_F_CREATE, "modify" a SET of the actions, "delete" a DEL by UFID (or by
 * key without one). Malformed lines come back with `error` and are otherwise skipped, as
 * ovs-dpctl does.
 *
 * @example
 * ```ts
 * import { parseFlowLines } from "@nlts/netlink/ovs";
 * const text = "# two flows\nin_port(1),eth(),eth_type(0x0806),arp() 2\ndelete in_port(2),eth(),eth_type(0x0806),arp()\n";
 * for (const l of parseFlowLines(text)) console.log(l.line, l.op?.op, l.error?.message);
 * // 2 "new" undefined
 * // 3 "del" undefined
 * ```
 */
export function* parseFlowLines(
  text: string,
  options: FlowLinesOptions = {},
): Generator<FlowLine, void, undefined> {
  if (typeof text !== "string") throw new TypeError("Cannot parse flow lines: expected text");
  const def = options.command ?? "add";
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = text.length;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    line = trimBlanks(line);
    if (line === "") continue;
    yield parseLine(line, lineNo, def, options.portNames);
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * `s` without leading and trailing blanks (space, tab, CR, LF), in one pass from each end: a
 * `/[ \t\r\n]+$/` regex retries from every blank of a run and is quadratic on long runs.
 */
function trimBlanks(s: string): string {
  let a = 0, b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function parseLine(
  line: string,
  lineNo: number,
  def: "add" | "modify" | "delete",
  portNames: PortNames | undefined,
): FlowLine {
  let cmd = def;
  // The first word names the command when it is a prefix of one (ovs-dpctl's strncmp rule).
  const wordLen = line.search(/[, \t\r\n]|$/);
  const word = line.slice(0, wordLen);
  const hit = word === "" ? undefined : WORDS.find((w) => w.startsWith(word));
  let rest = line;
  if (hit) {
    cmd = hit;
    rest = line.slice(wordLen).replace(/^[ \t\r\n]+/, "");
  }
  const flowLen = rest.search(/[ \t\r\n]|$/);
  const flowText = rest.slice(0, flowLen);
  const actionsText = trimBlanks(rest.slice(flowLen));
  if (
    flowText === "" || (cmd !== "delete" && actionsText === "") ||
    (cmd === "delete" && actionsText !== "")
  ) {
    return {
      line: lineNo,
      error: new Error(
        cmd === "delete"
          ? `Failed parsing line number ${lineNo}: delete takes a flow and no actions`
          : `Failed parsing line number ${lineNo}: expected a flow and its actions`,
      ),
    };
  }
  try {
    const p = parseFlowKey(flowText, { portNames });
    if (cmd === "delete") {
      return { line: lineNo, op: { op: "del", ref: p.ufid ? { ufid: p.ufid } : { key: p.key } } };
    }
    const actions = parseActions(actionsText);
    if (cmd === "modify") {
      return {
        line: lineNo,
        op: {
          op: "set",
          update: { key: p.key, mask: p.mask, actions, ...(p.ufid ? { ufid: p.ufid } : {}) },
        },
      };
    }
    return {
      line: lineNo,
      op: {
        op: "new",
        flow: { key: p.key, mask: p.mask, actions, ...(p.ufid ? { ufid: p.ufid } : {}) },
      },
    };
  } catch (e) {
    return { line: lineNo, error: e as Error };
  }
}
