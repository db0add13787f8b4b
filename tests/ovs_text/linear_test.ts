// Linear parsing (issue 15, item 9): `nlts dp add-flows FILE` reads untrusted text, so runs of
// 80,000+ blanks or digits parse to the right result (or a short error) instead of taking
// seconds (a trailing-blank regex retried from every blank; integers accumulated every digit
// into a bigint) or making 80,000-character error messages. Times are measured in
// bench/ovs_text_bench.ts, not asserted here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFlowLines } from "../../src/ovs/flow_lines.ts";
import { parseFlowFilter } from "../../src/ovs/flow_filter.ts";
import { OdpParseError, parseActions, parseFlow, parseFlowKey } from "./_ovs.ts";

const N = 80_000;
const ARP = "in_port(1),eth(),eth_type(0x0806),arp()";

test("linear: flow lines with 80,000 blanks inside, around and after parse to their flows", () => {
  const blanks = " \t".repeat(N / 2);
  const text = [
    `${blanks}${ARP}${blanks}2${blanks}`,
    `${blanks}# a comment after ${N} blanks`,
    blanks,
    `${ARP} 3${blanks}\r`,
    `delete ${ARP}${" ".repeat(N)}`,
  ].join("\n");
  const lines = [...parseFlowLines(text)];
  assert.deepEqual(lines.map((l) => [l.line, l.op?.op, l.error?.message]), [
    [1, "new", undefined],
    [4, "new", undefined],
    [5, "del", undefined],
  ]);
  const first = lines[0].op;
  assert.ok(first?.op === "new");
  assert.deepEqual(first.flow.actions, [{ kind: "output", value: 2 }]);
  const second = lines[1].op;
  assert.ok(second?.op === "new");
  assert.deepEqual(second.flow.actions, [{ kind: "output", value: 3 }]);
  // blanks, then something that is not a flow: an error for that line, not a hang
  const bad = [...parseFlowLines(`${ARP}${blanks}x${blanks}y`)];
  assert.equal(bad.length, 1);
  assert.ok(bad[0].error instanceof Error);
});

/** Runs `f`, which must throw `type`, and returns the message (checked to stay short). */
function shortError(
  f: () => unknown,
  type: abstract new (...args: never[]) => Error,
  max = 700,
): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof type, `${e}`);
    const m = (e as Error).message;
    assert.ok(m.length <= max, `a ${m.length}-character message`);
    return m;
  }
  assert.fail("no error");
}

test("linear: 80,000-digit integers are refused with a short message; leading zeros still read", () => {
  const digits = "9".repeat(N);
  const m1 = shortError(
    () => parseFlow(`${ARP}, packets:${digits}, bytes:0, used:never, actions:drop`),
    OdpParseError,
  );
  assert.match(
    m1,
    /999\.\.\. \(80000 characters\) does not fit \(largest accepted: 18446744073709551615\)/,
  );
  const m2 = shortError(() => parseFlowKey(`in_port(0x${"f".repeat(N)})`), OdpParseError);
  assert.match(m2, /at column 9: 0xfff.*\(80002 characters\) does not fit/);
  shortError(() => parseActions(digits), OdpParseError);
  shortError(() => parseFlowKey(`ct_label(0x${"1".repeat(N)})`), OdpParseError);
  shortError(
    () => parseFlowKey(`tunnel(geneve({class=0x1,type=0x2,len=4,0x${"1".repeat(N)}}))`),
    OdpParseError,
  );
  shortError(() => parseFlowFilter(`in_port=${digits}`), RangeError);
  shortError(() => parseFlowFilter(`in_port(${digits})`), RangeError);
  shortError(() => parseFlowFilter(`${"x".repeat(N)}=1`), RangeError);
  // 80,000 leading zeros: an octal 1, as C's %i reads it
  assert.equal(parseFlowKey(`in_port(${"0".repeat(N)}1)`).key.inPort, 1);
  assert.equal(parseFlowKey(`in_port(0x${"0".repeat(N)}2)`).key.inPort, 2);
});
